/**
 * Subscriptions on kinds read in fetch mode (`--mode pods=fetch`): no informer watches them, so they used to be
 * accepted and never deliver anything. They are refused with BAD_USER_INPUT, reason KIND_NOT_WATCHED, naming
 * the kind; the socket and its other subscriptions (on watched kinds) live on and deliver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openClient, record } from './support/subscriptionsClient.js';
import { mergePatch } from './support/subscriptionsSim.js';

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGatewayFixture({ scenario: 'mini', args: ['--mode', 'pods=fetch'] });
});

afterAll(async () => {
  await fx?.stop();
});

describe('subscriptions on a fetch-mode kind', () => {
  it('refuses podChanged and resourceChanged on Pod with KIND_NOT_WATCHED, while nodeChanged on the same socket delivers', async () => {
    const client = openClient(fx.gateway.url);
    const nodes = record(client, `subscription { nodeChanged(cluster: "member1") { type node { name } } }`);
    try {
      const pods = record(client, `subscription { podChanged(cluster: "member1") { type pod { name } } }`);
      await pods.waitFor(() => pods.errors.length > 0, 10_000, 'podChanged refused');
      expect(pods.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'KIND_NOT_WATCHED', kinds: ['pods'] } });
      expect(pods.errors[0].message).toMatch(/pods .*fetch mode/);

      const mixed = record(client, `subscription { resourceChanged(filter: { kinds: ["Node", "Pod"] }) { type name } }`);
      await mixed.waitFor(() => mixed.errors.length > 0, 10_000, 'resourceChanged refused');
      expect(mixed.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'KIND_NOT_WATCHED', field: 'filter.kinds', kinds: ['pods'] } });

      // The socket lives on: the watched kind's subscription still delivers a change.
      const node = fx.sim.fleet.members.get('member1')!.objects.list('nodes')[0]!.metadata!.name!;
      await mergePatch(fx.sim, 'member1', `/api/v1/nodes/${node}`, { metadata: { labels: { 'fetch-mode-test': 'yes' } } });
      await nodes.waitFor((es) => es.some((e) => e.nodeChanged.node?.name === node && e.nodeChanged.type === 'MODIFIED'), 20_000, 'node change');
      expect(nodes.errors).toEqual([]);
    } finally {
      nodes.stop();
      await client.dispose();
    }
  });
});
