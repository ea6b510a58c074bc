/**
 * The parent values resolvers pass around (codegen "mappers"): slim projections from the data layer,
 * wrapped with the cluster they came from, because a slim object does not know where it lives and the
 * same name can exist in many members.
 */
import type {
  SlimCluster, SlimConfigMap, SlimEvent, SlimNode, SlimObject, SlimPod, SlimSecret,
} from '../cache/types.js';

/** GraphQL object types that implement `Resource`. */
export type ResourceTypeName =
  | 'Cluster' | 'Node' | 'Pod' | 'Workload' | 'MemberWorkload' | 'PropagationPolicy' | 'ClusterPropagationPolicy'
  | 'OverridePolicy' | 'ClusterOverridePolicy' | 'ResourceBinding' | 'Namespace' | 'Service' | 'ConfigMap' | 'Secret'
  | 'MiddlewareInstance' | 'KubernetesObject';

/** A slim object with its location and GraphQL type. */
export interface Located<T extends SlimObject = SlimObject> {
  /** Member name; null for the Karmada control plane. */
  cluster: string | null;
  obj: T;
  /** Which GraphQL type renders it (resolves the Resource interface). */
  type: ResourceTypeName;
  /**
   * `obj.metadata.name` and `obj.metadata.namespace ?? null`, read as plain properties: Pod, Node and Cluster
   * have no resolver for these fields (see located.ts). Required here so that the compiler refuses a
   * Located made any other way than by `located()`.
   */
  readonly name: string;
  readonly namespace: string | null;
}

export type ClusterModel = Located<SlimCluster>;
/** Made by `located()`, its `ready` property answers Node.ready (located.ts). */
export type NodeModel = Located<SlimNode>;
/** Made by `located()`, its `phase` property answers Pod.phase (located.ts). */
export type PodModel = Located<SlimPod>;
export type SecretModel = Located<SlimSecret>;
export type ConfigMapModel = Located<SlimConfigMap>;
export type ObjectModel = Located<SlimObject>;

/** An Event with its cluster (Event does not implement Resource: events of events are not useful). */
export interface EventModel {
  cluster: string | null;
  obj: SlimEvent;
}

/** A reference: identifying fields, followed lazily through `resource`. */
export interface RefModel {
  cluster: string | null;
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
  uid: string | null;
}

/** A workload placement in one target cluster, computed from the binding and the policy. */
export interface PlacementModel {
  cluster: string;
  scheduledReplicas: number | null;
  weight: { kind: 'DUPLICATED' | 'STATIC' | 'DYNAMIC' | 'AGGREGATED'; static: number | null; dynamicFactor: string | null };
  readyReplicas: number | null;
  availableReplicas: number | null;
  applied: boolean | null;
  health: string | null;
  /** To find the member workload. */
  template: { apiVersion: string; kind: string; namespace: string | null; name: string };
}

/** The pod trace, computed in one pass (member owner chain, then the control plane). */
export interface PodTraceModel {
  ownerChain: RefModel[];
  template: RefModel | null;
  workload: ObjectModel | null;
  binding: RefModel | null;
  policy: RefModel | null;
  scheduledReplicas: number | null;
}
