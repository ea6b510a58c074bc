/**
 * The simulator's resource store (seed 003): one Store per simulated API server (the Karmada control
 * plane and each member have their own, as each has its own etcd), so each has its own
 * resourceVersion sequence.
 *
 * Resources are named by their *resource key*: `"<group>/<plural>"`, or just `"<plural>"` for the core
 * group (`"pods"`, `"apps/deployments"`, `"cluster.karmada.io/clusters"`). Versions are not part of the
 * key: the simulator serves one version per group, as the recorded server does for the kinds we use.
 *
 * The interface is synchronous on purpose: both implementations (memory, better-sqlite3) are
 * synchronous, and a synchronous store makes "write, then emit the watch event" atomic within one tick,
 * which is what gives watchers a gap-free, ordered history.
 */

/** A Kubernetes object as stored: plain JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
  [field: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change in the store's history. `object` carries the resourceVersion of the change. */
export interface StoreEvent {
  type: WatchEventType;
  resource: string;
  object: KubeObject;
  /** The resourceVersion at which this change happened (for DELETED, a fresh version). */
  resourceVersion: number;
}

export type StoreErrorReason = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Expired';

/** Errors a store raises; the API layer turns them into `kind: Status` answers. */
export class StoreError extends Error {
  constructor(
    readonly reason: StoreErrorReason,
    message: string,
    /** For Expired: the oldest resourceVersion still in history. */
    readonly oldestResourceVersion?: number,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface Store {
  /** The highest resourceVersion assigned so far (the "current" version a list reports). */
  currentResourceVersion(): number;

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;

  /**
   * Objects of one resource, ordered by namespace then name (the order a real list has and the
   * order continue tokens rely on). `namespace` undefined lists every namespace.
   * Returned objects are the stored ones: callers must not mutate them.
   */
  list(resource: string, namespace?: string): KubeObject[];

  /**
   * Stores a new object and returns it with `metadata.resourceVersion` set (and `uid`,
   * `creationTimestamp` filled when absent). Throws StoreError('AlreadyExists').
   */
  create(resource: string, object: KubeObject): KubeObject;

  /**
   * Replaces an object. When `object.metadata.resourceVersion` is set and differs from the stored
   * one, throws StoreError('Conflict') (optimistic concurrency); NotFound when absent.
   */
  update(resource: string, object: KubeObject): KubeObject;

  /** Removes an object (no finalizer logic here: that belongs to the API layer). NotFound when absent. */
  delete(resource: string, namespace: string | undefined, name: string): KubeObject;

  /**
   * Calls `listener` for every change of `resource` (in `namespace`, when given) after
   * `fromResourceVersion`, first replaying kept history, then live. Throws StoreError('Expired')
   * when `fromResourceVersion` is older than the kept window. Returns an unsubscribe function.
   * `resource` may be '*' to receive every resource's changes (controllers use this).
   */
  watch(
    resource: string,
    namespace: string | undefined,
    fromResourceVersion: number,
    listener: (event: StoreEvent) => void,
  ): () => void;

  /** Forgets history up to now, so that a watch from an older version gets Expired (a fault for tests). */
  compact(): void;

  /** Releases resources (files, timers). */
  close(): void;
}
