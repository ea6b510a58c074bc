/**
 * deploy/ as an operator uses it: `kubectl kustomize` renders every overlay (the kubectl on PATH, and each
 * binary named in FLEETGRAPH_TEST_KUBECTLS, colon separated — e.g. Debian's kubectl 1.20 with kustomize
 * v2.0.3); the rendered objects carry what the issue asks (probes, resources, the locked-down security
 * context, PDB, NetworkPolicy, the overlays' differences); the shipped ClusterRoles grant exactly what
 * src/doctor/requiredAccess.ts says the gateway needs for the overlay's auth mode; every rendered object is
 * accepted by `kubectl apply --server-side` on the simulator's control plane and Karmada propagates the
 * member-side RBAC to every member; and the gateway, authenticated as the ServiceAccount bound to exactly
 * those roles (a TokenRequest token, mounted as a pod's would be and read through the in-cluster identity),
 * reads the fleet and carries out writes — impersonating its callers with --auth kubernetes, as itself with
 * --auth none.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/loadConfig.js';
import { requiredAccess, ruleResource, selectAccess, type AccessSettings } from '../src/doctor/requiredAccess.js';
import { createLogger } from '../src/server/logger.js';
import { startGateway, type Gateway } from '../src/server/startGateway.js';
import {
  GATEWAY_SA as SA, MEMBER_RBAC_LABEL, applyServerSide as apply, findObject as find, memberHas as simMemberHas, proxyPath as proxy, renderDeploy as render,
  requestServiceAccountToken, waitForMemberRbac, waitUntil as until,
} from './support/gatewayIdentity.js';
import { simRequest, startTestSimulator, type TestSimulator } from './support/simServer.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const OVERLAYS = ['single', 'ha', 'auth-none'] as const;
const KUBECTLS = ['kubectl', ...(process.env.FLEETGRAPH_TEST_KUBECTLS ?? '').split(':').filter(Boolean)];
const RBAC = '/apis/rbac.authorization.k8s.io/v1';

/** `kubectl apply --server-side` of objects on the simulator's control plane, as its admin. */
const applyServerSide = (sim: TestSimulator, objects: Obj[], extra: string[] = []): Promise<string[]> => apply(sim.kubeconfigPath, objects, extra);

/** (group, resource, verb) triples a set of ClusterRoles grants. */
function grants(roles: Obj[]): Set<string> {
  const out = new Set<string>();
  for (const r of roles) {
    for (const rule of r.rules as Obj[]) {
      expect(rule.resourceNames, `${r.metadata.name}: no resourceNames`).toBeUndefined();
      for (const g of rule.apiGroups) for (const res of rule.resources) for (const v of rule.verbs) out.add(`${g}|${res}|${v}`);
    }
  }
  return out;
}

/**
 * What requiredAccess.ts says, for members reached through the Karmada cluster proxy (how deploy/ runs):
 * cluster-wide (ClusterRoles), or in the Operations namespace (`operationsNamespace`: a Role there).
 */
function needs(settings: AccessSettings, side: 'controlPlane' | 'member', operationsNamespace = false): Set<string> {
  const all = requiredAccess({ group: 'middleware.fleetgraph.io', version: 'v1alpha1' });
  const out = new Set<string>();
  for (const e of selectAccess(all, settings, { proxy: true, direct: false })) {
    if (e.side !== side || (e.side === 'member' && e.route === 'direct')) continue;
    if ((e.scope === 'operationsNamespace') !== operationsNamespace) continue;
    for (const v of e.verbs) out.add(`${e.apiGroup}|${ruleResource(e)}|${v}`);
  }
  return out;
}

/** The Roles bound to the gateway's ServiceAccount in `namespace` by RoleBindings there. */
function boundNamespaceRoles(objects: Obj[], namespace: string): Obj[] {
  const bindings = objects.filter((o) => o.kind === 'RoleBinding' && o.metadata.namespace === namespace
    && o.subjects.some((s: Obj) => s.kind === 'ServiceAccount' && s.name === SA.name && s.namespace === SA.namespace));
  for (const b of bindings) expect(b.roleRef.kind, b.metadata.name).toBe('Role');
  const roles = objects.filter((o) => o.kind === 'Role' && o.metadata.namespace === namespace && bindings.some((b) => b.roleRef.name === o.metadata.name));
  expect(roles.length).toBe(bindings.length);
  return roles;
}

/** The ClusterRoles bound to the gateway's ServiceAccount, split into control-plane and member templates. */
function boundRoles(objects: Obj[]): { controlPlane: Obj[]; member: Obj[] } {
  const bound = new Set(objects.filter((o) => o.kind === 'ClusterRoleBinding'
    && o.subjects.some((s: Obj) => s.kind === 'ServiceAccount' && s.name === SA.name && s.namespace === SA.namespace)).map((b) => b.roleRef.name as string));
  const roles = objects.filter((o) => o.kind === 'ClusterRole' && bound.has(o.metadata.name));
  expect(roles.length).toBe(bound.size);
  return {
    controlPlane: roles.filter((r) => r.metadata.labels?.[MEMBER_RBAC_LABEL] !== 'true'),
    member: roles.filter((r) => r.metadata.labels?.[MEMBER_RBAC_LABEL] === 'true'),
  };
}

describe('kubectl kustomize renders every overlay', () => {
  for (const kubectl of KUBECTLS) {
    it(`with ${kubectl} (${execFileSync(kubectl, ['version', '--client'], { encoding: 'utf8' }).split('\n')[0]})`, () => {
      for (const overlay of OVERLAYS) {
        const objects = render(overlay, kubectl);
        expect(find(objects, 'Deployment', 'fleetgraph'), overlay).toBeDefined();
        // Same objects whichever kustomize: compared by kind and name (hash suffixes differ across versions).
        const names = objects.map((o) => `${o.kind}/${o.metadata.name.replace(/^fleetgraph-config-.*/, 'fleetgraph-config')}`).sort();
        expect(names, overlay).toEqual(render(overlay).map((o) => `${o.kind}/${o.metadata.name.replace(/^fleetgraph-config-.*/, 'fleetgraph-config')}`).sort());
      }
    });
  }
});

describe('the rendered objects', () => {
  const single = render('single');
  const ha = render('ha');
  const none = render('auth-none');

  it('has every kind of the base, each object labelled with where it is installed', () => {
    const kinds = new Set(single.map((o) => o.kind));
    for (const k of ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'Service', 'PodDisruptionBudget',
      'NetworkPolicy', 'CustomResourceDefinition', 'ClusterPropagationPolicy', 'PersistentVolumeClaim']) expect(kinds, k).toContain(k);
    expect(single.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name).sort()).toEqual(
      ['fleetoperations.fleetgraph.io', ...['applications', 'components', 'operations', 'workloadsets'].map((n) => `${n}.middleware.fleetgraph.io`)].sort());
    for (const o of [...single, ...ha, ...none]) expect(['karmada', 'host', 'both'], `${o.kind}/${o.metadata.name}`).toContain(o.metadata.labels?.['fleetgraph.io/install-on']);
  });

  it('runs the gateway locked down, with probes and resources', () => {
    for (const objects of [single, ha, none]) {
      const pod = find(objects, 'Deployment', 'fleetgraph')!.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken).toBe(false);
      const [c] = pod.containers;
      expect(c.securityContext).toEqual({
        runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(c.resources.requests).toEqual({ cpu: '100m', memory: '256Mi' });
      expect(c.resources.limits.memory).toBe('1Gi');
      expect(c.args).toEqual(['--kubeconfig', '/etc/fleetgraph/karmada/kubeconfig']);
      // Writable: only the mounted volumes (/data, /tmp).
      expect(c.volumeMounts.filter((m: Obj) => !m.readOnly).map((m: Obj) => m.mountPath).sort()).toEqual(['/data', '/tmp']);
      expect(pod.volumes.find((v: Obj) => v.name === 'karmada-kubeconfig').secret.secretName).toBe('fleetgraph-karmada-kubeconfig');
      expect(find(objects, 'PodDisruptionBudget', 'fleetgraph').spec).toMatchObject({ maxUnavailable: 1, selector: { matchLabels: find(objects, 'Deployment', 'fleetgraph').spec.selector.matchLabels } });
      const np = find(objects, 'NetworkPolicy', 'fleetgraph').spec;
      expect(np.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(np.ingress).toEqual([{ ports: [{ port: 4000, protocol: 'TCP' }] }]);
    }
  });

  it('holds a config file the gateway accepts, mounted where FLEETGRAPH_CONFIG points', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-deploy-config-'));
    try {
      const cm = single.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('fleetgraph-config-'))!;
      const deployment = find(single, 'Deployment', 'fleetgraph');
      expect(deployment.spec.template.spec.volumes.find((v: Obj) => v.name === 'config').configMap.name).toBe(cm.metadata.name);
      expect(deployment.spec.template.spec.containers[0].env).toContainEqual({ name: 'FLEETGRAPH_CONFIG', value: '/etc/fleetgraph/config/config.yaml' });
      writeFileSync(join(dir, 'config.yaml'), cm.data['config.yaml']);
      writeFileSync(join(dir, 'kubeconfig'), 'apiVersion: v1\nkind: Config\n');
      const loaded = loadConfig(['--kubeconfig', join(dir, 'kubeconfig')], { FLEETGRAPH_CONFIG: join(dir, 'config.yaml') });
      expect(loaded.kind === 'config' && loaded.config).toMatchObject({ host: '0.0.0.0', port: 4000, auth: 'kubernetes', audit: { path: '/data/audit.db' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('single: one replica, the audit log on a PersistentVolumeClaim, Recreate', () => {
    const d = find(single, 'Deployment', 'fleetgraph').spec;
    expect(d.replicas).toBe(1);
    expect(d.strategy).toEqual({ type: 'Recreate' });
    expect(d.template.spec.volumes.find((v: Obj) => v.name === 'data')).toEqual({ name: 'data', persistentVolumeClaim: { claimName: 'fleetgraph-audit' } });
    expect(find(single, 'PersistentVolumeClaim', 'fleetgraph-audit').spec.accessModes).toEqual(['ReadWriteOnce']);
  });

  it('ha: several replicas spread over nodes, sharing the Redis the overlay ships, which only the gateway reaches', () => {
    const d = find(ha, 'Deployment', 'fleetgraph').spec;
    expect(d.replicas).toBeGreaterThanOrEqual(2);
    expect(d.template.spec.topologySpreadConstraints[0].topologyKey).toBe('kubernetes.io/hostname');
    const redisUrl = d.template.spec.containers[0].env.find((e: Obj) => e.name === 'REDIS_URL').value as string;
    const svc = find(ha, 'Service', 'fleetgraph-redis');
    expect(redisUrl).toBe(`redis://${svc.metadata.name}.${svc.metadata.namespace}.svc:${svc.spec.ports[0].port}`);
    expect(find(ha, 'Deployment', 'fleetgraph-redis').spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(find(ha, 'NetworkPolicy', 'fleetgraph').spec.egress).toContainEqual({
      to: [{ podSelector: { matchLabels: find(ha, 'Deployment', 'fleetgraph-redis').spec.selector.matchLabels } }], ports: [{ port: 6379, protocol: 'TCP' }],
    });
    expect(find(ha, 'NetworkPolicy', 'fleetgraph-redis').spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: d.selector.matchLabels } }]);
    // The shared audit log: a PostgreSQL URL from a Secret the operator creates (no server shipped), reachable.
    expect(d.template.spec.containers[0].env).toContainEqual({
      name: 'FLEETGRAPH_AUDIT_DB', valueFrom: { secretKeyRef: { name: 'fleetgraph-audit-db', key: 'url', optional: false } },
    });
    expect(ha.some((o) => /postgres/i.test(JSON.stringify(o.spec?.template?.spec?.containers?.map((c: Obj) => c.image) ?? [])))).toBe(false);
    expect(find(ha, 'NetworkPolicy', 'fleetgraph').spec.egress).toContainEqual({ ports: [{ port: 5432, protocol: 'TCP' }] });
    // Shared Operations: the FleetOperation CRD is rendered with the overlay.
    expect(find(ha, 'CustomResourceDefinition', 'fleetoperations.fleetgraph.io')).toBeDefined();
  });

  it('auth-none: --auth none with --allow-anonymous, and the write roles instead of the callers\' ones', () => {
    const env = find(none, 'Deployment', 'fleetgraph').spec.template.spec.containers[0].env;
    expect(env).toEqual(expect.arrayContaining([{ name: 'FLEETGRAPH_AUTH', value: 'none' }, { name: 'FLEETGRAPH_ALLOW_ANONYMOUS', value: 'true' }]));
    expect(find(none, 'ClusterRole', 'fleetgraph-writes')).toBeDefined();
    expect(find(none, 'ClusterRole', 'fleetgraph-callers')).toBeUndefined();
    expect(find(single, 'ClusterRole', 'fleetgraph-writes')).toBeUndefined();
  });

  it('grants exactly what src/doctor/requiredAccess.ts needs for the overlay\'s auth mode, on each side', () => {
    for (const [objects, settings] of [[single, { auth: 'kubernetes', readOnly: false }], [ha, { auth: 'kubernetes', readOnly: false }], [none, { auth: 'none', readOnly: false }]] as const) {
      const roles = boundRoles(objects);
      expect([...grants(roles.controlPlane)].sort(), settings.auth).toEqual([...needs(settings, 'controlPlane')].sort());
      expect([...grants(roles.member)].sort(), settings.auth).toEqual([...needs(settings, 'member')].sort());
      // Shared Operations: a Role in the Operations namespace of the control plane, nothing cluster-wide.
      const operations = boundNamespaceRoles(objects, 'fleetgraph-system');
      for (const r of operations) expect(r.metadata.labels['fleetgraph.io/install-on'], r.metadata.name).toBe('karmada');
      expect([...grants(operations)].sort(), settings.auth).toEqual([...needs(settings, 'controlPlane', true)].sort());
      expect(needs(settings, 'controlPlane', true).size).toBeGreaterThan(0);
    }
    // The propagation policy selects exactly the member templates (and they are the only labelled ones).
    const cpp = find(single, 'ClusterPropagationPolicy', 'fleetgraph-member-rbac');
    expect(cpp.spec.resourceSelectors.map((s: Obj) => [s.kind, s.labelSelector.matchLabels])).toEqual([
      ['ClusterRole', { [MEMBER_RBAC_LABEL]: 'true' }], ['ClusterRoleBinding', { [MEMBER_RBAC_LABEL]: 'true' }],
    ]);
    expect(cpp.spec.placement).toEqual({});
  });
});

describe('applied to the simulator, and the gateway as that ServiceAccount', () => {
  let sim: TestSimulator;
  let dir: string;
  let gateway: Gateway | undefined;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    // The demo fleet without the gateway's identity: this test installs it from deploy/, as an operator does.
    sim = await startTestSimulator({ scenario: 'demo', gatewayIdentity: false });
    dir = mkdtempSync(join(tmpdir(), 'fleetgraph-deploy-sa-'));
    const kc = yaml.load(sim.kubeconfig) as Obj;
    for (const u of kc.users) if (u.user?.token) tokens.set(u.name, u.user.token);
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const members = () => [...sim.fleet.members.keys()];
  const memberHas = (member: string, kind: 'clusterroles' | 'clusterrolebindings', name: string) => simMemberHas(sim, member, kind, name);

  /** Starts the gateway with the pod-like in-cluster identity: the ServiceAccount's TokenRequest token. */
  async function startAsServiceAccount(args: string[]): Promise<Gateway> {
    const token = await requestServiceAccountToken(sim);
    const saDir = mkdtempSync(join(dir, 'serviceaccount-'));
    writeFileSync(join(saDir, 'token'), token);
    writeFileSync(join(saDir, 'ca.crt'), sim.caCertPem);
    writeFileSync(join(saDir, 'namespace'), SA.namespace);
    const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(sim.port) };
    const loaded = loadConfig(['--port', '0', '--host', '127.0.0.1', '--log-level', 'error', '--audit-db', join(saDir, 'audit.db'), ...args], env, { serviceAccountDir: saDir });
    if (loaded.kind !== 'config') throw new Error('unexpected help');
    expect(loaded.config.inCluster).toBe(true);
    expect(readFileSync(loaded.config.kubeconfig!, 'utf8')).not.toContain(token);
    const gw = await startGateway(loaded.config, { logger: createLogger('error') });
    await gw.fleet.whenReady();
    return gw;
  }

  async function gql(query: string, variables?: Obj, user?: string): Promise<Obj> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (user) headers.authorization = `Bearer ${user === 'admin' ? sim.adminToken : tokens.get(user)!}`;
    const res = await fetch(gateway!.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as Obj;
  }

  /** Runs a mutation and waits for its Operation to end; returns the final Operation. */
  async function mutate(mutation: string, variables: Obj | undefined, user?: string): Promise<Obj> {
    const r = await gql(mutation, variables, user);
    expect(r.errors, `${mutation}: ${JSON.stringify(r.errors)}`).toBeUndefined();
    const id = (Object.values(r.data)[0] as Obj).id as string;
    let op: Obj = {};
    await until(`operation ${id} ends`, async () => {
      op = (await gql('query($id: ID!) { operation(id: $id) { id phase error requestedBy steps { name phase message } } }', { id }, user)).data.operation;
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(op.phase);
    }, 60_000);
    return op;
  }

  const READS = `{
    clusters { totalCount edges { node { name } } }
    nodes(first: 500) { totalCount }
    pods(first: 5) { totalCount }
    memberWorkloads(first: 5) { totalCount }
    workload(kind: DEPLOYMENT, namespace: "web", name: "storefront") { name placements { cluster scheduledReplicas } }
    propagationPolicies { totalCount }
    clusterPropagationPolicies { totalCount }
    resourceBindings { totalCount }
    middlewareInstances { totalCount }
    namespaces { totalCount }
  }`;

  async function expectReads(user?: string): Promise<void> {
    const r = await gql(READS, undefined, user);
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(r.data.clusters.totalCount).toBe(members().length);
    expect(r.data.nodes.totalCount).toBeGreaterThan(members().length);
    expect(r.data.pods.totalCount).toBeGreaterThan(0);
    expect(r.data.workload.placements.length).toBeGreaterThan(0);
    expect(r.data.propagationPolicies.totalCount + r.data.clusterPropagationPolicies.totalCount).toBeGreaterThan(0);
    expect(r.data.resourceBindings.totalCount).toBeGreaterThan(0);
    expect(r.data.middlewareInstances.totalCount).toBeGreaterThan(0);
  }

  /** A worker node of a member (names differ per member in the demo fleet). */
  const workerOf = async (member: string) => ((await simRequest(sim, proxy(member, '/api/v1/nodes?labelSelector=node-role.kubernetes.io/worker'))).json.items[0]).metadata.name as string;
  const nodeOf = async (member: string, name: string) => (await simRequest(sim, proxy(member, `/api/v1/nodes/${name}`))).json;

  it('accepts every rendered object of every overlay by server-side apply, and Karmada puts the member RBAC on every member', async () => {
    // single first: its RBAC (rbac/common + rbac/callers) is what the next test runs with.
    for (const overlay of ['ha', 'single'] as const) {
      const objects = render(overlay);
      const lines = await applyServerSide(sim, objects);
      expect(lines.length, overlay).toBe(objects.length);
      for (const l of lines) expect(l, overlay).toMatch(/ serverside-applied$/);
    }
    const single = render('single');
    for (const o of single) {
      const r = await simRequest(sim, `${o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`}`
        + `${o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : ''}/${plural(o.kind)}/${o.metadata.name}`);
      expect(r.status, `${o.kind}/${o.metadata.name}`).toBe(200);
      expect(r.json.metadata.managedFields.some((f: Obj) => f.manager === 'kubectl' && f.operation === 'Apply'), `${o.kind}/${o.metadata.name}`).toBe(true);
    }
    const memberRbac = single.filter((o) => o.metadata.labels?.[MEMBER_RBAC_LABEL] === 'true');
    expect(memberRbac.map((o) => o.metadata.name).sort()).toEqual(['fleetgraph-member', 'fleetgraph-member', 'fleetgraph-member-callers', 'fleetgraph-member-callers']);
    await waitForMemberRbac(sim, memberRbac);
    for (const m of members()) {
      const role = (await simRequest(sim, proxy(m, `${RBAC}/clusterroles/fleetgraph-member`))).json;
      expect(role.rules).toEqual(find(single, 'ClusterRole', 'fleetgraph-member').rules);
    }
  }, 120_000);

  it('--auth kubernetes as the ServiceAccount (common + callers roles): reads, and writes impersonating each caller', async () => {
    gateway = await startAsServiceAccount(['--auth', 'kubernetes']);
    // Reads are the gateway's own (its caches), filtered per caller: the admin sees everything.
    await expectReads('admin');
    // platform-viewer holds `view` (pods yes, nodes no): the per-caller filter, from RBAC the gateway may read.
    const asViewer = await gql('{ pods(first: 1) { totalCount } nodes { totalCount } }', undefined, 'platform-viewer');
    const asAdmin = await gql('{ pods(first: 1) { totalCount } }', undefined, 'admin');
    expect(asViewer.data.pods.totalCount).toBe(asAdmin.data.pods.totalCount);
    expect(asViewer.data.nodes.totalCount).toBe(0);
    // ops-oncall may cordon: the write is made as ops-oncall (the gateway itself may not patch nodes).
    const node = await workerOf('member1');
    let op = await mutate('mutation($n: String!) { cordonNode(cluster: "member1", name: $n) { id } }', { n: node }, 'ops-oncall');
    expect(op).toMatchObject({ phase: 'SUCCEEDED', requestedBy: 'ops-oncall' });
    expect((await nodeOf('member1', node)).spec.unschedulable).toBe(true);
    op = await mutate('mutation($n: String!) { uncordonNode(cluster: "member1", name: $n) { id } }', { n: node }, 'ops-oncall');
    expect(op.phase).toBe('SUCCEEDED');
    expect((await nodeOf('member1', node)).spec.unschedulable).toBeFalsy();
    // The fleet's admin: scale, labels, a pod deleted, a policy applied — all impersonated.
    op = await mutate('mutation { scaleWorkload(kind: DEPLOYMENT, namespace: "web", name: "search", replicas: 3) { id } }', undefined, 'admin');
    expect(op.phase, JSON.stringify(op)).toBe('SUCCEEDED');
    op = await mutate('mutation($n: String!) { setNodeLabels(cluster: "member1", name: $n, labels: [{ key: "deploy-test", value: "callers" }]) { id } }', { n: node }, 'admin');
    expect(op.phase, JSON.stringify(op)).toBe('SUCCEEDED');
    expect((await nodeOf('member1', node)).metadata.labels['deploy-test']).toBe('callers');
    const pod = (await simRequest(sim, proxy('member1', '/api/v1/namespaces/shop/pods'))).json.items[0];
    op = await mutate('mutation($ns: String!, $n: String!) { deletePod(cluster: "member1", namespace: $ns, name: $n) { id } }', { ns: pod.metadata.namespace, n: pod.metadata.name }, 'admin');
    expect(op.phase, JSON.stringify(op)).toBe('SUCCEEDED');
    const pp = { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'deploy-test' }], placement: { clusterAffinity: { clusterNames: ['member2'] } } };
    op = await mutate('mutation($spec: JSON!) { applyPropagationPolicy(namespace: "web", name: "deploy-test-callers", spec: $spec) { id } }', { spec: pp }, 'admin');
    expect(op.phase, JSON.stringify(op)).toBe('SUCCEEDED');
    // platform-viewer may not: refused, as the caller's RBAC says (not the gateway's).
    const refused = await gql('mutation($n: String!) { cordonNode(cluster: "member1", name: $n) { id } }', { n: node }, 'platform-viewer');
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await gateway.stop();
    gateway = undefined;
  }, 180_000);

  it('--auth none as the ServiceAccount (common + writes roles, the callers\' ones removed): reads, and writes as itself', async () => {
    const none = render('auth-none');
    const lines = await applyServerSide(sim, none);
    for (const l of lines) expect(l).toMatch(/ serverside-applied$/);
    // Exactly the auth-none roles: the callers' roles and bindings go, on the control plane and (Karmada) the members.
    for (const name of ['fleetgraph-callers', 'fleetgraph-member-callers']) {
      for (const kind of ['clusterrolebindings', 'clusterroles']) expect([200, 404]).toContain((await simRequest(sim, `${RBAC}/${kind}/${name}`, { method: 'DELETE' })).status);
    }
    for (const m of members()) {
      await until(`fleetgraph-member-writes on ${m}`, () => memberHas(m, 'clusterrolebindings', 'fleetgraph-member-writes'));
      await until(`fleetgraph-member-callers gone from ${m}`, async () => !(await memberHas(m, 'clusterrolebindings', 'fleetgraph-member-callers')));
    }
    gateway = await startAsServiceAccount(['--auth', 'none']);
    await expectReads();
    const node = await workerOf('member2');
    for (const m of ['cordonNode', 'uncordonNode']) {
      const op = await mutate(`mutation($n: String!) { ${m}(cluster: "member2", name: $n) { id } }`, { n: node });
      expect(op.phase, JSON.stringify(op)).toBe('SUCCEEDED');
    }
    let op = await mutate('mutation { scaleWorkload(kind: DEPLOYMENT, namespace: "web", name: "search", replicas: 2) { id } }', undefined);
    expect(op.phase, JSON.stringify(op)).toBe('SUCCEEDED');
    op = await mutate('mutation($n: String!) { setNodeLabels(cluster: "member2", name: $n, labels: [{ key: "deploy-test", value: "none" }]) { id } }', { n: node });
    expect(op.phase, JSON.stringify(op)).toBe('SUCCEEDED');
    expect((await nodeOf('member2', node)).metadata.labels['deploy-test']).toBe('none');
    const pod = (await simRequest(sim, proxy('member2', '/api/v1/namespaces/shop/pods'))).json.items[0];
    op = await mutate('mutation($ns: String!, $n: String!) { deletePod(cluster: "member2", namespace: $ns, name: $n) { id } }', { ns: pod.metadata.namespace, n: pod.metadata.name });
    expect(op.phase, JSON.stringify(op)).toBe('SUCCEEDED');
    const pp = { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'deploy-test' }], placement: { clusterAffinity: { clusterNames: ['member2'] } } };
    op = await mutate('mutation($spec: JSON!) { applyPropagationPolicy(namespace: "web", name: "deploy-test-none", spec: $spec) { id } }', { spec: pp });
    expect(op.phase, JSON.stringify(op)).toBe('SUCCEEDED');
    op = await mutate('mutation { deletePropagationPolicy(namespace: "web", name: "deploy-test-none") { id } }', undefined);
    expect(op.phase, JSON.stringify(op)).toBe('SUCCEEDED');
  }, 180_000);
});

/** The URL plural of the kinds deploy/ renders. */
function plural(kind: string): string {
  const special: Record<string, string> = { NetworkPolicy: 'networkpolicies', ClusterPropagationPolicy: 'clusterpropagationpolicies' };
  return special[kind] ?? `${kind.toLowerCase()}s`;
}
