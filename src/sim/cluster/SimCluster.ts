/**
 * The contract between the simulator's API server (src/sim/api), its controllers
 * (src/sim/controllers, src/sim/karmada, src/sim/middleware) and its scenarios (src/sim/scenarios).
 *
 * A SimCluster is one simulated API server: the Karmada control plane or one member. Everything that
 * changes objects, HTTP handlers and controllers alike, goes through its ObjectApi, so that uid,
 * resourceVersion, generation, managedFields, finalizers, graceful deletion, garbage collection and
 * watch events behave the same whoever writes.
 */
import type { KubeObject, Store, StoreEvent } from '../store/Store.js';

export interface WriteOptions {
  /** The field manager recorded in managedFields (HTTP: the User-Agent program name). */
  manager?: string;
  /** Write the `status` subresource: spec and metadata changes are ignored, as a real server does. */
  subresource?: 'status';
}

export interface DeleteOptions {
  /** Pods: seconds before a bound pod really goes away (default 30, 0 = at once). */
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  /** Delete only when the stored uid is this one (409 Conflict otherwise). */
  preconditionUid?: string;
}

export interface ListFilter {
  namespace?: string;
  /** Kubernetes label selector syntax. */
  labelSelector?: string;
  /** Kubernetes field selector syntax (metadata.name, metadata.namespace, spec.nodeName, status.phase, ...). */
  fieldSelector?: string;
}

/**
 * Object operations with Kubernetes semantics. Errors are thrown as `ApiError`
 * (src/sim/cluster/ApiError.ts) carrying the Status the HTTP layer sends.
 *
 * Objects returned by get/list/create/update are the stored ones: never mutate them (parts shared
 * between objects are frozen and throw when written). Change objects through `mutate`, which hands
 * out a private copy.
 */
export interface ObjectApi {
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(resource: string, filter?: ListFilter): KubeObject[];
  create(resource: string, object: KubeObject, options?: WriteOptions): KubeObject;
  /** Full replace with optimistic concurrency when metadata.resourceVersion is set. */
  update(resource: string, object: KubeObject, options?: WriteOptions): KubeObject;
  /**
   * Read-modify-write without conflicts, for controllers: `mutate` gets a deep copy and returns the new
   * object (or undefined to skip the write). Returns the stored object, or undefined when absent/skipped.
   */
  mutate(
    resource: string,
    namespace: string | undefined,
    name: string,
    mutate: (copy: KubeObject) => KubeObject | undefined,
    options?: WriteOptions,
  ): KubeObject | undefined;
  /** Starts deletion: finalizers and grace periods may keep the object (returned with deletionTimestamp). */
  delete(resource: string, namespace: string | undefined, name: string, options?: DeleteOptions): KubeObject;
}

/** What the simulator knows about one served resource (discovery, tables, generation rules). */
export interface ResourceType {
  /** `"pods"`, `"apps/deployments"`: the Store's resource key. */
  key: string;
  group: string;
  version: string;
  /** Plural name as in the URL. */
  resource: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames?: string[];
  singularName: string;
  verbs: string[];
  categories?: string[];
  /** Subresources served, e.g. ['status', 'scale', 'log', 'eviction', 'proxy']. */
  subresources?: string[];
  /** Whether metadata.generation is kept (not for Pods, Nodes, ConfigMaps, ...). */
  hasGeneration: boolean;
  /**
   * Table columns (what `kubectl get` prints), like a CRD's additionalPrinterColumns. Name and Age
   * are NOT added automatically: list every column. Absent: the default Name / Created At table.
   */
  columns?: TableColumn[];
  /**
   * Field selector labels accepted besides metadata.name and metadata.namespace, with their getter
   * (e.g. pods: spec.nodeName, status.phase). Others get 400 "field label not supported".
   */
  selectableFields?: Record<string, (object: KubeObject) => string | undefined>;
}

/** One Table column: its definition as the wire shows it, and how to compute a cell. */
export interface TableColumn {
  name: string;
  /** OpenAPI type: 'string', 'integer', 'number', 'boolean', 'date'. */
  type: string;
  /** 'name' for the Name column, '' otherwise (as recorded). */
  format?: string;
  description?: string;
  /** 0 = shown by default, 1 = only with `-o wide`. */
  priority?: number;
  /** The cell value; `now` lets Age columns be computed consistently for one answer. */
  cell: (object: KubeObject, now: number) => unknown;
}

/** Container log lines the simulated kubelet writes and the `log` subresource serves. */
export interface PodLogBook {
  /** Appends one line (without newline) to a container's current log, stamped now. */
  append(namespace: string, pod: string, container: string, line: string): void;
  /** Moves the current log to "previous" (a container restart). */
  rotate(namespace: string, pod: string, container: string): void;
  /** Lines with their RFC 3339 timestamps, oldest first. */
  read(namespace: string, pod: string, container: string, previous?: boolean): ReadonlyArray<{ time: string; line: string }>;
  /** Calls `listener` for each line appended from now on; returns an unsubscribe function. */
  follow(namespace: string, pod: string, container: string, listener: (entry: { time: string; line: string }) => void): () => void;
  /** Forgets a pod's logs (the pod is gone). */
  forget(namespace: string, pod: string): void;
}

/** Usage the metrics.k8s.io API serves; written by the simulated kubelet, never stored as objects. */
export interface UsageSample {
  /** Kubernetes quantities, e.g. "250m", "512Mi". */
  cpu: string;
  memory: string;
  timestamp: string;
}

export interface MetricsBook {
  nodes: Map<string, UsageSample>;
  /** Key `namespace/name`; per container usage. */
  pods: Map<string, { namespace: string; name: string; timestamp: string; containers: Array<{ name: string; cpu: string; memory: string }> }>;
}

export interface SimCluster {
  /** `"karmada"` for the control plane, else the member name. */
  readonly name: string;
  readonly isControlPlane: boolean;
  readonly store: Store;
  readonly objects: ObjectApi;
  /** Resource types this server serves, by key. */
  readonly resources: ReadonlyMap<string, ResourceType>;
  /**
   * Subscribes to every change of `resource` ('*' for all) from now on, synchronously after the write.
   * Controllers use this instead of polling. Returns an unsubscribe function.
   */
  onChange(resource: string, listener: (event: StoreEvent) => void): () => void;
  readonly logs: PodLogBook;
  readonly metrics: MetricsBook;
  /** Node name -> whether it has a simulated kubelet (scenario nodes do, API-created nodes do not). */
  readonly kubeletNodes: Set<string>;
  /**
   * Serves one more kind (Karmada policy/work CRDs on the control plane, middleware CRDs on members):
   * discovery, list/watch/CRUD, Table columns. Replaces an earlier registration of the same key.
   */
  registerResource(type: ResourceType): void;
}
