/**
 * cancelOperation end to end on the `mini` scenario: a drain blocked by a PodDisruptionBudget is cancelled,
 * `operationProgress` shows it CANCELLED and completes, its unfinished steps are CANCELLED, and the simulator
 * sees no eviction after the cancel (counted by the simulator's own request statistics) and still runs the
 * protected pods. Refusals: unknown id, finished Operation, middleware Operation. Mutations sent over
 * graphql-ws carry the upgrade request's id, source address and user agent into the audit log.
 */
import { request as httpsRequest } from 'node:https';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_FIELDS, startOperationsFixture, until, type OperationsFixture } from './support/operationsFixture.js';

let fx: OperationsFixture;
let client: Client;
const NODE = 'member1-worker-0';

beforeAll(async () => {
  fx = await startOperationsFixture({ scenario: 'mini' });
  client = createClient({ url: fx.gateway.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
});

afterAll(async () => {
  await client?.dispose();
  await fx?.stop();
});

/** A WebSocket class that sends `headers` with the upgrade request (as a browser sends its User-Agent). */
function wsWithHeaders(headers: Record<string, string>): typeof WebSocket {
  return class extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  } as typeof WebSocket;
}

/** Evictions of member1's pods the simulator has answered (refused or not). */
async function simEvictions(): Promise<number> {
  const stats = await new Promise<{ requests: Array<{ cluster: string; resource: string; count: number }> }>((resolve, reject) => {
    const req = httpsRequest(new URL('/_sim/stats', fx.sim.url), { ca: fx.sim.caCertPem, headers: { authorization: `Bearer ${fx.sim.adminToken}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
    req.on('error', reject);
    req.end();
  });
  return stats.requests.filter((r) => r.cluster === 'member1' && r.resource === 'pods/eviction').reduce((n, r) => n + r.count, 0);
}

/** Records every operationProgress payload; `completed` resolves with them when the subscription completes. */
function record(id: string): { seen: any[]; completed: Promise<any[]> } {
  const seen: any[] = [];
  const completed = new Promise<any[]>((resolve, reject) => {
    client.subscribe<{ operationProgress: any }>(
      { query: `subscription($id: ID!) { operationProgress(id: $id) { id phase reason error steps { name phase message } } }`, variables: { id } },
      {
        next: (msg) => (msg.errors ? reject(new Error(JSON.stringify(msg.errors))) : seen.push(msg.data!.operationProgress)),
        error: (err) => reject(err instanceof Error ? err : new Error(JSON.stringify(err))),
        complete: () => resolve(seen),
      },
    );
  });
  return { seen, completed };
}

const CANCEL = `mutation($id: ID!, $reason: String, $key: String) { cancelOperation(id: $id, reason: $reason, idempotencyKey: $key) { ${OPERATION_FIELDS} } }`;

describe('cancelOperation', () => {
  it('cancels a drain blocked by a PodDisruptionBudget: CANCELLED through operationProgress, no eviction afterwards', async () => {
    const { core, objects } = fx.simClients('member1');
    const onNode = (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${NODE}` })).items;
    const web = onNode.filter((p) => p.metadata!.namespace === 'web');
    expect(web.length).toBeGreaterThan(0);
    const labels = web[0]!.metadata!.labels!;
    const key = labels['app'] ? 'app' : 'app.kubernetes.io/name';
    const app = labels[key]!;
    const protectedPods = web.filter((p) => p.metadata!.labels?.[key] === app);
    // The scenario's budget allows one disruption; replace it by one that allows none.
    for (const pdb of (await objects.list('policy/v1', 'PodDisruptionBudget', 'web')).items) {
      await objects.delete({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: pdb.metadata!.name!, namespace: 'web' } });
    }
    await objects.create({
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'block-all', namespace: 'web' },
      spec: { maxUnavailable: 0, selector: { matchLabels: { [key]: app } } },
    } as any);
    // The budget's status (disruptionsAllowed 0) is what the eviction checks: wait for the controller to write it.
    await until(async () => {
      const pdb: any = await objects.read({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'block-all', namespace: 'web' } });
      return pdb.status?.observedGeneration === pdb.metadata.generation && pdb.status?.disruptionsAllowed === 0 ? true : undefined;
    });

    // A long pod timeout: without the cancel this drain would retry for a minute.
    const r = await fx.gql(`mutation { drainNode(cluster: "member1", name: "${NODE}", options: { deleteEmptyDirData: true, podTimeoutSeconds: 60 }) { id } }`);
    expect(r.errors).toBeUndefined();
    const id = r.data.drainNode.id;
    const progress = record(id);
    const blockedStep = `evict web/${protectedPods[0]!.metadata!.name}`;
    await until(async () => progress.seen.some((u) => u.steps.some((s: any) => s.name === blockedStep && /refused/.test(s.message ?? ''))) || undefined, 120, 250);

    const c = await fx.gql(CANCEL, { id, reason: 'maintenance postponed', key: 'cancel-drain-1' });
    expect(c.errors).toBeUndefined();
    const cancelled = c.data.cancelOperation;
    // The mutation answers once the drain has stopped.
    expect(cancelled.phase).toBe('CANCELLED');
    expect(cancelled.reason).toBe('CANCELLED');
    expect(cancelled.error).toBe('cancelled by anonymous: maintenance postponed');
    const evictionsAtCancel = await simEvictions();
    // The same idempotency key and arguments answer the same Operation again, not a CONFLICT.
    const again = await fx.gql(CANCEL, { id, reason: 'maintenance postponed', key: 'cancel-drain-1' });
    expect(again.errors).toBeUndefined();
    expect(again.data.cancelOperation).toMatchObject({ id, phase: 'CANCELLED' });

    const updates = await progress.completed;
    const last = updates[updates.length - 1];
    expect(last.phase).toBe('CANCELLED');
    expect(updates.slice(0, -1).every((u) => u.phase !== 'CANCELLED')).toBe(true);
    const step = (name: string) => last.steps.find((s: any) => s.name === name);
    expect(step('cordon').phase).toBe('SUCCEEDED');
    expect(step(blockedStep)).toMatchObject({ phase: 'CANCELLED' });
    for (const p of protectedPods) expect(step(`evict web/${p.metadata!.name}`).phase).toBe('CANCELLED');
    expect(last.steps.every((s: any) => s.phase !== 'RUNNING' && s.phase !== 'PENDING')).toBe(true);

    // With the budget gone a retry left behind would now succeed: over several retry periods (1 s each) the
    // simulator sees no further eviction and the protected pods keep running.
    await objects.delete({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'block-all', namespace: 'web' } });
    for (let i = 0; i < 12; i++) {
      expect(await simEvictions()).toBe(evictionsAtCancel);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const still = new Set((await core.listNamespacedPod({ namespace: 'web' })).items.map((p) => p.metadata!.uid));
    for (const p of protectedPods) expect(still.has(p.metadata!.uid)).toBe(true);

    // The cancel is audited, pointing at the Operation it cancelled.
    const audit = await fx.gql(`{ auditLog(filter: { action: "cancelOperation" }) { entries { action success targetKind targetName cluster operationId arguments requestId } } }`);
    const entries = audit.data.auditLog.entries;
    expect(entries).toHaveLength(2);
    for (const e of entries) expect(e).toMatchObject({ action: 'cancelOperation', success: true, targetKind: 'Operation', targetName: id, cluster: 'member1', operationId: id });
    expect(JSON.parse(entries[1].arguments)).toEqual({ id, reason: 'maintenance postponed', idempotencyKey: 'cancel-drain-1' });
  });

  it('refuses a finished Operation with CONFLICT and an unknown id with NOT_FOUND, both audited', async () => {
    const r = await fx.gql(`mutation { cordonNode(cluster: "member1", name: "member1-worker-1") { id } }`);
    const done = await fx.waitTerminal(r.data.cordonNode.id);
    expect(done.phase).toBe('SUCCEEDED');
    const c = await fx.gql(CANCEL, { id: done.id });
    expect(c.data).toBeNull();
    expect(c.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'id', reason: 'ALREADY_FINISHED' });
    expect(c.errors?.[0]?.message).toMatch(/already finished \(SUCCEEDED\)/);
    expect((await fx.waitTerminal(done.id)).phase).toBe('SUCCEEDED');

    const u = await fx.gql(CANCEL, { id: 'op-does-not-exist' });
    expect(u.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });

    const audit = await fx.gql(`{ auditLog(filter: { action: "cancelOperation", success: false }) { entries { targetName errorCode } } }`);
    expect(audit.data.auditLog.entries.slice(0, 2)).toEqual([
      { targetName: 'op-does-not-exist', errorCode: 'NOT_FOUND' },
      { targetName: done.id, errorCode: 'CONFLICT' },
    ]);
  });
});

describe('mutations over graphql-ws are audited with the upgrade request\'s trace fields', () => {
  it('records the x-request-id, source address and user agent of the WebSocket connection', async () => {
    const ws = createClient({
      url: fx.gateway.url.replace(/^http/, 'ws'),
      webSocketImpl: wsWithHeaders({ 'user-agent': 'fleetgraph-test-ws/1.0', 'x-request-id': 'ws-req-42' }),
      retryAttempts: 0,
    });
    const anon = createClient({ url: fx.gateway.url.replace(/^http/, 'ws'), webSocketImpl: wsWithHeaders({ 'user-agent': 'fleetgraph-test-ws/2.0' }), retryAttempts: 0 });
    try {
      const run = (c: Client, query: string) => new Promise<any>((resolve, reject) => {
        let result: any;
        c.subscribe({ query }, { next: (m) => (result = m), error: reject, complete: () => resolve(result) });
      });
      const a = await run(ws, `mutation { setNodeLabels(cluster: "member1", name: "member1-worker-1", labels: [{ key: "ws-audit", value: "one" }]) { id } }`);
      expect(a.errors).toBeUndefined();
      // Without an x-request-id, each operation gets an id of its own.
      const b = await run(anon, `mutation { setNodeLabels(cluster: "member1", name: "member1-worker-1", labels: [{ key: "ws-audit", value: "two" }]) { id } }`);
      const b2 = await run(anon, `mutation { setNodeLabels(cluster: "member1", name: "member1-worker-1", labels: [{ key: "ws-audit", value: "three" }]) { id } }`);
      expect(b.errors ?? b2.errors).toBeUndefined();

      const audit = await fx.gql(`{ auditLog(filter: { action: "setNodeLabels", limit: 10 }) { entries { operationId requestId sourceIp userAgent } } }`);
      const byOp = new Map(audit.data.auditLog.entries.map((e: any) => [e.operationId, e]));
      expect(byOp.get(a.data.setNodeLabels.id)).toMatchObject({ requestId: 'ws-req-42', sourceIp: expect.stringMatching(/127\.0\.0\.1/), userAgent: 'fleetgraph-test-ws/1.0' });
      const eb: any = byOp.get(b.data.setNodeLabels.id);
      const eb2: any = byOp.get(b2.data.setNodeLabels.id);
      expect(eb).toMatchObject({ sourceIp: expect.stringMatching(/127\.0\.0\.1/), userAgent: 'fleetgraph-test-ws/2.0' });
      expect(eb.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(eb2.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(eb2.requestId).not.toBe(eb.requestId);
    } finally {
      await ws.dispose();
      await anon.dispose();
    }
  });
});
