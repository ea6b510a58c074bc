/**
 * What an HTTP request asks, as kube-apiserver's RequestInfoFactory derives it: a resource request
 * (verb from the method: GET named → get, GET collection → list, or watch with `?watch=1` or the legacy
 * `/watch/` prefix, POST → create, PUT → update, PATCH → patch, DELETE named → delete, DELETE collection
 * → deletecollection; a `metadata.name=` field selector names the object; `/namespaces/<ns>` is the
 * namespace itself) or a non-resource request (`/version`, `/api`, `/apis/<g>/<v>`, `/healthz`,
 * `/openapi/...`, `/metrics`: the lower-case method on the path).
 */
import type { ParsedPath } from '../api/resourcePath.js';
import type { RequestAttributes, UserInfo } from './types.js';

const METHOD_VERBS: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** Go's strconv.ParseBool truths, which the server's parameter decoding accepts for `watch`. */
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/** A `metadata.name=<x>` (or `==`) term of a field selector, as RequiresExactMatch finds it. */
function exactName(fieldSelector: string | null): string | undefined {
  if (!fieldSelector) return undefined;
  for (const term of fieldSelector.split(',')) {
    const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(term);
    if (m && m[1] && !m[1].includes('/') && m[1] !== '.' && m[1] !== '..') return m[1];
  }
  return undefined;
}

/**
 * The attributes of one request to a cluster. `path` is the path as that cluster sees it (a member's
 * own path below the Karmada proxy prefix).
 */
export function requestAttributes(user: UserInfo, method: string, path: string, parsed: ParsedPath, query: URLSearchParams): RequestAttributes {
  if (parsed.kind !== 'resource') return { user, resourceRequest: false, verb: method.toLowerCase(), path };
  let verb = METHOD_VERBS[method] ?? method.toLowerCase();
  let name = parsed.name;
  let namespace = parsed.namespace;
  // `/api/v1/namespaces/<ns>` addresses the namespace object, which kube authorizes in its own namespace.
  if (parsed.group === '' && parsed.resource === 'namespaces' && name !== undefined && namespace === undefined) namespace = name;
  if (parsed.legacyWatch) verb = 'watch';
  else if (name === undefined && verb === 'get') {
    verb = TRUE.has(query.get('watch') ?? '') ? 'watch' : 'list';
    name = exactName(query.get('fieldSelector'));
  } else if (name === undefined && verb === 'delete') verb = 'deletecollection';
  if (parsed.legacyWatch && name === undefined) name = exactName(query.get('fieldSelector'));
  const out: RequestAttributes = { user, resourceRequest: true, verb, apiGroup: parsed.group, apiVersion: parsed.version, resource: parsed.resource };
  if (parsed.subresource !== undefined) out.subresource = parsed.subresource;
  if (name !== undefined) out.name = name;
  if (namespace !== undefined) out.namespace = namespace;
  return out;
}
