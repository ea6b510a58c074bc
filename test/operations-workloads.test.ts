/**
 * Workload and policy mutations end to end on the `demo` scenario (Karmada control plane + three members):
 * scale on the resource template until the placements are ready, restart, rollback to a revision, and
 * apply/delete of the four Karmada policy kinds; results read back from the simulator through client-node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOperationsFixture, until, type OperationsFixture } from './support/operationsFixture.js';

let fx: OperationsFixture;

beforeAll(async () => {
  fx = await startOperationsFixture({ scenario: 'demo', args: ['--ready-timeout', '20s'] });
});

afterAll(async () => {
  await fx?.stop();
});

async function read(cluster: string, apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<any> {
  return fx.simClients(cluster).objects.read({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } });
}

async function gone(cluster: string, apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<boolean> {
  try {
    await read(cluster, apiVersion, kind, namespace, name);
    return false;
  } catch (err: any) {
    if (err.code === 404) return true;
    throw err;
  }
}

describe('workloads', () => {
  it('scaleWorkload scales the Karmada template and ends when every placement is ready (1:2:3 of 12)', async () => {
    const r = await fx.gql(`mutation { scaleWorkload(kind: DEPLOYMENT, namespace: "web", name: "storefront", replicas: 12) { id type target { kind name cluster } } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data.scaleWorkload.target).toEqual({ kind: 'Deployment', name: 'storefront', cluster: null });
    const done = await fx.waitTerminal(r.data.scaleWorkload.id, 90_000);
    expect(done.phase, JSON.stringify(done.steps)).toBe('SUCCEEDED');
    expect(done.steps.map((s: any) => s.name)).toEqual(['scale template', 'wait for placements']);
    expect(done.steps[1].message).toMatch(/ready: member1=2, member2=4, member3=6/);
    expect((await read('karmada', 'apps/v1', 'Deployment', 'web', 'storefront')).spec.replicas).toBe(12);
    const shares = await Promise.all(['member1', 'member2', 'member3'].map(async (m) => (await read(m, 'apps/v1', 'Deployment', 'web', 'storefront')).status.readyReplicas));
    expect(shares).toEqual([2, 4, 6]);
  });

  it('scaleWorkload refuses a negative replica count and a DaemonSet before any write', async () => {
    const writes = await fx.simWrites();
    const a = await fx.gql(`mutation { scaleWorkload(kind: DEPLOYMENT, namespace: "web", name: "storefront", replicas: -1) { id } }`);
    expect(a.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'replicas' });
    const b = await fx.gql(`mutation { scaleWorkload(kind: DAEMONSET, namespace: "web", name: "storefront", replicas: 2) { id } }`);
    expect(b.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'kind' });
    expect(await fx.simWrites()).toBe(writes);
  });

  it('restartWorkload sets the restart annotation on the template, and rollbackWorkload brings revision 1 back', async () => {
    const r = await fx.gql(`mutation { restartWorkload(kind: DEPLOYMENT, namespace: "web", name: "edge-gateway") { id } }`);
    const restarted = await fx.waitTerminal(r.data.restartWorkload.id);
    expect(restarted.phase, JSON.stringify(restarted.steps)).toBe('SUCCEEDED');
    const template = await read('karmada', 'apps/v1', 'Deployment', 'web', 'edge-gateway');
    const restartedAt = template.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'];
    expect(Date.parse(restartedAt), `restartedAt ${restartedAt} is an RFC 3339 time`).toBeGreaterThan(Date.parse(restarted.createdAt) - 60_000);

    // Karmada propagates the new pod template: member1 gets revision 2.
    await until(async () => {
      const d = await read('member1', 'apps/v1', 'Deployment', 'web', 'edge-gateway');
      return d.metadata.annotations?.['deployment.kubernetes.io/revision'] === '2' ? true : undefined;
    });

    const rb = await fx.gql(`mutation { rollbackWorkload(kind: DEPLOYMENT, namespace: "web", name: "edge-gateway", cluster: "member1", revision: 1) { id } }`);
    expect(rb.errors).toBeUndefined();
    const rolled = await fx.waitTerminal(rb.data.rollbackWorkload.id);
    expect(rolled.phase, JSON.stringify(rolled.steps)).toBe('SUCCEEDED');
    expect(rolled.steps[1].message).toMatch(/Karmada resource template/);
    const after = await read('karmada', 'apps/v1', 'Deployment', 'web', 'edge-gateway');
    expect(after.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeUndefined();
  });

  it('rollbackWorkload to a revision that does not exist fails naming the step', async () => {
    const rb = await fx.gql(`mutation { rollbackWorkload(kind: DEPLOYMENT, namespace: "web", name: "edge-gateway", cluster: "member1", revision: 99) { id } }`);
    const done = await fx.waitTerminal(rb.data.rollbackWorkload.id);
    expect(done.phase).toBe('FAILED');
    expect(done.reason).toBe('NOT_FOUND');
    expect(done.error).toContain('step "find revision"');
  });
});

describe('policies', () => {
  const spec = { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'search' }], overrideRules: [{ targetCluster: { clusterNames: ['member1'] }, overriders: { labelsOverrider: [{ operator: 'add', value: { tier: 'gold' } }] } }] };

  it('applyOverridePolicy creates, then replaces the spec; deleteOverridePolicy removes it', async () => {
    let r = await fx.gql(`mutation($spec: JSON!) { applyOverridePolicy(namespace: "web", name: "search-gold", spec: $spec) { id } }`, { spec });
    expect((await fx.waitTerminal(r.data.applyOverridePolicy.id)).phase).toBe('SUCCEEDED');
    expect((await read('karmada', 'policy.karmada.io/v1alpha1', 'OverridePolicy', 'web', 'search-gold')).spec.overrideRules[0].targetCluster.clusterNames).toEqual(['member1']);

    const changed = { ...spec, overrideRules: [{ ...spec.overrideRules[0], targetCluster: { clusterNames: ['member2'] } }] };
    r = await fx.gql(`mutation($spec: JSON!) { applyOverridePolicy(namespace: "web", name: "search-gold", spec: $spec) { id } }`, { spec: changed });
    const replaced = await fx.waitTerminal(r.data.applyOverridePolicy.id);
    expect(replaced.phase).toBe('SUCCEEDED');
    expect(replaced.steps[0].message).toMatch(/replaced/);
    expect((await read('karmada', 'policy.karmada.io/v1alpha1', 'OverridePolicy', 'web', 'search-gold')).spec.overrideRules[0].targetCluster.clusterNames).toEqual(['member2']);

    r = await fx.gql(`mutation { deleteOverridePolicy(namespace: "web", name: "search-gold") { id } }`);
    expect((await fx.waitTerminal(r.data.deleteOverridePolicy.id)).phase).toBe('SUCCEEDED');
    expect(await gone('karmada', 'policy.karmada.io/v1alpha1', 'OverridePolicy', 'web', 'search-gold')).toBe(true);
  });

  it('cluster-scoped variants: applyClusterPropagationPolicy and deleteClusterPropagationPolicy', async () => {
    const cpp = { resourceSelectors: [{ apiVersion: 'v1', kind: 'Namespace', name: 'shop' }], placement: { clusterAffinity: { clusterNames: ['member1'] } } };
    let r = await fx.gql(`mutation($spec: JSON!) { applyClusterPropagationPolicy(name: "shop-namespace", spec: $spec) { id target { kind name namespace } } }`, { spec: cpp });
    expect(r.data.applyClusterPropagationPolicy.target).toEqual({ kind: 'ClusterPropagationPolicy', name: 'shop-namespace', namespace: null });
    expect((await fx.waitTerminal(r.data.applyClusterPropagationPolicy.id)).phase).toBe('SUCCEEDED');
    expect((await read('karmada', 'policy.karmada.io/v1alpha1', 'ClusterPropagationPolicy', undefined, 'shop-namespace')).spec.placement.clusterAffinity.clusterNames).toEqual(['member1']);
    r = await fx.gql(`mutation { deleteClusterPropagationPolicy(name: "shop-namespace") { id } }`);
    expect((await fx.waitTerminal(r.data.deleteClusterPropagationPolicy.id)).phase).toBe('SUCCEEDED');
    expect(await gone('karmada', 'policy.karmada.io/v1alpha1', 'ClusterPropagationPolicy', undefined, 'shop-namespace')).toBe(true);
  });

  it('applyPropagationPolicy and applyClusterOverridePolicy, then their deletes', async () => {
    const pp = { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'extra' }], placement: { clusterAffinity: { clusterNames: ['member2'] } } };
    let r = await fx.gql(`mutation($spec: JSON!) { applyPropagationPolicy(namespace: "web", name: "extra-config", spec: $spec) { id } }`, { spec: pp });
    expect((await fx.waitTerminal(r.data.applyPropagationPolicy.id)).phase).toBe('SUCCEEDED');
    expect((await read('karmada', 'policy.karmada.io/v1alpha1', 'PropagationPolicy', 'web', 'extra-config')).spec.placement.clusterAffinity.clusterNames).toEqual(['member2']);
    const cop = { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'extra' }], overrideRules: [] };
    r = await fx.gql(`mutation($spec: JSON!) { applyClusterOverridePolicy(name: "extra-override", spec: $spec) { id } }`, { spec: cop });
    expect((await fx.waitTerminal(r.data.applyClusterOverridePolicy.id)).phase).toBe('SUCCEEDED');
    expect(await gone('karmada', 'policy.karmada.io/v1alpha1', 'ClusterOverridePolicy', undefined, 'extra-override')).toBe(false);

    r = await fx.gql(`mutation { deletePropagationPolicy(namespace: "web", name: "extra-config") { id } }`);
    expect((await fx.waitTerminal(r.data.deletePropagationPolicy.id)).phase).toBe('SUCCEEDED');
    r = await fx.gql(`mutation { deleteClusterOverridePolicy(name: "extra-override") { id } }`);
    expect((await fx.waitTerminal(r.data.deleteClusterOverridePolicy.id)).phase).toBe('SUCCEEDED');
    expect(await gone('karmada', 'policy.karmada.io/v1alpha1', 'PropagationPolicy', 'web', 'extra-config')).toBe(true);
    expect(await gone('karmada', 'policy.karmada.io/v1alpha1', 'ClusterOverridePolicy', undefined, 'extra-override')).toBe(true);
  });

  it('deleting a policy that does not exist is refused with NOT_FOUND; a propagation policy without selectors is refused', async () => {
    const before = (await fx.gql(`{ operations { totalCount } }`)).data.operations.totalCount;
    const writes = await fx.simWrites();
    const r = await fx.gql(`mutation { deletePropagationPolicy(namespace: "web", name: "nope") { id } }`);
    // Refused before an Operation exists (preflight), not a FAILED Operation.
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'name', cluster: 'karmada' });
    expect((await fx.gql(`{ operations { totalCount } }`)).data.operations.totalCount).toBe(before);
    const bad = await fx.gql(`mutation { applyPropagationPolicy(namespace: "web", name: "x", spec: { placement: {} }) { id } }`);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'spec.resourceSelectors' });
    expect(await fx.simWrites()).toBe(writes);
  });

  it('each change is in the audit log with the object before and after', async () => {
    const r = await fx.gql(`{ auditLog(filter: { limit: 500 }) { changes { verb kind name cluster before after } entries { action success } } }`);
    const changes = r.data.auditLog.changes;
    const update = changes.find((c: any) => c.kind === 'OverridePolicy' && c.name === 'search-gold' && c.verb === 'update');
    expect(JSON.parse(update.before).spec.overrideRules[0].targetCluster.clusterNames).toEqual(['member1']);
    expect(JSON.parse(update.after).spec.overrideRules[0].targetCluster.clusterNames).toEqual(['member2']);
    expect(update.cluster).toBe('karmada');
    const del = changes.find((c: any) => c.kind === 'OverridePolicy' && c.verb === 'delete');
    expect(del.after).toBeNull();
    const scale = changes.find((c: any) => c.kind === 'Deployment' && c.name === 'storefront' && c.verb === 'patch');
    expect(JSON.parse(scale.before).spec.replicas).toBe(6);
    expect(JSON.parse(scale.after).spec.replicas).toBe(12);
    expect(r.data.auditLog.entries.filter((e: any) => e.action === 'scaleWorkload').length).toBe(3);
  });
});

// After the audit test above, which counts the scaleWorkload rows (refusals are audited too).
describe('preflight', () => {
  it('a workload or pod that does not exist is refused with NOT_FOUND before any Operation exists (preflight)', async () => {
    const before = (await fx.gql(`{ operations { totalCount } }`)).data.operations.totalCount;
    const writes = await fx.simWrites();
    for (const [mutation, cluster] of [
      [`scaleWorkload(kind: DEPLOYMENT, namespace: "web", name: "no-such-app", replicas: 2)`, 'karmada'],
      [`restartWorkload(kind: DEPLOYMENT, namespace: "web", name: "no-such-app")`, 'karmada'],
      [`restartWorkload(kind: DEPLOYMENT, namespace: "web", name: "no-such-app", cluster: "member1")`, 'member1'],
      [`rollbackWorkload(kind: DEPLOYMENT, namespace: "web", name: "no-such-app", cluster: "member1", revision: 1)`, 'member1'],
      [`deletePod(cluster: "member1", namespace: "web", name: "no-such-pod")`, 'member1'],
    ] as const) {
      const r = await fx.gql(`mutation { ${mutation} { id } }`);
      expect(r.errors?.[0]?.extensions, mutation).toMatchObject({ code: 'NOT_FOUND', field: 'name', cluster });
    }
    expect((await fx.gql(`{ operations { totalCount } }`)).data.operations.totalCount).toBe(before);
    expect(await fx.simWrites()).toBe(writes);
  });
});
