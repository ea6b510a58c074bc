/**
 * Following Operations live: `Subscription.operationProgress(id)` over graphql-ws gives the current state
 * first, then every change, and completes at the terminal phase — for a gateway-run drain (steps appear and
 * finish one by one) and for a middleware Operation custom resource moved along by the simulator's controller.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { followOperation } from './support/followOperation.js';
import { startOperationsFixture, type OperationsFixture } from './support/operationsFixture.js';

let fx: OperationsFixture;
let client: Client;

beforeAll(async () => {
  fx = await startOperationsFixture({ scenario: 'demo' });
  client = createClient({ url: fx.gateway.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
});

afterAll(async () => {
  await client?.dispose();
  await fx?.stop();
});

const follow = (id: string) => followOperation(client, id, 'id type phase steps { name phase }');

it('a drain is followed step by step to SUCCEEDED', async () => {
  const nodes = await fx.simClients('member3').core.listNode();
  const node = nodes.items.find((n) => !n.metadata!.labels?.['node-role.kubernetes.io/control-plane'])!.metadata!.name!;
  const r = await fx.gql(`mutation($n: String!) { drainNode(cluster: "member3", name: $n, options: { deleteEmptyDirData: true, force: true }) { id } }`, { n: node });
  expect(r.errors).toBeUndefined();
  const updates = await follow(r.data.drainNode.id);
  expect(updates.length).toBeGreaterThan(1);
  expect(updates[0].id).toBe(r.data.drainNode.id);
  const last = updates[updates.length - 1];
  expect(last.phase, JSON.stringify(last.steps)).toBe('SUCCEEDED');
  expect(last.steps[0]).toEqual({ name: 'cordon', phase: 'SUCCEEDED' });
  // Steps were seen running before they were seen done.
  expect(updates.some((u) => u.steps.some((s: any) => s.phase === 'RUNNING'))).toBe(true);
  const node3 = await fx.simClients('member3').core.readNode({ name: node });
  expect(node3.spec?.unschedulable).toBe(true);
});

it('a middleware Operation is followed from the informer to SUCCEEDED', async () => {
  const r = await fx.gql(`mutation { runMiddlewareOperation(input: { cluster: "member2", namespace: "shop", name: "session-cache", type: RELOAD }) { id } }`);
  expect(r.errors).toBeUndefined();
  const updates = await follow(r.data.runMiddlewareOperation.id);
  const last = updates[updates.length - 1];
  expect(last.type).toBe('Reload');
  expect(last.phase).toBe('SUCCEEDED');
  expect(last.steps.map((s: any) => s.name)).toEqual(['check-instance', 'reload']);
});

it('an Operation already finished gives its state once and completes', async () => {
  // A rollback to a revision that does not exist fails in its plan (the workload exists: the preflight lets it through).
  const r = await fx.gql(`mutation { rollbackWorkload(kind: DEPLOYMENT, namespace: "web", name: "edge-gateway", cluster: "member1", revision: 9999) { id } }`);
  expect(r.errors).toBeUndefined();
  await fx.waitTerminal(r.data.rollbackWorkload.id);
  const updates = await follow(r.data.rollbackWorkload.id);
  expect(updates.map((u) => u.phase)).toEqual(['FAILED']);
});
