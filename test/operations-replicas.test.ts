/**
 * Several replicas behave as one (issue 14). Three gateway processes share one simulator (its control plane
 * holding the FleetOperation CRD, as an operator installs it), the machine's Redis and PostgreSQL:
 *  - a drain started on A is listed on B and C, followed on B (operationProgress) and cancelled from C;
 *  - the same idempotency key sent to A and B at once gives one Operation, answered by both;
 *  - A killed with SIGKILL in the middle of a drain: B or C takes it over within 30 s and finishes it, every pod
 *    evicted exactly once (the simulator counts evictions), SUCCEEDED with a step that says where;
 *  - B stopped with SIGTERM in the middle of a drain hands it over: C continues it at once;
 *  - every answered mutation has exactly one audit row in PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSimulator } from '../src/sim/index.js';
import { OPERATION_FIELDS, until } from './support/operationsFixture.js';
import { ensureBuilt, spawnGateway, type GatewayProcess } from './support/operationsGatewayProcess.js';
import { holdWebPodsOn } from './support/pdbHold.js';
import { openClient, record } from './support/subscriptionsClient.js';

const PG_BASE = 'postgres://postgres@127.0.0.1:5432/postgres';
const schema = `fg_replicas_${process.pid}_${Date.now().toString(36)}`;
const redisPrefix = `fgtest-replicas-${process.pid}-${Date.now().toString(36)}:`;

let sim: Awaited<ReturnType<typeof startSimulator>>;
let dir: string;
const gateways: Record<'A' | 'B' | 'C', GatewayProcess> = {} as never;
/** Every mutation a gateway answered (with data or an error): each must have one audit row. */
const answered: Array<{ action: string; operationId: string | null }> = [];

async function gql(url: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return res.json();
}

/** A mutation, remembered with its answer for the audit count. */
async function mutate(url: string, action: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const r = await gql(url, query, variables);
  answered.push({ action, operationId: r.data?.[action]?.id ?? null });
  return r;
}

async function operation(url: string, id: string): Promise<any> {
  return (await gql(url, `query($id: ID!) { operation(id: $id) { ${OPERATION_FIELDS} } }`, { id })).data?.operation ?? null;
}

function simGet(path: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(`${sim.url}/_sim/${path}`, { method: 'GET', ca: sim.caCertPem, headers: { authorization: `Bearer ${sim.adminToken}` } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.end();
  });
}

async function start(name: 'A' | 'B' | 'C'): Promise<GatewayProcess> {
  const g = await spawnGateway([
    '--kubeconfig', join(dir, 'kubeconfig.yaml'), '--port', '0', '--host', '127.0.0.1', '--log-level', 'warn',
    '--operations-store', 'shared', '--replica-id', `gateway-${name.toLowerCase()}`,
    '--audit-db', `${PG_BASE}?schema=${schema}`,
    '--redis-url', 'redis://127.0.0.1:6379', '--redis-prefix', redisPrefix,
  ]);
  gateways[name] = g;
  const ready = g.url.replace(/\/graphql$/, '/readyz');
  await until(async () => (await fetch(ready)).status === 200, 240);
  return g;
}

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'fleetgraph-replicas-'));
  sim = await startSimulator({ port: 0, host: '127.0.0.1', scenario: 'mini', kubeconfigOut: join(dir, 'kubeconfig.yaml'), churnPerMinute: 0 });
  await Promise.all([start('A'), start('B'), start('C')]);
}, 300_000);

afterAll(async () => {
  for (const g of Object.values(gateways)) {
    if (g.child.exitCode === null && g.child.signalCode === null) {
      g.child.kill('SIGKILL');
      await g.exited;
    }
  }
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: PG_BASE });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

const DRAIN = `mutation($node: String!, $key: String) {
  drainNode(cluster: "member1", name: $node, options: { force: true, deleteEmptyDirData: true, podTimeoutSeconds: 600, gracePeriodSeconds: 0 }, idempotencyKey: $key) { id phase }
}`;

it('/readyz of each replica says its Operations are shared', async () => {
  for (const g of Object.values(gateways)) {
    const body = (await (await fetch(g.url.replace(/\/graphql$/, '/readyz'))).json()) as any;
    expect(body.operations).toMatchObject({ store: 'shared', namespace: 'fleetgraph-system' });
  }
});

it('a drain started on A is listed on B and C, followed on B and cancelled from C', async () => {
  const { objects } = await holdWebPodsOn(sim.kubeconfig, 'member1', 'member1-worker-0');
  try {
    const started = await mutate(gateways.A.url, 'drainNode', DRAIN, { node: 'member1-worker-0' });
    expect(started.errors).toBeUndefined();
    const id = started.data.drainNode.id;

    // Any replica answers operation(id) at once (read from the control plane if its watch lags) ...
    expect((await operation(gateways.B.url, id))?.type).toBe('drainNode');
    // ... and lists it.
    for (const g of [gateways.B, gateways.C]) {
      await until(async () => ((await gql(g.url, `{ operations(first: 50) { edges { node { id } } } }`)).data.operations.edges as any[]).some((e) => e.node.id === id));
    }

    // Followed on B: its evictions are refused by the budget, so it runs until cancelled.
    const client = openClient(gateways.B.url);
    const progress = record(client, `subscription($id: ID!) { operationProgress(id: $id) { id phase steps { name phase message } } }`, { id });
    await progress.waitFor((events) => events.some((e: any) => e.operationProgress?.steps?.some((s: any) => /refused/.test(s.message ?? ''))), 40_000, 'a refused eviction seen on B');

    const cancelled = await mutate(gateways.C.url, 'cancelOperation', `mutation($id: ID!) { cancelOperation(id: $id, reason: "from C") { id phase error } }`, { id });
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data.cancelOperation).toMatchObject({ id, phase: 'CANCELLED' });
    expect(cancelled.data.cancelOperation.error).toMatch(/from C/);

    // B's subscription ends with the cancel; A, which ran it, says the same.
    await progress.waitFor((events) => events.some((e: any) => e.operationProgress?.phase === 'CANCELLED'), 20_000, 'CANCELLED seen on B');
    await progress.waitForEnd();
    expect((await operation(gateways.A.url, id)).phase).toBe('CANCELLED');
    await client.dispose();
  } finally {
    await objects.delete({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'hold', namespace: 'web' } }).catch(() => undefined);
  }
});

it('the same idempotency key sent to A and B at once gives one Operation', async () => {
  const q = `mutation($key: String) { cordonNode(cluster: "member1", name: "member1-worker-1", idempotencyKey: $key) { id } }`;
  const [a, b] = await Promise.all([
    mutate(gateways.A.url, 'cordonNode', q, { key: 'same-key-1' }),
    mutate(gateways.B.url, 'cordonNode', q, { key: 'same-key-1' }),
  ]);
  expect(a.errors).toBeUndefined();
  expect(b.errors).toBeUndefined();
  expect(a.data.cordonNode.id).toBe(b.data.cordonNode.id);
  const id = a.data.cordonNode.id;
  await until(async () => ((await operation(gateways.C.url, id))?.phase === 'SUCCEEDED' ? true : undefined));
  const all = (await gql(gateways.C.url, `{ operations(first: 100, filter: { type: "cordonNode" }) { edges { node { id } } } }`)).data.operations.edges;
  expect(all.filter((e: any) => e.node.id === id)).toHaveLength(1);
  expect(all).toHaveLength(1);
  // The same key with other arguments is a conflict, on any replica.
  const other = await mutate(gateways.C.url, 'cordonNode', `mutation { cordonNode(cluster: "member1", name: "member1-worker-0", idempotencyKey: "same-key-1") { id } }`);
  expect(other.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  await mutate(gateways.C.url, 'uncordonNode', `mutation { uncordonNode(cluster: "member1", name: "member1-worker-1") { id } }`);
});

it('A killed with SIGKILL mid-drain: another replica finishes it within 30 s, every pod evicted exactly once', async () => {
  const { objects, held } = await holdWebPodsOn(sim.kubeconfig, 'member1', 'member1-worker-0');
  // Pods no budget holds, on the same node: evicted by A before the kill.
  const free = ['free-0', 'free-1', 'free-2'];
  for (const name of free) {
    await objects.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'web' }, spec: { nodeName: 'member1-worker-0', containers: [{ name: 'main', image: 'busybox:1.36' }] } } as any);
  }
  const evictionsBefore = (await simGet('evictions')).evictions.length;
  const started = await mutate(gateways.A.url, 'drainNode', DRAIN, { node: 'member1-worker-0' });
  expect(started.errors).toBeUndefined();
  const id = started.data.drainNode.id;
  let last: any;
  await until(async () => {
    const op = (last = await operation(gateways.A.url, id));
    return op.phase === 'RUNNING' && op.steps.some((s: any) => s.phase === 'RUNNING' && /refused/.test(s.message ?? ''))
      && free.every((n) => op.steps.some((s: any) => s.name === `evict web/${n}` && s.phase === 'SUCCEEDED')) ? op : undefined;
  }, 160).catch((err) => {
    throw new Error(`${err.message}; drain: ${JSON.stringify(last)}`);
  });

  gateways.A.child.kill('SIGKILL');
  await gateways.A.exited;
  const killedAt = Date.now();
  // The budget gives way: whoever takes the drain over can evict the rest.
  await objects.delete({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'hold', namespace: 'web' } });

  let done: any;
  const deadline = killedAt + 30_000;
  while (Date.now() < deadline) {
    done = await operation(gateways.B.url, id);
    if (done?.phase === 'SUCCEEDED' || done?.phase === 'FAILED') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect({ phase: done?.phase, error: done?.error }).toEqual({ phase: 'SUCCEEDED', error: null });
  expect(Date.now() - killedAt).toBeLessThan(30_000);
  const takeover = done.steps.find((s: any) => /^taken over by gateway-[bc]$/.test(s.name));
  expect(takeover?.message).toMatch(/gateway-a stopped renewing .* continued from step "evict web\//);
  // C answers the same.
  expect((await operation(gateways.C.url, id)).phase).toBe('SUCCEEDED');

  // Every pod of the node evicted exactly once, between A and its successor.
  const evictions: Array<{ cluster: string; namespace: string; name: string }> = (await simGet('evictions')).evictions.slice(evictionsBefore);
  const counts = new Map<string, number>();
  for (const e of evictions.filter((x) => x.cluster === 'member1')) counts.set(`${e.namespace}/${e.name}`, (counts.get(`${e.namespace}/${e.name}`) ?? 0) + 1);
  const expected = [...free.map((n) => `web/${n}`), ...held.map((p: any) => `web/${p.metadata.name}`)];
  for (const pod of expected) expect({ pod, evictions: counts.get(pod) ?? 0 }).toEqual({ pod, evictions: 1 });
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  for (const s of done.steps.filter((x: any) => x.name.startsWith('evict '))) expect({ step: s.name, phase: s.phase }).toEqual({ step: s.name, phase: 'SUCCEEDED' });
}, 120_000);

it('B stopped with SIGTERM mid-drain hands it over: C continues at once, not after the lease expires', async () => {
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  kc.setCurrentContext('member1');
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const nodes = ((await objects.list('v1', 'Node')).items as any[]).filter((n) => !n.spec?.unschedulable).map((n) => n.metadata.name);
  const node = ((await objects.list('v1', 'Pod', 'web')).items as any[]).map((p) => p.spec.nodeName).find((n) => nodes.includes(n));
  expect(node).toBeDefined();
  const { held } = await holdWebPodsOn(sim.kubeconfig, 'member1', node);
  const evictionsBefore = (await simGet('evictions')).evictions.length;
  const started = await mutate(gateways.B.url, 'drainNode', DRAIN, { node });
  expect(started.errors).toBeUndefined();
  const id = started.data.drainNode.id;
  await until(async () => ((await operation(gateways.B.url, id))?.steps.some((s: any) => /refused/.test(s.message ?? '')) ? true : undefined), 160);

  gateways.B.child.kill('SIGTERM');
  await gateways.B.exited;
  expect(gateways.B.child.exitCode).toBe(0);
  const stoppedAt = Date.now();
  await objects.delete({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'hold', namespace: 'web' } });

  let done: any;
  while (Date.now() < stoppedAt + 30_000) {
    done = await operation(gateways.C.url, id);
    if (done?.phase === 'SUCCEEDED' || done?.phase === 'FAILED') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect({ phase: done?.phase, error: done?.error }).toEqual({ phase: 'SUCCEEDED', error: null });
  // Handed over: taken well within one lease duration (15 s), where an expiry takes at least that long.
  expect(Date.now() - stoppedAt).toBeLessThan(12_000);
  expect(done.steps.find((s: any) => s.name === 'taken over by gateway-c')?.message).toMatch(/^replica gateway-b handed the Operation over at shutdown; gateway-c continued from step "evict web\//);
  const evictions: Array<{ cluster: string; namespace: string; name: string }> = (await simGet('evictions')).evictions.slice(evictionsBefore);
  for (const p of held) expect({ pod: p.metadata.name, evictions: evictions.filter((e) => e.name === p.metadata.name).length }).toEqual({ pod: p.metadata.name, evictions: 1 });
}, 90_000);

it('every answered mutation has exactly one audit row in PostgreSQL', async () => {
  const client = new pg.Client({ connectionString: PG_BASE });
  await client.connect();
  try {
    const rows = (await client.query(`SELECT action, operation_id, request_id FROM "${schema}".audit_entries`)).rows as Array<{ action: string; operation_id: string | null }>;
    expect(rows.length).toBe(answered.length);
    const byAction = (list: Array<{ action: string }>) => list.map((r) => r.action).sort();
    expect(byAction(rows)).toEqual(byAction(answered));
    for (const a of answered.filter((x) => x.operationId)) {
      expect(rows.filter((r) => r.operation_id === a.operationId && r.action === a.action).length).toBeGreaterThanOrEqual(1);
    }
  } finally {
    await client.end();
  }
});
