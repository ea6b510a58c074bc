import { describe, expect, it } from 'vitest';
import { OrderedIndex, compareInDirection, type SortValue } from '../cache/OrderedIndex.js';
import type { SlimObject } from '../cache/types.js';
import { decodeCursor, decodeOrderedCursor, encodeCursor, encodeOrderedCursor } from './connection.js';
import { mergeReaders } from './sortedConnection.js';

const obj = (namespace: string, name: string, v: number | null): SlimObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace, uid: name, resourceVersion: '1', ...(v === null ? {} : { labels: { v: String(v) } }) },
});
const valueOf = (o: SlimObject): SortValue => (o.metadata.labels?.v === undefined ? null : Number(o.metadata.labels.v));

describe('mergeReaders (k-way merge)', () => {
  it('merges per-member ordered readers into the fleet order, ties by cluster, namespace, name', () => {
    let seed = 11;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const members = ['m1', 'm2', 'm3', 'm4'].map((cluster) => {
      const objs = Array.from({ length: 50 }, (_, i) => obj(`ns${rnd(3)}`, `p${i}`, rnd(7) === 0 ? null : rnd(20)));
      const index = new OrderedIndex({ id: 'v', value: valueOf });
      index.load(objs);
      return { cluster, index, objs };
    });
    const all = members.flatMap((m) => m.objs.map((o) => ({ cluster: m.cluster, o })));
    const idOf = (c: string, o: SlimObject) => `${c}/${o.metadata.namespace}/${o.metadata.name}`;
    for (const desc of [false, true]) {
      const expected = [...all]
        .sort((a, b) => compareInDirection(valueOf(a.o), valueOf(b.o), desc) || (idOf(a.cluster, a.o) < idOf(b.cluster, b.o) ? -1 : 1))
        .map((x) => idOf(x.cluster, x.o));
      const merged = mergeReaders(members.map((m) => ({ reader: m.index.reader(desc, null), clusterKey: m.cluster })), desc, 1000);
      expect(merged.map((x) => idOf(members[x.source]!.cluster, x.obj))).toEqual(expected);
      // The limit stops the merge early.
      expect(mergeReaders(members.map((m) => ({ reader: m.index.reader(desc, null), clusterKey: m.cluster })), desc, 7).length).toBe(7);
    }
  });
});

describe('ordered cursors', () => {
  const key = { value: 0.25, cluster: 'm1', namespace: 'shop', kind: 'Pod', name: 'web-1' };

  it('round-trip typed keys under their order', () => {
    const c = encodeOrderedCursor('Pod:CPU_REQUEST:DESC', key);
    expect(decodeOrderedCursor(c, 'Pod:CPU_REQUEST:DESC', 'number')).toEqual(key);
    expect(decodeOrderedCursor(encodeOrderedCursor('Pod:NODE:ASC', { ...key, value: null }), 'Pod:NODE:ASC', 'string').value).toBeNull();
  });

  it('refuse a cursor of another order, of no order, or of the wrong value type (BAD_USER_INPUT on after)', () => {
    const sorted = encodeOrderedCursor('Pod:CPU_REQUEST:DESC', key);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return [(e as { extensions?: { code?: string; field?: string } }).extensions?.code, (e as { extensions?: { field?: string } }).extensions?.field];
      }
      return undefined;
    };
    expect(code(() => decodeOrderedCursor(sorted, 'Pod:CPU_REQUEST:ASC', 'number'))).toEqual(['BAD_USER_INPUT', 'after']);
    expect(code(() => decodeOrderedCursor(encodeCursor(['m1', 'shop', 'web-1']), 'Pod:NAME:ASC', 'string'))).toEqual(['BAD_USER_INPUT', 'after']);
    expect(code(() => decodeCursor(sorted))).toEqual(['BAD_USER_INPUT', 'after']);
    expect(code(() => decodeOrderedCursor(sorted, 'Pod:CPU_REQUEST:DESC', 'string'))).toEqual(['BAD_USER_INPUT', 'after']);
    expect(code(() => decodeOrderedCursor('bm90LWEtY3Vyc29y', 'Pod:NAME:ASC', 'string'))).toEqual(['BAD_USER_INPUT', 'after']);
  });
});
