/**
 * Horizontal scale by shards (seed 002 §2–§3: a Component owns one WorkloadSet `<component>-<shard>` per
 * shard, e.g. Redis Cluster shards), end to end on the `demo` scenario: the gateway checks `shards` against
 * the component's shard range in the instance's plugin manifest before any write (a component that declares
 * none cannot be sharded), writes a HorizontalScale Operation CR with only `shards`, the simulator's
 * middleware controller adds or removes WorkloadSets, and the Operation is followed to SUCCEEDED through
 * `operationProgress`. The WorkloadSets are read back from the simulator through client-node.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followOperation } from './support/followOperation.js';
import { startOperationsFixture, until, type OperationsFixture } from './support/operationsFixture.js';

let fx: OperationsFixture;
let client: Client;
const MW = 'middleware.fleetgraph.io/v1alpha1';

beforeAll(async () => {
  fx = await startOperationsFixture({ scenario: 'demo' });
  client = createClient({ url: fx.gateway.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
});

afterAll(async () => {
  await client?.dispose();
  await fx?.stop();
});

const RUN = `mutation($input: MiddlewareOperationInput!) { runMiddlewareOperation(input: $input) { id type phase parameters { key value } } }`;

const follow = (id: string) => followOperation(client, id);

/** The instance's WorkloadSets in the simulator: name → readyReplicas. */
async function workloadSets(cluster: string, namespace: string, app: string): Promise<Record<string, number>> {
  const list = await fx.simClients(cluster).objects.list(MW, 'WorkloadSet', namespace, undefined, undefined, undefined, undefined, `middleware.fleetgraph.io/application=${app}`);
  return Object.fromEntries(list.items.map((ws: any) => [ws.metadata.name, ws.status?.readyReplicas ?? 0]));
}

async function operationCount(): Promise<number> {
  return (await fx.gql(`{ operations { totalCount } }`)).data.operations.totalCount;
}

describe('shards checked against the plugin manifest before any write', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a component whose definition declares no shard range (PostgreSQL)', { cluster: 'member3', namespace: 'payments', name: 'orders-db', type: 'HORIZONTAL_SCALE', shards: 2 }, /component postgresql cannot be sharded/],
    ['shards above the component\'s range', { cluster: 'member2', namespace: 'shop', name: 'session-cache', type: 'HORIZONTAL_SCALE', shards: 7 }, /7 shards is outside the range 1\.\.6 of component redis-node \(plugin redis v1\.1\.0\)/],
    ['zero shards', { cluster: 'member1', namespace: 'shop', name: 'orders-cache', type: 'HORIZONTAL_SCALE', shards: 0 }, /0 shards is outside the range 1\.\.3/],
  ];
  for (const [what, input, message] of cases) {
    it(`refuses ${what}: BAD_USER_INPUT on input.shards, no Operation, no write upstream`, async () => {
      const ops = await operationCount();
      const writes = await fx.simWrites();
      const r = await fx.gql(RUN, { input });
      expect(r.data).toBeNull();
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.extensions?.field).toBe('input.shards');
      expect(r.errors?.[0]?.message).toMatch(message);
      expect(await operationCount()).toBe(ops);
      expect(await fx.simWrites()).toBe(writes);
    });
  }

  it('refuses a new instance with shards on a component that cannot be sharded', async () => {
    const writes = await fx.simWrites();
    const r = await fx.gql(`mutation($input: CreateMiddlewareInstanceInput!) { createMiddlewareInstance(input: $input) { id } }`, {
      input: { cluster: 'member3', namespace: 'payments', name: 'sharded-db', plugin: 'postgresql', pluginVersion: 'v1.0.0', version: '15', components: [{ name: 'postgresql', shards: 3 }] },
    });
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.extensions?.field).toBe('input.components[0].shards');
    expect(await fx.simWrites()).toBe(writes);
  });
});

describe('HORIZONTAL_SCALE with only shards', () => {
  it('adds a WorkloadSet per new shard, then removes them when scaled back, each Operation SUCCEEDED through operationProgress', async () => {
    expect(Object.keys(await workloadSets('member1', 'shop', 'orders-cache'))).toEqual(['orders-cache-redis-node-0']);

    const out = await fx.gql(RUN, { input: { cluster: 'member1', namespace: 'shop', name: 'orders-cache', type: 'HORIZONTAL_SCALE', shards: 2 } });
    expect(out.errors).toBeUndefined();
    expect(out.data.runMiddlewareOperation.type).toBe('HorizontalScale');
    expect(out.data.runMiddlewareOperation.parameters).toEqual([{ key: 'component', value: 'redis-node' }, { key: 'shards', value: '2' }]);
    const updates = await follow(out.data.runMiddlewareOperation.id);
    const last = updates[updates.length - 1];
    expect(last.phase, JSON.stringify(last)).toBe('SUCCEEDED');
    expect(last.steps.map((s: any) => s.name)).toEqual(['check-instance', 'scale', 'verify']);
    expect(last.steps[1].message).toBe('shards set to 2');

    // The controller's verify step waited for the new shard's pods before the Operation succeeded. (Readiness
    // is read with `until` below only because the simulated kubelet may restart a container now and then.)
    const sets = await workloadSets('member1', 'shop', 'orders-cache');
    expect(Object.keys(sets).sort()).toEqual(['orders-cache-redis-node-0', 'orders-cache-redis-node-1']);
    const app: any = await fx.simClients('member1').objects.read({ apiVersion: MW, kind: 'Application', metadata: { name: 'orders-cache', namespace: 'shop' } });
    expect(app.spec.components[0]).toMatchObject({ name: 'redis-node', replicas: 3, shards: 2 });
    const component: any = await fx.simClients('member1').objects.read({ apiVersion: MW, kind: 'Component', metadata: { name: 'orders-cache-redis-node', namespace: 'shop' } });
    expect(component.status.workloadSets).toEqual(['orders-cache-redis-node-0', 'orders-cache-redis-node-1']);
    await until(async () => {
      const now = await workloadSets('member1', 'shop', 'orders-cache');
      const a: any = await fx.simClients('member1').objects.read({ apiVersion: MW, kind: 'Application', metadata: { name: 'orders-cache', namespace: 'shop' } });
      return now['orders-cache-redis-node-1'] === 3 && a.status?.phase === 'Running' && a.status.components?.[0]?.readyReplicas === 6 ? true : undefined;
    });

    const back = await fx.gql(RUN, { input: { cluster: 'member1', namespace: 'shop', name: 'orders-cache', type: 'HORIZONTAL_SCALE', shards: 1 } });
    expect(back.errors).toBeUndefined();
    const backUpdates = await follow(back.data.runMiddlewareOperation.id);
    expect(backUpdates[backUpdates.length - 1].phase, JSON.stringify(backUpdates[backUpdates.length - 1])).toBe('SUCCEEDED');
    expect(Object.keys(await workloadSets('member1', 'shop', 'orders-cache'))).toEqual(['orders-cache-redis-node-0']);
    // The removed shard's pods go with its WorkloadSet (owner references).
    await until(async () => {
      const pods = await fx.simClients('member1').core.listNamespacedPod({ namespace: 'shop', labelSelector: 'middleware.fleetgraph.io/workloadset=orders-cache-redis-node-1' });
      return pods.items.length === 0 ? true : undefined;
    });
  });
});
