import { describe, expect, it } from 'vitest';
import { compareInDirection, compareValues, OrderedIndex, type SortValue, type StartAfter } from './OrderedIndex.js';
import type { SlimObject } from './types.js';

/** An object whose sort value sits in a label (`v`, absent = null; numeric when it parses). */
const obj = (namespace: string, name: string, v: SortValue): SlimObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace, uid: `${namespace}/${name}`, resourceVersion: '1', ...(v === null ? {} : { labels: { v: String(v) } }) },
});
const valueOf = (o: SlimObject): SortValue => (o.metadata.labels?.v === undefined ? null : Number(o.metadata.labels.v));
const id = (o: SlimObject) => `${o.metadata.namespace}/${o.metadata.name}`;

function readAll(index: OrderedIndex, desc: boolean, after: StartAfter | null = null, accept?: (o: SlimObject) => boolean): string[] {
  const r = index.reader(desc, after, accept);
  const out: string[] = [];
  for (let o = r.next(); o; o = r.next()) out.push(id(o));
  return out;
}

/** The reference order: value in direction (null last), then namespace, name ascending. */
function reference(objs: SlimObject[], desc: boolean): string[] {
  return [...objs]
    .sort((a, b) => compareInDirection(valueOf(a), valueOf(b), desc) || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0))
    .map(id);
}

/** StartAfter for the object `o` (same cluster, kind). */
const after = (o: SlimObject): StartAfter => ({
  value: valueOf(o),
  tie: (x) => (id(x) < id(o) ? -1 : id(x) > id(o) ? 1 : 0),
});

describe('compareValues', () => {
  it('compares numbers numerically, strings by code unit, null last', () => {
    expect(compareValues(9, 10)).toBeLessThan(0);
    expect(compareValues('9', '10')).toBeGreaterThan(0);
    expect(compareValues(null, 1)).toBeGreaterThan(0);
    expect(compareInDirection(null, 1, true)).toBeGreaterThan(0);
    expect(compareInDirection(2, 1, true)).toBeLessThan(0);
  });
});

describe('OrderedIndex', () => {
  const objs = [
    obj('b', 'x', 10), obj('a', 'y', 9), obj('a', 'x', 10), obj('c', 'z', null), obj('a', 'n', null),
    obj('a', 'm', 100), obj('b', 'b', 9), obj('a', 'q', 10), obj('a', 'r', 2),
  ];

  it('reads in (value, namespace, name) order both ways, ties ascending and missing values last', () => {
    const index = new OrderedIndex({ id: 't', value: valueOf });
    index.load(objs);
    expect(readAll(index, false)).toEqual(reference(objs, false));
    expect(readAll(index, true)).toEqual(reference(objs, true));
    expect(readAll(index, true).slice(0, 4)).toEqual(['a/m', 'a/q', 'a/x', 'b/x']);
    expect(readAll(index, true).slice(-2)).toEqual(['a/n', 'c/z']);
  });

  it('starts strictly after any key, present or gone, in both directions', () => {
    const index = new OrderedIndex({ id: 't', value: valueOf });
    index.load(objs);
    for (const desc of [false, true]) {
      const ref = reference(objs, desc);
      for (const o of objs) expect(readAll(index, desc, after(o))).toEqual(ref.slice(ref.indexOf(id(o)) + 1));
      // Keys of objects not in the index: the read continues where they would be.
      for (const ghost of [obj('a', 'p', 10), obj('zz', 'z', 10), obj('0', '0', 5), obj('b', 'a', null), obj('a', 'a', 1000)]) {
        const withGhost = reference([...objs, ghost], desc);
        const expected = withGhost.slice(withGhost.indexOf(id(ghost)) + 1);
        expect(readAll(index, desc, after(ghost))).toEqual(expected);
      }
    }
  });

  it('skips what `accept` refuses', () => {
    const index = new OrderedIndex({ id: 't', value: valueOf });
    index.load(objs);
    const inA = (o: SlimObject) => o.metadata.namespace === 'a';
    expect(readAll(index, true, null, inA)).toEqual(reference(objs.filter(inA), true));
    expect(readAll(index, false, after(objs[2]!), inA)).toEqual(['a/m', 'a/n']);
  });

  it('stays ordered through adds, removals and value changes (random)', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const index = new OrderedIndex({ id: 't', value: valueOf });
    const live = new Map<string, SlimObject>();
    index.load([]);
    for (let i = 0; i < 2000; i++) {
      const o = obj(`ns${rnd(3)}`, `p${rnd(60)}`, rnd(10) === 0 ? null : rnd(8));
      const before = live.get(id(o));
      if (before) index.remove(before);
      if (rnd(4) === 0) live.delete(id(o));
      else {
        index.add(o);
        live.set(id(o), o);
      }
    }
    expect(index.size).toBe(live.size);
    expect(readAll(index, false)).toEqual(reference([...live.values()], false));
    expect(readAll(index, true)).toEqual(reference([...live.values()], true));
  });

  it('finds the start of a long run of equal values (descending, galloping)', () => {
    const many = Array.from({ length: 1000 }, (_, i) => obj('n', `p${String(i).padStart(4, '0')}`, i < 10 ? 1 : 5));
    const index = new OrderedIndex({ id: 't', value: valueOf });
    index.load(many);
    const read = readAll(index, true);
    expect(read.slice(0, 2)).toEqual(['n/p0010', 'n/p0011']);
    expect(read.slice(989, 991)).toEqual(['n/p0999', 'n/p0000']);
    expect(readAll(index, true, after(many[500]!))[0]).toBe('n/p0501');
  });
});
