/**
 * Relay connections over in-memory sorted lists. Every list is sorted by a total order of string keys
 * (cluster, namespace, name, ...) and a cursor is the opaque key of the last item served, so the next
 * page starts strictly after it: paging stays stable while objects come and go between requests.
 *
 * A page costs one pass over the matches, not a sort and a key per match: the cache's indexes iterate in
 * connection order (src/cache/ObjectIndex.ts) and members are merged in name order, so the list usually
 * arrives sorted, which one comparison per item confirms; `after` is found by binary search; and a cursor
 * is encoded only when a client reads it (large traversals rarely select `cursor`).
 */
import { badUserInput } from './errors.js';
import { checkFirst } from './validation.js';

const CURSOR_PREFIX = 'c1:';
/** Cursors of sorted connections (`orderBy`): the order they were issued under, then the typed key. */
const ORDERED_CURSOR_PREFIX = 'c2:';

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
  if (text.startsWith(ORDERED_CURSOR_PREFIX) && decodeOrdered(text) !== undefined) {
    throw badUserInput(`${field}: this cursor was issued under orderBy ${decodeOrdered(text)![0]}; page on with the same orderBy`, field);
  }
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

/**
 * The key of an item of a sorted connection: its sort value (a number, a string, or null when missing),
 * then the tie-breaking identity, so that the order is total.
 */
export interface OrderedKey {
  value: number | string | null;
  cluster: string;
  namespace: string;
  kind: string;
  name: string;
}

/**
 * A cursor of a sorted connection: `order` names the order it was issued under (e.g. `Pod:CPU_REQUEST:DESC`),
 * so a cursor used under another order is refused rather than read as a position it is not.
 */
export function encodeOrderedCursor(order: string, key: OrderedKey): string {
  const body = JSON.stringify([order, key.value, key.cluster, key.namespace, key.kind, key.name]);
  return Buffer.from(ORDERED_CURSOR_PREFIX + body, 'utf8').toString('base64url');
}

function decodeOrdered(text: string): [string, OrderedKey] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(ORDERED_CURSOR_PREFIX.length));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 6) return undefined;
  const [order, value, cluster, namespace, kind, name] = parsed as unknown[];
  if (typeof order !== 'string' || ![cluster, namespace, kind, name].every((p) => typeof p === 'string')) return undefined;
  if (value !== null && typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) return undefined;
  return [order, { value, cluster, namespace, kind, name } as OrderedKey];
}

/**
 * Decodes `after` of a sorted connection issued under `order`; BAD_USER_INPUT (field `after`) for anything
 * the gateway did not issue, and for a cursor issued under another order (or none): its position means
 * nothing in this one. `valueType` is the type the field's values have.
 */
export function decodeOrderedCursor(cursor: string, order: string, valueType: 'number' | 'string', field = 'after'): OrderedKey {
  const fail = (why = 'is not a cursor this API issued'): never => {
    throw badUserInput(`${field}: "${cursor.slice(0, 40)}" ${why}`, field);
  };
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) fail();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (text.startsWith(CURSOR_PREFIX)) fail(`was issued without orderBy; it cannot be used with orderBy ${order}`);
  if (!text.startsWith(ORDERED_CURSOR_PREFIX)) fail();
  const decoded = decodeOrdered(text) ?? fail();
  if (decoded[0] !== order) fail(`was issued under orderBy ${decoded[0]}; it cannot be used with orderBy ${order}`);
  const value = decoded[1].value;
  if (value !== null && typeof value !== valueType) fail();
  return decoded[1];
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

/**
 * The order of a connection, given by the parts of its key. Compares items without building their keys;
 * every comparison agrees with compareKeys on the keys.
 */
export interface Ordering<T> {
  /** The key of an item: what its cursor encodes. */
  key(item: T): string[];
  /** compareKeys(key(a), key(b)). */
  compare(a: T, b: T): number;
  /** compareKeys(key(item), key). */
  compareToKey(item: T, key: readonly string[]): number;
}

/** The ordering whose key is `[parts[0](item), parts[1](item), ...]`. */
export function orderBy<T>(...parts: Array<(item: T) => string>): Ordering<T> {
  const n = parts.length;
  return {
    key: (item) => parts.map((p) => p(item)),
    compare(a, b) {
      for (let i = 0; i < n; i++) {
        const x = parts[i]!(a);
        const y = parts[i]!(b);
        if (x !== y) return x < y ? -1 : 1;
      }
      return 0;
    },
    compareToKey(item, key) {
      const m = Math.min(n, key.length);
      for (let i = 0; i < m; i++) {
        const x = parts[i]!(item);
        const y = key[i]!;
        if (x < y) return -1;
        if (x > y) return 1;
      }
      return n - key.length;
    },
  };
}

/** An edge whose cursor is encoded on first read: GraphQL's default resolver reads the getter. */
class Edge<T> {
  #cursor: string | undefined;

  constructor(
    readonly node: T,
    /** The item's key, or the ordering that gives it. */
    private readonly keySource: readonly string[] | Ordering<T>,
  ) {}

  get cursor(): string {
    if (this.#cursor === undefined) {
      const k = this.keySource;
      this.#cursor = encodeCursor(Array.isArray(k) ? k : (k as Ordering<T>).key(this.node));
    }
    return this.#cursor;
  }
}

/** PageInfo whose cursors are read from the edges (encoded only when selected). */
export class PageInfo {
  constructor(
    private readonly edges: ReadonlyArray<{ readonly cursor: string }>,
    readonly hasNextPage: boolean,
    readonly hasPreviousPage: boolean,
  ) {}

  get startCursor(): string | null {
    return this.edges[0]?.cursor ?? null;
  }

  get endCursor(): string | null {
    return this.edges[this.edges.length - 1]?.cursor ?? null;
  }
}

export interface Connection<T> {
  edges: Array<{ readonly node: T; readonly cursor: string }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

/** First index in `0..length` whose item is after `after` (items sorted; `compare(i)` against `after`). */
function firstAfter(length: number, compare: (i: number) => number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(mid) > 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function page<T>(nodes: readonly T[], keySourceAt: (i: number) => readonly string[] | Ordering<T>, start: number, args: PageArgs): Connection<T> {
  const end = Math.min(nodes.length, start + args.first);
  const edges: Array<Edge<T>> = [];
  for (let i = start; i < end; i++) edges.push(new Edge(nodes[i]!, keySourceAt(i)));
  return {
    edges,
    pageInfo: new PageInfo(edges, start + args.first < nodes.length, start > 0),
    totalCount: nodes.length,
  };
}

/** What connectionOf learnt about a list it was given: the list in an ordering (itself when already sorted). */
interface SortedList {
  order: Ordering<never>;
  sorted: readonly unknown[];
  /** First pages already cut from it (`after` absent), by `first`. */
  firstPages?: Map<number, Connection<unknown>>;
}

/**
 * Lists connectionOf has sorted (or found sorted), while they live. The lists the cache keeps are one array
 * until their next change, wrapped once (src/graphql/reads.ts `locate`): every request between two changes
 * reads the same array, so it is checked (or sorted) once, not once per request, and its first pages (a
 * traversal's pages: no `after`) are cut once too. A page is immutable (an edge's cursor is encoded once,
 * on first read), so requests share it as they share the objects in it.
 */
const sortedLists = new WeakMap<readonly unknown[], SortedList>();

/** How many first pages are kept per list (different `first`s). */
const FIRST_PAGES_KEPT = 4;

/**
 * Sorts `items` in the connection's order (`keyOf`, or an Ordering for large lists) and cuts the page
 * after `page.after`. Items with equal keys keep their input order. `items` is never modified, and must not
 * be modified after (see sortedLists): lists are the cache's, or made for one request.
 */
export function connectionOf<T>(items: readonly T[], order: Ordering<T> | ((item: T) => string[]), args: PageArgs): Connection<T> {
  if (typeof order !== 'function') {
    let known = sortedLists.get(items);
    if (known?.order !== (order as Ordering<never>)) {
      let sorted = items;
      for (let i = 1; i < items.length; i++) {
        if (order.compare(items[i - 1]!, items[i]!) > 0) {
          // Array.prototype.sort is stable and adaptive: a list that is sorted but for a few late additions
          // costs little more than the check above.
          sorted = [...items].sort((a, b) => order.compare(a, b));
          break;
        }
      }
      known = { order: order as Ordering<never>, sorted };
      sortedLists.set(items, known);
    }
    const sorted = known.sorted as readonly T[];
    const after = args.after;
    if (after) return page(sorted, () => order, firstAfter(sorted.length, (i) => order.compareToKey(sorted[i]!, after)), args);
    let cut = known.firstPages?.get(args.first) as Connection<T> | undefined;
    if (!cut) {
      cut = page(sorted, () => order, 0, args);
      known.firstPages ??= new Map();
      if (known.firstPages.size >= FIRST_PAGES_KEPT) known.firstPages.clear();
      known.firstPages.set(args.first, cut as Connection<unknown>);
    }
    return cut;
  }
  const keyed = items.map((node) => ({ node, key: order(node) }));
  for (let i = 1; i < keyed.length; i++) {
    if (compareKeys(keyed[i - 1]!.key, keyed[i]!.key) > 0) {
      keyed.sort((a, b) => compareKeys(a.key, b.key));
      break;
    }
  }
  const after = args.after;
  const start = after ? firstAfter(keyed.length, (i) => compareKeys(keyed[i]!.key, after)) : 0;
  return page(keyed.map((k) => k.node), (i) => keyed[i]!.key, start, args);
}
