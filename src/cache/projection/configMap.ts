/**
 * ConfigMap projection: data is kept (the schema serves it and middleware plugin manifests live there);
 * binaryData is reduced to key names.
 */
import type { SlimConfigMap } from '../types.js';
import { projectMetadata, type Raw } from './metadata.js';

export function projectConfigMap(raw: Raw): SlimConfigMap {
  const out: SlimConfigMap = { apiVersion: raw.apiVersion ?? 'v1', kind: 'ConfigMap', metadata: projectMetadata(raw.metadata) };
  if (raw.data) out.data = { ...raw.data };
  if (raw.binaryData) out.binaryDataKeys = Object.keys(raw.binaryData).sort();
  return out;
}
