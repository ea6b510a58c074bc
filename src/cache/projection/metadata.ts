/**
 * Slim metadata shared by every projection: identity, labels, annotations (minus the last-applied copy),
 * owner references. managedFields, finalizers and other bookkeeping never enter the cache.
 */
import type { SlimMetadata, SlimOwnerReference } from '../types.js';
import { internString, internStructure } from './interning.js';

/** Annotations that duplicate the object itself or are pure tooling noise. */
const DROPPED_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

export type Raw = Record<string, any>;

export function projectMetadata(meta: Raw | undefined): SlimMetadata {
  const m = meta ?? {};
  const out: SlimMetadata = { name: String(m.name ?? ''), uid: String(m.uid ?? ''), resourceVersion: String(m.resourceVersion ?? '') };
  // Namespaces, timestamps, label sets, annotations and owner references repeat across objects (replicas of
  // one workload share most of them): pooled, they are held once.
  if (m.namespace) out.namespace = internString(m.namespace);
  if (typeof m.generation === 'number') out.generation = m.generation;
  if (m.creationTimestamp) out.creationTimestamp = internString(String(m.creationTimestamp));
  if (m.deletionTimestamp) out.deletionTimestamp = internString(String(m.deletionTimestamp));
  if (m.labels && Object.keys(m.labels).length) out.labels = internStructure({ ...m.labels });
  if (m.annotations) {
    const kept = Object.entries(m.annotations as Record<string, string>).filter(([k]) => !DROPPED_ANNOTATIONS.has(k));
    if (kept.length) out.annotations = internStructure(Object.fromEntries(kept));
  }
  if (Array.isArray(m.ownerReferences) && m.ownerReferences.length) {
    out.ownerReferences = internStructure(m.ownerReferences.map((o: Raw): SlimOwnerReference => {
      const ref: SlimOwnerReference = { apiVersion: o.apiVersion, kind: o.kind, name: o.name, uid: o.uid };
      if (o.controller) ref.controller = true;
      return ref;
    }));
  }
  return out;
}

/** Copies the listed keys that are defined (keeps projections free of `undefined` noise). */
export function pick<T extends object>(src: Raw | undefined, keys: readonly string[]): T {
  const out: Raw = {};
  if (!src) return out as T;
  for (const k of keys) if (src[k] !== undefined && src[k] !== null) out[k] = src[k];
  return out as T;
}

/** Conditions, each pooled: objects whose conditions changed at the same moment share them. */
export function projectConditions(list: unknown): Raw[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((c: Raw) => internStructure(pick(c, ['type', 'status', 'reason', 'message', 'lastTransitionTime', 'lastHeartbeatTime'])));
}
