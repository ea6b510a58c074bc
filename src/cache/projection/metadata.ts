/**
 * Slim metadata shared by every projection: identity, labels, annotations (minus the last-applied copy),
 * owner references. managedFields, finalizers and other bookkeeping never enter the cache.
 */
import type { SlimMetadata, SlimOwnerReference } from '../types.js';
import { internString, internStructure } from './interning.js';

/** Annotations that duplicate the object itself or are pure tooling noise. */
const DROPPED_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

export type Raw = Record<string, any>;

/**
 * Builds a slim metadata object. Called with `new` (see SlimMetadataRecord) so that V8 sizes the object for
 * all its properties at once: a literal with three keys and four added later keeps the four in a separate
 * property array (some 30-40 bytes more per cached object).
 */
function MetadataRecord(this: SlimMetadata, m: Raw): void {
  this.name = String(m.name ?? '');
  this.uid = String(m.uid ?? '');
  this.resourceVersion = String(m.resourceVersion ?? '');
  // Namespaces, timestamps, label sets, annotations and owner references repeat across objects (replicas of
  // one workload share most of them): pooled, they are held once.
  if (m.namespace) this.namespace = internString(m.namespace);
  if (typeof m.generation === 'number') this.generation = m.generation;
  if (m.creationTimestamp) this.creationTimestamp = internString(String(m.creationTimestamp));
  if (m.deletionTimestamp) this.deletionTimestamp = internString(String(m.deletionTimestamp));
  if (m.labels && Object.keys(m.labels).length) this.labels = internStructure({ ...m.labels });
  if (m.annotations) {
    const kept = Object.entries(m.annotations as Record<string, string>).filter(([k]) => !DROPPED_ANNOTATIONS.has(k));
    if (kept.length) this.annotations = internStructure(Object.fromEntries(kept));
  }
  if (Array.isArray(m.ownerReferences) && m.ownerReferences.length) {
    this.ownerReferences = internStructure(m.ownerReferences.map((o: Raw): SlimOwnerReference => {
      const ref: SlimOwnerReference = { apiVersion: o.apiVersion, kind: o.kind, name: o.name, uid: o.uid };
      if (o.controller) ref.controller = true;
      return ref;
    }));
  }
}

/**
 * Makes `new build(...)` produce plain objects: their prototype is Object.prototype, exactly as for a
 * literal (same keys, same order, same JSON and YAML), but V8 gives objects made by a constructor room for
 * their properties inside the object (in-object slack tracking) instead of the four slots of `{}`.
 * V8 settles that room after the first few objects, to the most properties any of them had, and each slot
 * costs 8 bytes whether used or not: `sample` (arguments giving the usual shape of the bulk of the cache, a
 * replica pod) is built first, so that pods fit exactly; rarer, larger objects spill a few properties into
 * a separate property array, as a literal would.
 */
export function plainRecord<A extends unknown[], T>(build: (this: T, ...args: A) => void, sample: A): new (...args: A) => T {
  (build as unknown as { prototype: object }).prototype = Object.prototype;
  const Ctor = build as unknown as new (...args: A) => T;
  new Ctor(...sample);
  return Ctor;
}

/** The metadata of a pod made by a ReplicaSet: seven keys. */
const SlimMetadataRecord = plainRecord(MetadataRecord, [{
  name: 'sample', namespace: 'sample', uid: 'sample', resourceVersion: '1', creationTimestamp: '1970-01-01T00:00:00Z',
  labels: { sample: '' }, ownerReferences: [{ apiVersion: 'v1', kind: 'Sample', name: 'sample', uid: 'sample' }],
}]);

export function projectMetadata(meta: Raw | undefined): SlimMetadata {
  return new SlimMetadataRecord(meta ?? {});
}

/** Copies the listed keys that are defined (keeps projections free of `undefined` noise). */
export function pick<T extends object>(src: Raw | undefined, keys: readonly string[]): T {
  const out: Raw = {};
  if (!src) return out as T;
  for (const k of keys) if (src[k] !== undefined && src[k] !== null) out[k] = src[k];
  return out as T;
}

/**
 * Conditions, pooled as one list: objects whose conditions changed at the same moment (replicas started
 * together, nodes of one pool) share one frozen array. One pool lookup per list rather than per condition
 * keeps projection cheap.
 */
export function projectConditions(list: unknown): Raw[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return internStructure(list.map((c: Raw) => pick(c, ['type', 'status', 'reason', 'message', 'lastTransitionTime', 'lastHeartbeatTime'])));
}
