/**
 * Reads a cluster.karmada.io Cluster object into the ClusterView the scheduler and override matcher use.
 */
import type { KubeObject } from '../store/Store.js';
import type { ClusterView, Taint } from './karmadaShapes.js';
import { parseQuantity } from '../controllers/quantity.js';

interface ClusterObjectSpec {
  provider?: string;
  region?: string;
  zone?: string;
  zones?: string[];
  taints?: Taint[];
}

interface ClusterObjectStatus {
  conditions?: Array<{ type: string; status: string }>;
  apiEnablements?: Array<{ groupVersion: string }>;
  resourceSummary?: { allocatable?: Record<string, string>; allocated?: Record<string, string>; allocating?: Record<string, string> };
}

export function clusterViewOf(cluster: KubeObject): ClusterView {
  const spec = (cluster.spec ?? {}) as ClusterObjectSpec;
  const status = (cluster.status ?? {}) as ClusterObjectStatus;
  const summary = status.resourceSummary ?? {};
  const free = (key: string) =>
    parseQuantity(summary.allocatable?.[key]) - parseQuantity(summary.allocated?.[key]) - parseQuantity(summary.allocating?.[key]);
  return {
    name: cluster.metadata.name!,
    labels: cluster.metadata.labels ?? {},
    ...(spec.provider ? { provider: spec.provider } : {}),
    ...(spec.region ? { region: spec.region } : {}),
    zones: spec.zones ?? (spec.zone ? [spec.zone] : []),
    taints: spec.taints ?? [],
    ready: status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    // A cluster not yet collected reports no (or an empty) API list; the scheduler then does not filter by API.
    apiEnablements: status.apiEnablements?.length ? new Set(status.apiEnablements.map((a) => a.groupVersion)) : undefined,
    free: { cpu: Math.max(0, free('cpu')), memory: Math.max(0, free('memory')), pods: Math.max(0, free('pods')) },
  };
}
