/**
 * Discovery: which group/versions a cluster serves (GET /api and /apis), so that kinds it does not serve are
 * reported as API_NOT_SERVED once instead of being listed and retried forever.
 */
import type { ClusterClient } from './ClusterClient.js';
import type { KindDescriptor } from './kinds.js';
import { apiVersionOf } from './kinds.js';
import type { ServedApis } from './types.js';

export async function discoverApis(client: ClusterClient, middlewareGroup: string): Promise<ServedApis> {
  const [core, groups] = await Promise.all([
    client.getJson<{ versions?: string[] }>('/api', {}, 'discovery'),
    client.getJson<{ groups?: Array<{ name: string; versions?: Array<{ groupVersion: string }> }> }>('/apis', {}, 'discovery'),
  ]);
  const groupVersions = [
    ...(core.versions ?? []),
    ...(groups.groups ?? []).flatMap((g) => (g.versions ?? []).map((v) => v.groupVersion)),
  ];
  const groupNames = new Set((groups.groups ?? []).map((g) => g.name));
  return {
    metrics: groupVersions.includes('metrics.k8s.io/v1beta1'),
    middleware: groupNames.has(middlewareGroup),
    karmada: [...groupNames].some((g) => g.endsWith('.karmada.io')),
    groupVersions,
  };
}

export function servesKind(apis: ServedApis, kind: KindDescriptor): boolean {
  return apis.groupVersions.includes(apiVersionOf(kind));
}
