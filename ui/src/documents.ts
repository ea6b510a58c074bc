/**
 * Every GraphQL document the dashboard sends. graphql-codegen (codegen.client.ts) reads the `graphql(...)`
 * calls here and writes their typed documents into ./gql: `npm run codegen` after editing one.
 */
import { graphql } from './gql';

export const ProbeQuery = graphql(`
  query DashboardProbe {
    fleet {
      clusters { total }
    }
  }
`);

export const ClustersQuery = graphql(`
  query DashboardClusters {
    clusters(first: 1000) {
      edges {
        node {
          name
          provider
          region
          health {
            ready
            readyCondition { reason }
            gateway { unreachableSince lastError }
          }
        }
      }
    }
  }
`);

export const NodesPageQuery = graphql(`
  query DashboardNodes($first: Int!, $after: String) {
    nodes(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          cluster
          name
          ready
          unschedulable
          capacity { cpuCores memoryBytes }
          usage { cpuCores memoryBytes }
          can { cordon uncordon drain }
        }
      }
    }
  }
`);

export const NodeUsageQuery = graphql(`
  query DashboardNodeUsage($first: Int!, $after: String) {
    nodes(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { cluster name usage { cpuCores memoryBytes } } }
    }
  }
`);

export const PodsPageQuery = graphql(`
  query DashboardPods($first: Int!, $after: String) {
    pods(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          cluster
          namespace
          name
          phase
          nodeName
          requests { cpuCores memoryBytes }
        }
      }
    }
  }
`);

export const NodeChangedSubscription = graphql(`
  subscription DashboardNodeChanged {
    nodeChanged {
      type
      cluster
      node {
        cluster
        name
        ready
        unschedulable
        capacity { cpuCores memoryBytes }
        usage { cpuCores memoryBytes }
        can { cordon uncordon drain }
      }
    }
  }
`);

export const PodChangedSubscription = graphql(`
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
        requests { cpuCores memoryBytes }
      }
    }
  }
`);

export const ClusterChangedSubscription = graphql(`
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
          readyCondition { reason }
          gateway { unreachableSince lastError }
        }
      }
    }
  }
`);

export const FleetChangedSubscription = graphql(`
  subscription DashboardFleetChanged {
    fleetChanged(minIntervalMs: 1000) {
      clusters { total ready unreachable }
      nodes { total ready cordoned }
      pods { total byPhase { phase count } }
    }
  }
`);

export const WorkloadsQuery = graphql(`
  query DashboardWorkloads {
    workloads(first: 500) {
      edges {
        node {
          kind
          workloadKind
          namespace
          name
          replicas { desired ready }
        }
      }
    }
  }
`);

export const WorkloadDetailQuery = graphql(`
  query DashboardWorkload($kind: WorkloadKind!, $namespace: String!, $name: String!) {
    workload(kind: $kind, namespace: $namespace, name: $name) {
      ...WorkloadDetail
    }
  }
`);

export const WorkloadDetailFragment = graphql(`
  fragment WorkloadDetail on Workload {
    kind
    workloadKind
    namespace
    name
    can { scale }
    images
    replicas { desired current ready available updated }
    policy { kind namespace name }
    propagationPolicy {
      name
      priority
      placement { ...PolicyPlacementDetail }
    }
    clusterPropagationPolicy {
      name
      priority
      placement { ...PolicyPlacementDetail }
    }
    overridePolicies { kind namespace name }
    placements {
      cluster
      scheduledReplicas
      readyReplicas
      availableReplicas
      applied
      health
      weight { kind static dynamicFactor }
    }
  }
`);

export const PolicyPlacementFragment = graphql(`
  fragment PolicyPlacementDetail on PolicyPlacement {
    clusterAffinity { clusterNames exclude providers regions labelSelector }
    replicaScheduling {
      type
      divisionPreference
      dynamicWeight
      staticWeightList { weight targetCluster { clusterNames } }
    }
    spreadConstraints { spreadByField maxGroups minGroups }
  }
`);

export const WorkloadChangedSubscription = graphql(`
  subscription DashboardWorkloadChanged($namespace: String!, $name: String!, $kind: WorkloadKind!) {
    workloadChanged(namespace: $namespace, name: $name, kind: $kind) {
      type
      cause
      workload { ...WorkloadDetail }
    }
  }
`);

export const OperationFieldsFragment = graphql(`
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
    target { kind namespace name cluster }
    parameters { key value }
    steps { name phase message startedAt finishedAt }
  }
`);

export const OperationsQuery = graphql(`
  query DashboardOperations($first: Int!) {
    operations(first: $first) {
      totalCount
      edges { node { ...OperationFields } }
    }
  }
`);

export const OperationProgressSubscription = graphql(`
  subscription DashboardOperationProgress($id: ID!) {
    operationProgress(id: $id) { ...OperationFields }
  }
`);

export const OperationChangedSubscription = graphql(`
  subscription DashboardOperationChanged {
    operationChanged { type dropped operation { ...OperationFields } }
  }
`);

export const CordonMutation = graphql(`
  mutation DashboardCordon($cluster: String!, $name: String!) {
    cordonNode(cluster: $cluster, name: $name) { ...OperationFields }
  }
`);

export const UncordonMutation = graphql(`
  mutation DashboardUncordon($cluster: String!, $name: String!) {
    uncordonNode(cluster: $cluster, name: $name) { ...OperationFields }
  }
`);

export const DrainMutation = graphql(`
  mutation DashboardDrain($cluster: String!, $name: String!, $options: DrainOptions) {
    drainNode(cluster: $cluster, name: $name, options: $options) { ...OperationFields }
  }
`);

export const ScaleMutation = graphql(`
  mutation DashboardScale($kind: WorkloadKindInput!, $namespace: String!, $name: String!, $replicas: Int!) {
    scaleWorkload(kind: $kind, namespace: $namespace, name: $name, replicas: $replicas) { ...OperationFields }
  }
`);
