/**
 * KindInformer against a canned API server (no simulator): paged list, then a watch applied to the cache
 * and reported as changes; a 410 relists and reports the difference once (RESYNC); a 503 is a failure
 * retried with backoff until the list answers; a 404 on the collection is API_NOT_SERVED.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { kubeStatus, startCannedKubeApi, type CannedKubeApi, type SeenRequest } from '../../test/support/cannedKubeApi.js';
import { ClusterClient } from '../fleet/ClusterClient.js';
import { kindTable } from '../fleet/kinds.js';
import type { ClusterError, KindSyncState } from '../fleet/types.js';
import { KindInformer } from './KindInformer.js';
import type { ChangeEvent } from './types.js';

const NAMESPACES = kindTable({ group: 'middleware.fleetgraph.io', version: 'v1alpha1' }).get('namespaces')!;
const ns = (name: string, rv: string, labels: Record<string, string> = {}) => ({ metadata: { name, uid: `uid-${name}`, resourceVersion: rv, labels } });

let api: CannedKubeApi | undefined;
let informer: KindInformer | undefined;
let client: ClusterClient | undefined;

afterEach(async () => {
  await informer?.stop();
  client?.close();
  await api?.close();
  api = informer = client = undefined;
});

interface Harness {
  informer: KindInformer;
  changes: ChangeEvent[];
  states: Array<[KindSyncState, ClusterError | null]>;
}

/** `list` answers list requests; `watch` gets each watch request's response to write events to (kept open). */
async function start(list: (req: SeenRequest) => ReturnType<typeof kubeStatus> | { status: number; body: unknown }, watch: (req: SeenRequest, res: ServerResponse) => void): Promise<Harness> {
  api = await startCannedKubeApi((req, res) => {
    if (req.query.get('watch') === 'true') {
      watch(req, res);
      return undefined;
    }
    return list(req);
  });
  client = new ClusterClient({ name: 'm1', kubeConfig: api.kubeConfig, callTimeoutMs: 1000 });
  const changes: ChangeEvent[] = [];
  const states: Array<[KindSyncState, ClusterError | null]> = [];
  informer = new KindInformer({
    client, kind: NAMESPACES, cluster: 'm1', pageSize: 2, watchTimeoutSeconds: 60,
    backoff: { initialMs: 5, maxMs: 20 },
    onChange: (e) => changes.push(e),
    onState: (s, e) => states.push([s, e]),
  });
  informer.start();
  return { informer, changes, states };
}

const event = (res: ServerResponse, type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
const until = async (check: () => boolean) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('KindInformer', () => {
  it('lists every page, then applies watch events from the list resourceVersion', async () => {
    let watchRes: ServerResponse | undefined;
    const h = await start(
      (req) => (req.query.get('continue') === 'page2'
        ? { status: 200, body: { kind: 'NamespaceList', metadata: { resourceVersion: '10' }, items: [ns('c', '3')] } }
        : { status: 200, body: { kind: 'NamespaceList', metadata: { resourceVersion: '10', continue: 'page2' }, items: [ns('a', '1'), ns('b', '2')] } }),
      (req, res) => {
        expect(req.query.get('resourceVersion')).toBe('10');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('');
        watchRes = res;
      },
    );
    await until(() => h.informer.state === 'synced' && watchRes !== undefined);
    expect(api!.requests.filter((r) => r.query.get('watch') !== 'true').map((r) => [r.query.get('limit'), r.query.get('continue')])).toEqual([['2', null], ['2', 'page2']]);
    expect(h.informer.list().map((o) => o.metadata.name).sort()).toEqual(['a', 'b', 'c']);
    // A first list emits no change (the cache was empty); watch events do.
    expect(h.changes).toEqual([]);
    event(watchRes!, 'ADDED', ns('d', '11'));
    event(watchRes!, 'MODIFIED', ns('a', '12', { team: 'x' }));
    event(watchRes!, 'DELETED', ns('b', '13'));
    await until(() => h.changes.length === 3);
    expect(h.changes.map((c) => c.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(h.informer.list().map((o) => o.metadata.name).sort()).toEqual(['a', 'c', 'd']);
    expect(h.informer.get(undefined, 'a')?.metadata.labels).toEqual({ team: 'x' });
    expect(h.informer.list({ labelSelector: 'team=x' }).map((o) => o.metadata.name)).toEqual(['a']);
  });

  it('keeps an ordered index asked for up to date with watch events, and filtered lists only until a change', async () => {
    let watchRes: ServerResponse | undefined;
    const h = await start(
      () => ({ status: 200, body: { kind: 'NamespaceList', metadata: { resourceVersion: '10' }, items: [ns('a', '1', { rank: '3' }), ns('b', '2', { rank: '1' }), ns('c', '3')] } }),
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('');
        watchRes = res;
      },
    );
    await until(() => h.informer.state === 'synced' && watchRes !== undefined);
    const spec = { id: 'rank', value: (o: { metadata: { labels?: Record<string, string> } }) => (o.metadata.labels?.rank ? Number(o.metadata.labels.rank) : null) };
    const names = () => h.informer.orderedBy(spec).toArray().map((o) => o.metadata.name);
    expect(names()).toEqual(['b', 'a', 'c']);
    const selected = h.informer.list({ labelSelector: 'rank' });
    expect(h.informer.list({ labelSelector: 'rank' })).toBe(selected); // kept until a change
    event(watchRes!, 'ADDED', ns('d', '11', { rank: '2' }));
    event(watchRes!, 'MODIFIED', ns('b', '12', { rank: '9' }));
    event(watchRes!, 'DELETED', ns('a', '13', { rank: '3' }));
    await until(() => h.changes.length === 3);
    expect(names()).toEqual(['d', 'b', 'c']);
    expect(h.informer.list({ labelSelector: 'rank' }).map((o) => o.metadata.name).sort()).toEqual(['b', 'd']);
  });

  it('relists after a 410 ERROR event and reports the difference once, as RESYNC', async () => {
    let lists = 0;
    let watches = 0;
    const h = await start(
      () => (++lists === 1
        ? { status: 200, body: { kind: 'NamespaceList', metadata: { resourceVersion: '5' }, items: [ns('a', '1'), ns('b', '2')] } }
        : { status: 200, body: { kind: 'NamespaceList', metadata: { resourceVersion: '50' }, items: [ns('b', '20'), ns('c', '30')] } }),
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        if (++watches === 1) event(res, 'ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' });
        else res.write('');
      },
    );
    await until(() => h.changes.length === 1);
    const resync = h.changes[0]!;
    expect(resync.type).toBe('RESYNC');
    if (resync.type !== 'RESYNC') throw new Error('unreachable');
    expect(resync.added.map((o) => o.metadata.name)).toEqual(['c']);
    expect(resync.modified.map((m) => m.after.metadata.name)).toEqual(['b']);
    expect(resync.deleted.map((o) => o.metadata.name)).toEqual(['a']);
    expect(lists).toBe(2);
  });

  it('reports a 503 as a failed state (CLUSTER_UNAVAILABLE) and retries with backoff until the list answers', async () => {
    let lists = 0;
    const h = await start(
      () => (++lists <= 2 ? kubeStatus(503, 'ServiceUnavailable', 'unavailable') : { status: 200, body: { kind: 'NamespaceList', metadata: { resourceVersion: '1' }, items: [ns('a', '1')] } }),
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('');
      },
    );
    await until(() => h.informer.state === 'synced');
    expect(lists).toBe(3);
    const failed = h.states.find(([s]) => s === 'failed');
    expect(failed?.[1]).toMatchObject({ code: 'CLUSTER_UNAVAILABLE', cluster: 'm1', status: 503 });
    expect(h.informer.lastError).toBeNull();
    expect(h.informer.list().map((o) => o.metadata.name)).toEqual(['a']);
  });

  it('reports a collection the member does not serve (404) as NOT_FOUND / API_NOT_SERVED and settles', async () => {
    const h = await start(() => kubeStatus(404, 'NotFound', 'the server could not find the requested resource'), () => {});
    await h.informer.settled();
    expect(h.informer.state).toBe('failed');
    expect(h.informer.lastError).toMatchObject({ code: 'NOT_FOUND', reason: 'API_NOT_SERVED' });
    expect(h.informer.listed).toBe(false);
  });
});

describe('KindInformer list pages per member', () => {
  it('sends at most two list requests of one member at once, without holding up another member', async () => {
    const held: Array<{ member: string; res: ServerResponse }> = [];
    let inFlight = 0;
    let most = 0;
    api = await startCannedKubeApi((req, res) => {
      if (req.query.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('');
        return undefined;
      }
      const member = req.headers['x-member'] as string;
      if (member === 'm1') {
        inFlight++;
        most = Math.max(most, inFlight);
        res.on('close', () => inFlight--);
      }
      // Held until the test answers it.
      held.push({ member, res });
      return undefined;
    });
    const clientOf = (member: string) => {
      // Tells the canned server which member asks (both share its one address).
      const base = api!.kubeConfig;
      const kc = Object.create(base) as typeof base;
      kc.applyToHTTPSOptions = async (opts) => {
        await base.applyToHTTPSOptions(opts);
        opts.headers = { ...opts.headers, 'x-member': member };
      };
      return new ClusterClient({ name: member, kubeConfig: kc, callTimeoutMs: 5000 });
    };
    const m1 = clientOf('m1');
    const informers = Array.from({ length: 5 }, () => new KindInformer({ client: m1, kind: NAMESPACES, cluster: 'm1', watchTimeoutSeconds: 60, onChange: () => {} }));
    for (const i of informers) i.start();
    try {
      await until(() => held.filter((h) => h.member === 'm1').length === 2);
      // Another member's list goes out while m1's two are unanswered.
      const m2 = clientOf('m2');
      const other = new KindInformer({ client: m2, kind: NAMESPACES, cluster: 'm2', watchTimeoutSeconds: 60, onChange: () => {} });
      other.start();
      await until(() => held.some((h) => h.member === 'm2'));
      held.find((h) => h.member === 'm2')!.res.end(JSON.stringify({ kind: 'NamespaceList', metadata: { resourceVersion: '1' }, items: [ns('x', '1')] }));
      await until(() => other.listed);
      await other.stop();
      m2.close();
      // Answering m1's requests one by one lets the next ones out, never more than two at a time.
      let answered = 0;
      while (answered < 5) {
        await until(() => held.some((h) => h.member === 'm1' && !h.res.writableEnded));
        const next = held.find((h) => h.member === 'm1' && !h.res.writableEnded)!;
        next.res.end(JSON.stringify({ kind: 'NamespaceList', metadata: { resourceVersion: '1' }, items: [ns(`n${answered}`, '1')] }));
        answered++;
      }
      await until(() => informers.every((i) => i.listed));
      expect(most).toBe(2);
      expect(informers.map((i) => i.list().length)).toEqual([1, 1, 1, 1, 1]);
    } finally {
      await Promise.all(informers.map((i) => i.stop()));
      m1.close();
    }
  });
});
