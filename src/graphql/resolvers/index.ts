/**
 * All resolvers, merged by type, checked against the generated resolver types.
 */
import type { Resolvers } from '../../generated/graphql.js';
import { operationResolvers } from '../operations/resolvers.js';
import { DateTime, JSONScalar } from '../scalars.js';
import { subscriptionResolvers } from '../subscriptions/resolvers.js';
import { capabilityResolvers } from './capabilities.js';
import { clusterResolvers } from './clusters.js';
import { configResolvers } from './config.js';
import { fleetResolvers } from './fleet.js';
import { historyResolvers } from './history.js';
import { middlewareResolvers } from './middleware.js';
import { nodeResolvers } from './nodes.js';
import { podResolvers } from './pods.js';
import { policyResolvers } from './policies.js';
import { resourceFields, resourceResolvers } from './resourceFields.js';
import { resourcesResolvers } from './resources.js';
import { workloadResolvers } from './workloads.js';

const { Query: resourceQuery, ...resourceTypes } = resourceResolvers;

export const resolvers: Resolvers = {
  DateTime,
  JSON: JSONScalar,
  ...resourceTypes,
  ...clusterResolvers,
  ...nodeResolvers,
  ...podResolvers,
  ...workloadResolvers,
  // usageHistory (history.ts) joins the fields of Node, Cluster and Fleet; `can` (capabilities.ts) those of
  // Node, Workload, Cluster and Pod.
  Node: { ...nodeResolvers.Node, ...historyResolvers.Node, ...capabilityResolvers.Node },
  Cluster: { ...clusterResolvers.Cluster, ...historyResolvers.Cluster, ...capabilityResolvers.Cluster },
  Pod: { ...podResolvers.Pod, ...capabilityResolvers.Pod },
  Workload: { ...workloadResolvers.Workload, ...capabilityResolvers.Workload },
  NodeCapabilities: capabilityResolvers.NodeCapabilities,
  WorkloadCapabilities: capabilityResolvers.WorkloadCapabilities,
  ClusterCapabilities: capabilityResolvers.ClusterCapabilities,
  PodCapabilities: capabilityResolvers.PodCapabilities,
  Fleet: { ...(fleetResolvers as { Fleet?: object }).Fleet, ...historyResolvers.Fleet },
  ...policyResolvers,
  ...configResolvers,
  ...middlewareResolvers,
  KubernetesObject: { ...resourceFields, ...resourcesResolvers.KubernetesObject },
  Operation: operationResolvers.Operation,
  Mutation: operationResolvers.Mutation,
  // Subscription sources yield routed events, not `{ field: value }` objects: typed in their own file.
  Subscription: subscriptionResolvers.Subscription as unknown as Resolvers['Subscription'],
  Query: {
    ...resourceQuery,
    ...fleetResolvers.Query,
    ...clusterResolvers.Query,
    ...nodeResolvers.Query,
    ...podResolvers.Query,
    ...workloadResolvers.Query,
    ...policyResolvers.Query,
    ...configResolvers.Query,
    ...middlewareResolvers.Query,
    ...operationResolvers.Query,
    ...resourcesResolvers.Query,
  },
};
