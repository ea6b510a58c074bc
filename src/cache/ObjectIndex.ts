/**
 * Secondary indexes over one cluster × kind cache: by namespace, by node (pods), by owner uid, by label
 * pair. They turn "pods of node X" or "pods owned by ReplicaSet Y" into a set lookup instead of a scan,
 * which is what node → pods and workload → pods roll-ups do on every request.
 */
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

const INDEX_NAMES: readonly IndexName[] = ['byNamespace', 'byNode', 'byOwner', 'byLabel'];

export class ObjectIndex {
  private readonly indexes = new Map<IndexName, Map<string, Set<string>>>(INDEX_NAMES.map((n) => [n, new Map()]));

  add(key: string, obj: SlimObject): void {
    for (const name of INDEX_NAMES) {
      const index = this.indexes.get(name)!;
      for (const value of indexValues(name, obj)) {
        let set = index.get(value);
        if (!set) index.set(value, (set = new Set()));
        set.add(key);
      }
    }
  }

  remove(key: string, obj: SlimObject): void {
    for (const name of INDEX_NAMES) {
      const index = this.indexes.get(name)!;
      for (const value of indexValues(name, obj)) {
        const set = index.get(value);
        if (!set) continue;
        set.delete(key);
        if (set.size === 0) index.delete(value);
      }
    }
  }

  /** Object keys under `value` of index `name` (empty set when none). */
  keys(name: IndexName, value: string): ReadonlySet<string> {
    return this.indexes.get(name)!.get(value) ?? new Set();
  }

  clear(): void {
    for (const index of this.indexes.values()) index.clear();
  }
}
