/**
 * Relay connections over in-memory sorted lists. Every list is sorted by a total order of string keys
 * (cluster, namespace, name, ...) and a cursor is the opaque key of the last item served, so the next
 * page starts strictly after it: paging stays stable while objects come and go between requests.
 */
import { badUserInput } from './errors.js';
import { checkFirst } from './validation.js';

const CURSOR_PREFIX = 'c1:';

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(CURSOR_PREFIX + JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes `after`; BAD_USER_INPUT (field `after`) for anything the gateway did not issue. */
export function decodeCursor(cursor: string, field = 'after'): string[] {
  const fail = (): never => {
    throw badUserInput(`${field}: "${cursor.slice(0, 40)}" is not a cursor this API issued`, field);
  };
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) fail();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(CURSOR_PREFIX)) fail();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(CURSOR_PREFIX.length));
  } catch {
    fail();
  }
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) fail();
  return parsed as string[];
}

/** Paging arguments, validated before any upstream call. */
export interface PageArgs {
  first: number;
  after: string[] | null;
}

export function pageArgs(args: { first?: number | null; after?: string | null }): PageArgs {
  return { first: checkFirst(args.first), after: args.after ? decodeCursor(args.after) : null };
}

export function compareKeys(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return a.length - b.length;
}

export interface Connection<T> {
  edges: Array<{ node: T; cursor: string }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

/** Sorts `items` by `keyOf` and cuts the page after `page.after`. */
export function connectionOf<T>(items: readonly T[], keyOf: (item: T) => string[], page: PageArgs): Connection<T> {
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
