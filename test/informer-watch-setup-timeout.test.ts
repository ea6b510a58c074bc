/**
 * A member that accepts the watch connection but does not answer it (the simulator's latency fault holds
 * every request to the member before its headers) must not hang the gateway's informer: the watch setup
 * times out, the informer reports UPSTREAM_TIMEOUT (and so does the cluster's connection, which is what the
 * cluster's health and every read of it report) and retries with its backoff; once the fault is lifted it
 * watches again from where it was and sees the member's changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterCache } from '../src/cache/ClusterCache.js';
import type { KindInformer } from '../src/cache/KindInformer.js';
import { ClusterClient } from '../src/fleet/ClusterClient.js';
import { ClusterConnection } from '../src/fleet/ClusterConnection.js';
import { kindTable } from '../src/fleet/kinds.js';
import { memberKubeConfigViaProxy } from '../src/fleet/kubeConfigs.js';
import { adminPost, kubeConfigFor } from './support/simFaultsClient.js';
import { eventually, startTestSimulator, type TestSimulator } from './support/simServer.js';

/** Per-call timeout of the member's client, hence its watch setup timeout. */
const CALL_TIMEOUT_MS = 3000;

let sim: TestSimulator;
let connection: ClusterConnection;
let cache: ClusterCache;

const informer = (): KindInformer => cache.informer('pods')!;
const member = () => sim.fleet.members.get('member1')!;
const pod = (name: string) => ({ metadata: { name, namespace: 'web' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });

describe('informer watch setup timeout', () => {
  beforeAll(async () => {
    sim = await startTestSimulator({ scenario: 'mini', churnPerMinute: 0 });
    const client = new ClusterClient({
      name: 'member1',
      kubeConfig: memberKubeConfigViaProxy(kubeConfigFor(sim, 'karmada'), 'member1'),
      callTimeoutMs: CALL_TIMEOUT_MS,
    });
    // No periodic probe during the test (one hour): what reports the outage here is the informer alone.
    connection = new ClusterConnection({ client, middlewareGroup: 'middleware.fleetgraph.io', healthIntervalMs: 3_600_000, viaProxy: true });
    cache = new ClusterCache({
      connection,
      kinds: [kindTable({ group: 'middleware.fleetgraph.io', version: 'v1alpha1' }).get('pods')!],
      onChange: () => {},
      backoff: { initialMs: 100, maxMs: 1000 },
    });
    cache.start();
    connection.start();
    await eventually(() => cache.synced, 60_000);
  });

  afterAll(async () => {
    if (sim) await adminPost(sim, 'faults/member1', { latencyMs: 0 }).catch(() => undefined);
    await cache?.stop();
    connection?.stop();
    await sim?.stop();
  });

  it('reports a watch that never answers as UPSTREAM_TIMEOUT, then recovers once the member answers again', async () => {
    expect(informer().state).toBe('synced');
    expect(connection.availabilityError()).toBeNull();

    // Every request to member1 now waits 20 s before the simulator even looks at it; the open watch is
    // ended, so the informer has to open a new one, which gets no answer.
    expect((await adminPost(sim, 'faults/member1', { latencyMs: 20_000 })).status).toBe(200);
    expect((await adminPost(sim, 'faults/member1/drop-watches')).status).toBe(200);

    await eventually(() => informer().state === 'failed', 60_000);
    expect(informer().lastError).toMatchObject({ code: 'UPSTREAM_TIMEOUT', cluster: 'member1' });
    expect(informer().lastError!.message).toContain('no answer to the watch');
    expect(connection.availabilityError()).toMatchObject({ code: 'UPSTREAM_TIMEOUT', cluster: 'member1' });
    // The pods listed before the outage are still served.
    expect(informer().size).toBeGreaterThan(0);

    // A change made while the member is unanswerable, then the fault is lifted.
    member().objects.create('pods', pod('during-outage'));
    expect((await adminPost(sim, 'faults/member1', { latencyMs: 0 })).status).toBe(200);

    await eventually(() => informer().state === 'synced' && informer().get('web', 'during-outage') !== undefined, 60_000);
    expect(informer().lastError).toBeNull();
    expect(connection.availabilityError()).toBeNull();
    // The watch is live again: a later change arrives too.
    member().objects.create('pods', pod('after-outage'));
    await eventually(() => informer().get('web', 'after-outage') !== undefined, 30_000);
  });
});
