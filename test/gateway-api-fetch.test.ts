/**
 * Fetch mode through the API: with pods and nodes read by batched list calls instead of informers, a query
 * that touches every node's pods across the fleet still makes one pods list and one nodes list per member
 * (the resolvers' per-node lookups are batched by the per-request loaders), and the numbers are right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGatewayFixture({ args: ['--mode', 'pods=fetch', '--mode', 'nodes=fetch'] });
});

afterAll(async () => {
  await fx?.stop();
});

describe('fetch mode', () => {
  it('answers per-node pod counts with one list per (cluster, kind)', async () => {
    const members = [...fx.sim.fleet.members.keys()].sort();
    await fx.admin('POST', '/_sim/stats/reset');
    const res = await fx.query(`{ nodes(first: 1000) { totalCount edges { node { cluster name podCount requested { cpuCores } } } } }`);
    expect(res.body.errors).toBeUndefined();
    const podLists = await fx.countRequests((r) => r.verb === 'list' && r.resource.endsWith('pods'));
    const nodeLists = await fx.countRequests((r) => r.verb === 'list' && r.resource.endsWith('nodes'));
    expect(podLists).toBeGreaterThan(0);
    expect(podLists).toBeLessThanOrEqual(members.length);
    expect(nodeLists).toBeLessThanOrEqual(members.length);
    let total = 0;
    for (const e of res.body.data.nodes.edges) {
      const pods = fx.sim.fleet.members.get(e.node.cluster)!.objects.list('pods').filter((p: any) => p.spec?.nodeName === e.node.name);
      expect({ node: e.node.name, pods: e.node.podCount }).toEqual({ node: e.node.name, pods: pods.length });
      total += fx.sim.fleet.members.get(e.node.cluster)!.objects.list('nodes').some((n) => n.metadata.name === e.node.name) ? 1 : 0;
    }
    expect(total).toBe(res.body.data.nodes.totalCount);
  });
});
