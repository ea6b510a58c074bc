/**
 * The kinds the gateway reads, and where each is served: the API group/version/plural that addresses it,
 * whether it is namespaced, and on which side of the fleet (Karmada control plane, members) it is read.
 * The middleware group comes from config because its CRDs are defined by the middleware platform.
 */
import type { MiddlewareApi } from '../config/Config.js';

export type KindName =
  | 'clusters'
  | 'namespaces'
  | 'nodes'
  | 'pods'
  | 'deployments'
  | 'replicasets'
  | 'statefulsets'
  | 'daemonsets'
  | 'jobs'
  | 'cronjobs'
  | 'services'
  | 'configmaps'
  | 'secrets'
  | 'events'
  | 'propagationpolicies'
  | 'clusterpropagationpolicies'
  | 'overridepolicies'
  | 'clusteroverridepolicies'
  | 'resourcebindings'
  | 'clusterresourcebindings'
  | 'applications'
  | 'components'
  | 'workloadsets'
  | 'operations';

/** Which side of the fleet reads a kind. */
export type KindSide = 'controlPlane' | 'member' | 'both';

export interface KindDescriptor {
  name: KindName;
  /** '' for the core group. */
  group: string;
  version: string;
  /** URL plural. */
  plural: string;
  kind: string;
  namespaced: boolean;
  side: KindSide;
  /**
   * Never informer-cached whatever the config says (events: high volume, read on demand; secrets are
   * cached but only as key lists, see SecretProjection).
   */
  fetchOnly?: boolean;
  /**
   * Objects are kept whole (minus managedFields, Secret values), not slimmed: kinds the schema does not model,
   * read as KubernetesObject (src/fleet/DynamicKinds.ts). @default false
   */
  wholeObject?: boolean;
}

export const ALL_KINDS: readonly KindName[] = [
  'clusters', 'namespaces', 'nodes', 'pods', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs',
  'cronjobs', 'services', 'configmaps', 'secrets', 'events', 'propagationpolicies', 'clusterpropagationpolicies',
  'overridepolicies', 'clusteroverridepolicies', 'resourcebindings', 'clusterresourcebindings', 'applications',
  'components', 'workloadsets', 'operations',
];

/** Builds the descriptor table; only the middleware group depends on config. */
export function kindTable(middleware: MiddlewareApi): ReadonlyMap<KindName, KindDescriptor> {
  const d = (
    name: KindName, group: string, version: string, kind: string, namespaced: boolean, side: KindSide,
    fetchOnly?: boolean,
  ): KindDescriptor => ({ name, group, version, plural: name, kind, namespaced, side, ...(fetchOnly ? { fetchOnly } : {}) });
  const mw = middleware;
  const list: KindDescriptor[] = [
    d('clusters', 'cluster.karmada.io', 'v1alpha1', 'Cluster', false, 'controlPlane'),
    d('namespaces', '', 'v1', 'Namespace', false, 'both'),
    d('nodes', '', 'v1', 'Node', false, 'member'),
    d('pods', '', 'v1', 'Pod', true, 'member'),
    d('deployments', 'apps', 'v1', 'Deployment', true, 'both'),
    d('replicasets', 'apps', 'v1', 'ReplicaSet', true, 'member'),
    d('statefulsets', 'apps', 'v1', 'StatefulSet', true, 'both'),
    d('daemonsets', 'apps', 'v1', 'DaemonSet', true, 'both'),
    d('jobs', 'batch', 'v1', 'Job', true, 'controlPlane'),
    d('cronjobs', 'batch', 'v1', 'CronJob', true, 'controlPlane'),
    d('services', '', 'v1', 'Service', true, 'both'),
    d('configmaps', '', 'v1', 'ConfigMap', true, 'both'),
    d('secrets', '', 'v1', 'Secret', true, 'member'),
    d('events', '', 'v1', 'Event', true, 'both', true),
    d('propagationpolicies', 'policy.karmada.io', 'v1alpha1', 'PropagationPolicy', true, 'controlPlane'),
    d('clusterpropagationpolicies', 'policy.karmada.io', 'v1alpha1', 'ClusterPropagationPolicy', false, 'controlPlane'),
    d('overridepolicies', 'policy.karmada.io', 'v1alpha1', 'OverridePolicy', true, 'controlPlane'),
    d('clusteroverridepolicies', 'policy.karmada.io', 'v1alpha1', 'ClusterOverridePolicy', false, 'controlPlane'),
    d('resourcebindings', 'work.karmada.io', 'v1alpha2', 'ResourceBinding', true, 'controlPlane'),
    d('clusterresourcebindings', 'work.karmada.io', 'v1alpha2', 'ClusterResourceBinding', false, 'controlPlane'),
    d('applications', mw.group, mw.version, 'Application', true, 'member'),
    d('components', mw.group, mw.version, 'Component', true, 'member'),
    d('workloadsets', mw.group, mw.version, 'WorkloadSet', true, 'member'),
    d('operations', mw.group, mw.version, 'Operation', true, 'member'),
  ];
  return new Map(list.map((k) => [k.name, k]));
}

/** `apps/v1`, `v1`: the apiVersion of a descriptor. */
export function apiVersionOf(k: KindDescriptor): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}

/** Collection path, cluster-wide or in one namespace, relative to a cluster's server URL. */
export function collectionPath(k: KindDescriptor, namespace?: string): string {
  const base = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  return namespace && k.namespaced ? `${base}/namespaces/${encodeURIComponent(namespace)}/${k.plural}` : `${base}/${k.plural}`;
}
