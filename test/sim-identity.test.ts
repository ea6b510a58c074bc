/**
 * Identities in the simulator (issue 11, identity half), end to end over HTTPS and with the machine's
 * kubectl against the `demo` scenario: the demo users of the written kubeconfig and what RBAC lets each
 * do through any member's cluster entry, impersonation (`--as`, refusals as recorded, the 500 for a
 * group without a user), the Karmada cluster proxy's `clusters/proxy` check and identity passing,
 * TokenRequest tokens used as bearer tokens (before and after a RoleBinding, after the account is gone,
 * for another audience), TokenReview, and service account issuer discovery.
 */
import { createPublicKey, verify } from 'node:crypto';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubectl, simRequest, startTestSimulator, kubectlRuns } from './support/simServer.js';
import type { TestSimulator } from './support/simServer.js';

const HAVE_KUBECTL = kubectlRuns('kubectl');
if (!HAVE_KUBECTL) console.warn('[sim identity] kubectl is not installed: the kubectl cases are skipped (apt-get install kubernetes-client)');

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const proxy = (member: string, path: string) => `/apis/cluster.karmada.io/v1alpha1/clusters/${member}/proxy${path}`;
const RBAC = '/apis/rbac.authorization.k8s.io/v1';

let sim: TestSimulator;
/** Demo user → bearer token, read from the written kubeconfig (the contract). */
const tokens = new Map<string, string>();

beforeAll(async () => {
  sim = await startTestSimulator({ scenario: 'demo', seed: 3 });
  const kc = yaml.load(sim.kubeconfig) as { users: Array<{ name: string; user: { token: string } }> };
  for (const u of kc.users) tokens.set(u.name, u.user.token);
});
afterAll(async () => {
  await sim?.stop();
});

const tokenOf = (user: string): string => tokens.get(user)!;

describe('demo users in the kubeconfig', () => {
  it('has karmada-admin as the current and member contexts, and one user with a token and a control-plane context per demo user', () => {
    const kc = yaml.load(sim.kubeconfig) as any;
    expect(kc['current-context']).toBe('karmada');
    const ctx = (name: string) => kc.contexts.find((c: any) => c.name === name)?.context;
    expect(ctx('karmada')).toEqual({ cluster: 'karmada', user: 'karmada-admin' });
    expect(ctx('member1')).toEqual({ cluster: 'member1', user: 'karmada-admin' });
    for (const u of ['platform-viewer', 'shop-dev', 'ops-oncall']) {
      expect(ctx(u)).toEqual({ cluster: 'karmada', user: u });
      expect(tokenOf(u)).toMatch(/^[0-9a-f]{48}$/);
    }
    expect(tokens.get('karmada-admin')).toBe(sim.adminToken);
  });
});

describe.skipIf(!HAVE_KUBECTL)('kubectl as the demo users', () => {
  const k = (args: string[]) => kubectl(sim, args);

  it('shop-dev through member1: pods in shop are listed, pods in web are Forbidden with the real message', async () => {
    const shop = await k(['--cluster', 'member1', '--user', 'shop-dev', 'get', 'pods', '-n', 'shop', '-o', 'name']);
    expect(shop.code).toBe(0);
    const expected = sim.fleet.members.get('member1')!.objects.list('pods', { namespace: 'shop' }).map((p) => `pod/${p.metadata.name}`);
    expect(expected.length).toBeGreaterThan(3);
    expect(shop.stdout.trim().split('\n').sort()).toEqual(expected.sort());
    const web = await k(['--cluster', 'member1', '--user', 'shop-dev', 'get', 'pods', '-n', 'web']);
    expect(web.code).toBe(1);
    expect(web.stderr).toContain('Error from server (Forbidden): pods is forbidden: User "shop-dev" cannot list resource "pods" in API group "" in the namespace "web"');
  });

  it('shop-dev may not go through the proxy to member3 (no clusters/proxy there)', async () => {
    const r = await simRequest(sim, proxy('member3', '/api/v1/namespaces/shop/pods'), { token: tokenOf('shop-dev') });
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ reason: 'Forbidden', details: { name: 'member3', group: 'cluster.karmada.io', kind: 'clusters' } });
    expect(r.json.message).toBe('clusters.cluster.karmada.io "member3" is forbidden: User "shop-dev" cannot get resource "clusters/proxy" in API group "cluster.karmada.io" at the cluster scope');
  });

  it('auth can-i --list prints what each demo user’s roles grant', async () => {
    const rows = (out: string) => out.trim().split('\n').map((l) => l.trim().split(/\s+/));
    const row = (out: string, resource: string) => rows(out).find((r) => r[0] === resource);

    const dev = await k(['--cluster', 'member1', '--user', 'shop-dev', 'auth', 'can-i', '--list', '-n', 'shop']);
    expect(dev.code).toBe(0);
    expect(row(dev.stdout, 'pods')?.join(' ')).toContain('create delete deletecollection patch update get list watch');
    expect(row(dev.stdout, 'deployments.apps')).toBeDefined();
    expect(row(dev.stdout, 'rolebindings.rbac.authorization.k8s.io')?.join(' ')).toContain('[create get list delete]');
    const devWeb = await k(['--cluster', 'member1', '--user', 'shop-dev', 'auth', 'can-i', '--list', '-n', 'web']);
    expect(row(devWeb.stdout, 'pods')).toBeUndefined();

    const viewer = await k(['--cluster', 'member2', '--user', 'platform-viewer', 'auth', 'can-i', '--list', '-n', 'shop']);
    expect(viewer.code).toBe(0);
    expect(row(viewer.stdout, 'pods')?.join(' ')).toContain('[get list watch]');
    expect(row(viewer.stdout, 'secrets')).toBeUndefined();

    const ops = await k(['--cluster', 'member3', '--user', 'ops-oncall', 'auth', 'can-i', '--list']);
    expect(ops.code).toBe(0);
    expect(row(ops.stdout, 'nodes')?.join(' ')).toContain('[get list patch]');
    expect(row(ops.stdout, 'pods/eviction')?.join(' ')).toContain('[create]');
    expect(row(ops.stdout, 'daemonsets.apps')?.join(' ')).toContain('[get list]');

    // On the control plane: clusters/proxy for each member it may reach (kubectl prints a row per name).
    const proxyRule = await k(['--context', 'ops-oncall', 'auth', 'can-i', '--list']);
    const proxied = rows(proxyRule.stdout).filter((r) => r[0] === 'clusters.cluster.karmada.io/proxy').map((r) => r.slice(1).join(' '));
    expect(proxied.sort()).toEqual(['[] [member1] [*]', '[] [member2] [*]', '[] [member3] [*]']);
    const devProxy = await k(['--context', 'shop-dev', 'auth', 'can-i', '--list']);
    expect(rows(devProxy.stdout).filter((r) => r[0] === 'clusters.cluster.karmada.io/proxy').map((r) => r[2]).sort()).toEqual(['[member1]', '[member2]']);
  });

  it('ops-oncall cordons and uncordons a node on a member but may not delete a deployment', async () => {
    const node = sim.fleet.members.get('member2')!.objects.list('nodes')[0]!.metadata.name!;
    const unschedulable = (name: string) => (sim.fleet.members.get('member2')!.objects.get('nodes', undefined, name)!.spec as { unschedulable?: boolean }).unschedulable;
    const cordon = await k(['--cluster', 'member2', '--user', 'ops-oncall', 'cordon', node]);
    expect(cordon.stderr).toBe('');
    expect(unschedulable(node)).toBe(true);
    expect((await k(['--cluster', 'member2', '--user', 'ops-oncall', 'uncordon', node])).code).toBe(0);
    expect(unschedulable(node)).toBeFalsy();
    const del = await k(['--cluster', 'member2', '--user', 'ops-oncall', 'delete', 'deployment', 'cart', '-n', 'shop']);
    expect(del.code).not.toBe(0);
    // kubectl reads the object before deleting it: the refusal is of that first request.
    expect(del.stderr).toMatch(/deployments\.apps "cart" is forbidden: User "ops-oncall" cannot (get|delete) resource "deployments" in API group "apps" in the namespace "shop"/);
    expect(sim.fleet.members.get('member2')!.objects.get('apps/deployments', 'shop', 'cart')).toBeDefined();
  });

  it('ops-oncall drains a node of member3 (evictions, DaemonSet pods left) and uncordons it', async () => {
    const member3 = sim.fleet.members.get('member3')!;
    const node = member3.objects.list('nodes').find((n) => member3.objects.list('pods', { fieldSelector: `spec.nodeName=${n.metadata.name}` }).some((p) => !p.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet')))!.metadata.name!;
    const drain = await kubectl(sim, ['--cluster', 'member3', '--user', 'ops-oncall', 'drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout', '60s'], { timeoutMs: 90_000 });
    expect(drain.stdout).toContain(`node/${node} drained`);
    const left = member3.objects.list('pods', { fieldSelector: `spec.nodeName=${node}` }).filter((p) => !p.metadata.deletionTimestamp);
    expect(left.every((p) => p.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet') || p.metadata.annotations?.['kubernetes.io/config.mirror'])).toBe(true);
    expect((await k(['--cluster', 'member3', '--user', 'ops-oncall', 'uncordon', node])).code).toBe(0);
  });

  it('shop-dev may bind a role it holds in shop but not cluster-admin (the escalation check)', async () => {
    // `--context shop-dev --cluster member1`: `create rolebinding --user` is the subject, not the kubeconfig user.
    const asDev = (args: string[]) => k(['--context', 'shop-dev', '--cluster', 'member1', '-n', 'shop', ...args]);
    const escalate = await asDev(['create', 'rolebinding', 'dev-admin', '--clusterrole=cluster-admin', '--user=shop-dev']);
    expect(escalate.code).not.toBe(0);
    expect(escalate.stderr).toContain('rolebindings.rbac.authorization.k8s.io "dev-admin" is forbidden: user "shop-dev" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:');
    const held = await asDev(['create', 'rolebinding', 'someone-view', '--clusterrole=view', '--user=someone']);
    expect(held.stderr).toBe('');
    expect(sim.fleet.members.get('member1')!.objects.get('rbac.authorization.k8s.io/rolebindings', 'shop', 'someone-view')).toBeDefined();
    expect(sim.fleet.members.get('member1')!.objects.get('rbac.authorization.k8s.io/rolebindings', 'shop', 'dev-admin')).toBeUndefined();
  });

  it('kubectl --as: allowed for the admin (then authorized as the impersonated user), refused without the impersonate verb', async () => {
    const as = await k(['--context', 'member1', 'get', 'pods', '-n', 'web', '--as', 'shop-dev']);
    expect(as.stderr).toContain('pods is forbidden: User "shop-dev" cannot list resource "pods" in API group "" in the namespace "web"');
    expect((await k(['--context', 'member1', 'get', 'pods', '-n', 'shop', '--as', 'shop-dev'])).code).toBe(0);
    const canI = await k(['--context', 'member1', 'auth', 'can-i', 'list', 'pods', '-n', 'web', '--as', 'platform-viewer']);
    expect(canI.stdout.trim()).toBe('yes');
    const refused = await k(['--context', 'shop-dev', 'auth', 'can-i', 'get', 'pods', '--as', 'karmada-admin']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('users "karmada-admin" is forbidden: User "shop-dev" cannot impersonate resource "users" in API group "" at the cluster scope');
  });
});

describe('impersonation on the wire', () => {
  it('refuses an impersonation without the verb, naming the impersonated object, also on the proxy path (checked on the control plane)', async () => {
    const direct = await simRequest(sim, '/api/v1/namespaces', { token: tokenOf('shop-dev'), headers: { 'Impersonate-User': 'karmada-admin' } });
    expect(direct.status).toBe(403);
    expect(direct.json.details).toEqual({ name: 'karmada-admin', kind: 'users' });
    const viaProxy = await simRequest(sim, proxy('member1', '/api/v1/namespaces/shop/pods'), { token: tokenOf('shop-dev'), headers: { 'Impersonate-User': 'system:serviceaccount:shop:default' } });
    expect(viaProxy.status).toBe(403);
    expect(viaProxy.json.message).toBe('serviceaccounts "default" is forbidden: User "shop-dev" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "shop"');
  });

  it('answers a group without a user with the recorded 500 text/plain', async () => {
    const r = await simRequest(sim, '/api/v1/namespaces/shop/pods', { headers: { 'Impersonate-Group': 'dev' } });
    expect(r.status).toBe(500);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.text).toBe('Internal Server Error: "/api/v1/namespaces/shop/pods": requested [{Group  dev    }] without impersonating a user');
  });

  it('passes the impersonated identity through the proxy as Karmada does: the member sees the user and its groups', async () => {
    const member1 = sim.fleet.members.get('member1')!;
    // A group-only grant on member1: only a caller whose group reaches the member may read.
    member1.objects.create('rbac.authorization.k8s.io/rolebindings', {
      metadata: { name: 'auditors-view', namespace: 'web' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'auditors' }],
    });
    const path = proxy('member1', '/api/v1/namespaces/web/pods');
    // The control plane checks clusters/proxy for the impersonated user, not for the admin.
    const refusedAtProxy = await simRequest(sim, path, { headers: { 'Impersonate-User': 'jane' } });
    expect(refusedAtProxy.status).toBe(403);
    expect(refusedAtProxy.json.message).toBe('clusters.cluster.karmada.io "member1" is forbidden: User "jane" cannot get resource "clusters/proxy" in API group "cluster.karmada.io" at the cluster scope');
    sim.fleet.controlPlane.objects.create('rbac.authorization.k8s.io/clusterrolebindings', {
      metadata: { name: 'jane-proxy' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'demo:cluster-proxy:platform-viewer' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' }],
    });
    // Through the proxy, member1 refuses jane alone and allows her with the group.
    const alone = await simRequest(sim, path, { headers: { 'Impersonate-User': 'jane' } });
    expect(alone.status).toBe(403);
    expect(alone.json.message).toContain('User "jane" cannot list resource "pods"');
    const withGroup = await simRequest(sim, path, { headers: { 'Impersonate-User': 'jane', 'Impersonate-Group': 'auditors' } });
    expect(withGroup.status).toBe(200);
    expect(withGroup.json.items.length).toBeGreaterThan(0);
    const seen = sim.server.stats.recent().filter((r) => r.path === '/api/v1/namespaces/web/pods' && r.user === 'karmada-admin').at(-1)!;
    expect(seen).toMatchObject({ impersonateUser: 'jane', impersonateGroups: ['auditors'] });
  });
});

describe('service account tokens', () => {
  const cpSa = '/api/v1/namespaces/shop/serviceaccounts';

  async function tokenFor(name: string, spec: Record<string, unknown> = {}): Promise<string> {
    const r = await simRequest(sim, `${cpSa}/${name}/token`, { method: 'POST', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec } });
    expect(r.status).toBe(201);
    return r.json.status.token as string;
  }

  beforeAll(async () => {
    // The control plane may hold `shop` already (Karmada resource templates).
    expect([201, 409]).toContain((await simRequest(sim, '/api/v1/namespaces', { method: 'POST', body: { metadata: { name: 'shop' } } })).status);
    expect((await simRequest(sim, cpSa, { method: 'POST', body: { metadata: { name: 'builder' } } })).status).toBe(201);
  });

  it('lists serviceaccounts/token and tokenreviews in discovery as 1.26 does', async () => {
    const core = await simRequest(sim, '/api/v1');
    expect(core.json.resources.find((r: { name: string }) => r.name === 'serviceaccounts/token')).toEqual({
      name: 'serviceaccounts/token', singularName: '', namespaced: true, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'],
    });
    const authn = await simRequest(sim, '/apis/authentication.k8s.io/v1');
    expect(authn.json.resources).toEqual([{ name: 'tokenreviews', singularName: '', namespaced: false, kind: 'TokenReview', verbs: ['create'] }]);
  });

  it('TokenRequest answers as recorded, with a signed JWT of the claims kube puts in', async () => {
    const r = await simRequest(sim, `${cpSa}/builder/token`, { method: 'POST', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } } });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: { name: 'builder', namespace: 'shop' } });
    expect(r.json.spec).toEqual({ audiences: [ISSUER], expirationSeconds: 3600, boundObjectRef: null });
    expect(r.json.metadata.managedFields[0]).toMatchObject({ operation: 'Update', subresource: 'token', fieldsV1: { 'f:spec': { 'f:expirationSeconds': {} } } });
    const [header, claims] = (r.json.status.token as string).split('.').slice(0, 2).map((s) => JSON.parse(Buffer.from(s, 'base64url').toString()));
    expect(header.alg).toBe('RS256');
    const uid = sim.fleet.controlPlane.objects.get('serviceaccounts', 'shop', 'builder')!.metadata.uid;
    expect(claims).toMatchObject({ aud: [ISSUER], iss: ISSUER, sub: 'system:serviceaccount:shop:builder', 'kubernetes.io': { namespace: 'shop', serviceaccount: { name: 'builder', uid } } });
    expect(claims.exp - claims.iat).toBe(3600);
    expect(new Date(r.json.status.expirationTimestamp).getTime()).toBe(claims.exp * 1000);
    const tooShort = await simRequest(sim, `${cpSa}/builder/token`, { method: 'POST', body: { spec: { expirationSeconds: 60 } } });
    expect(tooShort.status).toBe(422);
    expect((await simRequest(sim, `${cpSa}/nobody-here/token`, { method: 'POST', body: { spec: {} } })).status).toBe(404);
  });

  it('a TokenRequest token lists pods on member1 through the proxy once RBAC allows, and not before', async () => {
    const token = await tokenFor('builder');
    const path = proxy('member1', '/api/v1/namespaces/shop/pods');
    const sa = { kind: 'ServiceAccount', name: 'builder', namespace: 'shop' };
    // 1. No clusters/proxy on the control plane.
    const first = await simRequest(sim, path, { token });
    expect(first.status).toBe(403);
    expect(first.json.message).toContain('User "system:serviceaccount:shop:builder" cannot get resource "clusters/proxy"');
    const grant = {
      metadata: { name: 'builder-proxy' },
      rules: [{ apiGroups: ['cluster.karmada.io'], resources: ['clusters/proxy'], resourceNames: ['member1'], verbs: ['get'] }],
    };
    expect((await simRequest(sim, `${RBAC}/clusterroles`, { method: 'POST', body: grant })).status).toBe(201);
    const bindProxy = { metadata: { name: 'builder-proxy' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'builder-proxy' }, subjects: [sa] };
    expect((await simRequest(sim, `${RBAC}/clusterrolebindings`, { method: 'POST', body: bindProxy })).status).toBe(201);
    // 2. Through the proxy, but member1's RBAC does not let the account list pods yet.
    const second = await eventually(async () => {
      const r = await simRequest(sim, path, { token });
      return r.status === 403 && r.json.message.startsWith('pods is forbidden') ? r : undefined;
    });
    expect(second!.json.message).toBe('pods is forbidden: User "system:serviceaccount:shop:builder" cannot list resource "pods" in API group "" in the namespace "shop"');
    // 3. A RoleBinding on member1.
    const binding = { metadata: { name: 'builder-view' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [sa] };
    expect((await simRequest(sim, proxy('member1', `${RBAC}/namespaces/shop/rolebindings`), { method: 'POST', body: binding })).status).toBe(201);
    const listed = await eventually(async () => {
      const r = await simRequest(sim, path, { token });
      return r.status === 200 ? r : undefined;
    });
    expect(listed!.json.items.length).toBe(sim.fleet.members.get('member1')!.objects.list('pods', { namespace: 'shop' }).length);
  });

  it('refuses a token for another audience, and every token once its ServiceAccount is deleted (401)', async () => {
    const other = await tokenFor('builder', { audiences: ['https://other.example.com'] });
    expect((await simRequest(sim, '/api/v1/namespaces', { token: other })).status).toBe(401);
    expect((await simRequest(sim, cpSa, { method: 'POST', body: { metadata: { name: 'short-lived' } } })).status).toBe(201);
    const token = await tokenFor('short-lived');
    // Authenticated (403 from authorization, not 401) while the account exists.
    expect((await simRequest(sim, '/api/v1/namespaces', { token })).status).toBe(403);
    expect((await simRequest(sim, `${cpSa}/short-lived`, { method: 'DELETE' })).status).toBe(200);
    const gone = await simRequest(sim, '/api/v1/namespaces', { token });
    expect(gone.status).toBe(401);
    expect(gone.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('TokenReview answers for static, service account, invalid and wrong-audience tokens, and needs create tokenreviews', async () => {
    const review = (token: string, audiences?: string[], as?: string) =>
      simRequest(sim, '/apis/authentication.k8s.io/v1/tokenreviews', {
        method: 'POST',
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences ? { audiences } : {}) } },
        ...(as ? { token: as } : {}),
      });
    const dev = await review(tokenOf('shop-dev'));
    expect(dev.status).toBe(201);
    expect(dev.json.status).toEqual({ authenticated: true, user: { username: 'shop-dev', uid: 'shop-dev', groups: ['system:authenticated'] }, audiences: [ISSUER] });
    expect(dev.json.metadata.creationTimestamp).toBeNull();
    const saToken = await tokenFor('builder');
    const sa = await review(saToken);
    expect(sa.json.status).toMatchObject({ authenticated: true, user: { username: 'system:serviceaccount:shop:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'] } });
    expect((await review('not-a-real-token-0000')).json.status).toEqual({ user: {}, error: 'invalid bearer token' });
    expect((await review(saToken, ['https://other.example.com'])).json.status).toEqual({
      user: {},
      error: `[invalid bearer token, token audiences ["${ISSUER}"] is invalid for the target audiences ["https://other.example.com"]]`,
    });
    const forbidden = await review(tokenOf('platform-viewer'), undefined, tokenOf('shop-dev'));
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.message).toBe('tokenreviews.authentication.k8s.io is forbidden: User "shop-dev" cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope');
  });

  it('serves issuer discovery to service accounts only (upstream 1.26), JWKS only as application/jwk-set+json, with the key that signs the tokens', async () => {
    const token = await tokenFor('builder');
    const config = await simRequest(sim, '/.well-known/openid-configuration', { token });
    expect(config.status).toBe(200);
    expect(config.headers['cache-control']).toBe('public, max-age=3600');
    expect(config.json).toEqual({
      issuer: ISSUER,
      jwks_uri: `${sim.url}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const jwks = await simRequest(sim, '/openid/v1/jwks', { token, headers: { Accept: 'application/jwk-set+json' } });
    expect(jwks.status).toBe(200);
    expect(jwks.headers['content-type']).toBe('application/jwk-set+json');
    expect(jwks.headers['cache-control']).toBe('public, max-age=3600');
    const [h, c, s] = token.split('.');
    const kid = JSON.parse(Buffer.from(h!, 'base64url').toString()).kid;
    const jwk = jwks.json.keys.find((key: { kid: string }) => key.kid === kid);
    expect(jwk).toMatchObject({ use: 'sig', kty: 'RSA', alg: 'RS256' });
    expect(verify('sha256', Buffer.from(`${h}.${c}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s!, 'base64url'))).toBe(true);
    const asJson = await simRequest(sim, '/openid/v1/jwks', { token });
    expect(asJson.status).toBe(406);
    expect(asJson.json).toMatchObject({ reason: 'NotAcceptable', message: '406: Not Acceptable\n\nAvailable representations: application/jwk-set+json' });
    const viewer = await simRequest(sim, '/openid/v1/jwks', { token: tokenOf('platform-viewer'), headers: { Accept: 'application/jwk-set+json' } });
    expect(viewer.status).toBe(403);
    expect(viewer.json.message).toBe('forbidden: User "platform-viewer" cannot get path "/openid/v1/jwks"');
    expect((await simRequest(sim, '/.well-known/openid-configuration', { token: null })).status).toBe(403);
  });

  it("gives the gateway's ServiceAccount the deploy/ ClusterRole on the control plane and the members", async () => {
    const can = async (member: string | undefined, attributes: Record<string, string>) => {
      const path = '/apis/authorization.k8s.io/v1/subjectaccessreviews';
      const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'system:serviceaccount:fleetgraph-system:fleetgraph', groups: ['system:serviceaccounts', 'system:serviceaccounts:fleetgraph-system', 'system:authenticated'], resourceAttributes: attributes } };
      const r = await simRequest(sim, member ? proxy(member, path) : path, { method: 'POST', body });
      expect(r.status).toBe(201);
      return r.json.status.allowed as boolean;
    };
    expect(await can(undefined, { verb: 'create', group: 'authentication.k8s.io', resource: 'tokenreviews' })).toBe(true);
    expect(await can(undefined, { verb: 'impersonate', resource: 'users', name: 'shop-dev' })).toBe(true);
    expect(await can(undefined, { verb: 'get', group: 'cluster.karmada.io', resource: 'clusters', subresource: 'proxy', name: 'member2' })).toBe(true);
    expect(await can('member2', { verb: 'watch', resource: 'pods' })).toBe(true);
    expect(await can('member2', { verb: 'create', resource: 'pods', subresource: 'eviction', namespace: 'shop' })).toBe(true);
    expect(await can('member2', { verb: 'delete', resource: 'namespaces', name: 'shop' })).toBe(false);
    expect(await can('member2', { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' })).toBe(false);
  });
});
