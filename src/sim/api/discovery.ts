/**
 * Discovery documents (/version, /api, /api/v1, /apis, /apis/<g>, /apis/<g>/<v>) built from the
 * cluster's served ResourceTypes, in the shapes kube-apiserver 1.26 answers (aggregated discovery is
 * not served: the negotiation layer answers 406 when it is the only thing asked for).
 */
import { createHash } from 'node:crypto';
import type { ResourceType } from '../cluster/SimCluster.js';

/** Groups built into kube-apiserver: their discovery has empty singularName, as recorded. */
const BUILTIN_GROUPS = new Set(['', 'apps', 'policy', 'coordination.k8s.io', 'metrics.k8s.io', 'rbac.authorization.k8s.io', 'authorization.k8s.io', 'authentication.k8s.io', 'networking.k8s.io', 'apiextensions.k8s.io', 'autoscaling', 'batch', 'storage.k8s.io']);

/** Preferred order of groups in /apis (as the server lists them), then the rest alphabetically. */
const GROUP_ORDER = ['apps', 'events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'batch', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'coordination.k8s.io', 'metrics.k8s.io'];

export function versionInfo(): Record<string, string> {
  return {
    major: '1',
    minor: '26',
    gitVersion: 'v1.26.5',
    gitCommit: '636f2be6157d45217eb99744b72cc51e5e9c7e10',
    gitTreeState: 'clean',
    buildDate: '2023-10-20T00:00:00Z',
    goVersion: 'go1.19.8',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function coreApiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function storageVersionHash(t: ResourceType): string {
  return createHash('sha256').update(`${t.group}/${t.version}/${t.kind}`).digest().subarray(0, 8).toString('base64');
}

function subresourceEntries(t: ResourceType): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const sub of t.subresources ?? []) {
    const base = { name: `${t.resource}/${sub}`, singularName: '', namespaced: t.namespaced };
    switch (sub) {
      case 'status':
        out.push({ ...base, kind: t.kind, verbs: ['get', 'patch', 'update'] });
        break;
      case 'scale':
        out.push({ ...base, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
        break;
      case 'log':
        out.push({ ...base, kind: 'Pod', verbs: ['get'] });
        break;
      case 'eviction':
        out.push({ ...base, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
        break;
      case 'token':
        out.push({ ...base, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
        break;
      case 'finalize':
        out.push({ ...base, kind: t.kind, verbs: ['update'] });
        break;
      case 'proxy':
        out.push({ ...base, kind: `${t.kind}ProxyOptions`, verbs: ['create', 'delete', 'get', 'patch', 'update'] });
        break;
      default:
        out.push({ ...base, kind: t.kind, verbs: ['get'] });
    }
  }
  return out;
}

export function apiResourceList(group: string, version: string, types: Iterable<ResourceType>): Record<string, unknown> | undefined {
  const served = [...types].filter((t) => t.group === group && t.version === version);
  if (served.length === 0) return undefined;
  const resources: Array<Record<string, unknown>> = [];
  for (const t of served.sort((a, b) => (a.resource < b.resource ? -1 : 1))) {
    const entry: Record<string, unknown> = {
      name: t.resource,
      singularName: BUILTIN_GROUPS.has(t.group) ? '' : t.singularName,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
    };
    if (t.shortNames?.length) entry['shortNames'] = t.shortNames;
    if (t.categories?.length) entry['categories'] = t.categories;
    // Kinds without storage (metrics, the create-only reviews and TokenReview) have no storage version.
    const stored = t.group !== 'metrics.k8s.io' && !(t.verbs.length === 1 && t.verbs[0] === 'create');
    if (stored) entry['storageVersionHash'] = storageVersionHash(t);
    resources.push(entry, ...subresourceEntries(t));
  }
  resources.sort((a, b) => ((a['name'] as string) < (b['name'] as string) ? -1 : 1));
  const groupVersion = group ? `${group}/${version}` : version;
  return group
    ? { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources }
    : { kind: 'APIResourceList', groupVersion, resources };
}

function groupEntry(name: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

function groupsOf(types: Iterable<ResourceType>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const t of types) {
    if (!t.group) continue;
    const vs = groups.get(t.group) ?? [];
    if (!vs.includes(t.version)) vs.push(t.version);
    groups.set(t.group, vs);
  }
  return groups;
}

export function apiGroupList(types: Iterable<ResourceType>): Record<string, unknown> {
  const groups = groupsOf(types);
  const names = [...groups.keys()].sort((a, b) => {
    const ia = GROUP_ORDER.indexOf(a);
    const ib = GROUP_ORDER.indexOf(b);
    if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    return a < b ? -1 : 1;
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: names.map((n) => groupEntry(n, groups.get(n)!)) };
}

export function apiGroup(group: string, types: Iterable<ResourceType>): Record<string, unknown> | undefined {
  const versions = groupsOf(types).get(group);
  if (!versions) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, versions) };
}
