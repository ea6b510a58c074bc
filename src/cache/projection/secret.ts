/**
 * Secret projection: type and key names only. The values are dropped here, at the very first touch of the
 * object, so they are never held by the cache, the TTL store or Redis.
 */
import type { SlimSecret } from '../types.js';
import { projectMetadata, type Raw } from './metadata.js';

export function projectSecret(raw: Raw): SlimSecret {
  const keys = new Set<string>([...Object.keys(raw.data ?? {}), ...Object.keys(raw.stringData ?? {})]);
  const out: SlimSecret = { apiVersion: raw.apiVersion ?? 'v1', kind: 'Secret', metadata: projectMetadata(raw.metadata), dataKeys: [...keys].sort() };
  if (raw.type) out.type = raw.type;
  return out;
}
