/**
 * Subscriptions e2e, outage and recovery: a member made unreachable through the simulator's fault switch
 * gives its clusterChanged subscribers an UNREACHABLE event; pods created, changed and deleted in the member
 * meanwhile (with the member's watch history compacted, as after a long outage) reach podChanged subscribers
 * as ADDED / MODIFIED / DELETED (`fromResync: true`) once the member is back and the gateway's cache has
 * relisted, after a REACHABLE event. Nothing is silently missed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openClient, poll, record, settle } from './support/subscriptionsClient.js';
import { createIn } from './support/subscriptionsSim.js';

let fx: GatewayFixture;
const NS = 'outage';

beforeAll(async () => {
  fx = await startGatewayFixture({ scenario: 'mini' });
});

afterAll(async () => {
  await fx?.stop();
});

const podSpec = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels },
  spec: { nodeName: 'no-kubelet-node', containers: [{ name: 'main', image: 'busybox:1.36' }] },
});

describe('a member taken down and brought back', () => {
  it('sends the outage, then the changes made during it', { timeout: 120_000 }, async () => {
    const member = [...fx.sim.fleet.members.keys()][0]!;
    const sim = fx.sim.fleet.members.get(member)!;
    await createIn(fx.sim, member, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await createIn(fx.sim, member, `/api/v1/namespaces/${NS}/pods`, podSpec('keep', { v: '1' }));
    await createIn(fx.sim, member, `/api/v1/namespaces/${NS}/pods`, podSpec('gone', { v: '1' }));

    const client = openClient(fx.gateway.url);
    const clusters = record(client, `subscription($c: String) { clusterChanged(cluster: $c) { type cluster cause reachable reason member { name } } }`, { c: member });
    const pods = record(client, `subscription($c: String) { podChanged(cluster: $c, namespace: "${NS}") { type fromResync pod { name labels { key value } } } }`, { c: member });
    try {
      await poll(() => (fx.gateway.subscriptions.engine.stats().subscriptions >= 2 ? true : undefined), 10_000, () => 'not subscribed');
      await poll(() => (fx.gateway.fleet.health(member)?.synced ? true : undefined), 30_000, () => 'member not synced');

      await fx.admin('POST', `/_sim/faults/${member}`, { unreachable: true });
      const down = await clusters.waitFor((es) => es.some((e) => e.clusterChanged.cause === 'UNREACHABLE'), 60_000, 'UNREACHABLE');
      expect(down.find((e) => e.clusterChanged.cause === 'UNREACHABLE').clusterChanged).toMatchObject({
        type: 'MODIFIED', cluster: member, cause: 'UNREACHABLE', reachable: false, member: { name: member },
      });

      // Changes the gateway cannot see while the member is unreachable (written in the member's own store).
      const podsSeenBefore = pods.events.length;
      sim.objects.create('pods', podSpec('born', { v: '1' }));
      sim.objects.mutate('pods', NS, 'keep', (p) => ({ ...p, metadata: { ...p.metadata!, labels: { v: '2' } } }));
      sim.objects.delete('pods', NS, 'gone', { gracePeriodSeconds: 0 });
      // A long outage outlives the member's watch window: the gateway cannot resume its watches and must
      // relist, and the relist's diff is what subscribers get.
      await fx.admin('POST', `/_sim/faults/${member}/compact`);
      await settle(500);
      expect(pods.events.length).toBe(podsSeenBefore);

      await fx.admin('POST', `/_sim/faults/${member}`, { unreachable: false });
      await clusters.waitFor((es) => es.some((e) => e.clusterChanged.cause === 'REACHABLE'), 60_000, 'REACHABLE');
      const changes = await pods.waitFor((es) => ['born', 'keep', 'gone'].every((n) => es.some((e) => e.podChanged.fromResync && e.podChanged.pod?.name === n)), 60_000, 'changes made during the outage');
      const byName = new Map(changes.filter((e) => e.podChanged.fromResync).map((e) => [e.podChanged.pod.name, e.podChanged]));
      expect(byName.get('born')).toMatchObject({ type: 'ADDED', pod: { labels: [{ key: 'v', value: '1' }] } });
      expect(byName.get('keep')).toMatchObject({ type: 'MODIFIED', pod: { labels: [{ key: 'v', value: '2' }] } });
      expect(byName.get('gone')).toMatchObject({ type: 'DELETED' });

      // The outage came first, the recovery before the catch-up events were sent.
      const order = clusters.events.map((e) => e.clusterChanged.cause).filter((c) => c !== 'OBJECT');
      expect(order.slice(0, 2)).toEqual(['UNREACHABLE', 'REACHABLE']);
      expect([clusters.errors, pods.errors]).toEqual([[], []]);
    } finally {
      await fx.admin('POST', `/_sim/faults/${member}`, { unreachable: false }).catch(() => undefined);
      clusters.stop();
      pods.stop();
      await client.dispose();
    }
  });
});
