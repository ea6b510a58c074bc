/**
 * Subscriptions e2e, fan-out: 500 concurrent subscribers (one WebSocket each) on one gateway all receive a
 * burst of 200 pod changes written through the simulator's HTTPS API, with every change accounted for:
 * delivered, or merged into a delivered event (`coalesced`), or counted in a RESYNC notice (`dropped`),
 * per the documented queue policy. The last state each subscriber holds of every pod is the final one, and
 * payloads were executed once per event and selection, not once per subscriber.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedExecutionCounters } from '../src/graphql/subscriptions/sharedExecution.js';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openClient, poll, record, type Recording } from './support/subscriptionsClient.js';
import { createIn, mergePatch } from './support/subscriptionsSim.js';
import type { Client } from 'graphql-ws';

let fx: GatewayFixture;
const SUBSCRIBERS = 500;
const PODS = 20;
const PATCHES_PER_POD = 9; // 20 creates + 180 patches = 200 changes
const NS = 'burst';

beforeAll(async () => {
  // 500 subscribers from one anonymous address are one caller to the per-user limits: lifted, as the fan-out is measured here.
  fx = await startGatewayFixture({ scenario: 'mini', args: ['--ws-max-connections-per-user', '0', '--max-subscriptions-per-user', '0', '--rate-limit-per-minute', '0'] });
});

afterAll(async () => {
  await fx?.stop();
});

interface PodEvent {
  podChanged: { type: string; coalesced: number; dropped: number; pod: { name: string; labels: Array<{ key: string; value: string }> } | null };
}

describe('a burst to 500 subscribers', () => {
  it('reaches every subscriber with every change accounted for', async () => {
    const member = [...fx.sim.fleet.members.keys()][0]!;
    await createIn(fx.sim, member, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });

    const clients: Client[] = [];
    const recs: Array<Recording<PodEvent>> = [];
    const query = `subscription($ns: String) { podChanged(namespace: $ns) { type coalesced dropped pod { name labels { key value } } } }`;
    try {
      for (let i = 0; i < SUBSCRIBERS; i++) {
        const c = openClient(fx.gateway.url);
        clients.push(c);
        recs.push(record<PodEvent>(c, query, { ns: NS }));
      }
      await poll(() => (fx.gateway.subscriptions.engine.stats().subscriptions >= SUBSCRIBERS ? true : undefined), 60_000,
        () => `only ${fx.gateway.subscriptions.engine.stats().subscriptions} subscriptions open`);
      const executionsBefore = sharedExecutionCounters.executions;

      // Pods bound to a node without a kubelet: nothing but these writes changes them.
      const names = Array.from({ length: PODS }, (_, i) => `burst-${i}`);
      await Promise.all(names.map(async (name) => {
        await createIn(fx.sim, member, `/api/v1/namespaces/${NS}/pods`, {
          apiVersion: 'v1', kind: 'Pod',
          metadata: { name, namespace: NS, labels: { step: '0' } },
          spec: { nodeName: 'no-kubelet-node', containers: [{ name: 'main', image: 'busybox:1.36' }] },
        });
        for (let step = 1; step <= PATCHES_PER_POD; step++) {
          await mergePatch(fx.sim, member, `/api/v1/namespaces/${NS}/pods/${name}`, { metadata: { labels: { step: String(step) } } });
        }
      }));
      const total = PODS * (1 + PATCHES_PER_POD);
      expect(total).toBe(200);

      const accounted = (r: Recording<PodEvent>) =>
        r.events.reduce((n, e) => n + (e.podChanged.type === 'RESYNC' ? e.podChanged.dropped : 1 + e.podChanged.coalesced), 0);
      await poll(() => (recs.every((r) => accounted(r) >= total) ? true : undefined), 60_000,
        () => `accounted: min ${Math.min(...recs.map(accounted))} of ${total}`);

      let coalesced = 0;
      let dropped = 0;
      for (const r of recs) {
        expect(r.errors).toEqual([]);
        expect(accounted(r)).toBe(total);
        const last = new Map<string, string>();
        for (const e of r.events) {
          if (e.podChanged.type === 'RESYNC') dropped += e.podChanged.dropped;
          else {
            coalesced += e.podChanged.coalesced;
            last.set(e.podChanged.pod!.name, e.podChanged.pod!.labels.find((l) => l.key === 'step')!.value);
          }
        }
        // Without a RESYNC notice, the subscriber's view ends on the final state of every pod.
        if (!r.events.some((e) => e.podChanged.type === 'RESYNC')) {
          expect([...last.entries()].sort()).toEqual(names.map((n) => [n, String(PATCHES_PER_POD)]).sort());
        }
      }
      const executions = sharedExecutionCounters.executions - executionsBefore;
      console.log(`500 subscribers x 200 changes: ${recs.reduce((n, r) => n + r.events.length, 0)} events delivered, ${coalesced} coalesced, ${dropped} dropped, ${executions} payload executions`);
      // Shared: one execution per distinct (event, coalesced count), far fewer than one per subscriber.
      expect(executions).toBeLessThanOrEqual(total * 4);
      expect(executions).toBeGreaterThanOrEqual(total / 10);
    } finally {
      for (const r of recs) r.stop();
      await Promise.all(clients.map((c) => c.dispose()));
    }
  });
});
