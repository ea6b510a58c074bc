import { describe, expect, it } from 'vitest';
import { ObjectIndex } from './ObjectIndex.js';
import type { SlimObject } from './types.js';

const pod = (name: string, node: string, owner: string, labels: Record<string, string>, namespace = 'ns'): SlimObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace, uid: `uid-${name}`, resourceVersion: '1', labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: `uid-${owner}` }] },
  spec: { nodeName: node, containers: [] },
});

const keyOf = (o: SlimObject) => `${o.metadata.namespace}/${o.metadata.name}`;

describe('ObjectIndex', () => {
  it('follows adds, moves and removals', () => {
    const index = new ObjectIndex();
    const a = pod('a', 'n1', 'rs1', { app: 'web' });
    const b = pod('b', 'n1', 'rs2', { app: 'api' });
    index.add('ns/a', a);
    index.add('ns/b', b);
    expect(index.keys('byNode', 'n1')).toEqual(['ns/a', 'ns/b']);
    expect(index.keys('byOwner', 'uid-rs1')).toEqual(['ns/a']);
    expect(index.keys('byLabel', 'app=api')).toEqual(['ns/b']);
    expect(index.keys('byNamespace', 'ns')).toEqual(['ns/a', 'ns/b']);
    // b moves to n2: remove the old version, add the new.
    index.remove('ns/b', b);
    index.add('ns/b', pod('b', 'n2', 'rs2', { app: 'api' }));
    expect(index.keys('byNode', 'n1')).toEqual(['ns/a']);
    expect(index.keys('byNode', 'n2')).toEqual(['ns/b']);
    index.remove('ns/a', a);
    expect(index.keys('byNode', 'n1')).toEqual([]);
    expect(index.keys('byOwner', 'uid-rs1')).toEqual([]);
  });

  it('answers in (namespace, name) order whatever the order of adds, removals and updates', () => {
    const index = new ObjectIndex();
    // Namespace "team" sorts before "team-a" as a tuple, although "team-a/…" < "team/…" as strings.
    const objs = [
      pod('web-2', 'n1', 'rs', {}, 'team'),
      pod('api-1', 'n1', 'rs', {}, 'team-a'),
      pod('web-1', 'n1', 'rs', {}, 'team'),
      pod('a', 'n1', 'rs', {}, 'default'),
      pod('web-10', 'n1', 'rs', {}, 'team'),
    ];
    for (const o of objs) index.add(keyOf(o), o);
    const expected = ['default/a', 'team/web-1', 'team/web-10', 'team/web-2', 'team-a/api-1'];
    expect(index.keys('byNode', 'n1')).toEqual(expected);
    expect(index.keys('byOwner', 'uid-rs')).toEqual(expected);
    expect(index.keys('byNamespace', 'team')).toEqual(['team/web-1', 'team/web-10', 'team/web-2']);

    // An update removes and adds again: the bucket keeps its order.
    const updated = pod('web-1', 'n1', 'rs', { v: '2' }, 'team');
    index.remove('team/web-1', objs[2]!);
    index.add('team/web-1', updated);
    expect(index.keys('byNode', 'n1')).toEqual(expected);

    // Adds at the end and in the middle, then a removal.
    const last = pod('zz', 'n1', 'rs', {}, 'zz');
    const middle = pod('web-15', 'n1', 'rs', {}, 'team');
    index.add(keyOf(last), last);
    index.add(keyOf(middle), middle);
    index.remove(keyOf(objs[3]!), objs[3]!);
    expect(index.keys('byNode', 'n1')).toEqual(['team/web-1', 'team/web-10', 'team/web-15', 'team/web-2', 'team-a/api-1', 'zz/zz']);
  });

  it('hands out the objects added, current versions only', () => {
    const index = new ObjectIndex();
    const a = pod('a', 'n1', 'rs1', {});
    const b1 = pod('b', 'n1', 'rs1', {});
    const b2 = pod('b', 'n1', 'rs1', { v: '2' });
    index.add('ns/b', b1);
    index.add('ns/a', a);
    index.remove('ns/b', b1);
    index.add('ns/b', b2);
    expect([...index.objects('byNode', 'n1')]).toEqual([a, b2]);
    expect([...index.objects('byNode', 'n1')][1]).toBe(b2);
    expect(index.objects('byNode', 'n9')).toHaveLength(0);
  });

  it('removes by key when given another instance of the object', () => {
    const index = new ObjectIndex();
    const a = pod('a', 'n1', 'rs1', {});
    index.add('ns/a', a);
    index.remove('ns/a', pod('a', 'n1', 'rs1', {}));
    expect(index.keys('byNode', 'n1')).toEqual([]);
  });

  it('orders cluster-scoped objects by name', () => {
    const index = new ObjectIndex();
    const node = (name: string): SlimObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid: name, resourceVersion: '1', labels: { pool: 'p' } } });
    for (const n of ['n3', 'n1', 'n2']) index.add(n, node(n));
    expect(index.keys('byLabel', 'pool=p')).toEqual(['n1', 'n2', 'n3']);
  });

  it('loads a whole list in key order into connection order', () => {
    const index = new ObjectIndex();
    // The API server's key order: "team-a/…" before "team/…"; connection order is the other way round.
    const listed = [pod('x', 'n1', 'rs', {}, 'team-a'), pod('y', 'n1', 'rs', {}, 'team-a'), pod('a', 'n1', 'rs', {}, 'team'), pod('b', 'n2', 'rs', {}, 'team')];
    index.add('old/o', pod('o', 'n1', 'rs', {}, 'old'));
    index.load(listed);
    expect(index.keys('byNode', 'n1')).toEqual(['team/a', 'team-a/x', 'team-a/y']);
    expect(index.keys('byOwner', 'uid-rs')).toEqual(['team/a', 'team/b', 'team-a/x', 'team-a/y']);
    expect(index.keys('byNamespace', 'old')).toEqual([]);
  });

  it('matches a sorted model through a long run of random adds, updates and removals', () => {
    const index = new ObjectIndex();
    const live = new Map<string, SlimObject>();
    // A small deterministic generator (no flakiness): the same run every time.
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let step = 0; step < 3000; step++) {
      const name = `p-${next(400)}`;
      const ns = ['a', 'a-b', 'ab', 'b'][next(4)]!;
      const key = `${ns}/${name}`;
      const before = live.get(key);
      if (before && next(3) === 0) {
        index.remove(key, before);
        live.delete(key);
        continue;
      }
      const after = pod(name, `n${next(3)}`, 'rs', { app: `x${next(2)}` }, ns);
      if (before) index.remove(key, before);
      index.add(key, after);
      live.set(key, after);
    }
    const model = [...live.values()].sort((x, y) => (x.metadata.namespace! === y.metadata.namespace! ? (x.metadata.name < y.metadata.name ? -1 : 1) : x.metadata.namespace! < y.metadata.namespace! ? -1 : 1));
    for (const node of ['n0', 'n1', 'n2']) {
      expect(index.objects('byNode', node)).toEqual(model.filter((o) => (o.spec as { nodeName: string }).nodeName === node));
    }
    expect(index.objects('byOwner', 'uid-rs')).toEqual(model);
    expect(index.objects('byLabel', 'app=x1')).toEqual(model.filter((o) => o.metadata.labels!.app === 'x1'));
    expect(index.objects('byNamespace', 'a-b')).toEqual(model.filter((o) => o.metadata.namespace === 'a-b'));
  });

  it('builds the label index from the store on first use, then keeps it', () => {
    const store = new Map<string, SlimObject>();
    const index = new ObjectIndex({ all: () => store.values() });
    const put = (o: SlimObject) => {
      const before = store.get(keyOf(o));
      if (before) index.remove(keyOf(o), before);
      store.set(keyOf(o), o);
      index.add(keyOf(o), o);
    };
    put(pod('c', 'n1', 'rs', { app: 'web' }));
    put(pod('a', 'n1', 'rs', { app: 'web' }));
    put(pod('b', 'n1', 'rs', { app: 'api' }));
    expect(index.keys('byLabel', 'app=web')).toEqual(['ns/a', 'ns/c']);
    // Kept from now on: a move between labels, an addition and a removal.
    put(pod('b', 'n1', 'rs', { app: 'web' }));
    put(pod('d', 'n1', 'rs', { app: 'api' }));
    index.remove('ns/c', store.get('ns/c')!);
    store.delete('ns/c');
    expect(index.keys('byLabel', 'app=web')).toEqual(['ns/a', 'ns/b']);
    expect(index.keys('byLabel', 'app=api')).toEqual(['ns/d']);
    // A relist keeps it too.
    const fresh = [pod('e', 'n1', 'rs', { app: 'api' })];
    index.load(fresh);
    expect(index.keys('byLabel', 'app=api')).toEqual(['ns/e']);
    expect(index.keys('byLabel', 'app=web')).toEqual([]);
  });

  it('fills every kept index from a one-shot iterator on load, the label index included once asked for', () => {
    const listed = [pod('a', 'n1', 'rs', { app: 'web' }), pod('b', 'n2', 'rs', { app: 'web' })];
    const index = new ObjectIndex({ all: () => listed.values() });
    index.load(listed.values());
    expect(index.keys('byNode', 'n2')).toEqual(['ns/b']);
    expect(index.keys('byOwner', 'uid-rs')).toEqual(['ns/a', 'ns/b']);
    expect(index.keys('byNamespace', 'ns')).toEqual(['ns/a', 'ns/b']);
    expect(index.keys('byLabel', 'app=web')).toEqual(['ns/a', 'ns/b']);
  });
});
