/**
 * Subscriptions e2e, slow consumer: a subscriber that stops reading its socket (TCP backpressure, the way a
 * frozen browser tab behaves) while ~3,000 large pod changes flow must not make the gateway's memory grow
 * with the flow. Stated bound: its subscription queue never holds more than its capacity (8 events here), the
 * bytes the gateway buffers for all sockets stay under 2 MiB, and the process's memory after GC (JS heap +
 * Buffers) grows by less than 48 MiB while more than 60 MiB of payload is produced for that subscriber (the
 * simulator shares the process; its watch replay window is compacted so it does not count); the overflow is
 * reported (RESYNC with `dropped`) when it reads again. A normal subscriber meanwhile receives everything.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openClient, poll, record, settle, wsUrlOf } from './support/subscriptionsClient.js';
import { createIn } from './support/subscriptionsSim.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let fx: GatewayFixture;
const NS = 'slow';
const PODS = 12;
/** Queue capacity, below the number of pods so that coalescing alone cannot absorb the flow. */
const CAPACITY = 8;
const ROUNDS = 300; // 3,000 changes
const PAD = 'x'.repeat(25_000); // ~25 KB annotation per change

beforeAll(async () => {
  // Pings would (rightly) drop a client that never answers; this test is about the queue, so they are off.
  fx = await startGatewayFixture({ scenario: 'mini', args: ['--ws-keepalive', '0', '--subscription-queue', String(CAPACITY)] });
});

afterAll(async () => {
  await fx?.stop();
});

function heapAfterGc(): number {
  gc();
  gc();
  // Buffers (socket data) live outside the JS heap: count them too.
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

describe('a subscriber that stops reading', () => {
  it('keeps the gateway memory bounded while events flow', { timeout: 120_000 }, async () => {
    const member = [...fx.sim.fleet.members.keys()][0]!;
    const cluster = fx.sim.fleet.members.get(member)!;
    await createIn(fx.sim, member, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const names = Array.from({ length: PODS }, (_, i) => `slow-${i}`);
    for (const name of names) {
      await createIn(fx.sim, member, `/api/v1/namespaces/${NS}/pods`, {
        apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
        spec: { nodeName: 'no-kubelet-node', containers: [{ name: 'main', image: 'busybox:1.36' }] },
      });
    }
    const query = `subscription { podChanged(namespace: "${NS}") { type coalesced dropped pod { name annotations { key value } } } }`;

    // The stalled reader: a raw graphql-ws client whose socket stops reading after subscribing.
    const slow = new WebSocket(wsUrlOf(fx.gateway.url), 'graphql-transport-ws');
    const slowMessages: any[] = [];
    slow.on('message', (data) => slowMessages.push(JSON.parse(String(data))));
    await new Promise<void>((resolve, reject) => {
      slow.once('open', () => resolve());
      slow.once('error', reject);
    });
    slow.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    await poll(() => (slowMessages.some((m) => m.type === 'connection_ack') ? true : undefined), 10_000, () => 'no ack');
    slow.send(JSON.stringify({ id: 'slow', type: 'subscribe', payload: { query } }));

    // The normal reader selects no annotations: the test process must not hold the flow itself.
    const client = openClient(fx.gateway.url);
    const normal = record(client, `subscription { podChanged(namespace: "${NS}") { type coalesced dropped pod { name labels { key value } } } }`);
    try {
      await poll(() => (fx.gateway.subscriptions.engine.stats().subscriptions >= 2 ? true : undefined), 10_000, () => 'not subscribed');
      slow.pause(); // ws stops reading the TCP socket: the gateway's writes back up
      const heapBefore = heapAfterGc();

      let maxPending = 0;
      let maxBuffered = 0;
      const sample = () => {
        maxPending = Math.max(maxPending, fx.gateway.subscriptions.engine.stats().queues.pending);
        maxBuffered = Math.max(maxBuffered, fx.gateway.subscriptions.ws.bufferedBytes);
      };
      const sampler = setInterval(sample, 5);
      // What the gateway's cache saw last of each pod: the state every reader must end on.
      const cacheLast: Record<string, string> = {};

      const stopWatchingCache = fx.gateway.fleet.onChange((e) => {
        if (e.kind !== 'pods') return;
        if (e.type === 'MODIFIED') cacheLast[e.after.metadata.name] = String(e.after.metadata.labels?.round);
        if (e.type === 'RESYNC') for (const m of e.modified) cacheLast[m.after.metadata.name] = String(m.after.metadata.labels?.round);
      });
      let produced = 0;
      for (let round = 1; round <= ROUNDS; round++) {
        for (const name of names) {
          // The simulator's own store: its watch streams carry the change to the gateway over HTTPS.
          cluster.objects.mutate('pods', NS, name, (p) => {
            p.metadata!.labels = { round: String(round) };
            p.metadata!.annotations = { pad: `${round}${PAD}` };
            return p;
          });
          produced++;
        }
        // Let the gateway's informer keep up with the writer (the flow is what we test, not the writer).
        if (round % 10 === 0) {
          await settle(20);
          // The simulator shares this process: drop its watch replay window so that only the gateway's
          // memory can grow (the gateway's watch is live and never replays).
          cluster.store.compact();
        }
      }
      // The normal reader ends on the final state of every pod (whatever was coalesced or dropped on the way).
      const lastRound = () => {
        const last = new Map<string, string>();
        for (const e of normal.events as any[]) {
          if (e.podChanged.pod) last.set(e.podChanged.pod.name, e.podChanged.pod.labels.find((l: any) => l.key === 'round')?.value);
        }
        return last;
      };
      await poll(() => (names.every((n) => cacheLast[n] === String(ROUNDS)) ? true : undefined), 30_000,
        () => `the gateway cache did not see every change: ${JSON.stringify(cacheLast)}`).catch((e) => console.warn(String(e)));
      await settle(500);
      // Either it holds the state the cache saw last, or it was told to re-query (a RESYNC notice after its
      // last event of that pod: a relist burst can overflow its small queue too, which the policy allows).
      const upToDate = (n: string) => {
        const evs = normal.events as any[];
        const lastIdx = evs.map((e) => e.podChanged.pod?.name).lastIndexOf(n);
        if (lastRound().get(n) === cacheLast[n]) return true;
        return evs.slice(lastIdx + 1).some((e) => e.podChanged.type === 'RESYNC' && e.podChanged.dropped > 0);
      };
      await poll(() => (names.every(upToDate) ? true : undefined), 30_000,
        () => `normal subscriber: ${JSON.stringify([...lastRound()])}, cache saw ${JSON.stringify(cacheLast)}; engine ${JSON.stringify(fx.gateway.subscriptions.engine.stats())}; feed ${JSON.stringify(fx.gateway.subscriptions.feed.counters)}; errors ${JSON.stringify(normal.errors.slice(0, 3))}`);
      stopWatchingCache();
      clearInterval(sampler);
      sample();
      const slowReceivedWhilePaused = slowMessages.length;
      cluster.store.compact();
      const heapAfter = heapAfterGc();
      const growth = heapAfter - heapBefore;
      const payloadBytes = produced * PAD.length;
      console.log(`slow consumer: ${produced} changes (~${(payloadBytes / 2 ** 20).toFixed(0)} MiB of payload), max queue ${maxPending}, max socket buffer ${(maxBuffered / 1024).toFixed(0)} KiB, heap growth ${(growth / 2 ** 20).toFixed(1)} MiB, slow reader got ${slowReceivedWhilePaused} messages while paused`);

      expect(payloadBytes).toBeGreaterThan(60 * 2 ** 20);
      expect(maxPending).toBeLessThanOrEqual(2 * CAPACITY); // both subscriptions' queues at their bound
      expect(maxBuffered).toBeLessThan(2 * 2 ** 20);
      expect(growth).toBeLessThan(48 * 2 ** 20);
      expect(normal.errors).toEqual([]);

      // Reading again, the slow subscriber learns what it missed: a RESYNC notice with the drop count.
      slow.resume();
      await poll(() => (slowMessages.some((m) => m.type === 'next' && m.payload.data?.podChanged.type === 'RESYNC') ? true : undefined), 30_000,
        () => `no RESYNC among ${slowMessages.length} messages`);
      const notice = slowMessages.find((m) => m.type === 'next' && m.payload.data?.podChanged.type === 'RESYNC').payload.data.podChanged;
      expect(notice.dropped).toBeGreaterThan(0);
      expect(notice.pod).toBeNull();
      const stats = fx.gateway.subscriptions.engine.stats().queues;
      expect(stats.dropped).toBeGreaterThan(0);
    } finally {
      normal.stop();
      slow.terminate();
      await client.dispose();
    }
  });
});
