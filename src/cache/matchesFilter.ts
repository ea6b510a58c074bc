/**
 * Applies a ListFilter to slim objects in memory (the same rules for watched kinds, read from the cache,
 * and fetched kinds, read from a TTL-cached list).
 */
import { matchesLabels, parseLabelSelector, type Requirement } from './labelSelector.js';
import type { ListFilter, SlimObject } from './types.js';

/** A filter with its label selector parsed once. */
export interface CompiledFilter {
  filter: ListFilter;
  requirements: Requirement[];
}

/** @throws LabelSelectorError for an invalid selector. */
export function compileFilter(filter: ListFilter = {}): CompiledFilter {
  return { filter, requirements: filter.labelSelector ? parseLabelSelector(filter.labelSelector) : [] };
}

export function matchesFilter(obj: SlimObject, compiled: CompiledFilter): boolean {
  const f = compiled.filter;
  if (f.namespace !== undefined && obj.metadata.namespace !== f.namespace) return false;
  if (f.name !== undefined && obj.metadata.name !== f.name) return false;
  if (f.nodeName !== undefined && (obj.spec as { nodeName?: string } | undefined)?.nodeName !== f.nodeName) return false;
  if (f.phase !== undefined && (obj.status as { phase?: string } | undefined)?.phase !== f.phase) return false;
  if (f.ownerUid !== undefined && !(obj.metadata.ownerReferences ?? []).some((o) => o.uid === f.ownerUid)) return false;
  if (compiled.requirements.length && !matchesLabels(compiled.requirements, obj.metadata.labels)) return false;
  return true;
}

/** The store key of an object: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}
