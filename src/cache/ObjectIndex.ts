/**
 * Secondary indexes over one cluster × kind cache: by namespace, by node (pods), by owner uid, by label
 * pair. They turn "pods of node X" or "pods owned by ReplicaSet Y" into a set lookup instead of a scan,
 * which is what node → pods and workload → pods roll-ups do on every request.
 *
 * Each bucket answers in connection order, (namespace, name): the read path serves lists in that order
 * (src/graphql/connection.ts), and a list that arrives sorted costs it one pass instead of a sort per
 * request. The order is kept cheaply: an object added after every other one is appended (the usual case
 * during a list, which the API server returns in key order), removing keeps the order, and only an
 * insertion in the middle (a new pod, or a modified one, which is removed and added again) marks the bucket
 * for one re-sort, done at the next read of that bucket, so a bucket is sorted once per change, not once
 * per request.
 *
 * Buckets hold the objects themselves (one reference each, as a key would be): readers get them without a
 * lookup by key, and ordering compares their metadata strings, where parsing the store keys would flatten
 * them (the informer builds them as cheap concatenations).
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

/** The objects under one index value; `objects` iterates in compareByNamespaceName order unless `unsorted`. */
interface Bucket {
  objects: Set<SlimObject>;
  /** An object no smaller than any other of the set (the largest added while the set was in order). */
  last: SlimObject;
  /** Set when an object was added out of order: the next read re-sorts. */
  unsorted: boolean;
}

const INDEX_NAMES: readonly IndexName[] = ['byNamespace', 'byNode', 'byOwner', 'byLabel'];
const EMPTY: ReadonlySet<SlimObject> = new Set();

export class ObjectIndex {
  private readonly indexes = new Map<IndexName, Map<string, Bucket>>(INDEX_NAMES.map((n) => [n, new Map()]));

  /** Indexes `obj`, stored under `key` = objectKey(namespace, name). */
  add(_key: string, obj: SlimObject): void {
    for (const name of INDEX_NAMES) {
      const index = this.indexes.get(name)!;
      for (const value of indexValues(name, obj)) {
        const bucket = index.get(value);
        if (!bucket) {
          index.set(value, { objects: new Set([obj]), last: obj, unsorted: false });
          continue;
        }
        if (bucket.objects.has(obj)) continue;
        bucket.objects.add(obj);
        if (bucket.unsorted) continue;
        if (compareByNamespaceName(obj, bucket.last) > 0) bucket.last = obj;
        else bucket.unsorted = true;
      }
    }
  }

  /** Removes `obj` (the object that was added under `key`). */
  remove(key: string, obj: SlimObject): void {
    for (const name of INDEX_NAMES) {
      const index = this.indexes.get(name)!;
      for (const value of indexValues(name, obj)) {
        const bucket = index.get(value);
        if (!bucket) continue;
        // Deleting from a Set keeps the others' order; `last` stays an upper bound.
        if (!bucket.objects.delete(obj)) {
          // Not the instance that was added: the one stored under the same key goes.
          for (const o of bucket.objects) {
            if (objectKey(o.metadata.namespace, o.metadata.name) === key) {
              bucket.objects.delete(o);
              break;
            }
          }
        }
        if (bucket.objects.size === 0) index.delete(value);
      }
    }
  }

  /**
   * The objects under `value` of index `name` (empty when none), in (namespace, name) order: the very
   * objects added, so a reader needs no lookup by key. The set is the index's own: read it at once, do not
   * keep it across changes.
   */
  objects(name: IndexName, value: string): ReadonlySet<SlimObject> {
    const bucket = this.indexes.get(name)!.get(value);
    if (!bucket) return EMPTY;
    if (bucket.unsorted) {
      const sorted = [...bucket.objects].sort(compareByNamespaceName);
      bucket.objects = new Set(sorted);
      bucket.last = sorted[sorted.length - 1]!;
      bucket.unsorted = false;
    }
    return bucket.objects;
  }

  /** Store keys (objectKey) of objects(name, value), in the same order. */
  keys(name: IndexName, value: string): string[] {
    const out: string[] = [];
    for (const o of this.objects(name, value)) out.push(objectKey(o.metadata.namespace, o.metadata.name));
    return out;
  }

  clear(): void {
    for (const index of this.indexes.values()) index.clear();
  }
}
