/**
 * Sorted connections (`orderBy`): a page of objects in the order of one field, ties broken by cluster,
 * namespace, kind and name so that the order is total, merged across sources (members, or kinds of one
 * cluster) by a k-way merge of per-source ordered readers.
 *
 * Each source reads in one of two ways:
 * - indexed fields of informer-backed kinds: the informer's ordered index for the field (src/cache/OrderedIndex.ts,
 *   built on first use, kept up to date by every change), from a binary search for `after`, skipping
 *   objects the filter (and the caller's namespace cut) refuses as it goes. A page of N costs about
 *   N log k heap operations plus the skipped objects;
 * - otherwise (usage from the metrics API and roll-ups, which no informer holds; fetch-mode kinds; and a
 *   filter that keeps less than 1/SCAN_LIMIT of the index, where skipping would cost more than sorting):
 *   the source's matches sorted for this request.
 * totalCount is the number of matches, read on the existing filtered path (indexes by namespace and node).
 *
 * Cursors carry the order they were issued under and the typed key (connection.ts, encodeOrderedCursor):
 * the next page starts strictly after the key, wherever the object went since.
 */
import type { OrderedReader, SortSpec, SortValue, StartAfter } from '../cache/OrderedIndex.js';
import { compareInDirection, OrderedIndex } from '../cache/OrderedIndex.js';
import { compileFilter, matchesFilter } from '../cache/matchesFilter.js';
import type { ListFilter, SlimObject } from '../cache/types.js';
import type { KindName } from '../fleet/kinds.js';
import type { ClusterResult } from '../fleet/types.js';
import { isApiNotServed } from '../fleet/UpstreamError.js';
import { ErrorCode } from '../errors/codes.js';
import { decodeOrderedCursor, encodeOrderedCursor, PageInfo, type Connection, type OrderedKey } from './connection.js';
import type { GraphQLContext } from './context.js';
import type { Located, ResourceTypeName } from './models.js';
import { fleetClusterKey, scopedObjectsIn } from './reads.js';
import { checkFirst } from './validation.js';
import { located } from './located.js';
import { clusterFailure } from './errors.js';
import type { ClusterError } from '../fleet/types.js';

/** One field a connection can be sorted by. */
export interface SortField {
  /** The enum value (e.g. `CPU_REQUEST`). */
  name: string;
  /** The type of its values (cursors are checked against it). */
  valueType: 'number' | 'string';
  /** Values from the object alone: kept in the informers' ordered indexes. */
  spec?: SortSpec;
  /**
   * Values needing more than the object (metrics, roll-ups), computed per request and source: a function
   * from object to value. Missing values are null (sorted last).
   */
  perRequest?: (ctx: GraphQLContext, source: SortedSource) => Promise<(obj: SlimObject) => SortValue>;
}

/** The `orderBy` argument. */
export interface OrderArg {
  field: string;
  direction?: 'ASC' | 'DESC' | null;
}

/** A validated order: the field, the direction, the name its cursors carry, the decoded `after`. */
export interface SortedPage {
  field: SortField;
  desc: boolean;
  /** `<Type>:<FIELD>:<ASC|DESC>`, what cursors carry. */
  tag: string;
  first: number;
  after: OrderedKey | null;
}

/**
 * Validates `orderBy`, `first` and `after` (BAD_USER_INPUT before any upstream call; the field and direction
 * are enums, checked by GraphQL already).
 */
export function sortedPageArgs(
  typeName: string, fields: ReadonlyMap<string, SortField>, order: OrderArg, args: { first?: number | null; after?: string | null },
): SortedPage {
  const field = fields.get(order.field);
  if (!field) throw new Error(`no sort field ${order.field} for ${typeName}`); // the enum and the map disagree: a bug
  const desc = order.direction === 'DESC';
  const tag = `${typeName}:${field.name}:${desc ? 'DESC' : 'ASC'}`;
  const first = checkFirst(args.first);
  return { field, desc, tag, first, after: args.after ? decodeOrderedCursor(args.after, tag, field.valueType) : null };
}

/** One list to merge: the objects of one kind in one cluster that match, and how to tell them in the index. */
export interface SortedSource {
  /** Member name; null for the Karmada control plane. */
  cluster: string | null;
  kind: KindName;
  type: ResourceTypeName;
  /** The matches (filter, caller's namespaces, local filter applied). */
  matches: readonly SlimObject[];
  /** Whether an object of the kind's whole list is a match; null when every object is. */
  accept: ((obj: SlimObject) => boolean) | null;
}

/**
 * One source read for a sorted connection: the matches as scopedObjectsIn answers them, and the predicate
 * that tells them among all the kind's objects (the same filter, the same namespace cut, then `local`).
 */
export async function sortedSourceIn(
  ctx: GraphQLContext, kind: KindName, cluster: string | null, type: ResourceTypeName,
  filter?: ListFilter, local?: (obj: SlimObject) => boolean, explicit = false,
): Promise<ClusterResult<SortedSource>> {
  const r = await scopedObjectsIn(ctx, kind, cluster, filter, explicit);
  if (!r.ok) return r;
  const { objects, namespaces } = r.value;
  const hasFilter = filter !== undefined && Object.values(filter).some((v) => v !== undefined && v !== null);
  const compiled = hasFilter ? compileFilter(filter) : undefined;
  let accept: SortedSource['accept'] = null;
  if (compiled || namespaces || local) {
    accept = (o) =>
      (!compiled || matchesFilter(o, compiled)) &&
      (!namespaces || (o.metadata.namespace !== undefined && namespaces.has(o.metadata.namespace))) &&
      (!local || local(o));
  }
  return { ok: true, cluster: r.cluster, value: { cluster, kind, type, matches: local ? objects.filter(local) : objects, accept } };
}

/**
 * sortedSourceIn over members (all of them, sorted, or the ones the caller's filter named), failures kept
 * apart as listAcross keeps them: a member that does not serve the kind is left out, and a refusal is
 * dropped when another member answered and the caller did not name members.
 */
export async function sortedSourcesAcross(
  ctx: GraphQLContext, kind: KindName, type: ResourceTypeName, filter?: ListFilter, local?: (obj: SlimObject) => boolean, clusters?: readonly string[],
): Promise<{ sources: SortedSource[]; failures: ClusterError[] }> {
  const members = clusters ?? [...ctx.fleet.members()].sort();
  const results = await Promise.all(members.map((m) => sortedSourceIn(ctx, kind, m, type, filter, local, clusters !== undefined)));
  const sources: SortedSource[] = [];
  let failures: ClusterError[] = [];
  for (const r of results) {
    if (r.ok) sources.push(r.value);
    else if (!isApiNotServed(r.error)) failures.push(r.error);
  }
  if (clusters === undefined && sources.length) failures = failures.filter((f) => f.code !== ErrorCode.FORBIDDEN);
  return { sources, failures };
}

/**
 * Below this share of the index (matches × SCAN_LIMIT < index size), a source sorts its matches rather
 * than walk the index skipping the others: walking costs up to SCAN_LIMIT objects read per object served.
 */
export const SCAN_LIMIT = 16;

/** An item of the merge: a source's current object and its value. */
interface Head {
  obj: SlimObject;
  value: SortValue;
  clusterKey: string;
  source: number;
}

function compareTies(aCluster: string, a: SlimObject, bCluster: string, b: SlimObject): number {
  if (aCluster !== bCluster) return aCluster < bCluster ? -1 : 1;
  const aNs = a.metadata.namespace ?? '';
  const bNs = b.metadata.namespace ?? '';
  if (aNs !== bNs) return aNs < bNs ? -1 : 1;
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** A binary min-heap of heads in the connection's order. */
class HeadHeap {
  private readonly items: Head[] = [];

  constructor(private readonly desc: boolean) {}

  get size(): number {
    return this.items.length;
  }

  private less(a: Head, b: Head): boolean {
    const c = compareInDirection(a.value, b.value, this.desc) || compareTies(a.clusterKey, a.obj, b.clusterKey, b.obj);
    return c < 0;
  }

  push(h: Head): void {
    const items = this.items;
    items.push(h);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): Head | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(items[l]!, items[m]!)) m = l;
        if (r < items.length && this.less(items[r]!, items[m]!)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Merges ordered readers (each in the connection's order) into the first `limit` items: a k-way merge,
 * O(limit log k) once the readers are positioned. Exported for unit tests.
 */
export function mergeReaders(
  readers: ReadonlyArray<{ reader: OrderedReader; clusterKey: string }>, desc: boolean, limit: number,
): Array<{ obj: SlimObject; value: SortValue; source: number }> {
  const heap = new HeadHeap(desc);
  readers.forEach(({ reader, clusterKey }, source) => {
    const obj = reader.next();
    if (obj) heap.push({ obj, value: reader.value, clusterKey, source });
  });
  const out: Array<{ obj: SlimObject; value: SortValue; source: number }> = [];
  while (out.length < limit && heap.size) {
    const top = heap.pop()!;
    out.push({ obj: top.obj, value: top.value, source: top.source });
    const { reader, clusterKey } = readers[top.source]!;
    const obj = reader.next();
    if (obj) heap.push({ obj, value: reader.value, clusterKey, source: top.source });
  }
  return out;
}

/** Where a source starts reading: after the key, ties compared in (cluster, namespace, kind, name). */
function startAfter(key: OrderedKey, clusterKey: string): StartAfter {
  return {
    value: key.value,
    tie(obj) {
      if (clusterKey !== key.cluster) return clusterKey < key.cluster ? -1 : 1;
      const ns = obj.metadata.namespace ?? '';
      if (ns !== key.namespace) return ns < key.namespace ? -1 : 1;
      if (obj.kind !== key.kind) return obj.kind < key.kind ? -1 : 1;
      return obj.metadata.name < key.name ? -1 : obj.metadata.name > key.name ? 1 : 0;
    },
  };
}

/** An edge whose cursor is encoded when read. */
class SortedEdge {
  #cursor: string | undefined;

  constructor(
    readonly node: Located,
    private readonly value: SortValue,
    private readonly tag: string,
  ) {}

  get cursor(): string {
    return (this.#cursor ??= encodeOrderedCursor(this.tag, {
      value: this.value,
      cluster: this.node.cluster ?? '',
      namespace: this.node.obj.metadata.namespace ?? '',
      kind: this.node.obj.kind,
      name: this.node.obj.metadata.name,
    }));
  }
}

/** A reader over `source` for this page: the ordered index when it pays, else its matches sorted now. */
async function readerOf(ctx: GraphQLContext, source: SortedSource, page: SortedPage): Promise<OrderedReader> {
  const after = page.after ? startAfter(page.after, source.cluster ?? '') : null;
  const { field } = page;
  if (field.spec) {
    const index = ctx.fleet.ordered?.(source.kind, fleetClusterKey(source.cluster), field.spec);
    if (index && source.matches.length * SCAN_LIMIT >= index.size) return index.reader(page.desc, after, source.accept ?? undefined);
    const sorted = new OrderedIndex(field.spec);
    sorted.load(source.matches);
    return sorted.reader(page.desc, after);
  }
  const valueOf = await field.perRequest!(ctx, source);
  const sorted = new OrderedIndex({ id: field.name, value: valueOf });
  sorted.load(source.matches);
  return sorted.reader(page.desc, after);
}

/** The page of a sorted connection over `sources`. */
export async function sortedConnection<T extends SlimObject = SlimObject>(ctx: GraphQLContext, sources: readonly SortedSource[], page: SortedPage): Promise<Connection<Located<T>>> {
  const readers = await Promise.all(sources.map(async (s) => ({ reader: await readerOf(ctx, s, page), clusterKey: s.cluster ?? '' })));
  const items = mergeReaders(readers, page.desc, page.first + 1);
  const hasNextPage = items.length > page.first;
  if (hasNextPage) items.pop();
  const edges = items.map((it) => new SortedEdge(located(sources[it.source]!.cluster, it.obj, sources[it.source]!.type), it.value, page.tag));
  let totalCount = 0;
  for (const s of sources) totalCount += s.matches.length;
  // Whether anything precedes `after` would cost a read backwards; Relay lets forward paging answer
  // whether a cursor was given.
  return { edges: edges as unknown as Connection<Located<T>>['edges'], pageInfo: new PageInfo(edges, hasNextPage, page.after !== null), totalCount };
}

/** A sorted connection over one cluster's objects of one kind; a failure is the field's error. */
export async function sortedConnectionIn<T extends SlimObject = SlimObject>(
  ctx: GraphQLContext, kind: KindName, cluster: string | null, type: ResourceTypeName, page: SortedPage,
  filter?: ListFilter, local?: (obj: SlimObject) => boolean,
): Promise<Connection<Located<T>>> {
  const r = await sortedSourceIn(ctx, kind, cluster, type, filter, local);
  if (!r.ok) throw clusterFailure(r.error);
  return sortedConnection<T>(ctx, [r.value], page);
}
