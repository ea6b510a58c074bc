/**
 * Projection for small custom resources (Karmada clusters, policies, bindings, middleware CRs, namespaces,
 * services): spec and status are kept as served, only metadata is slimmed. These objects are few and the
 * schema serves most of their fields.
 */
import type { SlimObject } from '../types.js';
import { projectMetadata, type Raw } from './metadata.js';

export function projectGeneric(raw: Raw): SlimObject {
  const out: SlimObject = { apiVersion: raw.apiVersion, kind: raw.kind, metadata: projectMetadata(raw.metadata) };
  if (raw.spec !== undefined) out.spec = raw.spec;
  if (raw.status !== undefined) out.status = raw.status;
  return out;
}
