/**
 * Public shapes of the gateway's cached data: slim projections of Kubernetes objects (the Kubernetes shape,
 * metadata/spec/status, reduced to what the schema serves, never managedFields), list filters, indexes and
 * change notifications. The GraphQL layer reads these; src/cache/projections builds them.
 */

export interface SlimOwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

export interface SlimMetadata {
  name: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  /** Without `kubectl.kubernetes.io/last-applied-configuration` (a whole second copy of the object). */
  annotations?: Record<string, string>;
  ownerReferences?: SlimOwnerReference[];
}

/**
 * Any slim object: the Kubernetes shape, trimmed. Read-only: values that repeat across objects (labels,
 * owner references, container specs, conditions) are shared between them and frozen; copy before changing.
 */
export interface SlimObject<Spec = Record<string, any>, Status = Record<string, any>> {
  apiVersion: string;
  kind: string;
  metadata: SlimMetadata;
  spec?: Spec;
  status?: Status;
}

export interface SlimCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastHeartbeatTime?: string;
}

export interface SlimResources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface SlimContainer {
  name: string;
  image?: string;
  resources?: SlimResources;
}

export interface SlimContainerState {
  running?: { startedAt?: string };
  waiting?: { reason?: string; message?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number; finishedAt?: string };
}

export interface SlimContainerStatus {
  name: string;
  /** Only when it differs from the spec's image (e.g. a rollout in progress). */
  image?: string;
  ready: boolean;
  restartCount: number;
  state?: SlimContainerState;
  lastState?: SlimContainerState;
}

export interface SlimPodSpec {
  nodeName?: string;
  containers: SlimContainer[];
  initContainers?: SlimContainer[];
  priorityClassName?: string;
}

export interface SlimPodStatus {
  phase?: string;
  reason?: string;
  message?: string;
  podIP?: string;
  qosClass?: string;
  startTime?: string;
  conditions?: SlimCondition[];
  containerStatuses?: SlimContainerStatus[];
  initContainerStatuses?: SlimContainerStatus[];
}

export type SlimPod = SlimObject<SlimPodSpec, SlimPodStatus>;

export interface SlimTaint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface SlimNodeSpec {
  unschedulable?: boolean;
  taints?: SlimTaint[];
  providerID?: string;
  podCIDR?: string;
}

export interface SlimNodeStatus {
  capacity?: Record<string, string>;
  allocatable?: Record<string, string>;
  conditions?: SlimCondition[];
  addresses?: Array<{ type: string; address: string }>;
  nodeInfo?: {
    kubeletVersion?: string;
    osImage?: string;
    kernelVersion?: string;
    containerRuntimeVersion?: string;
    operatingSystem?: string;
    architecture?: string;
  };
}

export type SlimNode = SlimObject<SlimNodeSpec, SlimNodeStatus>;

/** Karmada Cluster: spec and status kept as served (they are small), minus nothing but metadata noise. */
export type SlimCluster = SlimObject<
  {
    syncMode?: string;
    apiEndpoint?: string;
    provider?: string;
    region?: string;
    zone?: string;
    zones?: string[];
    taints?: SlimTaint[];
    [key: string]: unknown;
  },
  {
    kubernetesVersion?: string;
    conditions?: SlimCondition[];
    nodeSummary?: { totalNum?: number; readyNum?: number };
    resourceSummary?: Record<string, unknown>;
    apiEnablements?: Array<{ groupVersion: string; resources?: Array<{ name: string; kind: string }> }>;
    [key: string]: unknown;
  }
>;

/** Secret: type and key names only. Values are dropped at projection time and never held in memory. */
export interface SlimSecret extends SlimObject<never, never> {
  type?: string;
  /** Names of the keys of `data` and `stringData`, sorted. */
  dataKeys: string[];
}

/** ConfigMap: data kept (plugin manifests live there), binaryData reduced to key names. */
export interface SlimConfigMap extends SlimObject<never, never> {
  data?: Record<string, string>;
  binaryDataKeys?: string[];
}

export interface SlimEvent extends SlimObject<never, never> {
  involvedObject: { apiVersion?: string; kind?: string; namespace?: string; name?: string; uid?: string };
  reason?: string;
  message?: string;
  /** Normal | Warning */
  type?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  source?: { component?: string; host?: string };
}

/** Filters applied on the server side (in the cache for watched kinds, upstream + in memory for fetched ones). */
export interface ListFilter {
  namespace?: string;
  /** Kubernetes label selector syntax; validated by parseLabelSelector (src/cache/labelSelector.ts). */
  labelSelector?: string;
  /** Exact object name. */
  name?: string;
  /** Pods: spec.nodeName. */
  nodeName?: string;
  /** Pods: status.phase (Kubernetes spelling, e.g. "Running"). */
  phase?: string;
  /** Objects with an ownerReference to this uid. */
  ownerUid?: string;
}

/** Indexes kept per cluster × kind for watched kinds. */
export type IndexName =
  /** Pods by spec.nodeName. */
  | 'byNode'
  /** Any object by each ownerReference uid. */
  | 'byOwner'
  /** Any object by each `key=value` label pair. */
  | 'byLabel'
  /** Namespaced objects by namespace. */
  | 'byNamespace';

/** One object-level change in a cache. `cluster` is the member name, or CONTROL_PLANE. */
export type ChangeEvent =
  | {
      type: 'ADDED';
      cluster: string;
      kind: string;
      before?: undefined;
      after: SlimObject;
    }
  | {
      type: 'MODIFIED';
      cluster: string;
      kind: string;
      before: SlimObject;
      after: SlimObject;
    }
  | {
      type: 'DELETED';
      cluster: string;
      kind: string;
      before: SlimObject;
      after?: undefined;
    }
  | {
      /**
       * The cache relisted (after an outage, a dropped watch that lost history, or a 410): the per-object
       * differences found by the relist are carried here, once, instead of as ADDED/MODIFIED/DELETED events.
       */
      type: 'RESYNC';
      cluster: string;
      kind: string;
      added: SlimObject[];
      modified: Array<{ before: SlimObject; after: SlimObject }>;
      deleted: SlimObject[];
    };

export type ChangeListener = (event: ChangeEvent) => void;
