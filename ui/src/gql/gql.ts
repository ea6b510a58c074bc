/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query DashboardProbe {\n    fleet {\n      clusters { total }\n    }\n  }\n": typeof types.DashboardProbeDocument,
    "\n  query DashboardClusters {\n    clusters(first: 1000) {\n      edges {\n        node {\n          name\n          provider\n          region\n          health {\n            ready\n            readyCondition { reason }\n            gateway { unreachableSince lastError }\n          }\n        }\n      }\n    }\n  }\n": typeof types.DashboardClustersDocument,
    "\n  query DashboardNodes($first: Int!, $after: String) {\n    nodes(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges {\n        node {\n          cluster\n          name\n          ready\n          unschedulable\n          capacity { cpuCores memoryBytes }\n          usage { cpuCores memoryBytes }\n          can { cordon uncordon drain }\n        }\n      }\n    }\n  }\n": typeof types.DashboardNodesDocument,
    "\n  query DashboardNodeUsage($first: Int!, $after: String) {\n    nodes(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { cluster name usage { cpuCores memoryBytes } } }\n    }\n  }\n": typeof types.DashboardNodeUsageDocument,
    "\n  query DashboardPods($first: Int!, $after: String) {\n    pods(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges {\n        node {\n          cluster\n          namespace\n          name\n          phase\n          nodeName\n          requests { cpuCores memoryBytes }\n        }\n      }\n    }\n  }\n": typeof types.DashboardPodsDocument,
    "\n  subscription DashboardNodeChanged {\n    nodeChanged {\n      type\n      cluster\n      node {\n        cluster\n        name\n        ready\n        unschedulable\n        capacity { cpuCores memoryBytes }\n        usage { cpuCores memoryBytes }\n        can { cordon uncordon drain }\n      }\n    }\n  }\n": typeof types.DashboardNodeChangedDocument,
    "\n  subscription DashboardPodChanged {\n    podChanged {\n      type\n      cluster\n      pod {\n        cluster\n        namespace\n        name\n        phase\n        nodeName\n        requests { cpuCores memoryBytes }\n      }\n    }\n  }\n": typeof types.DashboardPodChangedDocument,
    "\n  subscription DashboardClusterChanged {\n    clusterChanged {\n      type\n      cluster\n      cause\n      reachable\n      reason\n      member {\n        name\n        provider\n        region\n        health {\n          ready\n          readyCondition { reason }\n          gateway { unreachableSince lastError }\n        }\n      }\n    }\n  }\n": typeof types.DashboardClusterChangedDocument,
    "\n  subscription DashboardFleetChanged {\n    fleetChanged(minIntervalMs: 1000) {\n      clusters { total ready unreachable }\n      nodes { total ready cordoned }\n      pods { total byPhase { phase count } }\n    }\n  }\n": typeof types.DashboardFleetChangedDocument,
    "\n  query DashboardWorkloads {\n    workloads(first: 500) {\n      edges {\n        node {\n          kind\n          workloadKind\n          namespace\n          name\n          replicas { desired ready }\n        }\n      }\n    }\n  }\n": typeof types.DashboardWorkloadsDocument,
    "\n  query DashboardWorkload($kind: WorkloadKind!, $namespace: String!, $name: String!) {\n    workload(kind: $kind, namespace: $namespace, name: $name) {\n      ...WorkloadDetail\n    }\n  }\n": typeof types.DashboardWorkloadDocument,
    "\n  fragment WorkloadDetail on Workload {\n    kind\n    workloadKind\n    namespace\n    name\n    can { scale }\n    images\n    replicas { desired current ready available updated }\n    policy { kind namespace name }\n    propagationPolicy {\n      name\n      priority\n      placement { ...PolicyPlacementDetail }\n    }\n    clusterPropagationPolicy {\n      name\n      priority\n      placement { ...PolicyPlacementDetail }\n    }\n    overridePolicies { kind namespace name }\n    placements {\n      cluster\n      scheduledReplicas\n      readyReplicas\n      availableReplicas\n      applied\n      health\n      weight { kind static dynamicFactor }\n    }\n  }\n": typeof types.WorkloadDetailFragmentDoc,
    "\n  fragment PolicyPlacementDetail on PolicyPlacement {\n    clusterAffinity { clusterNames exclude providers regions labelSelector }\n    replicaScheduling {\n      type\n      divisionPreference\n      dynamicWeight\n      staticWeightList { weight targetCluster { clusterNames } }\n    }\n    spreadConstraints { spreadByField maxGroups minGroups }\n  }\n": typeof types.PolicyPlacementDetailFragmentDoc,
    "\n  subscription DashboardWorkloadChanged($namespace: String!, $name: String!, $kind: WorkloadKind!) {\n    workloadChanged(namespace: $namespace, name: $name, kind: $kind) {\n      type\n      cause\n      workload { ...WorkloadDetail }\n    }\n  }\n": typeof types.DashboardWorkloadChangedDocument,
    "\n  fragment OperationFields on Operation {\n    id\n    type\n    phase\n    cluster\n    requestedBy\n    createdAt\n    startedAt\n    completedAt\n    error\n    reason\n    target { kind namespace name cluster }\n    parameters { key value }\n    steps { name phase message startedAt finishedAt }\n  }\n": typeof types.OperationFieldsFragmentDoc,
    "\n  query DashboardOperations($first: Int!) {\n    operations(first: $first) {\n      totalCount\n      edges { node { ...OperationFields } }\n    }\n  }\n": typeof types.DashboardOperationsDocument,
    "\n  subscription DashboardOperationProgress($id: ID!) {\n    operationProgress(id: $id) { ...OperationFields }\n  }\n": typeof types.DashboardOperationProgressDocument,
    "\n  subscription DashboardOperationChanged {\n    operationChanged { type dropped operation { ...OperationFields } }\n  }\n": typeof types.DashboardOperationChangedDocument,
    "\n  mutation DashboardCordon($cluster: String!, $name: String!) {\n    cordonNode(cluster: $cluster, name: $name) { ...OperationFields }\n  }\n": typeof types.DashboardCordonDocument,
    "\n  mutation DashboardUncordon($cluster: String!, $name: String!) {\n    uncordonNode(cluster: $cluster, name: $name) { ...OperationFields }\n  }\n": typeof types.DashboardUncordonDocument,
    "\n  mutation DashboardDrain($cluster: String!, $name: String!, $options: DrainOptions) {\n    drainNode(cluster: $cluster, name: $name, options: $options) { ...OperationFields }\n  }\n": typeof types.DashboardDrainDocument,
    "\n  mutation DashboardScale($kind: WorkloadKindInput!, $namespace: String!, $name: String!, $replicas: Int!) {\n    scaleWorkload(kind: $kind, namespace: $namespace, name: $name, replicas: $replicas) { ...OperationFields }\n  }\n": typeof types.DashboardScaleDocument,
};
const documents: Documents = {
    "\n  query DashboardProbe {\n    fleet {\n      clusters { total }\n    }\n  }\n": types.DashboardProbeDocument,
    "\n  query DashboardClusters {\n    clusters(first: 1000) {\n      edges {\n        node {\n          name\n          provider\n          region\n          health {\n            ready\n            readyCondition { reason }\n            gateway { unreachableSince lastError }\n          }\n        }\n      }\n    }\n  }\n": types.DashboardClustersDocument,
    "\n  query DashboardNodes($first: Int!, $after: String) {\n    nodes(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges {\n        node {\n          cluster\n          name\n          ready\n          unschedulable\n          capacity { cpuCores memoryBytes }\n          usage { cpuCores memoryBytes }\n          can { cordon uncordon drain }\n        }\n      }\n    }\n  }\n": types.DashboardNodesDocument,
    "\n  query DashboardNodeUsage($first: Int!, $after: String) {\n    nodes(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { cluster name usage { cpuCores memoryBytes } } }\n    }\n  }\n": types.DashboardNodeUsageDocument,
    "\n  query DashboardPods($first: Int!, $after: String) {\n    pods(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges {\n        node {\n          cluster\n          namespace\n          name\n          phase\n          nodeName\n          requests { cpuCores memoryBytes }\n        }\n      }\n    }\n  }\n": types.DashboardPodsDocument,
    "\n  subscription DashboardNodeChanged {\n    nodeChanged {\n      type\n      cluster\n      node {\n        cluster\n        name\n        ready\n        unschedulable\n        capacity { cpuCores memoryBytes }\n        usage { cpuCores memoryBytes }\n        can { cordon uncordon drain }\n      }\n    }\n  }\n": types.DashboardNodeChangedDocument,
    "\n  subscription DashboardPodChanged {\n    podChanged {\n      type\n      cluster\n      pod {\n        cluster\n        namespace\n        name\n        phase\n        nodeName\n        requests { cpuCores memoryBytes }\n      }\n    }\n  }\n": types.DashboardPodChangedDocument,
    "\n  subscription DashboardClusterChanged {\n    clusterChanged {\n      type\n      cluster\n      cause\n      reachable\n      reason\n      member {\n        name\n        provider\n        region\n        health {\n          ready\n          readyCondition { reason }\n          gateway { unreachableSince lastError }\n        }\n      }\n    }\n  }\n": types.DashboardClusterChangedDocument,
    "\n  subscription DashboardFleetChanged {\n    fleetChanged(minIntervalMs: 1000) {\n      clusters { total ready unreachable }\n      nodes { total ready cordoned }\n      pods { total byPhase { phase count } }\n    }\n  }\n": types.DashboardFleetChangedDocument,
    "\n  query DashboardWorkloads {\n    workloads(first: 500) {\n      edges {\n        node {\n          kind\n          workloadKind\n          namespace\n          name\n          replicas { desired ready }\n        }\n      }\n    }\n  }\n": types.DashboardWorkloadsDocument,
    "\n  query DashboardWorkload($kind: WorkloadKind!, $namespace: String!, $name: String!) {\n    workload(kind: $kind, namespace: $namespace, name: $name) {\n      ...WorkloadDetail\n    }\n  }\n": types.DashboardWorkloadDocument,
    "\n  fragment WorkloadDetail on Workload {\n    kind\n    workloadKind\n    namespace\n    name\n    can { scale }\n    images\n    replicas { desired current ready available updated }\n    policy { kind namespace name }\n    propagationPolicy {\n      name\n      priority\n      placement { ...PolicyPlacementDetail }\n    }\n    clusterPropagationPolicy {\n      name\n      priority\n      placement { ...PolicyPlacementDetail }\n    }\n    overridePolicies { kind namespace name }\n    placements {\n      cluster\n      scheduledReplicas\n      readyReplicas\n      availableReplicas\n      applied\n      health\n      weight { kind static dynamicFactor }\n    }\n  }\n": types.WorkloadDetailFragmentDoc,
    "\n  fragment PolicyPlacementDetail on PolicyPlacement {\n    clusterAffinity { clusterNames exclude providers regions labelSelector }\n    replicaScheduling {\n      type\n      divisionPreference\n      dynamicWeight\n      staticWeightList { weight targetCluster { clusterNames } }\n    }\n    spreadConstraints { spreadByField maxGroups minGroups }\n  }\n": types.PolicyPlacementDetailFragmentDoc,
    "\n  subscription DashboardWorkloadChanged($namespace: String!, $name: String!, $kind: WorkloadKind!) {\n    workloadChanged(namespace: $namespace, name: $name, kind: $kind) {\n      type\n      cause\n      workload { ...WorkloadDetail }\n    }\n  }\n": types.DashboardWorkloadChangedDocument,
    "\n  fragment OperationFields on Operation {\n    id\n    type\n    phase\n    cluster\n    requestedBy\n    createdAt\n    startedAt\n    completedAt\n    error\n    reason\n    target { kind namespace name cluster }\n    parameters { key value }\n    steps { name phase message startedAt finishedAt }\n  }\n": types.OperationFieldsFragmentDoc,
    "\n  query DashboardOperations($first: Int!) {\n    operations(first: $first) {\n      totalCount\n      edges { node { ...OperationFields } }\n    }\n  }\n": types.DashboardOperationsDocument,
    "\n  subscription DashboardOperationProgress($id: ID!) {\n    operationProgress(id: $id) { ...OperationFields }\n  }\n": types.DashboardOperationProgressDocument,
    "\n  subscription DashboardOperationChanged {\n    operationChanged { type dropped operation { ...OperationFields } }\n  }\n": types.DashboardOperationChangedDocument,
    "\n  mutation DashboardCordon($cluster: String!, $name: String!) {\n    cordonNode(cluster: $cluster, name: $name) { ...OperationFields }\n  }\n": types.DashboardCordonDocument,
    "\n  mutation DashboardUncordon($cluster: String!, $name: String!) {\n    uncordonNode(cluster: $cluster, name: $name) { ...OperationFields }\n  }\n": types.DashboardUncordonDocument,
    "\n  mutation DashboardDrain($cluster: String!, $name: String!, $options: DrainOptions) {\n    drainNode(cluster: $cluster, name: $name, options: $options) { ...OperationFields }\n  }\n": types.DashboardDrainDocument,
    "\n  mutation DashboardScale($kind: WorkloadKindInput!, $namespace: String!, $name: String!, $replicas: Int!) {\n    scaleWorkload(kind: $kind, namespace: $namespace, name: $name, replicas: $replicas) { ...OperationFields }\n  }\n": types.DashboardScaleDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardProbe {\n    fleet {\n      clusters { total }\n    }\n  }\n"): typeof import('./graphql').DashboardProbeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardClusters {\n    clusters(first: 1000) {\n      edges {\n        node {\n          name\n          provider\n          region\n          health {\n            ready\n            readyCondition { reason }\n            gateway { unreachableSince lastError }\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').DashboardClustersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardNodes($first: Int!, $after: String) {\n    nodes(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges {\n        node {\n          cluster\n          name\n          ready\n          unschedulable\n          capacity { cpuCores memoryBytes }\n          usage { cpuCores memoryBytes }\n          can { cordon uncordon drain }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').DashboardNodesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardNodeUsage($first: Int!, $after: String) {\n    nodes(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges { node { cluster name usage { cpuCores memoryBytes } } }\n    }\n  }\n"): typeof import('./graphql').DashboardNodeUsageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardPods($first: Int!, $after: String) {\n    pods(first: $first, after: $after) {\n      pageInfo { hasNextPage endCursor }\n      edges {\n        node {\n          cluster\n          namespace\n          name\n          phase\n          nodeName\n          requests { cpuCores memoryBytes }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').DashboardPodsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DashboardNodeChanged {\n    nodeChanged {\n      type\n      cluster\n      node {\n        cluster\n        name\n        ready\n        unschedulable\n        capacity { cpuCores memoryBytes }\n        usage { cpuCores memoryBytes }\n        can { cordon uncordon drain }\n      }\n    }\n  }\n"): typeof import('./graphql').DashboardNodeChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DashboardPodChanged {\n    podChanged {\n      type\n      cluster\n      pod {\n        cluster\n        namespace\n        name\n        phase\n        nodeName\n        requests { cpuCores memoryBytes }\n      }\n    }\n  }\n"): typeof import('./graphql').DashboardPodChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DashboardClusterChanged {\n    clusterChanged {\n      type\n      cluster\n      cause\n      reachable\n      reason\n      member {\n        name\n        provider\n        region\n        health {\n          ready\n          readyCondition { reason }\n          gateway { unreachableSince lastError }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').DashboardClusterChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DashboardFleetChanged {\n    fleetChanged(minIntervalMs: 1000) {\n      clusters { total ready unreachable }\n      nodes { total ready cordoned }\n      pods { total byPhase { phase count } }\n    }\n  }\n"): typeof import('./graphql').DashboardFleetChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardWorkloads {\n    workloads(first: 500) {\n      edges {\n        node {\n          kind\n          workloadKind\n          namespace\n          name\n          replicas { desired ready }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').DashboardWorkloadsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardWorkload($kind: WorkloadKind!, $namespace: String!, $name: String!) {\n    workload(kind: $kind, namespace: $namespace, name: $name) {\n      ...WorkloadDetail\n    }\n  }\n"): typeof import('./graphql').DashboardWorkloadDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WorkloadDetail on Workload {\n    kind\n    workloadKind\n    namespace\n    name\n    can { scale }\n    images\n    replicas { desired current ready available updated }\n    policy { kind namespace name }\n    propagationPolicy {\n      name\n      priority\n      placement { ...PolicyPlacementDetail }\n    }\n    clusterPropagationPolicy {\n      name\n      priority\n      placement { ...PolicyPlacementDetail }\n    }\n    overridePolicies { kind namespace name }\n    placements {\n      cluster\n      scheduledReplicas\n      readyReplicas\n      availableReplicas\n      applied\n      health\n      weight { kind static dynamicFactor }\n    }\n  }\n"): typeof import('./graphql').WorkloadDetailFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PolicyPlacementDetail on PolicyPlacement {\n    clusterAffinity { clusterNames exclude providers regions labelSelector }\n    replicaScheduling {\n      type\n      divisionPreference\n      dynamicWeight\n      staticWeightList { weight targetCluster { clusterNames } }\n    }\n    spreadConstraints { spreadByField maxGroups minGroups }\n  }\n"): typeof import('./graphql').PolicyPlacementDetailFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DashboardWorkloadChanged($namespace: String!, $name: String!, $kind: WorkloadKind!) {\n    workloadChanged(namespace: $namespace, name: $name, kind: $kind) {\n      type\n      cause\n      workload { ...WorkloadDetail }\n    }\n  }\n"): typeof import('./graphql').DashboardWorkloadChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OperationFields on Operation {\n    id\n    type\n    phase\n    cluster\n    requestedBy\n    createdAt\n    startedAt\n    completedAt\n    error\n    reason\n    target { kind namespace name cluster }\n    parameters { key value }\n    steps { name phase message startedAt finishedAt }\n  }\n"): typeof import('./graphql').OperationFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardOperations($first: Int!) {\n    operations(first: $first) {\n      totalCount\n      edges { node { ...OperationFields } }\n    }\n  }\n"): typeof import('./graphql').DashboardOperationsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DashboardOperationProgress($id: ID!) {\n    operationProgress(id: $id) { ...OperationFields }\n  }\n"): typeof import('./graphql').DashboardOperationProgressDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DashboardOperationChanged {\n    operationChanged { type dropped operation { ...OperationFields } }\n  }\n"): typeof import('./graphql').DashboardOperationChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardCordon($cluster: String!, $name: String!) {\n    cordonNode(cluster: $cluster, name: $name) { ...OperationFields }\n  }\n"): typeof import('./graphql').DashboardCordonDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardUncordon($cluster: String!, $name: String!) {\n    uncordonNode(cluster: $cluster, name: $name) { ...OperationFields }\n  }\n"): typeof import('./graphql').DashboardUncordonDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardDrain($cluster: String!, $name: String!, $options: DrainOptions) {\n    drainNode(cluster: $cluster, name: $name, options: $options) { ...OperationFields }\n  }\n"): typeof import('./graphql').DashboardDrainDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DashboardScale($kind: WorkloadKindInput!, $namespace: String!, $name: String!, $replicas: Int!) {\n    scaleWorkload(kind: $kind, namespace: $namespace, name: $name, replicas: $replicas) { ...OperationFields }\n  }\n"): typeof import('./graphql').DashboardScaleDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
