/**
 * One member switched unreachable (simulator fault API): queries still answer with the other members,
 * the dead member's fields are null with a CLUSTER_UNAVAILABLE error naming it, and once the fault is
 * cleared the member answers again by itself (no restart, no manual resync).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openClient } from './support/subscriptionsClient.js';

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGatewayFixture();
});

afterAll(async () => {
  if (fx) {
    await fx.admin('POST', `/_sim/faults/${[...fx.sim.fleet.members.keys()].sort()[0]}`, { unreachable: false }).catch(() => undefined);
    await fx.stop();
  }
});

const QUERY = `{
  clusters(first: 100) { edges { node { name pods(first: 1) { totalCount } nodes(first: 1) { totalCount } } } }
  pods(first: 1) { totalCount }
  fleet { pods { total } missingClusters }
}`;

describe('a member down', () => {
  it('gives partial data with CLUSTER_UNAVAILABLE + extensions.cluster, and comes back by itself', async () => {
    const members = [...fx.sim.fleet.members.keys()].sort();
    const dead = members[0]!;
    const podsOf = (m: string) => fx.sim.fleet.members.get(m)!.objects.list('pods').length;

    await fx.admin('POST', `/_sim/faults/${dead}`, { unreachable: true });
    const partial = await eventually(async () => {
      const res = await fx.query(QUERY);
      expect(res.status).toBe(200);
      const errors = res.body.errors ?? [];
      expect(errors.some((e) => e.extensions?.code === 'CLUSTER_UNAVAILABLE' && e.extensions?.cluster === dead)).toBe(true);
      const byName = new Map(res.body.data.clusters.edges.map((e: any) => [e.node.name, e.node]));
      expect((byName.get(dead) as any).pods).toBeNull();
      return res;
    });

    // The others answer, with their real counts.
    const byName = new Map<string, any>(partial.body.data.clusters.edges.map((e: any) => [e.node.name, e.node]));
    for (const m of members.slice(1)) {
      expect(byName.get(m).pods.totalCount).toBe(podsOf(m));
    }
    const others = members.slice(1).reduce((n, m) => n + podsOf(m), 0);
    expect(partial.body.data.pods.totalCount).toBe(others);
    expect(partial.body.data.fleet.missingClusters).toEqual([dead]);
    expect(partial.body.data.fleet.pods.total).toBe(others);
    // The merged list's error points at the list that is partial.
    expect(partial.body.errors!.some((e) => e.path?.[0] === 'pods' && e.extensions?.cluster === dead)).toBe(true);
    // The same query over graphql-ws is just as partial, with the same errors (not a silent short answer).
    const ws = openClient(fx.gateway.url);
    try {
      const overWs = await eventually(async () => {
        for await (const result of ws.iterate({ query: QUERY })) return result as { data: any; errors?: Array<{ path?: unknown[]; extensions?: Record<string, unknown> }> };
        throw new Error('no result over graphql-ws');
      });
      expect(overWs.data.fleet.missingClusters).toEqual([dead]);
      const codes = (errors: Array<{ path?: unknown[]; extensions?: Record<string, unknown> }>) =>
        errors.map((e) => `${e.extensions?.code}/${e.extensions?.cluster}/${(e.path ?? []).join('.')}`).sort();
      expect(codes(overWs.errors ?? [])).toEqual(codes(partial.body.errors ?? []));
    } finally {
      await ws.dispose();
    }
    // Every error names a cluster and uses a listed code.
    for (const e of partial.body.errors ?? []) {
      expect(['CLUSTER_UNAVAILABLE', 'UPSTREAM_TIMEOUT']).toContain(e.extensions?.code);
      expect(e.extensions?.cluster).toBe(dead);
    }

    await fx.admin('POST', `/_sim/faults/${dead}`, { unreachable: false });
    await eventually(async () => {
      const res = await fx.query(QUERY);
      expect(res.body.errors).toBeUndefined();
      const back = res.body.data.clusters.edges.find((e: any) => e.node.name === dead).node;
      expect(back.pods.totalCount).toBe(podsOf(dead));
      expect(res.body.data.fleet.missingClusters).toEqual([]);
    }, 120, 500);
  });
});

describe('a member too slow', () => {
  let slow: GatewayFixture;

  beforeAll(async () => {
    slow = await startGatewayFixture({ args: ['--timeout', '2s'] });
  });

  afterAll(async () => {
    if (slow) {
      await slow.admin('POST', `/_sim/faults/${[...slow.sim.fleet.members.keys()].sort()[1]}`, { hangLists: false }).catch(() => undefined);
      await slow.stop();
    }
  });

  it('gives UPSTREAM_TIMEOUT + extensions.cluster for its fetched data while the others answer', async () => {
    const members = [...slow.sim.fleet.members.keys()].sort();
    const hung = members[1]!;
    await slow.admin('POST', `/_sim/faults/${hung}`, { hangLists: true });
    const res = await slow.query(`{ clusters { edges { node { name clusterEvents(first: 1) { totalCount } } } } events(first: 1) { totalCount } }`);
    expect(res.status).toBe(200);
    const errors = res.body.errors ?? [];
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', cluster: hung });
    const byName = new Map<string, any>(res.body.data.clusters.edges.map((e: any) => [e.node.name, e.node]));
    expect(byName.get(hung).clusterEvents).toBeNull();
    let others = 0;
    for (const m of members.filter((x) => x !== hung)) {
      const count = slow.sim.fleet.members.get(m)!.objects.list('events').length;
      expect(byName.get(m).clusterEvents.totalCount).toBe(count);
      others += count;
    }
    expect(res.body.data.events.totalCount).toBe(others);
    await slow.admin('POST', `/_sim/faults/${hung}`, { hangLists: false });
  });
});
