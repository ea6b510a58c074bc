import { describe, expect, it } from 'vitest';
import type { ClusterConnection } from './ClusterConnection.js';
import { DynamicKinds, collectionPathOf } from './DynamicKinds.js';
import { UpstreamError } from './UpstreamError.js';

/** A connection whose client answers discovery and lists from a table, counting the calls. */
function fakeConnection(docs: Record<string, unknown>, groupVersions = ['v1', 'policy/v1']) {
  const calls: string[] = [];
  let down = false;
  const connection = {
    name: 'm1',
    apis: { metrics: false, middleware: false, karmada: false, groupVersions },
    availabilityError: () => (down ? { code: 'CLUSTER_UNAVAILABLE', cluster: 'm1', message: 'down' } : null),
    noteSuccess: () => undefined,
    noteFailure: () => true,
    client: {
      getJson: async (path: string, query: Record<string, unknown> = {}) => {
        calls.push(`${path}${query.continue ? `?continue=${String(query.continue)}` : ''}`);
        const doc = docs[`${path}${query.continue ? `?continue=${String(query.continue)}` : ''}`];
        if (doc === undefined) throw new UpstreamError(`GET ${path}: 404`, 404, {});
        return doc;
      },
    },
  };
  return { connection: connection as unknown as ClusterConnection, calls, setDown: (d: boolean) => (down = d) };
}

const DISCOVERY = {
  '/api/v1': { resources: [{ name: 'pods', kind: 'Pod', namespaced: true, verbs: ['get', 'list', 'watch'], shortNames: ['po'] }, { name: 'pods/log', kind: 'Pod', namespaced: true, verbs: ['get'] }, { name: 'secrets', kind: 'Secret', namespaced: true, verbs: ['list'] }] },
  '/apis/policy/v1': { resources: [{ name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true, verbs: ['get', 'list', 'watch'], shortNames: ['pdb'] }] },
};

describe('DynamicKinds', () => {
  it('reads discovery once (subresources left out) and answers from it until it is old', async () => {
    const { connection, calls } = fakeConnection(DISCOVERY);
    let now = 1_000_000;
    const realNow = Date.now;
    Date.now = () => now;
    try {
      const dk = new DynamicKinds({ connection: () => connection, refreshMs: 60_000, minRefreshMs: 10_000 });
      const r = await dk.resources('m1');
      expect(r.ok && r.value.map((x) => `${x.apiVersion} ${x.kind} ${x.name}`)).toEqual(['v1 Pod pods', 'v1 Secret secrets', 'policy/v1 PodDisruptionBudget poddisruptionbudgets']);
      expect(calls).toEqual(['/api/v1', '/apis/policy/v1']);
      await dk.find('m1', 'policy/v1', 'PodDisruptionBudget');
      expect(calls).toHaveLength(2);
      // Unknown kind: a fresh list is not read again; one older than minRefreshMs is, once.
      expect((await dk.find('m1', 'policy/v1', 'Nope')).ok).toBe(true);
      expect(calls).toHaveLength(2);
      now += 11_000;
      await dk.find('m1', 'policy/v1', 'Nope');
      expect(calls).toHaveLength(4);
      await dk.find('m1', 'policy/v1', 'Nope');
      expect(calls).toHaveLength(4);
      now += 61_000;
      await dk.resources('m1');
      expect(calls).toHaveLength(6);
    } finally {
      Date.now = realNow;
    }
  });

  it('lists page by page, drops managedFields and Secret values, and stops at maxObjects', async () => {
    const item = (name: string) => ({ metadata: { name, namespace: 'ns', uid: name, resourceVersion: '1', managedFields: [{}] }, data: { password: 'c2VjcmV0' } });
    const { connection, calls } = fakeConnection({
      ...DISCOVERY,
      '/api/v1/secrets': { metadata: { continue: 't1' }, items: [item('a'), item('b')] },
      '/api/v1/secrets?continue=t1': { metadata: {}, items: [item('c')] },
    });
    const dk = new DynamicKinds({ connection: () => connection });
    const secret = (await dk.find('m1', 'v1', 'Secret'));
    if (!secret.ok || !secret.value) throw new Error('no Secret');
    const r = await dk.list('m1', secret.value);
    expect(r.ok && r.value.items.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(r.ok && r.value.truncated).toBe(false);
    const first = r.ok ? (r.value.items[0] as any) : undefined;
    expect(first).toMatchObject({ apiVersion: 'v1', kind: 'Secret', dataKeys: ['password'] });
    expect(first.data).toBeUndefined();
    expect(first.metadata.managedFields).toBeUndefined();
    expect(calls.filter((c) => c.startsWith('/api/v1/secrets'))).toEqual(['/api/v1/secrets', '/api/v1/secrets?continue=t1']);
    const bounded = new DynamicKinds({ connection: () => connection, maxObjects: 2 });
    const b = await bounded.list('m1', secret.value);
    expect(b.ok && b.value.items).toHaveLength(2);
    expect(b.ok && b.value.truncated).toBe(true);
  });

  it('a cluster that is down: its cached discovery still answers, lists fail as values; a GET 404 is null', async () => {
    const { connection, setDown } = fakeConnection(DISCOVERY);
    const dk = new DynamicKinds({ connection: () => connection, refreshMs: 0 });
    const pdb = await dk.find('m1', 'policy/v1', 'PodDisruptionBudget');
    if (!pdb.ok || !pdb.value) throw new Error('no pdb');
    expect(await dk.get('m1', pdb.value, 'ns', 'gone')).toEqual({ ok: true, cluster: 'm1', value: null });
    setDown(true);
    expect((await dk.resources('m1')).ok).toBe(true);
    const listed = await dk.list('m1', pdb.value);
    expect(listed.ok).toBe(false);
    expect(collectionPathOf(pdb.value, 'ns')).toBe('/apis/policy/v1/namespaces/ns/poddisruptionbudgets');
    expect(dk.register(pdb.value)).toBe('policy/v1/PodDisruptionBudget');
    expect(dk.descriptorOf('policy/v1/PodDisruptionBudget')).toMatchObject({ plural: 'poddisruptionbudgets', wholeObject: true, side: 'both' });
  });
});
