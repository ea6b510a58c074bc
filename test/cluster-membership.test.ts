/**
 * Member join and unjoin, cluster labels and taints, end to end: a gateway over the demo fleet whose simulator
 * also runs two spare members (spare1, spare2: their own API servers, no Cluster object), GraphQL over real
 * HTTP, and everything checked where it lands — the control plane's objects, the members' own API (through
 * their own kubeconfig contexts, as kubectl would), the bindings Karmada's scheduler writes, and the watch
 * streams the simulator holds open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { startOperationsFixture, until, type OperationsFixture } from './support/operationsFixture.js';

const run = promisify(execFile);

let fx: OperationsFixture;

beforeAll(async () => {
  fx = await startOperationsFixture({ scenario: 'demo', spareMembers: 2 });
}, 180_000);

afterAll(async () => {
  await fx?.stop();
});

/** The kubeconfig a user of the member would hand over: the member's own context only (its own endpoint and token). */
function memberKubeconfig(context: string, token?: string): string {
  const full = yaml.load(fx.sim.kubeconfig) as any;
  const ctx = full.contexts.find((c: any) => c.name === context);
  const cluster = full.clusters.find((c: any) => c.name === ctx.context.cluster);
  const user = full.users.find((u: any) => u.name === ctx.context.user);
  return yaml.dump({
    apiVersion: 'v1', kind: 'Config', 'current-context': context,
    clusters: [cluster], contexts: [ctx], users: [{ name: user.name, user: { token: token ?? user.user.token } }],
  });
}

async function kubectl(context: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', fx.sim.kubeconfigPath!, '--context', context, ...args], { timeout: 30_000 });
  return stdout;
}

async function kubectlJson(context: string, ...args: string[]): Promise<any> {
  return JSON.parse(await kubectl(context, ...args, '-o', 'json'));
}

/** Whether the control plane has the object (read as the simulator's admin, never through the gateway). */
async function exists(args: string[]): Promise<boolean> {
  try {
    await kubectl('karmada', 'get', ...args, '-o', 'name');
    return true;
  } catch (err) {
    if (/NotFound|not found/.test((err as { stderr?: string }).stderr ?? '')) return false;
    throw err;
  }
}

async function mutateOp(mutation: string, variables: Record<string, unknown>): Promise<any> {
  const r = await fx.gql(mutation, variables);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  const op = Object.values(r.data as Record<string, any>)[0];
  return fx.waitTerminal(op.id, 120_000);
}

const JOIN = `mutation($name: String!, $kubeconfig: String!, $context: String, $provider: String, $region: String, $zone: String, $labels: [LabelInput!]) {
  joinCluster(name: $name, kubeconfig: $kubeconfig, context: $context, provider: $provider, region: $region, zone: $zone, labels: $labels) { id phase }
}`;
const UNJOIN = `mutation($name: String!) { unjoinCluster(name: $name) { id phase } }`;
const TAINTS = `mutation($name: String!, $taints: [TaintInput!]!) { setClusterTaints(name: $name, taints: $taints) { id phase } }`;
const LABELS = `mutation($name: String!, $labels: [LabelInput!]!, $remove: [String!]) { setClusterLabels(name: $name, labels: $labels, remove: $remove) { id phase } }`;
const CLUSTERS = `{ clusters { totalCount edges { node { name provider region zones apiEndpoint labels { key value } taints { key value effect }
  health { ready gateway { synced } } } } } }`;

async function clusters(): Promise<any[]> {
  const r = await fx.gql(CLUSTERS);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data.clusters.edges.map((e: any) => e.node);
}

/** A Deployment on the control plane and a Divided PropagationPolicy over every cluster, made with kubectl on the Karmada context. */
async function dividedWorkload(namespace: string, name: string, replicas: number): Promise<void> {
  const manifest = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
      spec: {
        replicas, selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25.3', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
      },
    },
    {
      apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name, namespace },
      spec: {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name }],
        placement: { replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted' } },
      },
    },
  ];
  const { writeFileSync } = await import('node:fs');
  const file = `${fx.dir}/${namespace}-${name}.yaml`;
  writeFileSync(file, manifest.map((m) => yaml.dump(m)).join('---\n'));
  await kubectl('karmada', 'apply', '-f', file);
}

async function bindingTargets(namespace: string, name: string): Promise<Array<{ name: string; replicas: number }>> {
  const rb = await kubectlJson('karmada', '-n', namespace, 'get', 'resourcebindings.work.karmada.io', `${name}-deployment`);
  return rb.spec.clusters ?? [];
}

async function podsOf(context: string, namespace: string, app: string): Promise<string[]> {
  const list = await kubectlJson(context, '-n', namespace, 'get', 'pods', '-l', `app=${app}`);
  return list.items.filter((p: any) => !p.metadata.deletionTimestamp).map((p: any) => p.metadata.name);
}

describe('joinCluster: refusals', () => {
  it('refuses an unparsable kubeconfig, an unknown context and a name already a member before any upstream call', async () => {
    const writes = await fx.simWrites();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'spare2', kubeconfig: 'this: [is not a kubeconfig' }, 'kubeconfig'],
      [{ name: 'spare2', kubeconfig: memberKubeconfig('spare2'), context: 'nowhere' }, 'context'],
      [{ name: 'member1', kubeconfig: memberKubeconfig('spare2') }, 'name'],
      [{ name: 'Not_A_Name', kubeconfig: memberKubeconfig('spare2') }, 'name'],
    ];
    for (const [variables, field] of cases) {
      const r = await fx.gql(JOIN, variables);
      expect(r.data).toBeNull();
      expect(r.errors?.[0]?.extensions?.code, JSON.stringify(r.errors)).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.extensions?.field).toBe(field);
    }
    expect(await fx.simWrites()).toBe(writes);
    expect(await exists(['clusters.cluster.karmada.io', 'spare2'])).toBe(false);
  });

  it('fails the Operation at the member check with a bad token, creating nothing', async () => {
    const writes = await fx.simWrites();
    const op = await mutateOp(JOIN, { name: 'spare2', kubeconfig: memberKubeconfig('spare2', 'not-a-valid-token') });
    expect(op.phase).toBe('FAILED');
    expect(op.reason).toBe('MEMBER_UNAUTHORIZED');
    // The plan stopped at its first step: nothing after it ran.
    expect(op.steps.map((s: any) => [s.name, s.phase])).toEqual([['check the member', 'FAILED']]);
    // The kubeconfig is not kept: the Operation shows a digest of it.
    const kubeconfigParam = op.parameters.find((p: any) => p.key === 'kubeconfig');
    expect(kubeconfigParam.value).toMatch(/^<redacted kubeconfig sha256:[0-9a-f]{16}>$/);
    expect(await fx.simWrites()).toBe(writes);
    expect(await exists(['clusters.cluster.karmada.io', 'spare2'])).toBe(false);
    expect(await exists(['-n', 'karmada-cluster', 'secret', 'spare2'])).toBe(false);
    expect((await clusters()).map((c) => c.name)).not.toContain('spare2');
  });
});

describe('joinCluster: a member that does not answer', () => {
  it('fails the Operation at the member check, creating nothing', async () => {
    const writes = await fx.simWrites();
    // The spare's kubeconfig pointed at a port nothing listens on.
    const kubeconfig = memberKubeconfig('spare2').replace(/server: https:\/\/127\.0\.0\.1:\d+/, 'server: https://127.0.0.1:1');
    expect(kubeconfig).toContain('https://127.0.0.1:1/members/spare2');
    const op = await mutateOp(JOIN, { name: 'spare2', kubeconfig });
    expect([op.phase, op.reason]).toEqual(['FAILED', 'MEMBER_UNREACHABLE']);
    expect(op.steps.map((s: any) => [s.name, s.phase])).toEqual([['check the member', 'FAILED']]);
    expect(await fx.simWrites()).toBe(writes);
    expect(await exists(['clusters.cluster.karmada.io', 'spare2'])).toBe(false);
  });
});

describe('joinCluster and unjoinCluster', () => {
  it('joins a spare member, which gets a share of a Divided workload, and unjoins it leaving nothing behind', async () => {
    // Propagated before the join, to every cluster (Duplicated): a member that joins gets it too.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${fx.dir}/dup.yaml`, [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'join-dup' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'join-dup' }, data: { mode: 'fleet' } },
      {
        apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'settings', namespace: 'join-dup' },
        spec: { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'settings' }] },
      },
    ].map((m) => yaml.dump(m)).join('---\n'));
    await kubectl('karmada', 'apply', '-f', `${fx.dir}/dup.yaml`);
    await until(async () => (await kubectlJson('member1', '-n', 'join-dup', 'get', 'configmap', 'settings')).data.mode === 'fleet');
    expect((await kubectl('spare1', 'get', 'namespaces', '-o', 'name')).split('\n')).not.toContain('namespace/join-dup');

    const spareToken = (yaml.load(memberKubeconfig('spare1')) as any).users[0].user.token as string;
    const op = await mutateOp(JOIN, {
      name: 'spare1', kubeconfig: memberKubeconfig('spare1'), context: 'spare1', provider: 'on-prem', region: 'lab', zone: 'lab-a',
      labels: [{ key: 'environment', value: 'lab' }],
    });
    expect(op.phase, JSON.stringify(op)).toBe('SUCCEEDED');
    expect(op.steps.map((s: any) => s.phase)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(JSON.stringify(op)).not.toContain(spareToken);

    // In the gateway's clusters, its caches synced (the Operation waited for that).
    const joined = (await clusters()).find((c) => c.name === 'spare1');
    expect(joined).toMatchObject({
      provider: 'on-prem', region: 'lab', zones: ['lab-a'], apiEndpoint: fx.sim.ownUrl('spare1'),
      health: { ready: true, gateway: { synced: true } },
    });
    expect(joined.labels).toContainEqual({ key: 'environment', value: 'lab' });

    // What karmadactl join leaves on the control plane: the Cluster and its two Secrets.
    const cluster = await kubectlJson('karmada', 'get', 'clusters.cluster.karmada.io', 'spare1');
    expect(cluster.spec).toMatchObject({
      apiEndpoint: fx.sim.ownUrl('spare1'), syncMode: 'Push',
      secretRef: { namespace: 'karmada-cluster', name: 'spare1' },
      impersonatorSecretRef: { namespace: 'karmada-cluster', name: 'spare1-impersonator' },
    });
    // spec.id: the member's kube-system uid, as karmadactl records it; the same cluster is not registered twice.
    expect(cluster.spec.id).toBe((await kubectlJson('spare1', 'get', 'namespace', 'kube-system')).metadata.uid);
    const twice = await mutateOp(JOIN, { name: 'spare1-again', kubeconfig: memberKubeconfig('spare1') });
    expect([twice.phase, twice.reason]).toEqual(['FAILED', 'ALREADY_MEMBER']);
    expect(await exists(['clusters.cluster.karmada.io', 'spare1-again'])).toBe(false);
    expect(await exists(['-n', 'karmada-cluster', 'secret', 'spare1-again'])).toBe(false);
    const secret = await kubectlJson('karmada', '-n', 'karmada-cluster', 'get', 'secret', 'spare1');
    expect(Object.keys(secret.data).sort()).toEqual(['caBundle', 'token']);
    expect(Buffer.from(secret.data.token, 'base64').toString()).toBe(spareToken);
    expect(await exists(['-n', 'karmada-cluster', 'secret', 'spare1-impersonator'])).toBe(true);

    await until(async () => (await kubectlJson('spare1', '-n', 'join-dup', 'get', 'configmap', 'settings')).data.mode === 'fleet');

    // A Divided workload over every cluster: spare1 gets its share, and its own kubectl shows the pods.
    await dividedWorkload('join-test', 'web', 8);
    const targets = await until(async () => {
      const t = await bindingTargets('join-test', 'web');
      return t.some((c) => c.name === 'spare1') && t.reduce((s, c) => s + c.replicas, 0) === 8 ? t : undefined;
    });
    expect(targets.map((t) => t.name).sort()).toEqual(['member1', 'member2', 'member3', 'spare1']);
    const share = targets.find((t) => t.name === 'spare1')!.replicas;
    expect(share).toBeGreaterThan(0);
    const pods = await until(async () => {
      const p = await podsOf('spare1', 'join-test', 'web');
      return p.length === share ? p : undefined;
    });
    expect(pods).toHaveLength(share);

    // The gateway watches spare1 through the Karmada proxy while it is a member.
    const before = await fx.simAdmin<{ watches: Record<string, number> }>('/_sim/watches');
    expect(before.watches['spare1'] ?? 0).toBeGreaterThan(0);

    const gone = await mutateOp(UNJOIN, { name: 'spare1' });
    expect(gone.phase, JSON.stringify(gone)).toBe('SUCCEEDED');
    expect(gone.steps.map((s: any) => s.name)).toEqual([
      'delete the Cluster', 'wait for Karmada to remove the member', 'delete the secrets', 'wait for the gateway to stop following the member',
    ]);

    expect((await clusters()).map((c) => c.name)).not.toContain('spare1');
    expect(await exists(['clusters.cluster.karmada.io', 'spare1'])).toBe(false);
    expect(await exists(['-n', 'karmada-cluster', 'secret', 'spare1'])).toBe(false);
    expect(await exists(['-n', 'karmada-cluster', 'secret', 'spare1-impersonator'])).toBe(false);
    expect(await exists(['namespace', 'karmada-es-spare1'])).toBe(false);
    // Nothing Karmada propagated is left on the member: no Deployment, no pods, not the namespace it made.
    await until(async () => (await podsOf('spare1', 'join-test', 'web').catch(() => [])).length === 0);
    expect((await kubectlJson('spare1', 'get', 'deployments', '-A')).items.map((d: any) => d.metadata.name)).not.toContain('web');
    const spareNamespaces = (await kubectlJson('spare1', 'get', 'namespaces')).items.map((n: any) => n.metadata.name);
    expect(spareNamespaces).not.toContain('join-test');
    expect(spareNamespaces).not.toContain('join-dup');
    expect((await kubectlJson('spare1', 'get', 'configmaps', '-A')).items.filter((c: any) => c.metadata.name === 'settings')).toEqual([]);
    // Its replicas went to the remaining members.
    const after = await until(async () => {
      const t = await bindingTargets('join-test', 'web');
      return !t.some((c) => c.name === 'spare1') && t.reduce((s, c) => s + c.replicas, 0) === 8 ? t : undefined;
    });
    expect(after.map((t) => t.name).sort()).toEqual(['member1', 'member2', 'member3']);
    // The token is nowhere in the audit database: not in the join's arguments, not in the Secrets' recorded changes.
    const { existsSync, readFileSync } = await import('node:fs');
    const audit = [fx.auditPath, `${fx.auditPath}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1')).join('');
    expect(audit).toContain('joinCluster');
    expect(audit).toContain('<redacted');
    expect(audit).not.toContain(spareToken);
    expect(audit).not.toContain(Buffer.from(spareToken).toString('base64'));
    // The gateway's watches on spare1 are closed.
    const watches = await fx.simAdmin<{ watches: Record<string, number> }>('/_sim/watches');
    expect(watches.watches['spare1'] ?? 0).toBe(0);
    expect(watches.watches['member1'] ?? 0).toBeGreaterThan(0);
  });
});

describe('setClusterTaints and setClusterLabels', () => {
  it('keeps new work off a member tainted NoSchedule, and evicts existing work with NoExecute', async () => {
    const noSchedule = await mutateOp(TAINTS, { name: 'member3', taints: [{ key: 'maintenance', value: 'planned', effect: 'NO_SCHEDULE' }] });
    expect(noSchedule.phase, JSON.stringify(noSchedule)).toBe('SUCCEEDED');
    expect((await clusters()).find((c) => c.name === 'member3').taints).toEqual([{ key: 'maintenance', value: 'planned', effect: 'NO_SCHEDULE' }]);

    await dividedWorkload('taint-test', 'api', 6);
    const placed = await until(async () => {
      const t = await bindingTargets('taint-test', 'api');
      return t.reduce((s, c) => s + c.replicas, 0) === 6 ? t : undefined;
    });
    expect(placed.map((t) => t.name).sort()).toEqual(['member1', 'member2']);
    await until(async () => (await podsOf('member1', 'taint-test', 'api')).length === 3);
    expect(await podsOf('member3', 'taint-test', 'api').catch(() => [])).toEqual([]);

    // NoExecute on member2: the placement it already has is taken away, the replicas go to member1.
    const noExecute = await mutateOp(TAINTS, { name: 'member2', taints: [{ key: 'maintenance', effect: 'NO_EXECUTE' }] });
    expect(noExecute.phase, JSON.stringify(noExecute)).toBe('SUCCEEDED');
    const evicted = await until(async () => {
      const t = await bindingTargets('taint-test', 'api');
      return !t.some((c) => c.name === 'member2') && t.reduce((s, c) => s + c.replicas, 0) === 6 ? t : undefined;
    });
    expect(evicted).toEqual([{ name: 'member1', replicas: 6 }]);
    await until(async () => (await podsOf('member2', 'taint-test', 'api').catch(() => [])).length === 0);

    // Taints removed: the Cluster objects end as they were (no taint of ours left).
    for (const name of ['member2', 'member3']) {
      const cleared = await mutateOp(TAINTS, { name, taints: [] });
      expect(cleared.phase).toBe('SUCCEEDED');
      const c = await kubectlJson('karmada', 'get', 'clusters.cluster.karmada.io', name);
      expect((c.spec.taints ?? []).filter((t: any) => !t.key.startsWith('cluster.karmada.io/'))).toEqual([]);
    }
  });

  it('sets and removes Cluster labels, which cluster affinity follows', async () => {
    const set = await mutateOp(LABELS, { name: 'member1', labels: [{ key: 'tier', value: 'gold' }] });
    expect(set.phase).toBe('SUCCEEDED');
    expect((await kubectlJson('karmada', 'get', 'clusters.cluster.karmada.io', 'member1')).metadata.labels.tier).toBe('gold');
    const r = await fx.gql(`{ clusters(filter: { labelSelector: "tier=gold" }) { edges { node { name } } } }`);
    expect(r.data.clusters.edges.map((e: any) => e.node.name)).toEqual(['member1']);
    const removed = await mutateOp(LABELS, { name: 'member1', labels: [], remove: ['tier'] });
    expect(removed.phase).toBe('SUCCEEDED');
    expect((await kubectlJson('karmada', 'get', 'clusters.cluster.karmada.io', 'member1')).metadata.labels.tier).toBeUndefined();
  });

  it('refuses the taints Karmada keeps itself and unknown clusters', async () => {
    const reserved = await fx.gql(TAINTS, { name: 'member1', taints: [{ key: 'cluster.karmada.io/not-ready', effect: 'NO_SCHEDULE' }] });
    expect(reserved.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'taints' });
    const unknown = await fx.gql(LABELS, { name: 'nowhere', labels: [{ key: 'a', value: 'b' }] });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'name' });
  });
});

describe('authorization of the membership mutations (--auth kubernetes)', () => {
  let authFx: OperationsFixture;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    authFx = await startOperationsFixture({ scenario: 'demo', spareMembers: 1, args: ['--auth', 'kubernetes'] });
    const users = (yaml.load(authFx.sim.kubeconfig) as any).users as Array<{ name: string; user: { token: string } }>;
    tokens = Object.fromEntries(users.map((u) => [u.name, u.user.token]));
  }, 180_000);

  afterAll(async () => {
    await authFx?.stop();
  });

  const as = (user: string) => ({ authorization: `Bearer ${tokens[user]}` });

  /** Writes to the fleet's objects (the reviews the gateway makes to authenticate and authorize callers are not). */
  async function fleetWrites(): Promise<number> {
    const stats = await authFx.simAdmin<{ requests: Array<{ verb: string; resource: string; count: number }> }>('/_sim/stats');
    return stats.requests
      .filter((r) => ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(r.verb))
      .filter((r) => !/^(authentication|authorization)\.k8s\.io\/|^(fleetgraph\.io\/fleetoperations|coordination\.k8s\.io\/leases)/.test(r.resource))
      .reduce((n, r) => n + r.count, 0);
  }

  it('refuses a caller without the rights on clusters and karmada-cluster secrets, naming the permission, writing nothing', async () => {
    const writes = await fleetWrites();
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      [TAINTS, { name: 'member1', taints: [{ key: 'maintenance', effect: 'NO_SCHEDULE' }] }, /patch .*clusters/],
      [LABELS, { name: 'member1', labels: [{ key: 'tier', value: 'gold' }] }, /patch .*clusters/],
      [UNJOIN, { name: 'member1' }, /delete .*clusters/],
      [JOIN, { name: 'spare1', kubeconfig: memberKubeconfigOf(authFx, 'spare1') }, /create .*secrets/],
    ];
    for (const [mutation, variables, permission] of cases) {
      const r = await authFx.gql(mutation, variables, as('platform-viewer'));
      expect(r.errors?.[0]?.extensions, JSON.stringify(r.errors)).toMatchObject({ code: 'FORBIDDEN', cluster: 'karmada' });
      expect(r.errors?.[0]?.extensions?.permission).toMatch(permission);
    }
    expect(await fleetWrites()).toBe(writes);
  });

  it('writes as the caller when allowed (the admin), the Cluster changed on the control plane', async () => {
    const r = await authFx.gql(LABELS, { name: 'member2', labels: [{ key: 'tier', value: 'silver' }] }, as('karmada-admin'));
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    const op = await until(async () => {
      const q = await authFx.gql(`query($id: ID!) { operation(id: $id) { phase requestedBy } }`, { id: r.data.setClusterLabels.id }, as('karmada-admin'));
      const o = q.data?.operation;
      return o && ['SUCCEEDED', 'FAILED'].includes(o.phase) ? o : undefined;
    });
    expect(op.phase).toBe('SUCCEEDED');
    expect(authFx.sim.fleet.controlPlane.objects.get('cluster.karmada.io/clusters', undefined, 'member2')?.metadata.labels?.tier).toBe('silver');
  });
});

/** memberKubeconfig for another fixture's simulator. */
function memberKubeconfigOf(f: OperationsFixture, context: string): string {
  const full = yaml.load(f.sim.kubeconfig) as any;
  const ctx = full.contexts.find((c: any) => c.name === context);
  return yaml.dump({
    apiVersion: 'v1', kind: 'Config', 'current-context': context,
    clusters: [full.clusters.find((c: any) => c.name === ctx.context.cluster)], contexts: [ctx], users: [full.users.find((u: any) => u.name === ctx.context.user)],
  });
}
