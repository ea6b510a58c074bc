/**
 * Subscriptions on kinds read in fetch mode (`--mode pods=fetch`): they used to be accepted and never deliver,
 * since no informer watches such a kind. Now an informer runs for the kind while someone subscribes to it, and
 * stops when the last subscriber has left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openClient, poll, record } from './support/subscriptionsClient.js';
import { createIn, deleteIn } from './support/subscriptionsSim.js';

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGatewayFixture({ scenario: 'demo', args: ['--mode', 'pods=fetch'] });
  await createIn(fx.sim, 'member1', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fm' } });
});

afterAll(async () => {
  await fx?.stop();
});

/** The state of a member's pods informer, undefined when none runs. */
const podsInformer = (member = 'member1') => fx.gateway.fleet.health(member)?.kinds.pods;

const pod = (name: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'fm' },
  spec: { nodeName: 'no-kubelet-node', containers: [{ name: 'main', image: 'busybox:1.36' }] },
});

describe('subscriptions on a fetch-mode kind', () => {
  it('deliver while subscribed (an informer runs for the kind), and the informer stops with the last subscriber', async () => {
    expect(podsInformer()).toBeUndefined();
    const client = openClient(fx.gateway.url);
    const pods = record(client, `subscription { podChanged(cluster: "member1", namespace: "fm") { type pod { name } } }`);
    let any: ReturnType<typeof record<any>> | undefined;
    try {
      await poll(() => (podsInformer() === 'synced' ? true : undefined), 20_000, () => `pods informer: ${podsInformer()}`);
      // Only where the subscription looks: member2 runs none.
      expect(podsInformer('member2')).toBeUndefined();
      const fleetWide = (any = record(client, `subscription { resourceChanged(filter: { kinds: ["Pod"], namespaces: ["fm"] }) { type name } }`));
      // Fleet-wide now: every member.
      await poll(() => (podsInformer('member2') === 'synced' ? true : undefined), 20_000, () => `member2 pods informer: ${podsInformer('member2')}`);
      await createIn(fx.sim, 'member1', '/api/v1/namespaces/fm/pods', pod('fm-1'));
      await pods.waitFor((es) => es.some((e) => e.podChanged.type === 'ADDED' && e.podChanged.pod?.name === 'fm-1'), 20_000, 'ADDED fm-1');
      await fleetWide.waitFor((es) => es.some((e) => e.resourceChanged.type === 'ADDED' && e.resourceChanged.name === 'fm-1'), 20_000, 'resourceChanged ADDED fm-1');
      await deleteIn(fx.sim, 'member1', '/api/v1/namespaces/fm/pods/fm-1');
      await pods.waitFor((es) => es.some((e) => e.podChanged.type === 'DELETED'), 20_000, 'DELETED fm-1');
      expect(pods.errors).toEqual([]);
      expect(fleetWide.errors).toEqual([]);

      // One subscriber left: the informer keeps running for it.
      pods.stop();
      await createIn(fx.sim, 'member1', '/api/v1/namespaces/fm/pods', pod('fm-2'));
      await fleetWide.waitFor((es) => es.some((e) => e.resourceChanged.type === 'ADDED' && e.resourceChanged.name === 'fm-2'), 20_000, 'ADDED fm-2');

      // The last one gone: the informers stop.
      fleetWide.stop();
      await poll(() => (podsInformer() === undefined && podsInformer('member2') === undefined ? true : undefined), 10_000,
        () => `pods informers still ${podsInformer()} ${podsInformer('member2')}`);
      // Reads stay in fetch mode, and right.
      const read = await fx.query(`{ pods(first: 50, filter: { cluster: "member1", namespace: "fm" }) { edges { node { name } } } }`);
      expect(read.body.errors).toBeUndefined();
    } finally {
      pods.stop();
      any?.stop();
      await client.dispose();
    }
  });
});
