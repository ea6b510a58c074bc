/**
 * Operations and audit under per-user authorization (issue 12), end to end: the demo simulator and a gateway
 * with `--auth kubernetes --audit-readers system:masters`, callers signed in with the demo users' tokens (and
 * the kubeconfig's admin, `karmada-admin` in `system:masters`) from the kubeconfig the simulator wrote.
 *
 * - A caller sees the Operations it started and those whose target it may `get` (in the target's cluster, by
 *   that cluster's RBAC): ops-oncall's cordon is seen by ops-oncall and the admin, not by shop-dev nor by
 *   platform-viewer (ClusterRole `view` holds no nodes); shop-dev's pod deletion in `shop` is seen by all
 *   three (each may get pods there). `operations` lists and counts only those; `operation(id)`,
 *   `operationProgress(id)` and `cancelOperation(id)` answer an invisible Operation exactly as an unknown id.
 * - `auditLog`: a caller reads its own entries and changes (filtered in the store: `limit` counts its own rows),
 *   another user's filter is FORBIDDEN, statistics are for audit readers; a member of `system:masters` reads
 *   everyone's, the denied mutation included with who, what and why.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openClient, pollAsync, record } from './support/subscriptionsClient.js';

let fx: GatewayFixture;
let tokens: Record<string, string>;
/** The kubeconfig's own user (the simulator's admin, in group system:masters). */
let admin: string;

/** The node ops-oncall cordons. */
const NODE = 'member1-worker-0';
/** IDs of the two Operations the tests make. */
let cordonId: string;
let deletePodId: string;
let deletedPod: { namespace: string; name: string };

const as = (user: string) => ({ authorization: `Bearer ${tokens[user]}` });

async function waitTerminal(id: string, user: string): Promise<any> {
  return pollAsync(async () => {
    const r = await fx.query(`query($id: ID!) { operation(id: $id) { id phase requestedBy steps { name phase message } } }`, { id }, as(user));
    const op = r.body.data?.operation;
    if (!op) throw new Error(`operation ${id}: ${JSON.stringify(r.body)}`);
    return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(op.phase) ? op : undefined;
  }, 60_000, `operation ${id} finished`);
}

const OPERATIONS = '{ operations(first: 1000) { totalCount edges { node { id requestedBy target { cluster kind namespace name } } } } }';

async function operationsOf(user: string): Promise<{ totalCount: number; nodes: any[] }> {
  const r = await fx.query(OPERATIONS, undefined, as(user));
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return { totalCount: r.body.data.operations.totalCount, nodes: r.body.data.operations.edges.map((e: any) => e.node) };
}

const OPERATION = 'query($id: ID!) { operation(id: $id) { id requestedBy } }';

beforeAll(async () => {
  fx = await startGatewayFixture({ args: ['--auth', 'kubernetes', '--audit-readers', 'system:masters'] });
  const kc = new KubeConfig();
  kc.loadFromFile(fx.kubeconfig);
  tokens = Object.fromEntries(kc.getUsers().map((u) => [u.name, u.token ?? '']));
  admin = kc.getCurrentUser()!.name;
  for (const u of ['platform-viewer', 'shop-dev', 'ops-oncall', admin]) expect(tokens[u], u).toMatch(/^\S+$/);
  // Every cluster's RBAC is known before the first answer counts.
  await pollAsync(async () => ((await fx.query('{ pods(first: 1) { totalCount } }', undefined, as('platform-viewer'))).body.data?.pods.totalCount > 0 ? true : undefined), 20_000, 'platform-viewer sees pods');

  // shop-dev's refused cordon: a denial, audited; then ops-oncall's cordon, and shop-dev's pod deletion in shop.
  const refused = await fx.query(`mutation { cordonNode(cluster: "member1", name: "${NODE}") { id } }`, undefined, as('shop-dev'));
  expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

  const cordon = await fx.query(`mutation { cordonNode(cluster: "member1", name: "${NODE}") { id requestedBy } }`, undefined, as('ops-oncall'));
  expect(cordon.body.errors).toBeUndefined();
  expect(cordon.body.data.cordonNode.requestedBy).toBe('ops-oncall');
  cordonId = cordon.body.data.cordonNode.id;
  expect((await waitTerminal(cordonId, 'ops-oncall')).phase).toBe('SUCCEEDED');

  const pod = ([...fx.sim.fleet.members.get('member1')!.objects.list('pods')] as any[]).find((p) => p.metadata.namespace === 'shop' && p.metadata.ownerReferences?.length);
  expect(pod).toBeDefined();
  deletedPod = { namespace: pod.metadata.namespace, name: pod.metadata.name };
  const del = await fx.query(`mutation { deletePod(cluster: "member1", namespace: "shop", name: "${deletedPod.name}") { id } }`, undefined, as('shop-dev'));
  expect(del.body.errors).toBeUndefined();
  deletePodId = del.body.data.deletePod.id;
  expect((await waitTerminal(deletePodId, 'shop-dev')).phase).toBe('SUCCEEDED');
}, 120_000);

afterAll(async () => {
  await fx?.stop();
});

describe('which Operations a caller sees', () => {
  it('ops-oncall sees the cordon it started and shop-dev\'s pod deletion (it may get pods), nothing it may not read', async () => {
    const { totalCount, nodes } = await operationsOf('ops-oncall');
    const ids = nodes.map((n) => n.id);
    expect(ids).toContain(cordonId);
    expect(ids).toContain(deletePodId);
    expect(totalCount).toBe(nodes.length);
    // ops-oncall may get nodes, pods and daemonsets on the members and nothing else.
    for (const n of nodes) expect(n.requestedBy === 'ops-oncall' || (['Node', 'Pod', 'DaemonSet'].includes(n.target.kind) && n.target.cluster !== null), JSON.stringify(n)).toBe(true);
    const one = await fx.query(OPERATION, { id: cordonId }, as('ops-oncall'));
    expect(one.body).toEqual({ data: { operation: { id: cordonId, requestedBy: 'ops-oncall' } } });
  });

  it('shop-dev (no nodes) does not see the cordon: not listed, not counted, and operation(id) answers as an unknown id', async () => {
    const { totalCount, nodes } = await operationsOf('shop-dev');
    const ids = nodes.map((n) => n.id);
    expect(ids).not.toContain(cordonId);
    expect(ids).toContain(deletePodId);
    expect(totalCount).toBe(nodes.length);
    // Its own, or one in namespace shop of member1 / member2 (where it may read).
    for (const n of nodes) expect(n.requestedBy === 'shop-dev' || (n.target.namespace === 'shop' && ['member1', 'member2'].includes(n.target.cluster)), JSON.stringify(n)).toBe(true);
    // The admin sees every Operation the gateway holds, so shop-dev's count is really cut.
    const all = await operationsOf(admin);
    expect(all.totalCount).toBe(fx.gateway.operations.service!.store.list({}).length);
    expect(all.nodes.map((n) => n.id)).toEqual(expect.arrayContaining([cordonId, deletePodId]));
    expect(totalCount).toBeLessThan(all.totalCount);

    const hidden = await fx.query(OPERATION, { id: cordonId }, as('shop-dev'));
    const unknown = await fx.query(OPERATION, { id: 'op-does-not-exist' }, as('shop-dev'));
    expect(hidden.body).toEqual({ data: { operation: null } });
    expect(hidden.body).toEqual(unknown.body);
    // Filtering by the cordon's own fields finds nothing either.
    const filtered = await fx.query(`{ operations(filter: { type: "cordonNode", targetName: "${NODE}" }) { totalCount edges { node { id } } } }`, undefined, as('shop-dev'));
    expect(filtered.body.data.operations).toEqual({ totalCount: 0, edges: [] });
  });

  it('platform-viewer (view: pods yes, nodes no) sees the pod deletion, not the cordon', async () => {
    const { totalCount, nodes } = await operationsOf('platform-viewer');
    const ids = nodes.map((n) => n.id);
    expect(ids).toContain(deletePodId);
    expect(ids).not.toContain(cordonId);
    expect(totalCount).toBe(nodes.length);
    const pod = await fx.query(OPERATION, { id: deletePodId }, as('platform-viewer'));
    expect(pod.body).toEqual({ data: { operation: { id: deletePodId, requestedBy: 'shop-dev' } } });
    expect((await fx.query(OPERATION, { id: cordonId }, as('platform-viewer'))).body).toEqual({ data: { operation: null } });
  });

  it('cancelOperation of an Operation the caller may not see is refused as an unknown id, and audited as one', async () => {
    const cancel = 'mutation($id: ID!) { cancelOperation(id: $id) { id } }';
    const hidden = await fx.query(cancel, { id: cordonId }, as('shop-dev'));
    const unknown = await fx.query(cancel, { id: 'op-does-not-exist' }, as('shop-dev'));
    expect(hidden.body.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', field: 'id' });
    expect(hidden.body.errors?.[0]?.message).toBe(`operation "${cordonId}" not found`);
    expect(unknown.body.errors?.[0]?.message).toBe('operation "op-does-not-exist" not found');
    // The one who may see it learns it already finished.
    const own = await fx.query(cancel, { id: cordonId }, as('ops-oncall'));
    expect(own.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'ALREADY_FINISHED' });
    // shop-dev's audit row names nothing of the hidden Operation beyond the id it sent.
    const rows = await fx.query(`query($id: String!) { auditLog(filter: { action: "cancelOperation", targetName: $id }) { entries { user cluster namespace errorCode } } }`, { id: cordonId }, as('shop-dev'));
    expect(rows.body.data.auditLog.entries).toEqual([{ user: 'shop-dev', cluster: 'karmada', namespace: null, errorCode: 'NOT_FOUND' }]);
  });

  it('operationProgress over graphql-ws: NOT_FOUND for an Operation the caller may not see, as for an unknown id; its own follows', async () => {
    const progress = 'subscription($id: ID!) { operationProgress(id: $id) { id phase requestedBy } }';
    const dev = openClient(fx.gateway.url, { authorization: `Bearer ${tokens['shop-dev']}` });
    const ops = openClient(fx.gateway.url, { authorization: `Bearer ${tokens['ops-oncall']}` });
    try {
      const hidden = record(dev, progress, { id: cordonId });
      const unknown = record(dev, progress, { id: 'op-does-not-exist' });
      await hidden.waitForEnd();
      await unknown.waitForEnd();
      expect(hidden.events).toEqual([]);
      const summary = (errors: unknown[]) => (errors as Array<{ message: string; extensions?: any }>).map((e) => [e.message.replace(/"[^"]+"/, '"ID"'), e.extensions?.code]);
      expect(summary(hidden.errors)).toEqual([['operation "ID" not found', 'NOT_FOUND']]);
      expect(summary(hidden.errors)).toEqual(summary(unknown.errors));

      const own = record(ops, progress, { id: cordonId });
      await own.waitForEnd();
      expect(own.errors).toEqual([]);
      expect(own.events).toEqual([{ operationProgress: { id: cordonId, phase: 'SUCCEEDED', requestedBy: 'ops-oncall' } }]);
    } finally {
      await dev.dispose();
      await ops.dispose();
    }
  });
});

describe('auditLog', () => {
  const AUDIT = `query($f: AuditFilter) { auditLog(filter: $f) { entries { user action targetName cluster success errorCode error operationId }
    changes { user operationId verb kind name } statistics { operationName count } } }`;

  it('shop-dev reads only its own entries and changes, its denied cordon included, and no statistics', async () => {
    const r = await fx.query(AUDIT, { f: { limit: 1000 } }, as('shop-dev'));
    expect(r.body.errors).toBeUndefined();
    const log = r.body.data.auditLog;
    expect(log.entries.length).toBeGreaterThan(0);
    expect(new Set(log.entries.map((e: any) => e.user))).toEqual(new Set(['shop-dev']));
    expect(log.entries).toContainEqual(expect.objectContaining({ action: 'cordonNode', targetName: NODE, success: false, errorCode: 'FORBIDDEN' }));
    expect(log.entries).toContainEqual(expect.objectContaining({ action: 'deletePod', targetName: deletedPod.name, success: true, operationId: deletePodId }));
    expect(log.changes.length).toBeGreaterThan(0);
    expect(log.changes.every((c: any) => c.user === 'shop-dev' && c.operationId === deletePodId)).toBe(true);
    expect(log.statistics).toEqual([]);
    // ops-oncall's cordon, its change and its refused cancel are not there.
    expect(log.entries.some((e: any) => e.operationId === cordonId)).toBe(false);
    expect(log.changes.some((c: any) => c.operationId === cordonId)).toBe(false);
  });

  it('the user filter is applied in the store: limit 1 is shop-dev\'s newest row even after others wrote', async () => {
    const own = await fx.query(AUDIT, { f: { limit: 1000 } }, as('shop-dev'));
    const newest = own.body.data.auditLog.entries[0];
    // Someone else writes an audit row after shop-dev's last one.
    await fx.query(`mutation { cordonNode(cluster: "member1", name: "no-such-node-auditlimit") { id } }`, undefined, as('ops-oncall'));
    const one = await fx.query(AUDIT, { f: { limit: 1 } }, as('shop-dev'));
    expect(one.body.data.auditLog.entries).toEqual([newest]);
  });

  it('shop-dev asking for another user\'s entries is FORBIDDEN for that field', async () => {
    const r = await fx.query(AUDIT, { f: { user: 'ops-oncall' } }, as('shop-dev'));
    expect(r.body.data).toBeNull();
    expect(r.body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', field: 'filter.user' });
    const self = await fx.query(AUDIT, { f: { user: 'shop-dev' } }, as('shop-dev'));
    expect(self.body.errors).toBeUndefined();
    expect(self.body.data.auditLog.entries.every((e: any) => e.user === 'shop-dev')).toBe(true);
  });

  it('ops-oncall reads its own entries only', async () => {
    const r = await fx.query(AUDIT, { f: { limit: 1000 } }, as('ops-oncall'));
    const log = r.body.data.auditLog;
    expect(new Set(log.entries.map((e: any) => e.user))).toEqual(new Set(['ops-oncall']));
    expect(log.entries).toContainEqual(expect.objectContaining({ action: 'cordonNode', targetName: NODE, success: true, operationId: cordonId }));
    expect(log.changes.every((c: any) => c.user === 'ops-oncall')).toBe(true);
  });

  it('a member of an --audit-readers group (system:masters) reads everyone\'s, the denial with who, what and why', async () => {
    const r = await fx.query(AUDIT, { f: { limit: 1000 } }, as(admin));
    expect(r.body.errors).toBeUndefined();
    const log = r.body.data.auditLog;
    const users = new Set(log.entries.map((e: any) => e.user));
    expect(users.has('shop-dev')).toBe(true);
    expect(users.has('ops-oncall')).toBe(true);
    const denial = log.entries.find((e: any) => e.user === 'shop-dev' && e.action === 'cordonNode');
    expect(denial).toEqual({
      user: 'shop-dev', action: 'cordonNode', targetName: NODE, cluster: 'member1', success: false, errorCode: 'FORBIDDEN',
      error: `shop-dev may not patch nodes ${NODE} in cluster member1`, operationId: null,
    });
    expect(new Set(log.changes.map((c: any) => c.operationId))).toEqual(new Set([cordonId, deletePodId]));
    expect(log.statistics.length).toBeGreaterThan(0);
    // The user filter is the reader's to use.
    const theirs = await fx.query(AUDIT, { f: { user: 'ops-oncall' } }, as(admin));
    expect(theirs.body.data.auditLog.entries.length).toBeGreaterThan(0);
    expect(theirs.body.data.auditLog.entries.every((e: any) => e.user === 'ops-oncall')).toBe(true);
  });
});
