/**
 * Parses a Kubernetes API path (`/api/v1/namespaces/ns/pods/p/log`, `/apis/apps/v1/deployments`) into
 * what the request addresses. Discovery paths and the legacy `/watch/` prefix are recognised too.
 */
export type ParsedPath =
  | { kind: 'version' }
  | { kind: 'healthz' }
  | { kind: 'coreGroup' } // /api
  | { kind: 'groups' } // /apis
  | { kind: 'group'; group: string } // /apis/<g>
  | { kind: 'groupVersion'; group: string; version: string } // /api/v1, /apis/<g>/<v>
  | {
      kind: 'resource';
      group: string;
      version: string;
      namespace?: string;
      resource: string;
      name?: string;
      subresource?: string;
      /** Path segments after the subresource (the cluster proxy's rest). */
      rest?: string;
      /** `/watch/` legacy prefix. */
      legacyWatch: boolean;
    }
  | { kind: 'openApiV2' }
  | { kind: 'openApiV3Root' }
  | { kind: 'openApiV3'; group: string; version: string }
  | { kind: 'unknown' };

/** Namespace subresources (`/api/v1/namespaces/<name>/status`), not namespaced resources. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseApiPath(pathname: string): ParsedPath {
  const p = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  if (p === '/version') return { kind: 'version' };
  if (p === '/healthz' || p === '/livez' || p === '/readyz') return { kind: 'healthz' };
  if (p === '/api') return { kind: 'coreGroup' };
  if (p === '/apis') return { kind: 'groups' };
  if (p === '/openapi/v2') return { kind: 'openApiV2' };
  if (p === '/openapi/v3') return { kind: 'openApiV3Root' };
  if (p.startsWith('/openapi/v3/')) {
    const rest = p.slice('/openapi/v3/'.length).split('/');
    if (rest[0] === 'api' && rest.length === 2) return { kind: 'openApiV3', group: '', version: rest[1]! };
    if (rest[0] === 'apis' && rest.length === 3) return { kind: 'openApiV3', group: rest[1]!, version: rest[2]! };
    return { kind: 'unknown' };
  }
  const segs = p.split('/').slice(1).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api') {
    if (segs.length < 2) return { kind: 'unknown' };
    group = '';
    version = segs[1]!;
    rest = segs.slice(2);
  } else if (segs[0] === 'apis') {
    if (segs.length === 2) return { kind: 'group', group: segs[1]! };
    group = segs[1]!;
    version = segs[2]!;
    rest = segs.slice(3);
  } else return { kind: 'unknown' };
  if (rest.length === 0) return { kind: 'groupVersion', group, version };
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  if (rest.length === 0) return { kind: 'unknown' };
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(group === '' && rest.length === 3 && NAMESPACE_SUBRESOURCES.has(rest[2]!))) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...more] = rest as [string, string?, string?, ...string[]];
  if (!resource) return { kind: 'unknown' };
  const out: ParsedPath = { kind: 'resource', group, version, resource, legacyWatch };
  if (namespace !== undefined) out.namespace = namespace;
  if (name !== undefined) out.name = name;
  if (subresource !== undefined) out.subresource = subresource;
  if (more.length) out.rest = more.join('/');
  return out;
}
