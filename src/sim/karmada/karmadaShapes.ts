/**
 * The shapes of the Karmada objects the simulator reads and writes (policy.karmada.io/v1alpha1,
 * work.karmada.io/v1alpha2 bindings and v1alpha1 works, cluster.karmada.io/v1alpha1 clusters), reduced to
 * the fields the simulated control plane acts on. Field names follow Karmada's Go types so that objects
 * written here validate against the real CRDs' openAPIV3Schema.
 */
import type { KubeObject } from '../store/Store.js';
import type { LabelSelector } from '../controllers/labelSelector.js';

// Karmada's selectors are metav1.LabelSelector, the same structure the workload controllers evaluate.
export type { LabelSelector, LabelSelectorRequirement } from '../controllers/labelSelector.js';

export interface FieldSelectorRequirement {
  /** provider | region | zone */
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface ResourceSelector {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
  labelSelector?: LabelSelector;
}

export interface ClusterAffinity {
  clusterNames?: string[];
  exclude?: string[];
  labelSelector?: LabelSelector;
  fieldSelector?: { matchExpressions?: FieldSelectorRequirement[] };
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | '';
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface SpreadConstraint {
  spreadByField?: 'cluster' | 'region' | 'zone' | 'provider';
  spreadByLabel?: string;
  maxGroups?: number;
  minGroups?: number;
}

export interface StaticClusterWeight {
  targetCluster: ClusterAffinity;
  weight: number;
}

export interface ReplicaSchedulingStrategy {
  replicaSchedulingType?: 'Duplicated' | 'Divided';
  replicaDivisionPreference?: 'Aggregated' | 'Weighted';
  weightPreference?: {
    staticWeightList?: StaticClusterWeight[];
    dynamicWeight?: 'AvailableReplicas';
  };
}

export interface Placement {
  clusterAffinity?: ClusterAffinity;
  clusterTolerations?: Toleration[];
  spreadConstraints?: SpreadConstraint[];
  replicaScheduling?: ReplicaSchedulingStrategy;
}

export interface PropagationSpec {
  resourceSelectors: ResourceSelector[];
  placement?: Placement;
  priority?: number;
  preemption?: 'Always' | 'Never';
  conflictResolution?: 'Overwrite' | 'Abort';
  schedulerName?: string;
}

export interface ImageOverrider {
  predicate?: { path: string };
  component: 'Registry' | 'Repository' | 'Tag';
  operator: 'add' | 'remove' | 'replace';
  value?: string;
}

export interface MapOverrider {
  operator: 'add' | 'remove' | 'replace';
  value?: Record<string, string>;
}

export interface PlaintextOverrider {
  path: string;
  operator: 'add' | 'remove' | 'replace';
  value?: unknown;
}

export interface Overriders {
  plaintext?: PlaintextOverrider[];
  imageOverrider?: ImageOverrider[];
  labelsOverrider?: MapOverrider[];
  annotationsOverrider?: MapOverrider[];
}

export interface OverrideRule {
  targetCluster?: ClusterAffinity;
  overriders: Overriders;
}

export interface OverrideSpec {
  resourceSelectors?: ResourceSelector[];
  overrideRules?: OverrideRule[];
}

export interface TargetCluster {
  name: string;
  replicas?: number;
}

export interface ObjectReference {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface AggregatedStatusItem {
  clusterName: string;
  status?: Record<string, unknown>;
  applied?: boolean;
  appliedMessage?: string;
  health?: 'Healthy' | 'Unhealthy' | 'Unknown';
}

export interface BindingSpec {
  resource: ObjectReference;
  replicas?: number;
  replicaRequirements?: { resourceRequest?: Record<string, string> };
  clusters?: TargetCluster[];
  placement?: Placement;
  schedulerName?: string;
  conflictResolution?: 'Overwrite' | 'Abort';
}

export interface BindingStatus {
  schedulerObservedGeneration?: number;
  lastScheduledTime?: string;
  conditions?: Condition[];
  aggregatedStatus?: AggregatedStatusItem[];
}

/** A cluster as the scheduler sees it: the Cluster object's spec, labels and summarised status. */
export interface ClusterView {
  name: string;
  labels: Record<string, string>;
  provider?: string;
  region?: string;
  zones: string[];
  taints: Taint[];
  ready: boolean;
  /** group/version strings the member serves (status.apiEnablements). */
  apiEnablements: Set<string> | undefined;
  /** allocatable - allocated - allocating, as Kubernetes quantities converted to numbers. */
  free: { cpu: number; memory: number; pods: number };
}

export type KarmadaObject<Spec, Status = unknown> = KubeObject & { spec: Spec; status?: Status };
