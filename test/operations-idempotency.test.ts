/**
 * Idempotency keys and switches end to end: a repeated key creates one Operation and does the work once, the
 * same key with other arguments is CONFLICT, keys are scoped to the caller and the mutation; read-only mode
 * and a switched-off feature answer FORBIDDEN with nothing written upstream and no Operation.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOperationsFixture, type OperationsFixture } from './support/operationsFixture.js';

describe('idempotency keys', () => {
  let fx: OperationsFixture;
  const alice = { authorization: 'Bearer alice-token' };
  const bob = { authorization: 'Bearer bob-token' };

  const tokens = join(process.env['TMPDIR'] ?? '/tmp', `fleetgraph-ops-tokens-${process.pid}.csv`);

  beforeAll(async () => {
    writeFileSync(tokens, 'alice-token,alice,1001,"ops"\nbob-token,bob,1002,"ops"\n');
    // Group ops reads every caller's audit entries (alice reads bob's below).
    fx = await startOperationsFixture({ scenario: 'mini', args: ['--auth', 'token', '--tokens', tokens, '--audit-readers', 'ops'], headers: alice });
    // Signed-in callers act with their own RBAC (issue 12): the group `ops` is cluster-admin on every cluster
    // (the control plane's grant covers the Karmada cluster proxy), and the gateway's copy of RBAC has it.
    const clusters = [fx.sim.fleet.controlPlane, ...fx.sim.fleet.members.values()];
    for (const c of clusters) {
      c.objects.create('rbac.authorization.k8s.io/clusterrolebindings', {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'ops-admin' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'ops' }],
      } as never, { manager: 'kubectl-create' });
    }
    const authorizer = fx.gateway.fleet.authorizer!;
    const ops = { user: 'alice', groups: ['ops', 'system:authenticated'] };
    for (const cluster of ['controlPlane', ...fx.sim.fleet.members.keys()]) {
      for (let i = 0; !(await authorizer.can(cluster, ops, { verb: 'patch', apiGroup: '', resource: 'nodes' })); i++) {
        if (i > 100) throw new Error(`the gateway never saw the ops binding of ${cluster}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });

  afterAll(async () => {
    await fx?.stop();
    rmSync(tokens, { force: true });
  });

  const labels = (value: string) => `mutation($key: String) { setNodeLabels(cluster: "member1", name: "member1-worker-1", labels: [{ key: "idem", value: "${value}" }], idempotencyKey: $key) { id requestedBy } }`;

  it('the same key with the same arguments returns the first Operation and writes once', async () => {
    const first = await fx.gql(labels('one'), { key: 'k-1' }, alice);
    expect(first.errors).toBeUndefined();
    expect(first.data.setNodeLabels.requestedBy).toBe('alice');
    expect((await fx.waitTerminal(first.data.setNodeLabels.id)).phase).toBe('SUCCEEDED');
    const writes = await fx.simWrites();
    const again = await fx.gql(labels('one'), { key: 'k-1' }, alice);
    expect(again.errors).toBeUndefined();
    expect(again.data.setNodeLabels.id).toBe(first.data.setNodeLabels.id);
    expect(await fx.simWrites()).toBe(writes);
    const list = await fx.gql(`{ operations(filter: { type: "setNodeLabels" }) { totalCount } }`, {}, alice);
    expect(list.data.operations.totalCount).toBe(1);
  });

  it('concurrent requests with one key create one Operation', async () => {
    const answers = await Promise.all([1, 2, 3, 4].map(() => fx.gql(labels('two'), { key: 'k-2' }, alice)));
    const ids = new Set(answers.map((a) => a.data?.setNodeLabels?.id));
    expect(answers.every((a) => !a.errors)).toBe(true);
    expect(ids.size).toBe(1);
    const list = await fx.gql(`{ operations(filter: { type: "setNodeLabels" }) { totalCount } }`, {}, alice);
    expect(list.data.operations.totalCount).toBe(2);
    // Ended before the next test counts the simulator's writes (its node patch would land in that count).
    expect((await fx.waitTerminal([...ids][0]!)).phase).toBe('SUCCEEDED');
  });

  it('the same key with different arguments is CONFLICT and does nothing', async () => {
    const writes = await fx.simWrites();
    const r = await fx.gql(labels('three'), { key: 'k-1' }, alice);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'idempotencyKey' });
    expect(await fx.simWrites()).toBe(writes);
  });

  it('keys are scoped to the caller and the mutation', async () => {
    const byBob = await fx.gql(labels('one'), { key: 'k-1' }, bob);
    expect(byBob.errors).toBeUndefined();
    const byAlice = await fx.gql(labels('one'), { key: 'k-1' }, alice);
    expect(byBob.data.setNodeLabels.id).not.toBe(byAlice.data.setNodeLabels.id);
    const cordon = await fx.gql(`mutation { cordonNode(cluster: "member1", name: "member1-worker-1", idempotencyKey: "k-1") { id type } }`, {}, alice);
    expect(cordon.errors).toBeUndefined();
    expect(cordon.data.cordonNode.type).toBe('cordonNode');
    expect((await fx.waitTerminal(cordon.data.cordonNode.id)).phase).toBe('SUCCEEDED');
  });

  it('the audit log names the caller, source address, user agent and request id', async () => {
    await fx.gql(`mutation { uncordonNode(cluster: "member1", name: "member1-worker-1") { id } }`, {}, { ...bob, 'x-request-id': 'req-42', 'user-agent': 'ops-test/1.0' });
    const r = await fx.gql(`{ auditLog(filter: { user: "bob", action: "uncordonNode" }) { entries { user action targetKind targetName cluster success requestId sourceIp userAgent operationId } statistics { operationName count } } }`, {}, alice);
    const e = r.data.auditLog.entries[0];
    expect(e).toMatchObject({ user: 'bob', action: 'uncordonNode', targetKind: 'Node', targetName: 'member1-worker-1', cluster: 'member1', success: true, requestId: 'req-42', userAgent: 'ops-test/1.0' });
    expect(e.sourceIp).toMatch(/127\.0\.0\.1/);
    expect(e.operationId).toMatch(/^op-/);
    expect(r.data.auditLog.statistics.find((s: any) => s.operationName === 'anonymous')?.count ?? 0).toBeGreaterThan(0);
  });

  it('without an x-request-id, the mutations of one HTTP request share one made-up id, and the next request gets another', async () => {
    const two = `mutation { a: uncordonNode(cluster: "member1", name: "member1-worker-0") { id } b: uncordonNode(cluster: "member1", name: "member1-worker-1") { id } }`;
    const first = await fx.gql(two, {}, bob);
    expect(first.errors).toBeUndefined();
    const next = await fx.gql(`mutation { uncordonNode(cluster: "member1", name: "member1-worker-0") { id } }`, {}, bob);
    expect(next.errors).toBeUndefined();
    const audit = await fx.gql(`{ auditLog(filter: { user: "bob", action: "uncordonNode", limit: 50 }) { entries { operationId requestId } } }`, {}, alice);
    const byOp = new Map<string, any>(audit.data.auditLog.entries.map((e: any) => [e.operationId, e]));
    const a = byOp.get(first.data.a.id);
    const b = byOp.get(first.data.b.id);
    const n = byOp.get(next.data.uncordonNode.id);
    expect(a.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b.requestId).toBe(a.requestId);
    expect(n.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(n.requestId).not.toBe(a.requestId);
  });
});

describe('switches', () => {
  it('read-only mode refuses every mutation with FORBIDDEN, writes nothing and creates no Operation', async () => {
    const fx = await startOperationsFixture({ scenario: 'mini', args: ['--read-only'] });
    try {
      const writes = await fx.simWrites();
      const r = await fx.gql(`mutation { cordonNode(cluster: "member1", name: "member1-worker-0") { id } }`);
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(r.errors?.[0]?.message).toMatch(/read-only/);
      const d = await fx.gql(`mutation { drainNode(cluster: "member1", name: "member1-worker-0") { id } }`);
      expect(d.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const c = await fx.gql(`mutation { cancelOperation(id: "op-anything") { id } }`);
      expect(c.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(await fx.simWrites()).toBe(writes);
      expect((await fx.gql(`{ operations { totalCount } }`)).data.operations.totalCount).toBe(0);
      const node = await fx.simClients('member1').core.readNode({ name: 'member1-worker-0' });
      expect(node.spec?.unschedulable ?? false).toBe(false);
      // Reads still work.
      expect((await fx.gql(`{ auditLog { entries { action errorCode } } }`)).data.auditLog.entries.map((e: any) => e.errorCode)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    } finally {
      await fx.stop();
    }
  });

  it('with resource edit switched off, label edits are FORBIDDEN but cordon still runs', async () => {
    const fx = await startOperationsFixture({ scenario: 'mini', args: ['--feature', 'resourceEdit=off'] });
    try {
      const writes = await fx.simWrites();
      const r = await fx.gql(`mutation { setNodeLabels(cluster: "member1", name: "member1-worker-0", labels: [{ key: "a", value: "b" }]) { id } }`);
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(r.errors?.[0]?.message).toMatch(/resource edit/);
      const s = await fx.gql(`mutation { scaleWorkload(kind: DEPLOYMENT, namespace: "web", name: "nginx", replicas: 3) { id } }`);
      expect(s.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(await fx.simWrites()).toBe(writes);
      expect((await fx.simClients('member1').core.readNode({ name: 'member1-worker-0' })).metadata?.labels?.['a']).toBeUndefined();
      const c = await fx.gql(`mutation { cordonNode(cluster: "member1", name: "member1-worker-0") { id } }`);
      expect((await fx.waitTerminal(c.data.cordonNode.id)).phase).toBe('SUCCEEDED');
    } finally {
      await fx.stop();
    }
  });
});
