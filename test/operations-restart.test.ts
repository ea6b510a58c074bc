/**
 * Crash safety: the gateway runs as its own process; it is SIGKILLed in the middle of a drain (a pod held by
 * a PodDisruptionBudget keeps the drain retrying), and a new gateway on the same audit file reports that
 * Operation FAILED with reason INTERRUPTED, still answers for the finished ones, and has every audit row the
 * first one had committed before the kill.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSimulator } from '../src/sim/index.js';
import { OPERATION_FIELDS, until } from './support/operationsFixture.js';
import { holdWebPodsOn } from './support/pdbHold.js';
import { ensureBuilt, spawnGateway, type GatewayProcess } from './support/operationsGatewayProcess.js';

let sim: Awaited<ReturnType<typeof startSimulator>>;
let dir: string;
const children: GatewayProcess[] = [];

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'fleetgraph-ops-restart-'));
  sim = await startSimulator({ port: 0, host: '127.0.0.1', scenario: 'mini', kubeconfigOut: join(dir, 'kubeconfig.yaml'), churnPerMinute: 0 });
}, 300_000);

afterAll(async () => {
  for (const c of children) {
    if (c.child.exitCode === null && c.child.signalCode === null) {
      c.child.kill('SIGKILL');
      await c.exited;
    }
  }
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function gql(url: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return res.json();
}

async function start(): Promise<GatewayProcess> {
  const g = await spawnGateway(['--kubeconfig', join(dir, 'kubeconfig.yaml'), '--port', '0', '--host', '127.0.0.1', '--log-level', 'error', '--audit-db', join(dir, 'audit.db'),
    // One replica without the shared store (no FleetOperation CRD in use): a restart reconciles its own Operations.
    '--operations-store', 'in-process']);
  children.push(g);
  const ready = g.url.replace(/\/graphql$/, '/readyz');
  await until(async () => (await fetch(ready)).status === 200);
  return g;
}

it('a gateway killed during a drain reports it INTERRUPTED after a restart, with every committed audit row', async () => {
  const first = await start();

  // Work that finishes before the kill.
  const cordon = await gql(first.url, `mutation { cordonNode(cluster: "member1", name: "member1-worker-1") { id } }`);
  const cordonId = cordon.data.cordonNode.id;
  await until(async () => (await gql(first.url, `query($id: ID!) { operation(id: $id) { phase } }`, { id: cordonId })).data.operation.phase === 'SUCCEEDED');
  const refused = await gql(first.url, `mutation { setNodeLabels(cluster: "member1", name: "member1-worker-1", labels: [{ key: "bad key", value: "x" }]) { id } }`);
  expect(refused.errors[0].extensions.code).toBe('BAD_USER_INPUT');

  // A budget that allows no disruption keeps the drain retrying its evictions.
  const { objects } = await holdWebPodsOn(sim.kubeconfig, 'member1', 'member1-worker-0');

  // Pods no budget holds, on the same node: their evictions finish before the kill (force: no controller).
  const free = ['free-0', 'free-1', 'free-2', 'free-3'];
  for (const name of free) {
    await objects.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'web' }, spec: { nodeName: 'member1-worker-0', containers: [{ name: 'main', image: 'busybox:1.36' }] } } as any);
  }

  const drain = await gql(first.url, `mutation { drainNode(cluster: "member1", name: "member1-worker-0", options: { force: true, deleteEmptyDirData: true, podTimeoutSeconds: 600, gracePeriodSeconds: 0 }) { id } }`);
  expect(drain.errors).toBeUndefined();
  const drainId = drain.data.drainNode.id;
  // Wait until an eviction has been refused at least once: the drain is mid-way.
  let last: any;
  const running = await until(async () => {
    const op = (last = (await gql(first.url, `query($id: ID!) { operation(id: $id) { ${OPERATION_FIELDS} } }`, { id: drainId })).data.operation);
    return op.phase === 'RUNNING' && op.steps.some((s: any) => s.phase === 'RUNNING' && /refused/.test(s.message ?? ''))
      && free.every((n) => op.steps.some((s: any) => s.name === `evict web/${n}` && s.phase === 'SUCCEEDED')) ? op : undefined;
  }).catch((err) => {
    throw new Error(`${err.message}; drain: ${JSON.stringify(last)}`);
  });
  expect(running.steps.find((s: any) => s.name === 'cordon').phase).toBe('SUCCEEDED');

  const before = (await gql(first.url, `{ auditLog(filter: { limit: 1000 }) { entries { id action success operationId } changes { id verb kind name operationId } } }`)).data.auditLog;
  expect(before.entries.map((e: any) => e.action).sort()).toEqual(['cordonNode', 'drainNode', 'setNodeLabels']);
  expect(before.changes.some((c: any) => c.operationId === drainId && c.verb === 'patch' && c.kind === 'Node')).toBe(true);

  first.child.kill('SIGKILL');
  await first.exited;
  expect(first.child.signalCode).toBe('SIGKILL');

  const second = await start();
  const op = (await gql(second.url, `query($id: ID!) { operation(id: $id) { ${OPERATION_FIELDS} } }`, { id: drainId })).data.operation;
  expect(op.phase).toBe('FAILED');
  expect(op.reason).toBe('INTERRUPTED');
  expect(op.error).toMatch(/interrupted/);
  expect(op.completedAt).not.toBeNull();
  expect(op.steps.find((s: any) => s.name === 'cordon').phase).toBe('SUCCEEDED');
  expect(op.steps.filter((s: any) => s.phase === 'RUNNING' || s.phase === 'PENDING')).toEqual([]);

  // Reconciled with the cluster: once the in-flight steps have been checked, each eviction step says what
  // happened to its pod, as the simulator holds it (the pods the budget holds are still on the node).
  const reconciled = await until(async () => {
    const o = (await gql(second.url, `query($id: ID!) { operation(id: $id) { ${OPERATION_FIELDS} } }`, { id: drainId })).data.operation;
    return o.steps.some((s: any) => /being checked/.test(s.message ?? '')) ? undefined : o;
  });
  const stillOnNode = new Set(
    ((await objects.list('v1', 'Pod')).items as any[])
      .filter((p) => p.spec.nodeName === 'member1-worker-0' && !p.metadata.deletionTimestamp)
      .map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
  );
  const evictions = reconciled.steps.filter((s: any) => s.name.startsWith('evict '));
  expect(evictions.length).toBeGreaterThan(1);
  for (const s of evictions) {
    const pod = s.name.slice('evict '.length);
    expect({ step: s.name, phase: s.phase }).toEqual({ step: s.name, phase: stillOnNode.has(pod) ? 'FAILED' : 'SUCCEEDED' });
    expect(s.message).toMatch(stillOnNode.has(pod) ? /still on node member1-worker-0/ : /no longer on node|terminating|^evicted/);
  }
  // The pods the budget held were in flight: the error names one of them, not a step that had succeeded.
  const held = evictions.filter((s: any) => s.phase === 'FAILED');
  expect(held.length).toBeGreaterThan(0);
  const named = /during step "([^"]+)"/.exec(reconciled.error)?.[1];
  expect(held.map((s: any) => s.name)).toContain(named);
  expect(reconciled.currentStep).toEqual({ name: named, phase: 'FAILED' });
  expect(reconciled.phase).toBe('FAILED');
  expect(reconciled.reason).toBe('INTERRUPTED');

  const cordonAfter = (await gql(second.url, `query($id: ID!) { operation(id: $id) { phase type } }`, { id: cordonId })).data.operation;
  expect(cordonAfter).toEqual({ phase: 'SUCCEEDED', type: 'cordonNode' });

  const after = (await gql(second.url, `{ auditLog(filter: { limit: 1000 }) { entries { id action success operationId } changes { id verb kind name operationId } } }`)).data.auditLog;
  for (const e of before.entries) expect(after.entries).toContainEqual(e);
  for (const c of before.changes) expect(after.changes).toContainEqual(c);

  const list = (await gql(second.url, `{ operations(filter: { phase: [FAILED] }) { totalCount edges { node { id reason } } } }`)).data.operations;
  expect(list.edges.map((e: any) => e.node)).toContainEqual({ id: drainId, reason: 'INTERRUPTED' });

  second.child.kill('SIGTERM');
  await second.exited;
});
