/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** What happened to an object. */
export type ChangeType =
  /** The object appeared (created, or first seen after a relist). */
  | 'ADDED'
  /** The object was deleted (the event carries its last known state). */
  | 'DELETED'
  /** The object changed. */
  | 'MODIFIED'
  /**
   * This subscriber's queue overflowed and `dropped` events were discarded: its view may be stale, re-query.
   * The object fields of the event are null.
   */
  | 'RESYNC';

/** Why a `clusterChanged` event was sent. */
export type ClusterChangeCause =
  /** The Karmada Cluster object changed (status, conditions, labels...). */
  | 'OBJECT'
  /** The gateway reaches the member again; the changes made meanwhile follow as their own events. */
  | 'REACHABLE'
  /** The gateway lost its connection to the member (its data is now stale): see `reachable` and `reason`. */
  | 'UNREACHABLE';

/** How to drain a node, as `kubectl drain` does. */
export type DrainOptions = {
  /** Also evict pods using emptyDir volumes (their data is lost). Like `--delete-emptydir-data`. */
  deleteEmptyDirData?: boolean | null | undefined;
  /** How long to wait for an evicted pod to be gone before the step fails, seconds. */
  deletionTimeoutSeconds?: number | null | undefined;
  /** Also delete pods that no controller manages (they are lost). Like `--force`. */
  force?: boolean | null | undefined;
  /** Grace period for each eviction, seconds; null = the pod's own. */
  gracePeriodSeconds?: number | null | undefined;
  /** How long to keep retrying an eviction a PodDisruptionBudget refuses, seconds, before the step fails. */
  podTimeoutSeconds?: number | null | undefined;
};

/** Phase of an Operation. */
export type OperationPhase =
  /** Stopped before completion by `cancelOperation` (`reason: CANCELLED`; `error` says who and why). */
  | 'CANCELLED'
  /** A step failed (see `error`, `reason` and the failed step). */
  | 'FAILED'
  /** Accepted, not started. */
  | 'PENDING'
  /** Steps are running. */
  | 'RUNNING'
  /** Every step succeeded. */
  | 'SUCCEEDED';

/** Phase of one step of an Operation. */
export type OperationStepPhase =
  /** Stopped by `cancelOperation` while it ran, or never run because the Operation was cancelled first. */
  | 'CANCELLED'
  /** Failed; `message` says why. */
  | 'FAILED'
  /** Not started. */
  | 'PENDING'
  /** Running. */
  | 'RUNNING'
  /** Not needed (e.g. a DaemonSet pod during a drain). */
  | 'SKIPPED'
  /** Done. */
  | 'SUCCEEDED';

/** Pod phase. */
export type PodPhase =
  /** All containers terminated, at least one failed. */
  | 'FAILED'
  /** Accepted, not all containers running yet. */
  | 'PENDING'
  /** Bound and at least one container running. */
  | 'RUNNING'
  /** All containers terminated successfully. */
  | 'SUCCEEDED'
  /** State unknown. */
  | 'UNKNOWN';

/** How a placement's replica count was chosen. */
export type WeightKind =
  /** Aggregated division (fewest clusters). */
  | 'AGGREGATED'
  /** Every cluster gets all replicas (Duplicated). */
  | 'DUPLICATED'
  /** A dynamic weight (by available replicas). */
  | 'DYNAMIC'
  /** A static weight from staticWeightList. */
  | 'STATIC';

/** Why a `workloadChanged` event was sent. */
export type WorkloadChangeCause =
  /** Its ResourceBinding changed: scheduling result, placements, per-cluster status. */
  | 'BINDING'
  /** The resource template itself changed. */
  | 'TEMPLATE';

/** Workload kinds. */
export type WorkloadKind =
  /** batch/v1 CronJob. */
  | 'CRON_JOB'
  /** apps/v1 DaemonSet. */
  | 'DAEMON_SET'
  /** apps/v1 Deployment. */
  | 'DEPLOYMENT'
  /** batch/v1 Job. */
  | 'JOB'
  /** apps/v1 StatefulSet. */
  | 'STATEFUL_SET';

/** Workload kinds the gateway can scale, restart and roll back. */
export type WorkloadKindInput =
  /** apps/v1 DaemonSet (restart and rollback only). */
  | 'DAEMONSET'
  /** apps/v1 Deployment. */
  | 'DEPLOYMENT'
  /** apps/v1 StatefulSet. */
  | 'STATEFULSET';

export type DashboardProbeQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardProbeQuery = { fleet: { clusters: { total: number } } };

export type DashboardClustersQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardClustersQuery = { clusters: { edges: Array<{ node: { name: string, provider: string | null, region: string | null, health: { ready: boolean, readyCondition: { reason: string | null } | null, gateway: { unreachableSince: string | null, lastError: string | null } } } }> } };

export type DashboardNodesQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type DashboardNodesQuery = { nodes: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { cluster: string | null, name: string, ready: boolean, unschedulable: boolean, capacity: { cpuCores: number | null, memoryBytes: number | null }, usage: { cpuCores: number | null, memoryBytes: number | null } | null, can: { cordon: boolean, uncordon: boolean, drain: boolean } } }> } };

export type DashboardNodeUsageQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type DashboardNodeUsageQuery = { nodes: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { cluster: string | null, name: string, usage: { cpuCores: number | null, memoryBytes: number | null } | null } }> } };

export type DashboardPodsQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type DashboardPodsQuery = { pods: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { cluster: string | null, namespace: string | null, name: string, phase: PodPhase, nodeName: string | null, requests: { cpuCores: number | null, memoryBytes: number | null } } }> } };

export type DashboardNodeChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type DashboardNodeChangedSubscription = { nodeChanged: { type: ChangeType, cluster: string | null, node: { cluster: string | null, name: string, ready: boolean, unschedulable: boolean, capacity: { cpuCores: number | null, memoryBytes: number | null }, usage: { cpuCores: number | null, memoryBytes: number | null } | null, can: { cordon: boolean, uncordon: boolean, drain: boolean } } | null } };

export type DashboardPodChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type DashboardPodChangedSubscription = { podChanged: { type: ChangeType, cluster: string | null, pod: { cluster: string | null, namespace: string | null, name: string, phase: PodPhase, nodeName: string | null, requests: { cpuCores: number | null, memoryBytes: number | null } } | null } };

export type DashboardClusterChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type DashboardClusterChangedSubscription = { clusterChanged: { type: ChangeType, cluster: string | null, cause: ClusterChangeCause | null, reachable: boolean | null, reason: string | null, member: { name: string, provider: string | null, region: string | null, health: { ready: boolean, readyCondition: { reason: string | null } | null, gateway: { unreachableSince: string | null, lastError: string | null } } } | null } };

export type DashboardFleetChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type DashboardFleetChangedSubscription = { fleetChanged: { clusters: { total: number, ready: number, unreachable: number }, nodes: { total: number, ready: number, cordoned: number }, pods: { total: number, byPhase: Array<{ phase: PodPhase, count: number }> } } };

export type DashboardWorkloadsQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardWorkloadsQuery = { workloads: { edges: Array<{ node: { kind: string, workloadKind: WorkloadKind, namespace: string | null, name: string, replicas: { desired: number | null, ready: number } } }> } };

export type DashboardWorkloadQueryVariables = Exact<{
  kind: WorkloadKind;
  namespace: string;
  name: string;
}>;


export type DashboardWorkloadQuery = { workload: { kind: string, workloadKind: WorkloadKind, namespace: string | null, name: string, images: Array<string>, can: { scale: boolean }, replicas: { desired: number | null, current: number, ready: number, available: number, updated: number }, policy: { kind: string, namespace: string | null, name: string } | null, propagationPolicy: { name: string, priority: number, placement: { clusterAffinity: { clusterNames: Array<string>, exclude: Array<string>, providers: Array<string>, regions: Array<string>, labelSelector: string | null } | null, replicaScheduling: { type: string, divisionPreference: string | null, dynamicWeight: string | null, staticWeightList: Array<{ weight: number, targetCluster: { clusterNames: Array<string> } }> } | null, spreadConstraints: Array<{ spreadByField: string | null, maxGroups: number | null, minGroups: number | null }> } } | null, clusterPropagationPolicy: { name: string, priority: number, placement: { clusterAffinity: { clusterNames: Array<string>, exclude: Array<string>, providers: Array<string>, regions: Array<string>, labelSelector: string | null } | null, replicaScheduling: { type: string, divisionPreference: string | null, dynamicWeight: string | null, staticWeightList: Array<{ weight: number, targetCluster: { clusterNames: Array<string> } }> } | null, spreadConstraints: Array<{ spreadByField: string | null, maxGroups: number | null, minGroups: number | null }> } } | null, overridePolicies: Array<{ kind: string, namespace: string | null, name: string }>, placements: Array<{ cluster: string, scheduledReplicas: number | null, readyReplicas: number | null, availableReplicas: number | null, applied: boolean | null, health: string | null, weight: { kind: WeightKind, static: number | null, dynamicFactor: string | null } }> } | null };

export type WorkloadDetailFragment = { kind: string, workloadKind: WorkloadKind, namespace: string | null, name: string, images: Array<string>, can: { scale: boolean }, replicas: { desired: number | null, current: number, ready: number, available: number, updated: number }, policy: { kind: string, namespace: string | null, name: string } | null, propagationPolicy: { name: string, priority: number, placement: { clusterAffinity: { clusterNames: Array<string>, exclude: Array<string>, providers: Array<string>, regions: Array<string>, labelSelector: string | null } | null, replicaScheduling: { type: string, divisionPreference: string | null, dynamicWeight: string | null, staticWeightList: Array<{ weight: number, targetCluster: { clusterNames: Array<string> } }> } | null, spreadConstraints: Array<{ spreadByField: string | null, maxGroups: number | null, minGroups: number | null }> } } | null, clusterPropagationPolicy: { name: string, priority: number, placement: { clusterAffinity: { clusterNames: Array<string>, exclude: Array<string>, providers: Array<string>, regions: Array<string>, labelSelector: string | null } | null, replicaScheduling: { type: string, divisionPreference: string | null, dynamicWeight: string | null, staticWeightList: Array<{ weight: number, targetCluster: { clusterNames: Array<string> } }> } | null, spreadConstraints: Array<{ spreadByField: string | null, maxGroups: number | null, minGroups: number | null }> } } | null, overridePolicies: Array<{ kind: string, namespace: string | null, name: string }>, placements: Array<{ cluster: string, scheduledReplicas: number | null, readyReplicas: number | null, availableReplicas: number | null, applied: boolean | null, health: string | null, weight: { kind: WeightKind, static: number | null, dynamicFactor: string | null } }> };

export type PolicyPlacementDetailFragment = { clusterAffinity: { clusterNames: Array<string>, exclude: Array<string>, providers: Array<string>, regions: Array<string>, labelSelector: string | null } | null, replicaScheduling: { type: string, divisionPreference: string | null, dynamicWeight: string | null, staticWeightList: Array<{ weight: number, targetCluster: { clusterNames: Array<string> } }> } | null, spreadConstraints: Array<{ spreadByField: string | null, maxGroups: number | null, minGroups: number | null }> };

export type DashboardWorkloadChangedSubscriptionVariables = Exact<{
  namespace: string;
  name: string;
  kind: WorkloadKind;
}>;


export type DashboardWorkloadChangedSubscription = { workloadChanged: { type: ChangeType, cause: WorkloadChangeCause | null, workload: { kind: string, workloadKind: WorkloadKind, namespace: string | null, name: string, images: Array<string>, can: { scale: boolean }, replicas: { desired: number | null, current: number, ready: number, available: number, updated: number }, policy: { kind: string, namespace: string | null, name: string } | null, propagationPolicy: { name: string, priority: number, placement: { clusterAffinity: { clusterNames: Array<string>, exclude: Array<string>, providers: Array<string>, regions: Array<string>, labelSelector: string | null } | null, replicaScheduling: { type: string, divisionPreference: string | null, dynamicWeight: string | null, staticWeightList: Array<{ weight: number, targetCluster: { clusterNames: Array<string> } }> } | null, spreadConstraints: Array<{ spreadByField: string | null, maxGroups: number | null, minGroups: number | null }> } } | null, clusterPropagationPolicy: { name: string, priority: number, placement: { clusterAffinity: { clusterNames: Array<string>, exclude: Array<string>, providers: Array<string>, regions: Array<string>, labelSelector: string | null } | null, replicaScheduling: { type: string, divisionPreference: string | null, dynamicWeight: string | null, staticWeightList: Array<{ weight: number, targetCluster: { clusterNames: Array<string> } }> } | null, spreadConstraints: Array<{ spreadByField: string | null, maxGroups: number | null, minGroups: number | null }> } } | null, overridePolicies: Array<{ kind: string, namespace: string | null, name: string }>, placements: Array<{ cluster: string, scheduledReplicas: number | null, readyReplicas: number | null, availableReplicas: number | null, applied: boolean | null, health: string | null, weight: { kind: WeightKind, static: number | null, dynamicFactor: string | null } }> } | null } };

export type OperationFieldsFragment = { id: string, type: string, phase: OperationPhase, cluster: string | null, requestedBy: string, createdAt: string, startedAt: string | null, completedAt: string | null, error: string | null, reason: string | null, target: { kind: string, namespace: string | null, name: string, cluster: string | null }, parameters: Array<{ key: string, value: string }>, steps: Array<{ name: string, phase: OperationStepPhase, message: string | null, startedAt: string | null, finishedAt: string | null }> };

export type DashboardOperationsQueryVariables = Exact<{
  first: number;
}>;


export type DashboardOperationsQuery = { operations: { totalCount: number, edges: Array<{ node: { id: string, type: string, phase: OperationPhase, cluster: string | null, requestedBy: string, createdAt: string, startedAt: string | null, completedAt: string | null, error: string | null, reason: string | null, target: { kind: string, namespace: string | null, name: string, cluster: string | null }, parameters: Array<{ key: string, value: string }>, steps: Array<{ name: string, phase: OperationStepPhase, message: string | null, startedAt: string | null, finishedAt: string | null }> } }> } };

export type DashboardOperationProgressSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type DashboardOperationProgressSubscription = { operationProgress: { id: string, type: string, phase: OperationPhase, cluster: string | null, requestedBy: string, createdAt: string, startedAt: string | null, completedAt: string | null, error: string | null, reason: string | null, target: { kind: string, namespace: string | null, name: string, cluster: string | null }, parameters: Array<{ key: string, value: string }>, steps: Array<{ name: string, phase: OperationStepPhase, message: string | null, startedAt: string | null, finishedAt: string | null }> } };

export type DashboardOperationChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type DashboardOperationChangedSubscription = { operationChanged: { type: ChangeType, dropped: number, operation: { id: string, type: string, phase: OperationPhase, cluster: string | null, requestedBy: string, createdAt: string, startedAt: string | null, completedAt: string | null, error: string | null, reason: string | null, target: { kind: string, namespace: string | null, name: string, cluster: string | null }, parameters: Array<{ key: string, value: string }>, steps: Array<{ name: string, phase: OperationStepPhase, message: string | null, startedAt: string | null, finishedAt: string | null }> } | null } };

export type DashboardCordonMutationVariables = Exact<{
  cluster: string;
  name: string;
}>;


export type DashboardCordonMutation = { cordonNode: { id: string, type: string, phase: OperationPhase, cluster: string | null, requestedBy: string, createdAt: string, startedAt: string | null, completedAt: string | null, error: string | null, reason: string | null, target: { kind: string, namespace: string | null, name: string, cluster: string | null }, parameters: Array<{ key: string, value: string }>, steps: Array<{ name: string, phase: OperationStepPhase, message: string | null, startedAt: string | null, finishedAt: string | null }> } };

export type DashboardUncordonMutationVariables = Exact<{
  cluster: string;
  name: string;
}>;


export type DashboardUncordonMutation = { uncordonNode: { id: string, type: string, phase: OperationPhase, cluster: string | null, requestedBy: string, createdAt: string, startedAt: string | null, completedAt: string | null, error: string | null, reason: string | null, target: { kind: string, namespace: string | null, name: string, cluster: string | null }, parameters: Array<{ key: string, value: string }>, steps: Array<{ name: string, phase: OperationStepPhase, message: string | null, startedAt: string | null, finishedAt: string | null }> } };

export type DashboardDrainMutationVariables = Exact<{
  cluster: string;
  name: string;
  options?: DrainOptions | null | undefined;
}>;


export type DashboardDrainMutation = { drainNode: { id: string, type: string, phase: OperationPhase, cluster: string | null, requestedBy: string, createdAt: string, startedAt: string | null, completedAt: string | null, error: string | null, reason: string | null, target: { kind: string, namespace: string | null, name: string, cluster: string | null }, parameters: Array<{ key: string, value: string }>, steps: Array<{ name: string, phase: OperationStepPhase, message: string | null, startedAt: string | null, finishedAt: string | null }> } };

export type DashboardScaleMutationVariables = Exact<{
  kind: WorkloadKindInput;
  namespace: string;
  name: string;
  replicas: number;
}>;


export type DashboardScaleMutation = { scaleWorkload: { id: string, type: string, phase: OperationPhase, cluster: string | null, requestedBy: string, createdAt: string, startedAt: string | null, completedAt: string | null, error: string | null, reason: string | null, target: { kind: string, namespace: string | null, name: string, cluster: string | null }, parameters: Array<{ key: string, value: string }>, steps: Array<{ name: string, phase: OperationStepPhase, message: string | null, startedAt: string | null, finishedAt: string | null }> } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const PolicyPlacementDetailFragmentDoc = new TypedDocumentString(`
    fragment PolicyPlacementDetail on PolicyPlacement {
  clusterAffinity {
    clusterNames
    exclude
    providers
    regions
    labelSelector
  }
  replicaScheduling {
    type
    divisionPreference
    dynamicWeight
    staticWeightList {
      weight
      targetCluster {
        clusterNames
      }
    }
  }
  spreadConstraints {
    spreadByField
    maxGroups
    minGroups
  }
}
    `, {"fragmentName":"PolicyPlacementDetail"}) as unknown as TypedDocumentString<PolicyPlacementDetailFragment, unknown>;
export const WorkloadDetailFragmentDoc = new TypedDocumentString(`
    fragment WorkloadDetail on Workload {
  kind
  workloadKind
  namespace
  name
  can {
    scale
  }
  images
  replicas {
    desired
    current
    ready
    available
    updated
  }
  policy {
    kind
    namespace
    name
  }
  propagationPolicy {
    name
    priority
    placement {
      ...PolicyPlacementDetail
    }
  }
  clusterPropagationPolicy {
    name
    priority
    placement {
      ...PolicyPlacementDetail
    }
  }
  overridePolicies {
    kind
    namespace
    name
  }
  placements {
    cluster
    scheduledReplicas
    readyReplicas
    availableReplicas
    applied
    health
    weight {
      kind
      static
      dynamicFactor
    }
  }
}
    fragment PolicyPlacementDetail on PolicyPlacement {
  clusterAffinity {
    clusterNames
    exclude
    providers
    regions
    labelSelector
  }
  replicaScheduling {
    type
    divisionPreference
    dynamicWeight
    staticWeightList {
      weight
      targetCluster {
        clusterNames
      }
    }
  }
  spreadConstraints {
    spreadByField
    maxGroups
    minGroups
  }
}`, {"fragmentName":"WorkloadDetail"}) as unknown as TypedDocumentString<WorkloadDetailFragment, unknown>;
export const OperationFieldsFragmentDoc = new TypedDocumentString(`
    fragment OperationFields on Operation {
  id
  type
  phase
  cluster
  requestedBy
  createdAt
  startedAt
  completedAt
  error
  reason
  target {
    kind
    namespace
    name
    cluster
  }
  parameters {
    key
    value
  }
  steps {
    name
    phase
    message
    startedAt
    finishedAt
  }
}
    `, {"fragmentName":"OperationFields"}) as unknown as TypedDocumentString<OperationFieldsFragment, unknown>;
export const DashboardProbeDocument = new TypedDocumentString(`
    query DashboardProbe {
  fleet {
    clusters {
      total
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardProbeQuery, DashboardProbeQueryVariables>;
export const DashboardClustersDocument = new TypedDocumentString(`
    query DashboardClusters {
  clusters(first: 1000) {
    edges {
      node {
        name
        provider
        region
        health {
          ready
          readyCondition {
            reason
          }
          gateway {
            unreachableSince
            lastError
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardClustersQuery, DashboardClustersQueryVariables>;
export const DashboardNodesDocument = new TypedDocumentString(`
    query DashboardNodes($first: Int!, $after: String) {
  nodes(first: $first, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        cluster
        name
        ready
        unschedulable
        capacity {
          cpuCores
          memoryBytes
        }
        usage {
          cpuCores
          memoryBytes
        }
        can {
          cordon
          uncordon
          drain
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardNodesQuery, DashboardNodesQueryVariables>;
export const DashboardNodeUsageDocument = new TypedDocumentString(`
    query DashboardNodeUsage($first: Int!, $after: String) {
  nodes(first: $first, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        cluster
        name
        usage {
          cpuCores
          memoryBytes
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardNodeUsageQuery, DashboardNodeUsageQueryVariables>;
export const DashboardPodsDocument = new TypedDocumentString(`
    query DashboardPods($first: Int!, $after: String) {
  pods(first: $first, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        cluster
        namespace
        name
        phase
        nodeName
        requests {
          cpuCores
          memoryBytes
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardPodsQuery, DashboardPodsQueryVariables>;
export const DashboardNodeChangedDocument = new TypedDocumentString(`
    subscription DashboardNodeChanged {
  nodeChanged {
    type
    cluster
    node {
      cluster
      name
      ready
      unschedulable
      capacity {
        cpuCores
        memoryBytes
      }
      usage {
        cpuCores
        memoryBytes
      }
      can {
        cordon
        uncordon
        drain
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardNodeChangedSubscription, DashboardNodeChangedSubscriptionVariables>;
export const DashboardPodChangedDocument = new TypedDocumentString(`
    subscription DashboardPodChanged {
  podChanged {
    type
    cluster
    pod {
      cluster
      namespace
      name
      phase
      nodeName
      requests {
        cpuCores
        memoryBytes
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardPodChangedSubscription, DashboardPodChangedSubscriptionVariables>;
export const DashboardClusterChangedDocument = new TypedDocumentString(`
    subscription DashboardClusterChanged {
  clusterChanged {
    type
    cluster
    cause
    reachable
    reason
    member {
      name
      provider
      region
      health {
        ready
        readyCondition {
          reason
        }
        gateway {
          unreachableSince
          lastError
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardClusterChangedSubscription, DashboardClusterChangedSubscriptionVariables>;
export const DashboardFleetChangedDocument = new TypedDocumentString(`
    subscription DashboardFleetChanged {
  fleetChanged(minIntervalMs: 1000) {
    clusters {
      total
      ready
      unreachable
    }
    nodes {
      total
      ready
      cordoned
    }
    pods {
      total
      byPhase {
        phase
        count
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardFleetChangedSubscription, DashboardFleetChangedSubscriptionVariables>;
export const DashboardWorkloadsDocument = new TypedDocumentString(`
    query DashboardWorkloads {
  workloads(first: 500) {
    edges {
      node {
        kind
        workloadKind
        namespace
        name
        replicas {
          desired
          ready
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardWorkloadsQuery, DashboardWorkloadsQueryVariables>;
export const DashboardWorkloadDocument = new TypedDocumentString(`
    query DashboardWorkload($kind: WorkloadKind!, $namespace: String!, $name: String!) {
  workload(kind: $kind, namespace: $namespace, name: $name) {
    ...WorkloadDetail
  }
}
    fragment WorkloadDetail on Workload {
  kind
  workloadKind
  namespace
  name
  can {
    scale
  }
  images
  replicas {
    desired
    current
    ready
    available
    updated
  }
  policy {
    kind
    namespace
    name
  }
  propagationPolicy {
    name
    priority
    placement {
      ...PolicyPlacementDetail
    }
  }
  clusterPropagationPolicy {
    name
    priority
    placement {
      ...PolicyPlacementDetail
    }
  }
  overridePolicies {
    kind
    namespace
    name
  }
  placements {
    cluster
    scheduledReplicas
    readyReplicas
    availableReplicas
    applied
    health
    weight {
      kind
      static
      dynamicFactor
    }
  }
}
fragment PolicyPlacementDetail on PolicyPlacement {
  clusterAffinity {
    clusterNames
    exclude
    providers
    regions
    labelSelector
  }
  replicaScheduling {
    type
    divisionPreference
    dynamicWeight
    staticWeightList {
      weight
      targetCluster {
        clusterNames
      }
    }
  }
  spreadConstraints {
    spreadByField
    maxGroups
    minGroups
  }
}`) as unknown as TypedDocumentString<DashboardWorkloadQuery, DashboardWorkloadQueryVariables>;
export const DashboardWorkloadChangedDocument = new TypedDocumentString(`
    subscription DashboardWorkloadChanged($namespace: String!, $name: String!, $kind: WorkloadKind!) {
  workloadChanged(namespace: $namespace, name: $name, kind: $kind) {
    type
    cause
    workload {
      ...WorkloadDetail
    }
  }
}
    fragment WorkloadDetail on Workload {
  kind
  workloadKind
  namespace
  name
  can {
    scale
  }
  images
  replicas {
    desired
    current
    ready
    available
    updated
  }
  policy {
    kind
    namespace
    name
  }
  propagationPolicy {
    name
    priority
    placement {
      ...PolicyPlacementDetail
    }
  }
  clusterPropagationPolicy {
    name
    priority
    placement {
      ...PolicyPlacementDetail
    }
  }
  overridePolicies {
    kind
    namespace
    name
  }
  placements {
    cluster
    scheduledReplicas
    readyReplicas
    availableReplicas
    applied
    health
    weight {
      kind
      static
      dynamicFactor
    }
  }
}
fragment PolicyPlacementDetail on PolicyPlacement {
  clusterAffinity {
    clusterNames
    exclude
    providers
    regions
    labelSelector
  }
  replicaScheduling {
    type
    divisionPreference
    dynamicWeight
    staticWeightList {
      weight
      targetCluster {
        clusterNames
      }
    }
  }
  spreadConstraints {
    spreadByField
    maxGroups
    minGroups
  }
}`) as unknown as TypedDocumentString<DashboardWorkloadChangedSubscription, DashboardWorkloadChangedSubscriptionVariables>;
export const DashboardOperationsDocument = new TypedDocumentString(`
    query DashboardOperations($first: Int!) {
  operations(first: $first) {
    totalCount
    edges {
      node {
        ...OperationFields
      }
    }
  }
}
    fragment OperationFields on Operation {
  id
  type
  phase
  cluster
  requestedBy
  createdAt
  startedAt
  completedAt
  error
  reason
  target {
    kind
    namespace
    name
    cluster
  }
  parameters {
    key
    value
  }
  steps {
    name
    phase
    message
    startedAt
    finishedAt
  }
}`) as unknown as TypedDocumentString<DashboardOperationsQuery, DashboardOperationsQueryVariables>;
export const DashboardOperationProgressDocument = new TypedDocumentString(`
    subscription DashboardOperationProgress($id: ID!) {
  operationProgress(id: $id) {
    ...OperationFields
  }
}
    fragment OperationFields on Operation {
  id
  type
  phase
  cluster
  requestedBy
  createdAt
  startedAt
  completedAt
  error
  reason
  target {
    kind
    namespace
    name
    cluster
  }
  parameters {
    key
    value
  }
  steps {
    name
    phase
    message
    startedAt
    finishedAt
  }
}`) as unknown as TypedDocumentString<DashboardOperationProgressSubscription, DashboardOperationProgressSubscriptionVariables>;
export const DashboardOperationChangedDocument = new TypedDocumentString(`
    subscription DashboardOperationChanged {
  operationChanged {
    type
    dropped
    operation {
      ...OperationFields
    }
  }
}
    fragment OperationFields on Operation {
  id
  type
  phase
  cluster
  requestedBy
  createdAt
  startedAt
  completedAt
  error
  reason
  target {
    kind
    namespace
    name
    cluster
  }
  parameters {
    key
    value
  }
  steps {
    name
    phase
    message
    startedAt
    finishedAt
  }
}`) as unknown as TypedDocumentString<DashboardOperationChangedSubscription, DashboardOperationChangedSubscriptionVariables>;
export const DashboardCordonDocument = new TypedDocumentString(`
    mutation DashboardCordon($cluster: String!, $name: String!) {
  cordonNode(cluster: $cluster, name: $name) {
    ...OperationFields
  }
}
    fragment OperationFields on Operation {
  id
  type
  phase
  cluster
  requestedBy
  createdAt
  startedAt
  completedAt
  error
  reason
  target {
    kind
    namespace
    name
    cluster
  }
  parameters {
    key
    value
  }
  steps {
    name
    phase
    message
    startedAt
    finishedAt
  }
}`) as unknown as TypedDocumentString<DashboardCordonMutation, DashboardCordonMutationVariables>;
export const DashboardUncordonDocument = new TypedDocumentString(`
    mutation DashboardUncordon($cluster: String!, $name: String!) {
  uncordonNode(cluster: $cluster, name: $name) {
    ...OperationFields
  }
}
    fragment OperationFields on Operation {
  id
  type
  phase
  cluster
  requestedBy
  createdAt
  startedAt
  completedAt
  error
  reason
  target {
    kind
    namespace
    name
    cluster
  }
  parameters {
    key
    value
  }
  steps {
    name
    phase
    message
    startedAt
    finishedAt
  }
}`) as unknown as TypedDocumentString<DashboardUncordonMutation, DashboardUncordonMutationVariables>;
export const DashboardDrainDocument = new TypedDocumentString(`
    mutation DashboardDrain($cluster: String!, $name: String!, $options: DrainOptions) {
  drainNode(cluster: $cluster, name: $name, options: $options) {
    ...OperationFields
  }
}
    fragment OperationFields on Operation {
  id
  type
  phase
  cluster
  requestedBy
  createdAt
  startedAt
  completedAt
  error
  reason
  target {
    kind
    namespace
    name
    cluster
  }
  parameters {
    key
    value
  }
  steps {
    name
    phase
    message
    startedAt
    finishedAt
  }
}`) as unknown as TypedDocumentString<DashboardDrainMutation, DashboardDrainMutationVariables>;
export const DashboardScaleDocument = new TypedDocumentString(`
    mutation DashboardScale($kind: WorkloadKindInput!, $namespace: String!, $name: String!, $replicas: Int!) {
  scaleWorkload(
    kind: $kind
    namespace: $namespace
    name: $name
    replicas: $replicas
  ) {
    ...OperationFields
  }
}
    fragment OperationFields on Operation {
  id
  type
  phase
  cluster
  requestedBy
  createdAt
  startedAt
  completedAt
  error
  reason
  target {
    kind
    namespace
    name
    cluster
  }
  parameters {
    key
    value
  }
  steps {
    name
    phase
    message
    startedAt
    finishedAt
  }
}`) as unknown as TypedDocumentString<DashboardScaleMutation, DashboardScaleMutationVariables>;