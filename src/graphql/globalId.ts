/**
 * Opaque global IDs for `Resource.id` and `Query.resource(id)`: cluster (empty for the control plane),
 * apiVersion, kind, namespace, name, base64url-encoded so clients treat them as opaque.
 */
import { badUserInput } from './errors.js';

export interface GlobalIdParts {
  cluster: string | null;
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
}

const PREFIX = 'r1';

export function encodeGlobalId(p: GlobalIdParts): string {
  const text = [PREFIX, p.cluster ?? '', p.apiVersion, p.kind, p.namespace ?? '', p.name].join('\n');
  return Buffer.from(text, 'utf8').toString('base64url');
}

export function decodeGlobalId(id: string, field = 'id'): GlobalIdParts {
  const fail = (): never => {
    throw badUserInput(`${field}: "${id.slice(0, 40)}" is not an ID this API issued`, field);
  };
  if (!/^[A-Za-z0-9_-]+$/.test(id)) fail();
  const parts = Buffer.from(id, 'base64url').toString('utf8').split('\n');
  if (parts.length !== 6 || parts[0] !== PREFIX) fail();
  const [, cluster, apiVersion, kind, namespace, name] = parts as [string, string, string, string, string, string];
  if (!apiVersion || !kind || !name) fail();
  return { cluster: cluster || null, apiVersion, kind, namespace: namespace || null, name };
}
