/**
 * kubectl against the simulator's RBAC on a member (through the Karmada proxy path, as the caller's
 * identity): the admin grants shop-dev pods in namespace `shop` on member1; shop-dev then lists pods
 * there, is refused in `web` with kube's exact Forbidden message, sees its grants in
 * `kubectl auth can-i [--list]`, and cannot bind itself `cluster-admin` (escalation check).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, startTestSimulator, kubectlRuns } from './support/simServer.js';
import type { TestSimulator } from './support/simServer.js';


const SHOP_DEV_TOKEN = 'rbac-kubectl-shop-dev';

describe.skipIf(!kubectlRuns('kubectl'))('kubectl and the simulator RBAC on a member', () => {
  let sim: TestSimulator;
  const admin = (args: string[]) => kubectl(sim, ['--context', 'member1', ...args]);
  const shopDev = (args: string[]) => kubectl(sim, ['--context', 'member1', '--token', SHOP_DEV_TOKEN, ...args]);

  beforeAll(async () => {
    sim = await startTestSimulator({ scenario: 'mini', tokens: [{ token: SHOP_DEV_TOKEN, user: 'shop-dev', groups: ['dev'] }] });
    // The mini scenario's member1 already has namespace web (its nginx app).
    expect(sim.fleet.members.get('member1')!.objects.get('namespaces', undefined, 'web')).toBeDefined();
    // Karmada's cluster proxy path first asks the control plane for `clusters/proxy` on the member.
    for (const args of [
      ['create', 'clusterrole', 'member1-proxy', '--verb=*', '--resource=clusters.cluster.karmada.io/proxy', '--resource-name=member1'],
      ['create', 'clusterrolebinding', 'shop-dev-member1-proxy', '--clusterrole=member1-proxy', '--user=shop-dev'],
    ]) {
      const r = await kubectl(sim, ['--context', 'karmada', ...args]);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.code, args.join(' ')).toBe(0);
    }
    for (const args of [
      ['create', 'namespace', 'shop'],
      ['-n', 'shop', 'run', 'web-1', '--image', 'nginx:1.25'],
      ['-n', 'shop', 'create', 'role', 'pod-reader', '--verb=get,list,watch', '--resource=pods'],
      ['-n', 'shop', 'create', 'rolebinding', 'shop-dev-pod-reader', '--role=pod-reader', '--user=shop-dev'],
      ['-n', 'shop', 'create', 'role', 'binding-manager', '--verb=create,get,list', '--resource=rolebindings'],
      ['-n', 'shop', 'create', 'rolebinding', 'shop-dev-binding-manager', '--role=binding-manager', '--user=shop-dev'],
    ]) {
      const r = await admin(args);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.code, args.join(' ')).toBe(0);
    }
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('shows roles and bindings as kubectl tables', async () => {
    const roles = await admin(['-n', 'shop', 'get', 'roles']);
    expect(roles.stdout.split('\n')[0]).toMatch(/^NAME\s+CREATED AT$/);
    expect(roles.stdout).toMatch(/^pod-reader\s+\d{4}-\d\d-\d\dT/m);
    const bindings = await admin(['-n', 'shop', 'get', 'rolebindings', '-o', 'wide']);
    expect(bindings.stdout.split('\n')[0]).toMatch(/^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS$/);
    expect(bindings.stdout).toMatch(/^shop-dev-pod-reader\s+Role\/pod-reader\s+\S+\s+shop-dev\s*$/m);
    const clusterRoles = await admin(['get', 'clusterroles', 'cluster-admin', 'view', 'system:discovery']);
    expect(clusterRoles.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['NAME', 'cluster-admin', 'view', 'system:discovery']);
    const masters = await admin(['get', 'clusterrolebinding', 'cluster-admin', '-o', 'jsonpath={.subjects[0].name}']);
    expect(masters.stdout).toBe('system:masters');
  });

  it('a user with pods in shop lists them there and is refused in web with the real message', async () => {
    const ok = await shopDev(['-n', 'shop', 'get', 'pods', '-o', 'name']);
    expect(ok.stderr).toBe('');
    expect(ok.stdout.trim()).toBe('pod/web-1');
    const refused = await shopDev(['-n', 'web', 'get', 'pods']);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe('Error from server (Forbidden): pods is forbidden: User "shop-dev" cannot list resource "pods" in API group "" in the namespace "web"');
    const nodes = await shopDev(['get', 'nodes']);
    expect(nodes.stderr.trim()).toBe('Error from server (Forbidden): nodes is forbidden: User "shop-dev" cannot list resource "nodes" in API group "" at the cluster scope');
  });

  it('kubectl auth can-i answers from the member RBAC, and --list prints what the roles grant', async () => {
    expect((await shopDev(['-n', 'shop', 'auth', 'can-i', 'watch', 'pods'])).stdout.trim()).toBe('yes');
    const no = await shopDev(['-n', 'shop', 'auth', 'can-i', 'create', 'deployments.apps']);
    expect(no.stdout.trim()).toBe('no');
    expect(no.code).toBe(1);
    expect((await shopDev(['-n', 'web', 'auth', 'can-i', 'list', 'pods'])).stdout.trim()).toBe('no');
    expect((await admin(['-n', 'web', 'auth', 'can-i', 'delete', 'nodes'])).stdout.trim()).toBe('yes');
    const list = await shopDev(['-n', 'shop', 'auth', 'can-i', '--list']);
    expect(list.code).toBe(0);
    const rows = list.stdout.split('\n').filter(Boolean).map((l) => l.replace(/\s+$/, '').split(/\s{2,}/));
    expect(rows[0]).toEqual(['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs']);
    expect(rows).toContainEqual(['pods', '[]', '[]', '[get list watch]']);
    expect(rows).toContainEqual(['rolebindings.rbac.authorization.k8s.io', '[]', '[]', '[create get list]']);
    expect(rows).toContainEqual(['selfsubjectaccessreviews.authorization.k8s.io', '[]', '[]', '[create]']);
    expect(rows).toContainEqual(['', '[/api/*]', '[]', '[get]']);
    expect(rows.some((r) => r[0] === 'secrets' || r[0] === 'deployments.apps')).toBe(false);
    // In web, shop-dev holds only what every authenticated user holds.
    const web = (await shopDev(['-n', 'web', 'auth', 'can-i', '--list'])).stdout;
    expect(web).not.toMatch(/^pods\s/m);
  });

  it('binding cluster-admin is refused as an escalation; binding a held role is allowed', async () => {
    const r = await shopDev(['-n', 'shop', 'create', 'rolebinding', 'dev-admin', '--clusterrole=cluster-admin', '--user=shop-dev']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'error: failed to create rolebinding: rolebindings.rbac.authorization.k8s.io "dev-admin" is forbidden: user "shop-dev" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
    );
    expect((await admin(['-n', 'shop', 'get', 'rolebinding', 'dev-admin'])).code).toBe(1);
    const held = await shopDev(['-n', 'shop', 'create', 'rolebinding', 'viewer-pod-reader', '--role=pod-reader', '--user=viewer']);
    expect(held.stderr).toBe('');
    expect(held.stdout.trim()).toBe('rolebinding.rbac.authorization.k8s.io/viewer-pod-reader created');
  });
});
