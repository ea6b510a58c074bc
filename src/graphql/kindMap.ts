/**
 * Which data-layer kind and which GraphQL type serve a Kubernetes kind, on the control plane or on a
 * member. Used by `resource(id)`, `ResourceRef.resource` and the trace.
 */
import type { KindName } from '../fleet/kinds.js';
import type { ResourceTypeName } from './models.js';

export interface KindRoute {
  kind: KindName;
  type: ResourceTypeName;
}

const BOTH: Record<string, { kind: KindName; controlPlane: ResourceTypeName; member: ResourceTypeName }> = {
  Namespace: { kind: 'namespaces', controlPlane: 'Namespace', member: 'Namespace' },
  Deployment: { kind: 'deployments', controlPlane: 'Workload', member: 'MemberWorkload' },
  StatefulSet: { kind: 'statefulsets', controlPlane: 'Workload', member: 'MemberWorkload' },
  DaemonSet: { kind: 'daemonsets', controlPlane: 'Workload', member: 'MemberWorkload' },
  Job: { kind: 'jobs', controlPlane: 'Workload', member: 'MemberWorkload' },
  CronJob: { kind: 'cronjobs', controlPlane: 'Workload', member: 'MemberWorkload' },
  Service: { kind: 'services', controlPlane: 'Service', member: 'Service' },
  ConfigMap: { kind: 'configmaps', controlPlane: 'ConfigMap', member: 'ConfigMap' },
};

const CONTROL_PLANE_ONLY: Record<string, KindRoute> = {
  Cluster: { kind: 'clusters', type: 'Cluster' },
  PropagationPolicy: { kind: 'propagationpolicies', type: 'PropagationPolicy' },
  ClusterPropagationPolicy: { kind: 'clusterpropagationpolicies', type: 'ClusterPropagationPolicy' },
  OverridePolicy: { kind: 'overridepolicies', type: 'OverridePolicy' },
  ClusterOverridePolicy: { kind: 'clusteroverridepolicies', type: 'ClusterOverridePolicy' },
  ResourceBinding: { kind: 'resourcebindings', type: 'ResourceBinding' },
  ClusterResourceBinding: { kind: 'clusterresourcebindings', type: 'ResourceBinding' },
};

const MEMBER_ONLY: Record<string, KindRoute> = {
  Node: { kind: 'nodes', type: 'Node' },
  Pod: { kind: 'pods', type: 'Pod' },
  Secret: { kind: 'secrets', type: 'Secret' },
  Application: { kind: 'applications', type: 'MiddlewareInstance' },
};

/** The route for a Kubernetes kind in a member (cluster set) or on the control plane (cluster null). */
export function routeOf(kind: string, cluster: string | null): KindRoute | undefined {
  const both = BOTH[kind];
  if (both) return { kind: both.kind, type: cluster === null ? both.controlPlane : both.member };
  return cluster === null ? CONTROL_PLANE_ONLY[kind] : MEMBER_ONLY[kind];
}

/** GraphQL WorkloadKind enum value for a Kubernetes kind. */
export const WORKLOAD_KIND: Record<string, 'DEPLOYMENT' | 'STATEFUL_SET' | 'DAEMON_SET' | 'JOB' | 'CRON_JOB'> = {
  Deployment: 'DEPLOYMENT',
  StatefulSet: 'STATEFUL_SET',
  DaemonSet: 'DAEMON_SET',
  Job: 'JOB',
  CronJob: 'CRON_JOB',
};

/** Data-layer kind for a WorkloadKind enum value. */
export const WORKLOAD_KIND_NAME: Record<string, KindName> = {
  DEPLOYMENT: 'deployments',
  STATEFUL_SET: 'statefulsets',
  DAEMON_SET: 'daemonsets',
  JOB: 'jobs',
  CRON_JOB: 'cronjobs',
};
