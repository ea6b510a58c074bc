/**
 * Secondary indexes over one cluster × kind cache: by namespace, by node (pods), by owner uid, by label
 * pair. They turn "pods of node X" or "pods owned by ReplicaSet Y" into a bucket lookup instead of a scan,
 * which is what node → pods and workload → pods roll-ups do on every request.
 *
 * Each bucket is a plain array of the cached objects themselves, kept sorted in connection order,
 * (namespace, name): the read path serves lists in that order (src/graphql/connection.ts), and a list that
 * arrives sorted costs it one pass instead of a sort per request; readers get the objects without a lookup by
 * key. An array costs one pointer per entry where a Set costs a hash-table entry (key, chain link, bucket
 * slot, and up to twice the room while it grows): a pod sits in about seven buckets (namespace, node, owner,
 * four labels at bench-l), so arrays save well over 100 bytes per pod.
 *
 * Keeping the order: a whole list is loaded with load(), which appends and sorts each bucket once if needed
 * (the API server's key order, "team-a/x" before "team/y", is not quite connection order). After that, an
 * object that sorts after the bucket's last is pushed; any other insertion or removal finds its place by binary search
 * on (namespace, name) — O(log n) compares — and moves the tail with one splice, a memmove of at most a few
 * hundred kilobytes for a bucket of 30,000 pods, far below what parsing and projecting the event cost. No
 * bucket is ever re-sorted on read.
 */
import { objectKey } from './matchesFilter.js';
import type { IndexName, SlimObject } from './types.js';

export function indexValues(name: IndexName, obj: SlimObject): string[] {
  switch (name) {
    case 'byNamespace':
      return obj.metadata.namespace ? [obj.metadata.namespace] : [];
    case 'byNode': {
      const node = (obj.spec as { nodeName?: string } | undefined)?.nodeName;
      return node ? [node] : [];
    }
    case 'byOwner':
      return (obj.metadata.ownerReferences ?? []).map((o) => o.uid);
    case 'byLabel':
      return Object.entries(obj.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  }
}

/** Orders objects as the tuples (namespace, name), namespace '' when cluster-scoped: connection order. */
export function compareByNamespaceName(a: SlimObject, b: SlimObject): number {
  const nsA = a.metadata.namespace ?? '';
  const nsB = b.metadata.namespace ?? '';
  if (nsA !== nsB) return nsA < nsB ? -1 : 1;
  const nameA = a.metadata.name;
  const nameB = b.metadata.name;
  return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
}

const INDEX_NAMES: readonly IndexName[] = ['byNamespace', 'byNode', 'byOwner', 'byLabel'];

export interface ObjectIndexOptions {
  /**
   * Every object currently indexed (the store the index sits beside). Given, the label index is built only
   * the first time it is asked for and kept up to date from then on: no read path of the gateway asks for
   * it today (label selectors are matched on the candidates of the other indexes), and a pod carries
   * several labels, so an eager label index would cost more per pod than the other three together.
   * @default none: every index is kept from the start
   */
  all?: () => Iterable<SlimObject>;
}
const EMPTY: readonly SlimObject[] = Object.freeze([]);

/**
 * The position of `obj`'s (namespace, name) in the sorted `bucket`: its index when an object with that
 * (namespace, name) is there, otherwise -(insertion point) - 1.
 */
function search(bucket: readonly SlimObject[], obj: SlimObject): number {
  let lo = 0;
  let hi = bucket.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareByNamespaceName(bucket[mid]!, obj);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

export class ObjectIndex {
  /** Index name → value → bucket, sorted by compareByNamespaceName, never empty. */
  private readonly indexes = new Map<IndexName, Map<string, SlimObject[]>>(INDEX_NAMES.map((n) => [n, new Map()]));
  private readonly all: (() => Iterable<SlimObject>) | undefined;
  /** The indexes kept up to date: all of them, or all but byLabel until it is first asked for. */
  private kept: readonly IndexName[];

  constructor(options: ObjectIndexOptions = {}) {
    this.all = options.all;
    this.kept = this.all ? INDEX_NAMES.filter((n) => n !== 'byLabel') : INDEX_NAMES;
  }

  /**
   * Indexes `obj`, stored under `key` = objectKey(namespace, name). An object already indexed under the same
   * (namespace, name) is replaced: the index mirrors a store that holds one object per key.
   */
  add(_key: string, obj: SlimObject): void {
    for (const name of this.kept) {
      const index = this.indexes.get(name)!;
      for (const value of indexValues(name, obj)) {
        const bucket = index.get(value);
        if (!bucket) {
          index.set(value, [obj]);
          continue;
        }
        // Appending is the common case (a list arrives in key order): one compare, no search.
        if (compareByNamespaceName(obj, bucket[bucket.length - 1]!) > 0) {
          bucket.push(obj);
          continue;
        }
        const at = search(bucket, obj);
        if (at >= 0) bucket[at] = obj;
        else bucket.splice(-at - 1, 0, obj);
      }
    }
  }

  /**
   * Removes the object stored under `key` (`obj`, or another instance with the same namespace and name:
   * buckets are searched by (namespace, name), so the one indexed goes either way).
   */
  remove(_key: string, obj: SlimObject): void {
    for (const name of this.kept) {
      const index = this.indexes.get(name)!;
      for (const value of indexValues(name, obj)) {
        const bucket = index.get(value);
        if (!bucket) continue;
        const at = search(bucket, obj);
        if (at < 0) continue;
        if (bucket.length === 1) index.delete(value);
        else if (at === bucket.length - 1) bucket.pop();
        else bucket.splice(at, 1);
      }
    }
  }

  /**
   * The objects under `value` of index `name` (empty when none), in (namespace, name) order: the very
   * objects added, so a reader needs no lookup by key. The array is the index's own: read it at once (or
   * copy it), do not keep it across changes.
   */
  objects(name: IndexName, value: string): readonly SlimObject[] {
    if (!this.kept.includes(name)) {
      this.kept = INDEX_NAMES;
      this.fill([name], this.all!());
    }
    return this.indexes.get(name)!.get(value) ?? EMPTY;
  }

  /** Store keys (objectKey) of objects(name, value), in the same order. */
  keys(name: IndexName, value: string): string[] {
    return this.objects(name, value).map((o) => objectKey(o.metadata.namespace, o.metadata.name));
  }

  /**
   * Replaces the whole index with `objects` (one per key, iterated once): each bucket is filled in the given order and
   * sorted once when that order was not connection order, O(n log n) at worst, where adding one by one
   * could move a large bucket's tail for every object.
   */
  load(objects: Iterable<SlimObject>): void {
    this.clear();
    this.fill(this.kept, objects);
  }

  /** Fills the empty indexes `names` with `objects`, in one pass over them (see load). */
  private fill(names: readonly IndexName[], objects: Iterable<SlimObject>): void {
    const unsorted = new Set<SlimObject[]>();
    for (const obj of objects) {
      for (const name of names) {
        const index = this.indexes.get(name)!;
        for (const value of indexValues(name, obj)) {
          const bucket = index.get(value);
          if (!bucket) index.set(value, [obj]);
          else {
            if (compareByNamespaceName(obj, bucket[bucket.length - 1]!) <= 0) unsorted.add(bucket);
            bucket.push(obj);
          }
        }
      }
    }
    for (const bucket of unsorted) {
      bucket.sort(compareByNamespaceName);
      // Equal (namespace, name) twice would be a caller's error; keep the last one, as add() would.
      for (let i = bucket.length - 1; i > 0; i--) if (compareByNamespaceName(bucket[i - 1]!, bucket[i]!) === 0) bucket.splice(i - 1, 1);
    }
  }

  clear(): void {
    for (const index of this.indexes.values()) index.clear();
  }
}
