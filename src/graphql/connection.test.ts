import { describe, expect, it } from 'vitest';
import type { GraphQLError } from 'graphql';
import { compareKeys, connectionOf, decodeCursor, encodeCursor, orderBy, pageArgs } from './connection.js';

const items = ['d', 'a', 'c', 'b', 'e'].map((name) => ({ name }));
const key = (i: { name: string }) => [i.name];

describe('connections', () => {
  it('sorts, pages and counts everything', () => {
    const first = connectionOf(items, key, pageArgs({ first: 2 }));
    expect(first.edges.map((e) => e.node.name)).toEqual(['a', 'b']);
    expect(first.totalCount).toBe(5);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = connectionOf(items, key, pageArgs({ first: 2, after: first.pageInfo.endCursor }));
    expect(second.edges.map((e) => e.node.name)).toEqual(['c', 'd']);
    const third = connectionOf(items, key, pageArgs({ first: 2, after: second.pageInfo.endCursor }));
    expect(third.edges.map((e) => e.node.name)).toEqual(['e']);
    expect(third.pageInfo.hasNextPage).toBe(false);
  });

  it('stays stable when the item after which we page disappears', () => {
    const cursor = encodeCursor(['b']);
    const page = connectionOf(items.filter((i) => i.name !== 'b'), key, pageArgs({ first: 10, after: cursor }));
    expect(page.edges.map((e) => e.node.name)).toEqual(['c', 'd', 'e']);
  });

  it('rejects cursors it did not issue', () => {
    for (const bad of ['!!', Buffer.from('hello').toString('base64url'), Buffer.from('c1:{"a":1}').toString('base64url')]) {
      let error: GraphQLError | undefined;
      try {
        decodeCursor(bad);
      } catch (e) {
        error = e as GraphQLError;
      }
      expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
  });
});

/** The implementation before lazy cursors and binary search: every page must stay exactly what it gave. */
function referenceConnection<T>(items: readonly T[], keyOf: (item: T) => string[], page: { first: number; after: string[] | null }) {
  const keyed = items.map((node) => ({ node, key: keyOf(node) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  let start = 0;
  if (page.after) {
    const after = page.after;
    start = keyed.findIndex((k) => compareKeys(k.key, after) > 0);
    if (start < 0) start = keyed.length;
  }
  const slice = keyed.slice(start, start + page.first);
  const edges = slice.map((k) => ({ node: k.node, cursor: encodeCursor(k.key) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: start + page.first < keyed.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount: keyed.length,
  };
}

/** A connection read the way GraphQL reads it (getters included), as plain data. */
function plain<T>(c: ReturnType<typeof connectionOf<T>>) {
  return {
    edges: c.edges.map((e) => ({ node: e.node, cursor: e.cursor })),
    pageInfo: { hasNextPage: c.pageInfo.hasNextPage, hasPreviousPage: c.pageInfo.hasPreviousPage, startCursor: c.pageInfo.startCursor, endCursor: c.pageInfo.endCursor },
    totalCount: c.totalCount,
  };
}

interface Item { cluster: string; namespace: string; name: string; n: number }
const itemOrder = orderBy<Item>((i) => i.cluster, (i) => i.namespace, (i) => i.name);
const itemKey = (i: Item) => [i.cluster, i.namespace, i.name];

/** Deterministic pseudo-random items, with repeated keys and namespaces that are prefixes of others. */
function randomItems(count: number, seed: number): Item[] {
  let s = seed;
  const next = (n: number) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % n;
  };
  const namespaces = ['team', 'team-a', 'team.b', 'default', 'a'];
  return Array.from({ length: count }, (_, n) => ({ cluster: `member${next(3)}`, namespace: namespaces[next(namespaces.length)]!, name: `pod-${next(40)}`, n }));
}

describe('connections over an ordering', () => {
  it('gives exactly the pages, cursors and counts of a sort per request, sorted input or not', () => {
    for (const seed of [1, 2, 3, 4]) {
      const all = randomItems(120, seed);
      const sorted = [...all].sort((a, b) => itemOrder.compare(a, b));
      for (const input of [all, sorted]) {
        for (const first of [1, 7, 50, 500]) {
          let after: string | null = null;
          let pages = 0;
          for (;;) {
            const args = pageArgs({ first, after });
            const expected = referenceConnection(input, itemKey, args);
            expect(plain(connectionOf(input, itemOrder, args))).toEqual(expected);
            expect(plain(connectionOf(input, itemKey, args))).toEqual(expected);
            pages++;
            if (!expected.pageInfo.hasNextPage) break;
            after = expected.pageInfo.endCursor;
          }
          // Paging went through the whole list (duplicate keys straddling a page are skipped, as before).
          expect(pages > 1).toBe(first < all.length);
        }
      }
    }
  });

  it('keeps equal keys in input order and never modifies the input', () => {
    const input: Item[] = [
      { cluster: 'b', namespace: 'x', name: 'p', n: 0 },
      { cluster: 'a', namespace: 'x', name: 'p', n: 1 },
      { cluster: 'a', namespace: 'x', name: 'p', n: 2 },
    ];
    const copy = [...input];
    const page = connectionOf(input, itemOrder, pageArgs({ first: 10 }));
    expect(page.edges.map((e) => e.node.n)).toEqual([1, 2, 0]);
    expect(input).toEqual(copy);
  });

  it('pages on after objects come and go, from cursors issued before (also cursors of other key lengths)', () => {
    const base = randomItems(60, 9);
    const first = connectionOf(base, itemOrder, pageArgs({ first: 20 }));
    const cursor = first.pageInfo.endCursor!;
    const lastServed = first.edges[19]!.node;
    // The item the cursor points at goes away, others arrive before and after it.
    const changed = [
      ...base.filter((i) => i !== lastServed),
      { cluster: 'member0', namespace: 'a', name: 'pod-new', n: 100 },
      { cluster: 'member2', namespace: 'team-a', name: 'pod-new', n: 101 },
    ];
    const args = pageArgs({ first: 100, after: cursor });
    const next = connectionOf(changed, itemOrder, args);
    expect(plain(next)).toEqual(referenceConnection(changed, itemKey, args));
    expect(next.edges.every((e) => compareKeys(itemKey(e.node), itemKey(lastServed)) > 0)).toBe(true);
    for (const key of [['member1'], ['member1', 'team'], ['member1', 'team', 'pod-3', 'extra'], []]) {
      const a = { first: 100, after: key };
      expect(plain(connectionOf(base, itemOrder, a))).toEqual(referenceConnection(base, itemKey, a));
    }
  });

  it('encodes a cursor only when it is read, and the same one as before', () => {
    let keys = 0;
    const counting = orderBy<Item>((i) => i.cluster, (i) => i.namespace, (i) => i.name);
    const key = counting.key;
    counting.key = (i) => {
      keys++;
      return key(i);
    };
    const input = [...randomItems(30, 5)].sort((a, b) => itemOrder.compare(a, b));
    const page = connectionOf(input, counting, pageArgs({ first: 30 }));
    expect(page.totalCount).toBe(30);
    expect(page.edges.map((e) => e.node)).toEqual(input);
    expect(keys).toBe(0);
    expect(page.edges[3]!.cursor).toBe(encodeCursor(itemKey(input[3]!)));
    expect(page.pageInfo.endCursor).toBe(encodeCursor(itemKey(input[29]!)));
    expect(keys).toBe(2);
  });

  it('learns a list once: the same list sorted, paged and cut into the same first page on every read', () => {
    let compares = 0;
    const counting = orderBy<Item>((i) => i.cluster, (i) => i.namespace, (i) => i.name);
    const compare = counting.compare;
    counting.compare = (a, b) => {
      compares++;
      return compare(a, b);
    };
    const input = randomItems(40, 6);
    const expected = [...input].sort((a, b) => itemOrder.compare(a, b));
    const first = connectionOf(input, counting, pageArgs({ first: 10 }));
    expect(first.edges.map((e) => e.node)).toEqual(expected.slice(0, 10));
    const learnt = compares;
    const again = connectionOf(input, counting, pageArgs({ first: 10 }));
    expect(again).toBe(first); // one page, shared: nothing in it changes
    expect(connectionOf(input, counting, pageArgs({ first: 5 })).edges.map((e) => e.node)).toEqual(expected.slice(0, 5));
    const next = connectionOf(input, counting, pageArgs({ first: 10, after: first.pageInfo.endCursor }));
    expect(next.edges.map((e) => e.node)).toEqual(expected.slice(10, 20));
    expect(compares - learnt).toBeLessThan(20); // the binary search for `after`, never another pass or sort
    // Another ordering of the same list is learnt apart.
    const byName = orderBy<Item>((i) => i.name, (i) => i.cluster, (i) => i.namespace);
    expect(connectionOf(input, byName, pageArgs({ first: 40 })).edges.map((e) => e.node))
      .toEqual([...input].sort((a, b) => byName.compare(a, b)));
    expect(input).not.toEqual(expected); // never sorted in place
  });
});

