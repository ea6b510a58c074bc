/**
 * Each member fault of the simulator, switched through its admin API, as a @kubernetes/client-node client
 * sees it through the Karmada proxy path: added latency trips a client timeout, an unreachable member
 * answers 503 with the proxy's "connection refused" Status, an unavailable member 503, a hanging list never
 * answers until the client gives up, a dropped watch ends the stream (and an informer carries on), and a
 * compacted history gives a watch the 410 ERROR event and makes an informer re-list.
 */
import { ApiException, CoreV1Api, makeInformer, Watch, type V1Pod } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../src/sim/index.js';
import { adminPost, kubeConfigFor, withTimeout } from './support/simFaultsClient.js';
import { waitFor } from './support/simKarmadaWait.js';

let sim: RunningSimulator;
let core: CoreV1Api;

beforeAll(async () => {
  sim = await startSimulator({ scenario: 'mini', seed: 3 });
  core = kubeConfigFor(sim, 'member1').makeApiClient(CoreV1Api);
});

afterEach(async () => {
  await adminPost(sim, 'faults/member1', { latencyMs: 0, unreachable: false, unavailable503: false, hangLists: false });
});

afterAll(async () => {
  await sim?.stop();
});

async function failure(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

function pod(name: string): V1Pod {
  return { metadata: { name, namespace: 'web', labels: { test: 'faults' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } };
}

describe('member faults as client-node sees them', () => {
  it('latency: a call slower than the client timeout is aborted; with a longer timeout it answers', async () => {
    expect((await adminPost(sim, 'faults/member1', { latencyMs: 1500 })).json.latencyMs).toBe(1500);
    const error = await failure(core.listNamespacedPod({ namespace: 'web' }, withTimeout(200)));
    expect(String(error?.name ?? error)).toMatch(/TimeoutError|AbortError/);
    const pods = await core.listNamespacedPod({ namespace: 'web' }, withTimeout(10_000));
    expect(pods.items.length).toBeGreaterThan(0);
  });

  it('unreachable: 503 Status with the proxy\'s connection-refused message; the control plane still answers', async () => {
    await adminPost(sim, 'faults/member1', { unreachable: true });
    const error = await failure(core.listNamespacedPod({ namespace: 'web' }));
    expect(error).toBeInstanceOf(ApiException);
    expect(error.code).toBe(503);
    const status = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
    expect(status).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
    expect(status.message).toContain('connect: connection refused');
    const cp = kubeConfigFor(sim, 'karmada').makeApiClient(CoreV1Api);
    expect((await cp.listNamespace()).items.length).toBeGreaterThan(0);
  });

  it('503: every request answers ServiceUnavailable until the fault is cleared', async () => {
    await adminPost(sim, 'faults/member1', { unavailable503: true });
    const error = await failure(core.readNamespace({ name: 'web' }));
    expect(error.code).toBe(503);
    const status = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
    expect(status.message).toBe('the server is currently unable to handle the request');
    await adminPost(sim, 'faults/member1', { unavailable503: false });
    expect((await core.readNamespace({ name: 'web' })).metadata?.name).toBe('web');
  });

  it('hanging list: lists never answer (the client times out) while single gets do', async () => {
    await adminPost(sim, 'faults/member1', { hangLists: true });
    const error = await failure(core.listNamespacedPod({ namespace: 'web' }, withTimeout(500)));
    expect(String(error?.name ?? error)).toMatch(/TimeoutError|AbortError/);
    expect((await core.readNamespace({ name: 'web' })).metadata?.name).toBe('web');
    // A list started while hanging completes once the fault is cleared.
    const pending = core.listNamespacedPod({ namespace: 'web' }, withTimeout(20_000));
    await adminPost(sim, 'faults/member1', { hangLists: false });
    expect((await pending).items.length).toBeGreaterThan(0);
  });

  it('dropped watch: the stream ends for a raw Watch, and an informer re-watches and keeps receiving', async () => {
    const kc = kubeConfigFor(sim, 'member1');
    const list = await core.listNamespacedPod({ namespace: 'web' });
    let ended: unknown = 'open';
    const watch = new Watch(kc);
    const controller = await watch.watch('/api/v1/namespaces/web/pods', { resourceVersion: list.metadata!.resourceVersion! }, () => {}, (err) => { ended = err ?? null; });
    const informer = makeInformer(kc, '/api/v1/namespaces/web/pods', () => core.listNamespacedPod({ namespace: 'web' }));
    const added: string[] = [];
    informer.on('add', (p) => added.push(p.metadata!.name!));
    await informer.start();
    try {
      expect((await adminPost(sim, 'faults/member1/drop-watches')).json.ok).toBe(true);
      await waitFor('raw watch ended', () => ended !== 'open');
      await core.createNamespacedPod({ namespace: 'web', body: pod('after-drop') });
      await waitFor('informer saw the pod created after the drop', () => added.includes('after-drop'));
    } finally {
      controller.abort();
      await informer.stop();
      await core.deleteNamespacedPod({ namespace: 'web', name: 'after-drop', gracePeriodSeconds: 0 }).catch(() => undefined);
    }
  });

  it('compaction: a watch from before it gets the 410 ERROR event, and an informer re-lists (seeing a delete it missed)', async () => {
    const kc = kubeConfigFor(sim, 'member1');
    await core.createNamespacedPod({ namespace: 'web', body: pod('doomed') });
    const before = (await core.listNamespacedPod({ namespace: 'web' })).metadata!.resourceVersion!;
    const informer = makeInformer(kc, '/api/v1/namespaces/web/pods', () => core.listNamespacedPod({ namespace: 'web' }));
    const deleted: string[] = [];
    informer.on('delete', (p) => deleted.push(p.metadata!.name!));
    await informer.start();
    const member = sim.fleet.members.get('member1')!;
    // In one tick, before the informer can reconnect: end its watch, delete a pod it knows, move the
    // store on with another kind, and forget history — its next watch starts from a compacted version.
    sim.fleet.faults.dropWatches('member1');
    member.objects.delete('pods', 'web', 'doomed', { gracePeriodSeconds: 0 });
    member.objects.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `bump-${Date.now()}`, namespace: 'web' } });
    sim.fleet.faults.compact('member1');
    try {
      await waitFor('informer re-listed and saw the delete', () => deleted.includes('doomed'));
      const events: Array<{ type: string; object: any }> = [];
      const controller = await new Watch(kc).watch('/api/v1/namespaces/web/pods', { resourceVersion: before }, (type, object) => events.push({ type, object }), () => {});
      try {
        const error = await waitFor('410 ERROR event', () => events.find((e) => e.type === 'ERROR'));
        expect(error.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
      } finally {
        controller.abort();
      }
    } finally {
      await informer.stop();
    }
  });
});
