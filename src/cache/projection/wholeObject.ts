/**
 * Projection of kinds read as a whole (any kind a cluster serves, src/fleet/DynamicKinds.ts): the object as
 * served, minus `metadata.managedFields`; a Secret keeps only the names of its keys (`dataKeys`), never values.
 */
import type { SlimObject } from '../types.js';

/**
 * The object as served minus `managedFields` (and a Secret's values): what KubernetesObject.object shows.
 * List items lack apiVersion and kind; they are filled from the resource. `raw` is the caller's parsed JSON.
 */
export function wholeObject(raw: Record<string, any>, apiVersion: string, kind: string): SlimObject {
  const metadata = { ...(raw.metadata ?? {}) };
  delete metadata.managedFields;
  const out: Record<string, any> = { ...raw, apiVersion: raw.apiVersion ?? apiVersion, kind: raw.kind ?? kind, metadata };
  if (out.kind === 'Secret' && out.apiVersion === 'v1') {
    const keys = [...new Set([...Object.keys(raw.data ?? {}), ...Object.keys(raw.stringData ?? {})])].sort();
    delete out.data;
    delete out.stringData;
    out.dataKeys = keys;
    if (metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] !== undefined) {
      const { 'kubectl.kubernetes.io/last-applied-configuration': _dropped, ...rest } = metadata.annotations;
      metadata.annotations = rest;
    }
  }
  return out as SlimObject;
}

