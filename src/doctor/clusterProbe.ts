/**
 * What doctor asks a cluster with the gateway's own read client (src/fleet/ClusterClient: same kubeconfig,
 * same route — the control plane's context, or a member through the Karmada cluster proxy — same timeouts):
 * its version (`/version`), what it serves (the gateway's own discovery, src/fleet/discoverApis), whether a
 * group/version lists a resource (the `clusters/proxy` subresource), and the control plane's members.
 * Each throws the client's UpstreamError; the caller turns it into a row.
 */
import type { ClusterClient } from '../fleet/ClusterClient.js';
import { discoverApis } from '../fleet/discoverApis.js';

/** What discovery found on a cluster. */
export interface ServedApiSet {
  /** `v1`, `apps/v1`, ... */
  groupVersions: ReadonlySet<string>;
  /** API group names ('' for core). */
  groups: ReadonlySet<string>;
}

/** `gitVersion` of `/version` (e.g. `v1.26.5`). */
export async function readVersion(client: ClusterClient): Promise<string> {
  const v = await client.getJson<{ gitVersion?: string; major?: string; minor?: string }>('/version', {}, 'version');
  return v.gitVersion ?? (v.major ? `${v.major}.${v.minor ?? ''}` : 'unknown');
}

export async function readServedApis(client: ClusterClient, middlewareGroup: string): Promise<ServedApiSet> {
  const apis = await discoverApis(client, middlewareGroup);
  const groups = new Set<string>(['']);
  for (const gv of apis.groupVersions) if (gv.includes('/')) groups.add(gv.slice(0, gv.indexOf('/')));
  return { groupVersions: new Set(apis.groupVersions), groups };
}

/** Whether `groupVersion`'s resource list names `resource` (e.g. `clusters/proxy`). */
export async function servesResource(client: ClusterClient, groupVersion: string, resource: string): Promise<boolean> {
  const path = groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
  const list = await client.getJson<{ resources?: Array<{ name?: string }> }>(path, {}, 'discovery');
  return (list.resources ?? []).some((r) => r.name === resource);
}

/** The names of the control plane's Cluster objects: the members the gateway would follow. */
export async function listMemberNames(client: ClusterClient): Promise<string[]> {
  const list = await client.getJson<{ items?: Array<{ metadata?: { name?: string } }> }>('/apis/cluster.karmada.io/v1alpha1/clusters', {}, 'list clusters');
  return (list.items ?? []).map((c) => c.metadata?.name ?? '').filter(Boolean).sort();
}
