/**
 * The in-memory Store (seed 003's default backend): one per simulated API server.
 *
 * Objects of a resource sit in a Map keyed `namespace/name`; the sorted key order that lists and
 * continue tokens need is computed lazily and cached until the next create/delete of that resource,
 * so that a busy controller updating pods does not re-sort 300,000 keys on every write.
 *
 * History and watches are a WatchHistory (the "etcd watch window").
 */
import { StoreError } from './Store.js';
import type { KubeObject, Store, StoreEvent } from './Store.js';
import { randomUUID } from 'node:crypto';
import { WatchHistory } from './WatchHistory.js';

export interface MemoryStoreOptions {
  /**
   * How many past changes are kept for watch replay. Older watch resource versions get Expired.
   * @default 20000
   */
  historySize?: number;
  /**
   * The resourceVersion the store starts counting from (SqliteStore and restarts use it).
   * @default 1
   */
  initialResourceVersion?: number;
}

interface ResourceTable {
  objects: Map<string, KubeObject>;
  /** Sorted keys, or undefined when a create/delete made them stale. */
  sorted: string[] | undefined;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class MemoryStore implements Store {
  private readonly tables = new Map<string, ResourceTable>();
  private readonly history: WatchHistory;
  private rv: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.rv = options.initialResourceVersion ?? 1;
    this.history = new WatchHistory(this.rv, { size: options.historySize ?? 20_000 });
  }

  currentResourceVersion(): number {
    return this.rv;
  }

  private table(resource: string): ResourceTable {
    let t = this.tables.get(resource);
    if (!t) {
      t = { objects: new Map(), sorted: undefined };
      this.tables.set(resource, t);
    }
    return t;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.tables.get(resource)?.objects.get(objectKey(namespace, name));
  }

  list(resource: string, namespace?: string): KubeObject[] {
    const t = this.tables.get(resource);
    if (!t) return [];
    if (!t.sorted) t.sorted = [...t.objects.keys()].sort(compareKeys);
    const out: KubeObject[] = [];
    if (namespace === undefined) {
      for (const k of t.sorted) out.push(t.objects.get(k)!);
      return out;
    }
    // Keys sort by namespace first, so one namespace is a contiguous run: binary search its start.
    const prefix = `${namespace}/`;
    let lo = 0;
    let hi = t.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareKeys(t.sorted[mid]!, prefix) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < t.sorted.length; i++) {
      const k = t.sorted[i]!;
      if (!k.startsWith(prefix)) break;
      out.push(t.objects.get(k)!);
    }
    return out;
  }

  create(resource: string, object: KubeObject): KubeObject {
    const meta = object.metadata;
    if (!meta?.name) throw new StoreError('NotFound', 'object has no name');
    const t = this.table(resource);
    const key = objectKey(meta.namespace, meta.name);
    if (t.objects.has(key)) throw new StoreError('AlreadyExists', `${resource} "${meta.name}" already exists`);
    const rv = ++this.rv;
    const stored: KubeObject = {
      ...object,
      metadata: {
        ...meta,
        uid: meta.uid ?? randomUUID(),
        resourceVersion: String(rv),
        creationTimestamp: meta.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    };
    t.objects.set(key, stored);
    t.sorted = undefined;
    this.record({ type: 'ADDED', resource, object: stored, resourceVersion: rv });
    return stored;
  }

  update(resource: string, object: KubeObject): KubeObject {
    const meta = object.metadata;
    const t = this.tables.get(resource);
    const key = objectKey(meta.namespace, meta.name ?? '');
    const current = t?.objects.get(key);
    if (!t || !current) throw new StoreError('NotFound', `${resource} "${meta.name}" not found`);
    if (meta.resourceVersion && meta.resourceVersion !== current.metadata.resourceVersion) {
      throw new StoreError('Conflict', `${resource} "${meta.name}": the object has been modified`);
    }
    const rv = ++this.rv;
    const stored: KubeObject = { ...object, metadata: { ...meta, resourceVersion: String(rv) } };
    t.objects.set(key, stored);
    this.record({ type: 'MODIFIED', resource, object: stored, resourceVersion: rv });
    return stored;
  }

  delete(resource: string, namespace: string | undefined, name: string): KubeObject {
    const t = this.tables.get(resource);
    const key = objectKey(namespace, name);
    const current = t?.objects.get(key);
    if (!t || !current) throw new StoreError('NotFound', `${resource} "${name}" not found`);
    t.objects.delete(key);
    t.sorted = undefined;
    // A DELETED event carries a fresh version, as etcd's delete revision does.
    const rv = ++this.rv;
    const gone: KubeObject = { ...current, metadata: { ...current.metadata, resourceVersion: String(rv) } };
    this.record({ type: 'DELETED', resource, object: gone, resourceVersion: rv });
    return gone;
  }

  watch(
    resource: string,
    namespace: string | undefined,
    fromResourceVersion: number,
    listener: (event: StoreEvent) => void,
  ): () => void {
    return this.history.watch(resource, namespace, fromResourceVersion, listener);
  }

  compact(): void {
    this.history.compact(this.rv);
  }

  close(): void {
    this.history.close();
  }

  /** Every stored resource key (the SQLite store and tests enumerate with it). */
  resourceKeys(): string[] {
    return [...this.tables.keys()];
  }

  /** How many objects a resource holds, without building a list. */
  count(resource: string): number {
    return this.tables.get(resource)?.objects.size ?? 0;
  }

  private record(event: StoreEvent): void {
    this.history.record(event);
  }
}

/** Orders `namespace/name` keys by namespace, then name (plain code-unit order, as etcd keys sort). */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
