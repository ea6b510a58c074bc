/**
 * A @kubernetes/client-node informer on a member's pods, through the Karmada proxy path of the
 * simulator's kubeconfig, keeps an exact copy of the member's pods across a dropped watch (it
 * re-watches from its last resourceVersion) and across a forced 410 (history compacted, then the
 * watch dropped: the re-watch gets the ERROR event, the informer re-lists). No object is missed and
 * none is duplicated.
 */
import { CoreV1Api, KubeConfig, makeInformer } from '@kubernetes/client-node';
import type { Informer, ObjectCache, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, simRequest, startTestSimulator } from './support/simServer.js';
import type { TestSimulator } from './support/simServer.js';

let sim: TestSimulator;
let informer: Informer<V1Pod> & ObjectCache<V1Pod>;
const events: Array<{ type: string; name: string; rv: string }> = [];
let watchRequests = 0;

const member = () => sim.fleet.members.get('member1')!;
const serverPods = () => member().objects.list('pods', { namespace: 'inf' }).map((p) => p.metadata.name!).sort();
const cachedPods = () => informer.list('inf').map((p) => p.metadata!.name!).sort();
const pod = (name: string) => ({ metadata: { name, namespace: 'inf' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });

/** Watches of member1 pods the simulator has answered so far. */
const podWatches = () => sim.server.stats.recent().filter((r) => r.cluster === 'member1' && r.verb === 'watch' && r.resource === 'pods').length;
const podLists = () => sim.server.stats.recent().filter((r) => r.cluster === 'member1' && r.verb === 'list' && r.resource === 'pods').length;

describe('client-node informer through the proxy path', () => {
  beforeAll(async () => {
    sim = await startTestSimulator({ scenario: 'mini' });
    member().objects.create('namespaces', { metadata: { name: 'inf' } });
    for (const n of ['a1', 'a2']) member().objects.create('pods', pod(n));
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig);
    kc.setCurrentContext('member1');
    const api = kc.makeApiClient(CoreV1Api);
    informer = makeInformer(kc, '/api/v1/namespaces/inf/pods', () => api.listNamespacedPod({ namespace: 'inf' }));
    for (const type of ['add', 'update', 'delete'] as const) {
      informer.on(type, (p: V1Pod) => events.push({ type, name: p.metadata!.name!, rv: p.metadata!.resourceVersion! }));
    }
    informer.on('error', (err: unknown) => events.push({ type: 'error', name: String(err), rv: '' }));
    await informer.start();
    await eventually(() => cachedPods().length === 2);
    await eventually(() => podWatches() >= 1);
    watchRequests = podWatches();
  });
  afterAll(async () => {
    // stop() aborts the open watch, which the informer reports as an AbortError: expected here.
    await informer?.stop().catch(() => undefined);
    await sim?.stop();
  });

  it('starts with the listed pods', () => {
    expect(cachedPods()).toEqual(['a1', 'a2']);
    expect(events.filter((e) => e.type === 'add').map((e) => e.name).sort()).toEqual(['a1', 'a2']);
  });

  it('re-watches from its resourceVersion after a dropped watch and misses nothing', async () => {
    const lists = podLists();
    const dropped = await simRequest(sim, '/_sim/faults/member1/drop-watches', { method: 'POST' });
    expect(dropped.status).toBe(200);
    // Changes while the informer reconnects.
    member().objects.create('pods', pod('b1'));
    member().objects.delete('pods', 'inf', 'a1', { gracePeriodSeconds: 0 });
    await eventually(() => podWatches() > watchRequests);
    member().objects.create('pods', pod('b2'));
    await eventually(() => cachedPods().join() === serverPods().join());
    expect(cachedPods()).toEqual(['a2', 'b1', 'b2']);
    // A plain re-watch: no new list was needed.
    expect(podLists()).toBe(lists);
    expect(events.filter((e) => e.type === 'add').map((e) => e.name).sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(events.filter((e) => e.type === 'delete').map((e) => e.name)).toEqual(['a1']);
    watchRequests = podWatches();
  });

  it('re-lists after a forced 410 and ends with exactly the server state', async () => {
    const lists = podLists();
    // The member answers slowly, then its watches drop: while the informer's re-watch waits, changes
    // happen and history is compacted past the informer's version, so the re-watch gets the 410
    // ERROR event and the informer has to re-list.
    expect((await simRequest(sim, '/_sim/faults/member1', { method: 'POST', body: { latencyMs: 1500 } })).json.latencyMs).toBe(1500);
    expect((await simRequest(sim, '/_sim/faults/member1/drop-watches', { method: 'POST' })).status).toBe(200);
    member().objects.create('pods', pod('c1'));
    member().objects.delete('pods', 'inf', 'b1', { gracePeriodSeconds: 0 });
    expect((await simRequest(sim, '/_sim/faults/member1/compact', { method: 'POST' })).status).toBe(200);
    await eventually(() => podLists() > lists);
    expect((await simRequest(sim, '/_sim/faults/member1', { method: 'POST', body: { latencyMs: 0 } })).json.latencyMs).toBe(0);
    member().objects.create('pods', pod('c2'));
    await eventually(() => cachedPods().join() === serverPods().join());
    expect(cachedPods()).toEqual(['a2', 'b2', 'c1', 'c2']);
    // Every server object is in the cache exactly once, at the server's version.
    const cached = informer.list('inf');
    expect(new Set(cached.map((p) => p.metadata!.uid)).size).toBe(cached.length);
    for (const p of cached) {
      const onServer = member().objects.get('pods', 'inf', p.metadata!.name!)!;
      expect(p.metadata!.uid).toBe(onServer.metadata.uid);
    }
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    const adds = events.filter((e) => e.type === 'add').map((e) => e.name);
    expect(new Set(adds).size).toBe(adds.length);
    expect(events.filter((e) => e.type === 'delete').map((e) => e.name).sort()).toEqual(['a1', 'b1']);
  });
});
