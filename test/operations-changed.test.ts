/**
 * The Operations feed live (issue 17): `Subscription.operationChanged` over graphql-ws, end to end against the
 * demo simulator and a gateway with `--auth kubernetes`, callers signed in with the demo users' tokens.
 *
 * - ops-oncall's cordon through the gateway arrives on ops-oncall's feed as ADDED, then moves, ending SUCCEEDED.
 * - shop-dev (no nodes) never receives the cordon (the visibility rule of `Query.operations`), while its own
 *   pod deletion, made after the cordon ended, arrives on the same stream: the stream was live all along.
 * - A filter (`Query.operations`' own) passes only its Operations; a bad time in it is BAD_USER_INPUT.
 * - Two replicas sharing Operations (control plane) and events (the machine's Redis): a cordon run by A arrives
 *   on B's feed, each state once although both replicas announce it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'graphql-ws';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../src/sim/index.js';
import { until } from './support/operationsFixture.js';
import { ensureBuilt, spawnGateway, type GatewayProcess } from './support/operationsGatewayProcess.js';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openClient, pollAsync, record, type Recording } from './support/subscriptionsClient.js';

let fx: GatewayFixture;
let tokens: Record<string, string>;
const clients: Client[] = [];

const NODE = 'member1-worker-0';
const FEED = `subscription($filter: OperationFilter) {
  operationChanged(filter: $filter) { type coalesced dropped operation { id type phase requestedBy target { cluster kind namespace name } steps { name phase } } }
}`;

interface FeedEvent {
  operationChanged: { type: string; coalesced: number; dropped: number; operation: { id: string; type: string; phase: string; requestedBy: string; target: any; steps: any[] } | null };
}

const as = (user: string) => ({ authorization: `Bearer ${tokens[user]}` });

function feed(user: string, filter?: Record<string, unknown>): Recording<FeedEvent> {
  const client = openClient(fx.gateway.url, { authorization: `Bearer ${tokens[user]}` });
  clients.push(client);
  return record<FeedEvent>(client, FEED, filter ? { filter } : undefined);
}

const eventsOf = (rec: Recording<FeedEvent>, id: string) => rec.events.map((e) => e.operationChanged).filter((e) => e.operation?.id === id);
const ended = (id: string) => (events: FeedEvent[]) => events.some((e) => e.operationChanged.operation?.id === id && e.operationChanged.operation.phase === 'SUCCEEDED');

/** Resolves once the gateway has `n` subscription queues open (the streams are set up). */
async function subscribed(n: number): Promise<void> {
  await pollAsync(async () => (fx.gateway.subscriptions.engine.stats().subscriptions >= n ? true : undefined), 10_000, `${n} subscriptions open`);
}

beforeAll(async () => {
  fx = await startGatewayFixture({ args: ['--auth', 'kubernetes'] });
  const kc = new KubeConfig();
  kc.loadFromFile(fx.kubeconfig);
  tokens = Object.fromEntries(kc.getUsers().map((u) => [u.name, u.token ?? '']));
  for (const u of ['shop-dev', 'ops-oncall']) expect(tokens[u], u).toMatch(/^\S+$/);
  // Every cluster's RBAC is known before the first answer counts.
  await pollAsync(async () => ((await fx.query('{ pods(first: 1) { totalCount } }', undefined, as('shop-dev'))).body.data?.pods.totalCount > 0 ? true : undefined), 20_000, 'shop-dev sees pods');
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await fx?.stop();
});

it('a cordon is seen as ADDED, then moves to SUCCEEDED, by its requester; shop-dev (no nodes) never receives it', async () => {
  const base = fx.gateway.subscriptions.engine.stats().subscriptions;
  const oncall = feed('ops-oncall');
  const shopDev = feed('shop-dev');
  const onlyPods = feed('ops-oncall', { type: 'deletePod' });
  await subscribed(base + 3);

  const cordon = await fx.query(`mutation { cordonNode(cluster: "member1", name: "${NODE}") { id } }`, undefined, as('ops-oncall'));
  expect(cordon.body.errors).toBeUndefined();
  const cordonId: string = cordon.body.data.cordonNode.id;
  await oncall.waitFor(ended(cordonId), 30_000, 'the cordon SUCCEEDED on ops-oncall\'s feed');
  const seen = eventsOf(oncall, cordonId);
  expect(seen[0]!.type).toBe('ADDED');
  expect(seen[0]!.operation).toMatchObject({ id: cordonId, type: 'cordonNode', requestedBy: 'ops-oncall', target: { cluster: 'member1', kind: 'Node', name: NODE } });
  expect(seen.slice(1).every((e) => e.type === 'MODIFIED'), JSON.stringify(seen)).toBe(true);
  expect(seen.at(-1)!.operation!.phase).toBe('SUCCEEDED');
  expect(seen.at(-1)!.operation!.steps).toEqual([{ name: 'cordon', phase: 'SUCCEEDED' }]);
  // Nothing after the terminal state: the feed sends moves, and a finished Operation does not move.
  expect(seen.filter((e) => e.operation!.phase === 'SUCCEEDED')).toHaveLength(1);

  // shop-dev's own pod deletion, after the cordon ended: it arrives on shop-dev's stream, the cordon never did.
  const pod = ([...fx.sim.fleet.members.get('member1')!.objects.list('pods')] as any[]).find((p) => p.metadata.namespace === 'shop' && p.metadata.ownerReferences?.length);
  expect(pod).toBeDefined();
  const del = await fx.query(`mutation { deletePod(cluster: "member1", namespace: "shop", name: "${pod.metadata.name}") { id } }`, undefined, as('shop-dev'));
  expect(del.body.errors).toBeUndefined();
  const deleteId: string = del.body.data.deletePod.id;
  await shopDev.waitFor(ended(deleteId), 30_000, 'the pod deletion SUCCEEDED on shop-dev\'s feed');
  expect(eventsOf(shopDev, deleteId)[0]!.type).toBe('ADDED');
  expect(eventsOf(shopDev, cordonId)).toEqual([]);
  expect(shopDev.errors).toEqual([]);
  // ops-oncall may get pods on member1: it sees shop-dev's deletion too, on both its feeds.
  await oncall.waitFor(ended(deleteId), 30_000, 'the pod deletion on ops-oncall\'s feed');
  await onlyPods.waitFor(ended(deleteId), 30_000, 'the pod deletion on the filtered feed');
  // The filtered feed passes deletePod Operations only.
  expect(onlyPods.events.map((e) => e.operationChanged.operation?.type)).toEqual(onlyPods.events.map(() => 'deletePod'));
  expect(eventsOf(onlyPods, cordonId)).toEqual([]);
  expect(oncall.errors).toEqual([]);
  for (const r of [oncall, shopDev, onlyPods]) r.stop();
});

it('a bad time in the filter is BAD_USER_INPUT, and an unauthenticated socket gets no feed', async () => {
  const bad = feed('ops-oncall', { since: 'yesterday' });
  await bad.waitForEnd(10_000);
  expect(bad.events).toEqual([]);
  expect(bad.errors[0], JSON.stringify(bad.errors)).toBeDefined();
  expect((bad.errors[0] as any)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  expect((bad.errors[0] as any)?.message).toMatch(/since/);

  let closed = 0;
  const anonymous = openClient(fx.gateway.url, { onClosed: (code) => (closed = code) });
  clients.push(anonymous);
  const none = record<FeedEvent>(anonymous, FEED);
  await none.waitForEnd(10_000);
  expect(none.events).toEqual([]);
  expect(closed).toBe(4403);
});

describe('across replicas', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let dir: string;
  const gateways: GatewayProcess[] = [];
  const prefix = `fgtest-opsfeed-${process.pid}-${Date.now().toString(36)}:`;

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'fleetgraph-opsfeed-'));
    sim = await startSimulator({ port: 0, host: '127.0.0.1', scenario: 'mini', kubeconfigOut: join(dir, 'kubeconfig.yaml'), churnPerMinute: 0 });
    for (const name of ['a', 'b']) {
      const g = await spawnGateway([
        '--kubeconfig', join(dir, 'kubeconfig.yaml'), '--port', '0', '--host', '127.0.0.1', '--log-level', 'warn',
        '--operations-store', 'shared', '--replica-id', `gateway-${name}`, '--audit-db', ':memory:',
        '--redis-url', 'redis://127.0.0.1:6379', '--redis-prefix', prefix,
      ]);
      gateways.push(g);
      const ready = g.url.replace(/\/graphql$/, '/readyz');
      await until(async () => (await fetch(ready)).status === 200, 240);
    }
  }, 300_000);

  afterAll(async () => {
    for (const g of gateways) {
      g.child.kill('SIGTERM');
      await g.exited;
    }
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('a cordon run by replica A is on replica B\'s feed: ADDED first, each state once, ending SUCCEEDED', async () => {
    const [a, b] = gateways as [GatewayProcess, GatewayProcess];
    const post = async (url: string, query: string) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json() as Promise<any>;
    const nodes = await post(a.url, '{ nodes(first: 100) { edges { node { cluster name unschedulable } } } }');
    const node = nodes.data.nodes.edges.map((e: any) => e.node).find((n: any) => n.cluster && !n.unschedulable);
    expect(node, JSON.stringify(nodes)).toBeDefined();
    const client = openClient(b.url);
    clients.push(client);
    const onB = record<FeedEvent>(client, FEED);
    // The stream is set up: B's /metrics counts it.
    const metrics = b.url.replace(/\/graphql$/, '/metrics');
    await until(async () => /^fleetgraph_subscriptions_active [1-9]/m.test(await (await fetch(metrics)).text()), 80);
    const cordon = await post(a.url, `mutation { cordonNode(cluster: "${node.cluster}", name: "${node.name}") { id } }`);
    expect(cordon.errors).toBeUndefined();
    const id: string = cordon.data.cordonNode.id;
    await onB.waitFor(ended(id), 30_000, 'the cordon SUCCEEDED on B');
    // A little longer: a duplicate from the other replica would arrive now.
    await new Promise((r) => setTimeout(r, 1500));
    const seen = eventsOf(onB, id);
    expect(seen[0]!.type).toBe('ADDED');
    const states = seen.map((e) => JSON.stringify(e.operation));
    expect(new Set(states).size, JSON.stringify(seen)).toBe(states.length);
    expect(seen.filter((e) => e.operation!.phase === 'SUCCEEDED')).toHaveLength(1);
    expect(onB.errors).toEqual([]);
    onB.stop();
  }, 90_000);
});
