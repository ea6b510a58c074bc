/**
 * Node administration end to end: gateway and simulator on 127.0.0.1, mutations over real HTTP, the
 * simulator's state read back through client-node on the simulator's own kubeconfig.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_FIELDS, startOperationsFixture, type OperationsFixture } from './support/operationsFixture.js';

let fx: OperationsFixture;
const NODE = 'member1-worker-0';
const OTHER = 'member1-worker-1';

beforeAll(async () => {
  // A short PDB retry window so the blocked-pod case ends in seconds.
  fx = await startOperationsFixture({ scenario: 'mini', args: ['--drain-pod-timeout', '3s'] });
});

afterAll(async () => {
  await fx?.stop();
});

async function readNode(name: string): Promise<any> {
  return fx.simClients('member1').core.readNode({ name });
}

describe('cordon and uncordon', () => {
  it('cordonNode returns an Operation that succeeds and leaves the node unschedulable in the simulator', async () => {
    const r = await fx.gql(`mutation { cordonNode(cluster: "member1", name: "${NODE}") { id type phase target { name kind cluster } executor } }`);
    expect(r.errors).toBeUndefined();
    const op = r.data.cordonNode;
    expect(op.type).toBe('cordonNode');
    expect(op.target).toEqual({ name: NODE, kind: 'Node', cluster: 'member1' });
    expect(op.executor).toBe('GATEWAY');
    expect(['PENDING', 'RUNNING', 'SUCCEEDED']).toContain(op.phase);
    const done = await fx.waitTerminal(op.id);
    expect(done.phase).toBe('SUCCEEDED');
    expect(done.steps.map((s: any) => [s.name, s.phase])).toEqual([['cordon', 'SUCCEEDED']]);
    expect(done.requestedBy).toBe('anonymous');
    expect((await readNode(NODE)).spec?.unschedulable).toBe(true);
  });

  it('uncordonNode makes it schedulable again', async () => {
    const r = await fx.gql(`mutation { uncordonNode(cluster: "member1", name: "${NODE}") { id } }`);
    const done = await fx.waitTerminal(r.data.uncordonNode.id);
    expect(done.phase).toBe('SUCCEEDED');
    expect((await readNode(NODE)).spec?.unschedulable ?? false).toBe(false);
  });

  it('a node that does not exist is refused with NOT_FOUND before any Operation exists, and nothing is written', async () => {
    const before = (await fx.gql(`{ operations { totalCount } }`)).data.operations.totalCount;
    const writes = await fx.simWrites();
    for (const mutation of [
      `cordonNode(cluster: "member1", name: "no-such-node")`,
      `drainNode(cluster: "member1", name: "no-such-node")`,
      `setNodeLabels(cluster: "member1", name: "no-such-node", labels: [{ key: "a", value: "b" }])`,
    ]) {
      const r = await fx.gql(`mutation { ${mutation} { id } }`);
      expect(r.data, mutation).toBeNull();
      expect(r.errors?.[0]?.extensions, mutation).toMatchObject({ code: 'NOT_FOUND', field: 'name', cluster: 'member1' });
      expect(r.errors?.[0]?.message, mutation).toContain('Node no-such-node not found in cluster member1');
    }
    expect((await fx.gql(`{ operations { totalCount } }`)).data.operations.totalCount).toBe(before);
    expect(await fx.simWrites()).toBe(writes);
  });

  it('an unknown cluster is refused with NOT_FOUND and creates no Operation', async () => {
    const before = (await fx.gql(`{ operations { totalCount } }`)).data.operations.totalCount;
    const r = await fx.gql(`mutation { cordonNode(cluster: "member9", name: "${NODE}") { id } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await fx.gql(`{ operations { totalCount } }`)).data.operations.totalCount).toBe(before);
  });
});

describe('labels and taints', () => {
  it('setNodeLabels adds, changes and removes labels', async () => {
    let r = await fx.gql(`mutation { setNodeLabels(cluster: "member1", name: "${OTHER}", labels: [{ key: "fleetgraph.io/pool", value: "blue" }, { key: "tier", value: "gold" }]) { id } }`);
    expect((await fx.waitTerminal(r.data.setNodeLabels.id)).phase).toBe('SUCCEEDED');
    let labels = (await readNode(OTHER)).metadata.labels;
    expect(labels['fleetgraph.io/pool']).toBe('blue');
    expect(labels['tier']).toBe('gold');
    r = await fx.gql(`mutation { setNodeLabels(cluster: "member1", name: "${OTHER}", labels: [{ key: "tier", value: "silver" }], remove: ["fleetgraph.io/pool"]) { id } }`);
    expect((await fx.waitTerminal(r.data.setNodeLabels.id)).phase).toBe('SUCCEEDED');
    labels = (await readNode(OTHER)).metadata.labels;
    expect(labels['fleetgraph.io/pool']).toBeUndefined();
    expect(labels['tier']).toBe('silver');
  });

  it('setNodeLabels refuses an invalid key with BAD_USER_INPUT and writes nothing', async () => {
    const writes = await fx.simWrites();
    const r = await fx.gql(`mutation { setNodeLabels(cluster: "member1", name: "${OTHER}", labels: [{ key: "bad key!", value: "x" }]) { id } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.extensions?.field).toBe('labels');
    expect(await fx.simWrites()).toBe(writes);
  });

  it('setNodeTaints replaces the taints, and an empty list clears them', async () => {
    let r = await fx.gql(`mutation { setNodeTaints(cluster: "member1", name: "${OTHER}", taints: [{ key: "dedicated", value: "db", effect: NO_SCHEDULE }]) { id } }`);
    expect((await fx.waitTerminal(r.data.setNodeTaints.id)).phase).toBe('SUCCEEDED');
    expect((await readNode(OTHER)).spec.taints).toEqual([{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    r = await fx.gql(`mutation { setNodeTaints(cluster: "member1", name: "${OTHER}", taints: []) { id } }`);
    expect((await fx.waitTerminal(r.data.setNodeTaints.id)).phase).toBe('SUCCEEDED');
    expect((await readNode(OTHER)).spec?.taints ?? []).toEqual([]);
  });
});

describe('deletePod', () => {
  it('deletes the pod in the simulator and succeeds once it is gone', async () => {
    const pods = await fx.simClients('member1').core.listNamespacedPod({ namespace: 'web' });
    const victim = pods.items[0]!;
    const r = await fx.gql(`mutation($n: String!) { deletePod(cluster: "member1", namespace: "web", name: $n, gracePeriodSeconds: 0) { id } }`, { n: victim.metadata!.name });
    const done = await fx.waitTerminal(r.data.deletePod.id);
    expect(done.phase).toBe('SUCCEEDED');
    expect(done.steps.map((s: any) => s.name)).toEqual(['delete pod', 'wait until gone']);
    const after = await fx.simClients('member1').core.listNamespacedPod({ namespace: 'web' });
    expect(after.items.some((p) => p.metadata!.uid === victim.metadata!.uid)).toBe(false);
  });
});

describe('drainNode', () => {
  // Every drain Operation this file started, retries included (the list below must show exactly these).
  const drainsStarted: string[] = [];

  it('refuses up front, as kubectl does, when a pod uses emptyDir and deleteEmptyDirData is not set: nothing is evicted', async () => {
    const core = fx.simClients('member1').core;
    const before = (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${NODE}` })).items.map((p) => p.metadata!.uid).sort();
    const r = await fx.gql(`mutation { drainNode(cluster: "member1", name: "${NODE}") { id } }`);
    drainsStarted.push(r.data.drainNode.id);
    const done = await fx.waitTerminal(r.data.drainNode.id);
    expect(done.phase).toBe('FAILED');
    expect(done.reason).toBe('UNEVICTABLE_PODS');
    expect(done.error).toMatch(/emptyDir.*deleteEmptyDirData/);
    expect(done.steps.filter((s: any) => s.name.startsWith('evict '))).toEqual([]);
    const after = (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${NODE}` })).items.map((p) => p.metadata!.uid).sort();
    expect(after).toEqual(before);
  });

  it('evicts every evictable pod off the node, one step per pod, and leaves it cordoned', async () => {
    const core = fx.simClients('member1').core;
    const onNode = async () => (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${NODE}` })).items;
    const before = await onNode();
    const evictable = before.filter((p) => !p.metadata!.ownerReferences?.some((o) => o.kind === 'DaemonSet') && !p.metadata!.annotations?.['kubernetes.io/config.mirror']);
    expect(evictable.length).toBeGreaterThan(0);

    const r = await fx.gql(`mutation { drainNode(cluster: "member1", name: "${NODE}", options: { deleteEmptyDirData: true }) { id } }`);
    drainsStarted.push(r.data.drainNode.id);
    expect(r.errors).toBeUndefined();
    const done = await fx.waitTerminal(r.data.drainNode.id);
    expect(done.phase, JSON.stringify(done.steps)).toBe('SUCCEEDED');
    const evictSteps = done.steps.filter((s: any) => s.name.startsWith('evict '));
    expect(evictSteps.map((s: any) => s.name).sort()).toEqual(evictable.map((p) => `evict ${p.metadata!.namespace}/${p.metadata!.name}`).sort());
    expect(evictSteps.every((s: any) => s.phase === 'SUCCEEDED')).toBe(true);

    const uids = new Set(evictable.map((p) => p.metadata!.uid));
    const left = await onNode();
    expect(left.filter((p) => uids.has(p.metadata!.uid))).toEqual([]);
    expect((await readNode(NODE)).spec.unschedulable).toBe(true);
    // The evictions are in the audit trail with the pod as it was.
    const audit = await fx.gql(`{ auditLog(filter: { limit: 200 }) { changes { verb kind name operationId before after } } }`);
    const evictions = audit.data.auditLog.changes.filter((c: any) => c.verb === 'evict' && c.operationId === done.id);
    expect(evictions.length).toBe(evictable.length);
    expect(JSON.parse(evictions[0].before).spec.nodeName).toBe(NODE);
  });

  it('reports a pod a PodDisruptionBudget protects as a failed step after the pod timeout', async () => {
    const { core, objects } = fx.simClients('member1');
    // Pods now run on OTHER (NODE is cordoned); a budget that allows no disruption blocks their eviction.
    const pods = (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${OTHER}` })).items.filter((p) => p.metadata!.namespace === 'web');
    expect(pods.length).toBeGreaterThan(0);
    const labels = pods[0]!.metadata!.labels!;
    const app = labels['app'] ?? labels['app.kubernetes.io/name']!;
    const key = labels['app'] ? 'app' : 'app.kubernetes.io/name';
    // The scenario's own budget allows one disruption; replace it by one that allows none.
    const existing = await objects.list('policy/v1', 'PodDisruptionBudget', 'web');
    for (const pdb of existing.items) await objects.delete({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: pdb.metadata!.name!, namespace: 'web' } });
    await objects.create({
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'block-all', namespace: 'web' },
      spec: { maxUnavailable: 0, selector: { matchLabels: { [key]: app } } },
    } as any);
    await fx.gql(`mutation { uncordonNode(cluster: "member1", name: "${NODE}") { id } }`);

    const r = await fx.gql(`mutation { drainNode(cluster: "member1", name: "${OTHER}", options: { podTimeoutSeconds: 2, deleteEmptyDirData: true }) { id } }`);
    drainsStarted.push(r.data.drainNode.id);
    const done = await fx.waitTerminal(r.data.drainNode.id);
    expect(done.phase, JSON.stringify(done.steps)).toBe('FAILED');
    expect(done.reason, JSON.stringify(done.steps)).toBe('PDB_TIMEOUT');
    const blocked = done.steps.filter((s: any) => s.name.startsWith('evict web/') && s.phase === 'FAILED');
    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked[0].message).toMatch(/disruption budget/i);
    expect(done.error).toContain(blocked[0].name);
    // The protected pods are still there.
    const still = (await core.listNamespacedPod({ namespace: 'web' })).items.map((p) => p.metadata!.uid);
    for (const p of pods.filter((x) => x.metadata!.labels?.[key] === app)) expect(still).toContain(p.metadata!.uid);
  });

  it('lists operations newest first and filters by type and cluster', async () => {
    const r = await fx.gql(`{ operations(first: 50, filter: { type: "drainNode", cluster: "member1" }) { totalCount edges { node { ${OPERATION_FIELDS} } } } }`);
    const nodes = r.data.operations.edges.map((e: any) => e.node);
    expect(drainsStarted.length).toBeGreaterThanOrEqual(3);
    expect(r.data.operations.totalCount).toBe(drainsStarted.length);
    expect(nodes.map((n: any) => n.id).sort()).toEqual([...drainsStarted].sort());
    expect(nodes.every((n: any) => n.type === 'drainNode')).toBe(true);
    expect(nodes[0].createdAt >= nodes[1].createdAt).toBe(true);
    expect(nodes[0].target.name).toBe(OTHER);
    const failed = await fx.gql(`{ operations(filter: { phase: [FAILED] }) { edges { node { phase } } } }`);
    expect(failed.data.operations.edges.every((e: any) => e.node.phase === 'FAILED')).toBe(true);
  });
});
