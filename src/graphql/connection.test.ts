import { describe, expect, it } from 'vitest';
import type { GraphQLError } from 'graphql';
import { connectionOf, decodeCursor, encodeCursor, pageArgs } from './connection.js';

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
