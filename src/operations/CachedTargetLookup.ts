/**
 * The mutation preflight's cheap half: whether the gateway's cache (the fleet's informers, or its TTL cache
 * for fetch-mode kinds) holds a mutation's target. It answers only "found"; anything else (absent, not yet
 * synced, member unavailable, kind not cached) leaves the decision to one direct read (OperationService),
 * so a stale cache can never refuse a mutation on an object that exists.
 */
import type { ObjectRef } from './ClusterWriter.js';
import { apiVersionOf, type KindDescriptor, type KindName } from '../fleet/kinds.js';
import { CONTROL_PLANE, type Fleet } from '../fleet/types.js';

/** True when the cache holds the object; false when it cannot tell that it does. */
export type CachedTargetLookup = (ref: ObjectRef, cluster: string | null) => Promise<boolean>;

export function cachedTargetLookup(fleet: Fleet, kinds: ReadonlyMap<KindName, KindDescriptor>): CachedTargetLookup {
  const byKind = new Map<string, KindDescriptor>();
  for (const d of kinds.values()) byKind.set(`${apiVersionOf(d)}\u0000${d.kind}`, d);
  return async (ref, cluster) => {
    const d = byKind.get(`${ref.apiVersion}\u0000${ref.kind}`);
    if (!d) return false;
    const r = await fleet.get(d.name, cluster ?? CONTROL_PLANE, ref.namespace ?? undefined, ref.name);
    return r.ok;
  };
}
