/**
 * One simulated API server (the Karmada control plane or a member): its store, served kinds and the
 * ObjectApi through which every write goes, so that HTTP handlers and controllers alike get the same
 * Kubernetes object lifecycle: uid and resourceVersion, generation, managedFields, finalizers,
 * graceful pod deletion and owner-reference garbage collection.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { StoreError } from '../store/Store.js';
import type { KubeObject, OwnerReference, Store, StoreEvent } from '../store/Store.js';
import { MemoryStore } from '../store/MemoryStore.js';
import { ApiError } from './ApiError.js';
import type { QualifiedResource } from './ApiError.js';
import type { DeleteOptions, ListFilter, MetricsBook, ObjectApi, ResourceType, SimCluster, WriteOptions } from './SimCluster.js';
import { MemoryPodLogBook } from './MemoryPodLogBook.js';
import { SubtreeInterner } from './SubtreeInterner.js';
import { applyCreateDefaults } from './defaults.js';
import { jsonEqual, jsonEqualExcept } from './jsonEqual.js';
import { changedPaths, fieldPathsOf, recordOwnership } from './managedFields.js';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { nowRfc3339, toRfc3339 } from './timestamps.js';
import { builtinResources, controlPlaneResources, METRICS_KEYS } from '../resources/builtinResources.js';
import { ClusterRbac } from '../auth/ClusterRbac.js';
import { CustomResourceServing } from './CustomResourceServing.js';
import { CRD_RESOURCE } from '../resources/customResourceTypes.js';

export interface CreateSimClusterOptions {
  /** The Karmada control plane also serves cluster.karmada.io clusters. */
  controlPlane: boolean;
  /**
   * The cluster's store (its "etcd").
   * @default a new MemoryStore
   */
  store?: Store;
}

/**
 * Write options the API layer uses beyond the public contract: server-side apply records its own
 * managedFields, and HTTP writes to the main resource must not change status.
 */
export interface InternalWriteOptions extends WriteOptions {
  /** managedFields computed by the caller (server-side apply); used as they are. */
  managedFields?: unknown[];
  /** A write to the main resource of a kind with a status subresource keeps the stored status. */
  preserveStatus?: boolean;
  /** The object passed is the caller's own copy (mutate, a parsed request body): no defensive clone. */
  ownedCopy?: boolean;
  /**
   * `dryRun=All`: validation, defaults and the answer as for a real write, but nothing is stored (no
   * resourceVersion, no watch event, so no controller reacts).
   */
  dryRun?: boolean;
}

/** Delete options the API layer uses beyond the public contract. */
export interface InternalDeleteOptions extends DeleteOptions {
  /** `dryRun=All`: the answer a delete would give, nothing changed. */
  dryRun?: boolean;
}

/** The ObjectApi as the API layer sees it: writes accept InternalWriteOptions. */
export interface InternalObjectApi extends ObjectApi {
  create(resource: string, object: KubeObject, options?: InternalWriteOptions): KubeObject;
  update(resource: string, object: KubeObject, options?: InternalWriteOptions): KubeObject;
  delete(resource: string, namespace: string | undefined, name: string, options?: InternalDeleteOptions): KubeObject;
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(): string {
  const bytes = randomBytes(5);
  let s = '';
  for (const b of bytes) s += NAME_CHARS[b % NAME_CHARS.length];
  return s;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Deep copy of plain JSON (objects are JSON on the wire and in the store): faster than structuredClone. */
function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function objKey(resource: string, namespace: string | undefined, name: string): string {
  return `${resource}\u0000${namespace ?? ''}\u0000${name}`;
}

function splitObjKey(key: string): [string, string | undefined, string] {
  const [r, ns, n] = key.split('\u0000') as [string, string, string];
  return [r, ns || undefined, n];
}

/** Everything except these top-level members (the "spec part") is what a `generation` bump watches. */
const NOT_SPEC = new Set(['metadata', 'status', 'apiVersion', 'kind']);

class SimClusterImpl implements SimCluster, InternalObjectApi {
  readonly isControlPlane: boolean;
  readonly store: Store;
  readonly resources = new Map<string, ResourceType>();
  readonly logs = new MemoryPodLogBook();
  readonly metrics: MetricsBook = { nodes: new Map(), pods: new Map() };
  readonly kubeletNodes = new Set<string>();
  /** owner uid -> dependents (objKey). */
  private readonly dependents = new Map<string, Set<string>>();
  /** objKey -> owner uids it references, to keep `dependents` exact on updates. */
  private readonly ownersByObject = new Map<string, string[]>();
  private readonly gcQueue: Array<() => void> = [];
  private gcScheduled = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Identical spec parts, labels and owner references of stored objects are shared. */
  private readonly interner = new SubtreeInterner();
  private readonly unsubscribeIndex: () => void;
  /**
   * While a scenario re-seeds a fleet restored from a persistent store, creating an object that
   * already exists returns the stored one instead of failing, so that seeding is idempotent.
   */
  restoring = false;

  /** Whether stored objects share identical parts (memory stores; a SQLite store keeps JSON text). */
  private readonly shares: boolean;

  constructor(
    readonly name: string,
    options: CreateSimClusterOptions,
  ) {
    this.isControlPlane = options.controlPlane;
    this.shares = !options.store || options.store instanceof MemoryStore;
    this.store = options.store ?? new MemoryStore();
    for (const t of builtinResources()) this.resources.set(t.key, t);
    if (this.isControlPlane) for (const t of controlPlaneResources()) this.resources.set(t.key, t);
    for (const key of this.resources.keys()) this.indexExisting(key);
    this.unsubscribeIndex = this.store.watch('*', undefined, this.store.currentResourceVersion(), (ev) => this.onStoreEvent(ev));
    this.customResources = new CustomResourceServing({
      objects: this,
      resources: this.resources,
      registerResource: (t) => this.registerResource(t),
      unregisterResource: (key) => this.resources.delete(key),
      onChange: (resource, listener) => this.onChange(resource, listener),
      storedCrds: () => this.store.list(CRD_RESOURCE),
    });
  }

  /** Kinds served because a CustomResourceDefinition was written. */
  private readonly customResources: CustomResourceServing;

  get objects(): InternalObjectApi {
    return this;
  }

  registerResource(type: ResourceType): void {
    const known = this.resources.has(type.key);
    this.resources.set(type.key, type);
    if (!known) this.indexExisting(type.key);
  }

  onChange(resource: string, listener: (event: StoreEvent) => void): () => void {
    return this.store.watch(resource, undefined, this.store.currentResourceVersion(), listener);
  }

  /** Stops pending timers (namespace finalization, GC) and releases the store. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.customResources.stop();
    this.unsubscribeIndex();
    this.store.close();
  }

  // ---------------------------------------------------------------- helpers

  requireType(resource: string): ResourceType {
    const t = this.resources.get(resource);
    if (!t) throw ApiError.notFoundPath();
    return t;
  }

  qualified(type: ResourceType): QualifiedResource {
    return { group: type.group, resource: type.resource };
  }

  private apiVersionOf(type: ResourceType): string {
    return type.group ? `${type.group}/${type.version}` : type.version;
  }

  /** Finds the ResourceType of an ownerReference (by apiVersion group and kind). */
  private typeOfKind(apiVersion: string, kind: string): ResourceType | undefined {
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
    for (const t of this.resources.values()) if (t.kind === kind && t.group === group) return t;
    return undefined;
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private enqueueGc(task: () => void): void {
    this.gcQueue.push(task);
    if (this.gcScheduled) return;
    this.gcScheduled = true;
    // Garbage collection is asynchronous in Kubernetes too: the delete answers first, the GC follows.
    setImmediate(() => {
      this.gcScheduled = false;
      const tasks = this.gcQueue.splice(0);
      for (const task of tasks) {
        try {
          task();
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) console.error(`[sim ${this.name}] garbage collection failed:`, err);
        }
      }
    });
  }

  private indexExisting(resource: string): void {
    if (METRICS_KEYS.has(resource)) return;
    for (const o of this.store.list(resource)) this.indexOwners(resource, o, false);
  }

  private indexOwners(resource: string, o: KubeObject, removed: boolean): void {
    const key = objKey(resource, o.metadata.namespace, o.metadata.name!);
    const before = this.ownersByObject.get(key);
    const after = removed ? [] : (o.metadata.ownerReferences ?? []).map((r) => r.uid);
    if (!before && after.length === 0) return;
    for (const uid of before ?? []) {
      if (after.includes(uid)) continue;
      const set = this.dependents.get(uid);
      set?.delete(key);
      if (set && set.size === 0) this.dependents.delete(uid);
    }
    for (const uid of after) {
      let set = this.dependents.get(uid);
      if (!set) {
        set = new Set();
        this.dependents.set(uid, set);
      }
      set.add(key);
    }
    if (after.length) this.ownersByObject.set(key, after);
    else this.ownersByObject.delete(key);
  }

  private onStoreEvent(ev: StoreEvent): void {
    this.indexOwners(ev.resource, ev.object, ev.type === 'DELETED');
    if (ev.type !== 'DELETED') return;
    const gone = ev.object;
    if (ev.resource === 'pods') {
      this.logs.forget(gone.metadata.namespace ?? '', gone.metadata.name!);
      this.metrics.pods.delete(`${gone.metadata.namespace}/${gone.metadata.name}`);
    }
    if (ev.resource === 'nodes') this.metrics.nodes.delete(gone.metadata.name!);
    const uid = gone.metadata.uid!;
    // Dependents of a removed owner are collected in the background.
    if (this.dependents.has(uid)) this.enqueueGc(() => this.collectOrphansOf(uid));
    // An owner waiting in foreground deletion may now have no dependents left.
    for (const ref of gone.metadata.ownerReferences ?? []) {
      this.enqueueGc(() => this.finishForegroundIfDone(ref, gone.metadata.namespace));
    }
  }

  private collectOrphansOf(ownerUid: string): void {
    const keys = [...(this.dependents.get(ownerUid) ?? [])];
    for (const key of keys) {
      const [resource, ns, name] = splitObjKey(key);
      const dep = this.store.get(resource, ns, name);
      if (!dep) continue;
      const refs = dep.metadata.ownerReferences ?? [];
      const others = refs.filter((r) => r.uid !== ownerUid && this.ownerExists(r, ns));
      if (others.length > 0) {
        // Another owner is alive: only the dangling reference goes, as the real GC does.
        this.mutate(resource, ns, name, (c) => {
          c.metadata.ownerReferences = (c.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
          return c;
        }, { manager: 'kube-controller-manager' });
        continue;
      }
      if (dep.metadata.deletionTimestamp && !(resource === 'pods')) continue;
      this.delete(resource, ns, name, { propagationPolicy: 'Background' });
    }
  }

  private ownerExists(ref: OwnerReference, namespace: string | undefined): boolean {
    const type = this.typeOfKind(ref.apiVersion, ref.kind);
    if (!type) return false;
    const owner = this.store.get(type.key, type.namespaced ? namespace : undefined, ref.name);
    return owner !== undefined && owner.metadata.uid === ref.uid;
  }

  private finishForegroundIfDone(ref: OwnerReference, namespace: string | undefined): void {
    const type = this.typeOfKind(ref.apiVersion, ref.kind);
    if (!type) return;
    const ns = type.namespaced ? namespace : undefined;
    const owner = this.store.get(type.key, ns, ref.name);
    if (!owner || owner.metadata.uid !== ref.uid) return;
    if (!owner.metadata.deletionTimestamp || !owner.metadata.finalizers?.includes('foregroundDeletion')) return;
    if ((this.dependents.get(ref.uid)?.size ?? 0) > 0) return;
    this.mutate(type.key, ns, ref.name, (c) => {
      c.metadata.finalizers = (c.metadata.finalizers ?? []).filter((f) => f !== 'foregroundDeletion');
      return c;
    }, { manager: 'kube-controller-manager' });
  }

  // ---------------------------------------------------------------- reads

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const type = this.requireType(resource);
    return this.store.get(resource, type.namespaced ? namespace : undefined, name);
  }

  list(resource: string, filter: ListFilter = {}): KubeObject[] {
    const type = this.requireType(resource);
    const labels = parseLabelSelector(filter.labelSelector);
    const fieldReqs = parseFieldSelector(filter.fieldSelector, (f) => this.fieldSupported(type, f));
    const items = this.store.list(resource, type.namespaced ? filter.namespace : undefined);
    if (labels.length === 0 && fieldReqs.length === 0) return items;
    return items.filter(
      (o) => matchLabels(labels, o.metadata.labels) && matchFields(fieldReqs, o, (obj, f) => this.fieldValue(type, obj, f)),
    );
  }

  fieldSupported(type: ResourceType, field: string): boolean {
    if (field === 'metadata.name' || field === 'metadata.namespace') return true;
    return type.selectableFields !== undefined && Object.prototype.hasOwnProperty.call(type.selectableFields, field);
  }

  fieldValue(type: ResourceType, o: KubeObject, field: string): string | undefined {
    if (field === 'metadata.name') return o.metadata.name;
    if (field === 'metadata.namespace') return o.metadata.namespace;
    const getter = type.selectableFields?.[field];
    const v = getter?.(o);
    // spec.unschedulable is "false" when unset, as the server's field set says.
    if (v === undefined && field === 'spec.unschedulable') return 'false';
    return v;
  }

  // ---------------------------------------------------------------- writes

  create(resource: string, object: KubeObject, options: InternalWriteOptions = {}): KubeObject {
    const type = this.requireType(resource);
    if (METRICS_KEYS.has(resource)) throw ApiError.methodNotSupported(this.qualified(type), 'create');
    const copy = jsonCopy(object) as KubeObject;
    const meta = (copy.metadata ??= {});
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    const causes: Array<{ reason: string; message: string; field: string }> = [];
    if (!meta.name) {
      causes.push({ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' });
    } else if (type.group === 'rbac.authorization.k8s.io') {
      // RBAC names are path segments (`system:aggregate-to-admin`), as kube's ValidateRBACName allows.
      const bad = meta.name === '.' || meta.name === '..' ? `may not be '${meta.name}'` : meta.name.includes('/') ? "may not contain '/'" : meta.name.includes('%') ? "may not contain '%'" : undefined;
      if (bad) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(meta.name)}: ${bad}`, field: 'metadata.name' });
    } else if (!DNS_SUBDOMAIN.test(meta.name) || meta.name.length > 253) {
      causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(meta.name)}: ${DNS_SUBDOMAIN_MESSAGE}`, field: 'metadata.name' });
    }
    if (resource === 'pods') {
      const containers = (copy as Obj)['spec']?.['containers'];
      if (!Array.isArray(containers) || containers.length === 0) {
        causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' });
      }
    }
    if (type.namespaced && !meta.namespace) {
      causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'metadata.namespace' });
    }
    if (causes.length) throw ApiError.invalid(type.kind, type.group, meta.name ?? '', causes);
    if (!type.namespaced) delete meta.namespace;
    if (type.namespaced && resource !== 'namespaces') {
      const ns = this.store.get('namespaces', undefined, meta.namespace!);
      if (!ns) throw ApiError.notFound({ group: '', resource: 'namespaces' }, meta.namespace!);
      if (ns.metadata.deletionTimestamp) {
        throw new ApiError(
          403,
          'Forbidden',
          `${type.resource} "${meta.name}" is forbidden: unable to create new content in namespace ${meta.namespace} because it is being terminated`,
          { name: meta.name, group: type.group || undefined, kind: type.resource, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${meta.namespace} is being terminated`, field: 'metadata.namespace' }] },
        );
      }
    }
    copy.apiVersion = this.apiVersionOf(type);
    copy.kind = type.kind;
    delete meta.uid;
    delete meta.resourceVersion;
    delete meta.creationTimestamp;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    if (type.hasGeneration) meta.generation = 1;
    else delete meta.generation;
    applyCreateDefaults(resource, copy, {
      hasKubelet: (n) => this.kubeletNodes.has(n),
      defaultStorageClass: () => this.defaultStorageClass(),
      newUid: () => randomUUID(),
    });
    meta.managedFields =
      options.managedFields ??
      recordOwnership([], options.manager ?? 'unknown', 'Update', copy.apiVersion, fieldPathsOf(copy, { includeStatus: false }));
    // Key order as the server writes it: kind, apiVersion, metadata, then the rest.
    const ordered = orderTopLevel(copy);
    if (options.dryRun) {
      if (this.store.get(resource, meta.namespace, meta.name!)) throw ApiError.alreadyExists(this.qualified(type), meta.name!);
      // What the store would add, except a resourceVersion (a dry-run answer has none).
      ordered.metadata.uid ??= randomUUID();
      ordered.metadata.creationTimestamp = nowRfc3339();
      return orderMetadata(ordered);
    }
    if (this.shares) this.interner.internObject(ordered as Obj);
    let stored: KubeObject;
    try {
      stored = this.store.create(resource, ordered);
    } catch (err) {
      if (err instanceof StoreError && err.reason === 'AlreadyExists' && this.restoring) return this.store.get(resource, meta.namespace, meta.name!)!;
      if (err instanceof StoreError && err.reason === 'AlreadyExists') throw ApiError.alreadyExists(this.qualified(type), meta.name!);
      throw err;
    }
    if (resource === 'namespaces' && this.resources.has('serviceaccounts')) {
      // The service account controller gives every namespace its `default` ServiceAccount.
      try {
        this.create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: meta.name! } }, { manager: 'kube-controller-manager' });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 409)) throw err;
      }
    }
    return stored;
  }

  update(resource: string, object: KubeObject, options: InternalWriteOptions = {}): KubeObject {
    const type = this.requireType(resource);
    if (METRICS_KEYS.has(resource)) throw ApiError.methodNotSupported(this.qualified(type), 'update');
    const meta = object.metadata ?? {};
    const ns = type.namespaced ? meta.namespace : undefined;
    const name = meta.name ?? '';
    const current = this.store.get(resource, ns, name);
    if (!current) throw ApiError.notFound(this.qualified(type), name);
    if (meta.resourceVersion && meta.resourceVersion !== current.metadata.resourceVersion) {
      throw ApiError.conflict(this.qualified(type), name);
    }
    // Stored objects are never mutated, so a new version may share unchanged parts with the old one.
    let next: KubeObject;
    if (options.subresource === 'status') {
      next = { ...current, metadata: { ...current.metadata } };
      const status = (object as Obj)['status'];
      if (status !== undefined) (next as Obj)['status'] = options.ownedCopy ? status : jsonCopy(status);
      else delete (next as Obj)['status'];
    } else {
      next = options.ownedCopy ? { ...object, metadata: { ...(object.metadata ?? {}) } } : (jsonCopy(object) as KubeObject);
      next.metadata ??= {};
      if (options.preserveStatus && type.subresources?.includes('status')) {
        if ((current as Obj)['status'] !== undefined) (next as Obj)['status'] = (current as Obj)['status'];
        else delete (next as Obj)['status'];
      }
    }
    const m = next.metadata;
    // System-owned metadata cannot be changed by a write.
    m.name = current.metadata.name;
    if (type.namespaced) m.namespace = current.metadata.namespace;
    else delete m.namespace;
    m.uid = current.metadata.uid;
    m.creationTimestamp = current.metadata.creationTimestamp;
    if (current.metadata.deletionTimestamp) {
      m.deletionTimestamp = current.metadata.deletionTimestamp;
      m.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
    } else {
      delete m.deletionTimestamp;
      delete m.deletionGracePeriodSeconds;
    }
    next.apiVersion = this.apiVersionOf(type);
    next.kind = type.kind;
    if (type.hasGeneration) {
      m.generation = (current.metadata.generation ?? 1) + (jsonEqualExcept(current as Obj, next as Obj, NOT_SPEC) ? 0 : 1);
    } else delete m.generation;
    m.resourceVersion = current.metadata.resourceVersion;
    // A write that changes nothing is not a write: no new resourceVersion, no watch event.
    m.managedFields = current.metadata.managedFields;
    let ordered = orderTopLevel(next);
    // Compared as their JSON would be, without writing it: the parts a patch did not touch are the stored
    // ones, so this costs the size of the change.
    // An apply that sends what is stored, with the same field ownership, is no write either.
    if ((!options.managedFields || sameOwnership(options.managedFields, current.metadata.managedFields)) && jsonEqual(ordered, current)) return current;
    ordered.metadata.managedFields =
      options.managedFields ??
      recordOwnership(
        current.metadata.managedFields,
        options.manager ?? 'unknown',
        'Update',
        next.apiVersion,
        changedPaths(current, next, options.subresource === 'status' ? { onlyStatus: true } : { includeStatus: false }),
        options.subresource ? { subresource: options.subresource } : {},
      );
    ordered = orderMetadata(ordered);
    // A dry run answers the object as it would be stored, with the unchanged resourceVersion.
    if (options.dryRun) return ordered;
    if (this.shares) this.interner.internObject(ordered as Obj, current as Obj);
    if (m.deletionTimestamp && (m.finalizers ?? []).length === 0 && !this.waitsForGrace(resource, ordered)) {
      // The last finalizer is gone: the object goes, and the answer is its final state.
      const gone = this.store.delete(resource, ns, name);
      return { ...ordered, metadata: { ...ordered.metadata, resourceVersion: gone.metadata.resourceVersion } };
    }
    try {
      return this.store.update(resource, ordered);
    } catch (err) {
      if (err instanceof StoreError && err.reason === 'Conflict') throw ApiError.conflict(this.qualified(type), name);
      if (err instanceof StoreError && err.reason === 'NotFound') throw ApiError.notFound(this.qualified(type), name);
      throw err;
    }
  }

  /** A bound pod in graceful deletion stays until its kubelet (or a grace-0 delete) finishes it. */
  private waitsForGrace(resource: string, o: KubeObject): boolean {
    return resource === 'pods' && (o.metadata.deletionGracePeriodSeconds ?? 0) > 0;
  }

  mutate(
    resource: string,
    namespace: string | undefined,
    name: string,
    mutate: (copy: KubeObject) => KubeObject | undefined,
    options?: WriteOptions,
  ): KubeObject | undefined {
    const current = this.get(resource, namespace, name);
    if (!current) return undefined;
    const next = mutate(jsonCopy(current) as KubeObject);
    if (!next) return undefined;
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    try {
      return this.update(resource, next, { ...options, ownedCopy: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return undefined;
      throw err;
    }
  }

  delete(resource: string, namespace: string | undefined, name: string, options: InternalDeleteOptions = {}): KubeObject {
    const type = this.requireType(resource);
    if (METRICS_KEYS.has(resource)) throw ApiError.methodNotSupported(this.qualified(type), 'delete');
    const ns = type.namespaced ? namespace : undefined;
    const current = this.store.get(resource, ns, name);
    if (!current) throw ApiError.notFound(this.qualified(type), name);
    if (options.preconditionUid !== undefined && options.preconditionUid !== current.metadata.uid) {
      throw new ApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${type.kind} "${name}": the UID in the precondition (${options.preconditionUid}) does not match the UID in record (${current.metadata.uid}). The object might have been deleted and then recreated`,
        { name, group: type.group || undefined, kind: type.kind },
      );
    }
    const policy = options.propagationPolicy ?? 'Background';
    const uid = current.metadata.uid!;
    if (options.dryRun) return this.dryRunDelete(type, current, options);

    if (policy === 'Orphan' && resource !== 'pods' && resource !== 'namespaces') {
      // The orphan finalizer: the object answers as deleting, the garbage collector then strips
      // this owner from its dependents and removes the finalizer, which completes the deletion.
      if ((current.metadata.finalizers ?? []).includes('orphan')) return current;
      const marked = this.markDeleting(type, current, 0, false, true, 'orphan');
      this.enqueueGc(() => {
        this.orphanDependentsOf(uid);
        this.mutate(resource, ns, name, (c) => {
          if (c.metadata.uid !== uid) return undefined;
          c.metadata.finalizers = (c.metadata.finalizers ?? []).filter((f) => f !== 'orphan');
          return c;
        }, { manager: 'kube-controller-manager' });
      });
      return marked;
    }
    if (policy === 'Orphan') this.orphanDependentsOf(uid);

    if (resource === 'namespaces') return this.deleteNamespace(current);

    if (resource === 'pods') {
      const spec = (current as Obj)['spec'] ?? {};
      const phase = (current as Obj)['status']?.['phase'];
      let grace = options.gracePeriodSeconds ?? spec['terminationGracePeriodSeconds'] ?? 30;
      // Unbound and finished pods have nothing to stop: they go at once (after a MODIFIED, as recorded).
      if (!spec['nodeName'] || phase === 'Succeeded' || phase === 'Failed') grace = 0;
      const already = current.metadata.deletionTimestamp !== undefined;
      if (grace > 0) {
        if (already && (current.metadata.deletionGracePeriodSeconds ?? 0) <= grace) return current;
        return this.markDeleting(type, current, grace, policy === 'Foreground');
      }
      if ((current.metadata.finalizers ?? []).length > 0 || policy === 'Foreground') {
        return this.markDeleting(type, current, 0, policy === 'Foreground');
      }
      const marked = already ? current : this.markDeleting(type, current, 0, false, true);
      return this.store.delete(resource, ns, marked.metadata.name!);
    }

    if (policy === 'Foreground' && (this.dependents.get(uid)?.size ?? 0) > 0) {
      const marked = this.markDeleting(type, current, 0, true);
      for (const key of [...(this.dependents.get(uid) ?? [])]) {
        const [r, dns, dname] = splitObjKey(key);
        this.enqueueGc(() => this.delete(r, dns, dname, { propagationPolicy: 'Foreground' }));
      }
      return marked;
    }
    if ((current.metadata.finalizers ?? []).length > 0) {
      if (current.metadata.deletionTimestamp) return current;
      return this.markDeleting(type, current, 0, false);
    }
    return this.store.delete(resource, ns, name);
  }

  /**
   * The answer of a delete with dryRun=All: the object as the delete would leave it (marked for
   * deletion when finalizers, a grace period or a propagation policy keep it) or as it was when it
   * would go at once. Nothing is written and no dependent is touched.
   */
  private dryRunDelete(type: ResourceType, current: KubeObject, options: DeleteOptions): KubeObject {
    const policy = options.propagationPolicy ?? 'Background';
    const finalizers = [...(current.metadata.finalizers ?? [])];
    let grace = 0;
    let keeps = finalizers.length > 0 || type.key === 'namespaces';
    if (type.key === 'pods') {
      const spec = (current as Obj)['spec'] ?? {};
      const phase = (current as Obj)['status']?.['phase'];
      grace = options.gracePeriodSeconds ?? spec['terminationGracePeriodSeconds'] ?? 30;
      if (!spec['nodeName'] || phase === 'Succeeded' || phase === 'Failed') grace = 0;
      if (grace > 0 || policy === 'Foreground') keeps = true;
    } else if (policy === 'Orphan' && type.key !== 'namespaces') {
      if (!finalizers.includes('orphan')) finalizers.push('orphan');
      keeps = true;
    } else if (policy === 'Foreground' && (this.dependents.get(current.metadata.uid!)?.size ?? 0) > 0) keeps = true;
    if (!keeps) return current;
    if (current.metadata.deletionTimestamp) return current;
    const next = jsonCopy(current) as Obj;
    const m = next['metadata'];
    m['deletionTimestamp'] = toRfc3339(Date.now() + grace * 1000);
    m['deletionGracePeriodSeconds'] = grace;
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (finalizers.length) m['finalizers'] = finalizers;
    if (type.hasGeneration) m['generation'] = (m['generation'] ?? 1) + 1;
    if (type.key === 'namespaces') next['status'] = { ...(next['status'] ?? {}), phase: 'Terminating' };
    return orderMetadata(next as KubeObject);
  }

  /** The StorageClass annotated as the cluster's default, if any (DefaultStorageClass admission). */
  private defaultStorageClass(): string | undefined {
    if (!this.resources.has('storage.k8s.io/storageclasses')) return undefined;
    for (const sc of this.store.list('storage.k8s.io/storageclasses')) {
      const a = sc.metadata.annotations ?? {};
      if (a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true') return sc.metadata.name;
    }
    return undefined;
  }

  private orphanDependentsOf(uid: string): void {
    for (const key of [...(this.dependents.get(uid) ?? [])]) {
      const [r, dns, dname] = splitObjKey(key);
      this.mutate(r, dns, dname, (c) => {
        c.metadata.ownerReferences = (c.metadata.ownerReferences ?? []).filter((ref) => ref.uid !== uid);
        return c;
      }, { manager: 'kube-controller-manager' });
    }
  }

  /**
   * Sets deletionTimestamp (now + grace) and deletionGracePeriodSeconds, and the foregroundDeletion
   * finalizer when asked. `transient` marks a pod that is removed right after (no finalization here).
   */
  private markDeleting(type: ResourceType, current: KubeObject, grace: number, foreground: boolean, transient = false, extraFinalizer?: string): KubeObject {
    const next = jsonCopy(current) as KubeObject;
    const m = next.metadata;
    if (!m.deletionTimestamp || grace < (m.deletionGracePeriodSeconds ?? Infinity)) {
      m.deletionTimestamp = toRfc3339(Date.now() + grace * 1000);
      m.deletionGracePeriodSeconds = grace;
    }
    if (foreground && !(m.finalizers ?? []).includes('foregroundDeletion')) m.finalizers = [...(m.finalizers ?? []), 'foregroundDeletion'];
    if (extraFinalizer && !(m.finalizers ?? []).includes(extraFinalizer)) m.finalizers = [...(m.finalizers ?? []), extraFinalizer];
    if (type.hasGeneration) m.generation = (m.generation ?? 1) + 1;
    const ordered = orderMetadata(next);
    const stored = this.store.update(type.key, ordered);
    if (transient) return stored;
    if (foreground && (this.dependents.get(current.metadata.uid!)?.size ?? 0) === 0) {
      // Nothing depends on it: the foreground finalizer is done at once.
      this.enqueueGc(() => this.finishForegroundIfDone({ apiVersion: stored.apiVersion!, kind: stored.kind!, name: stored.metadata.name!, uid: stored.metadata.uid! }, stored.metadata.namespace));
    }
    return stored;
  }

  /** Namespace deletion: Terminating, its contents deleted, then the namespace itself. */
  private deleteNamespace(current: KubeObject): KubeObject {
    const name = current.metadata.name!;
    let ns = current;
    if (!current.metadata.deletionTimestamp) {
      const next = jsonCopy(current) as Obj;
      next['metadata']['deletionTimestamp'] = nowRfc3339();
      next['metadata']['deletionGracePeriodSeconds'] = 0;
      next['status'] = { ...(next['status'] ?? {}), phase: 'Terminating' };
      ns = this.store.update('namespaces', next as KubeObject);
    }
    for (const type of this.resources.values()) {
      if (!type.namespaced || METRICS_KEYS.has(type.key)) continue;
      for (const o of this.store.list(type.key, name)) {
        try {
          this.delete(type.key, name, o.metadata.name!, { gracePeriodSeconds: 0 });
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
    }
    this.later(() => this.finishNamespace(name, 0), 50);
    return ns;
  }

  private finishNamespace(name: string, attempt: number): void {
    const ns = this.store.get('namespaces', undefined, name);
    if (!ns || !ns.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const type of this.resources.values()) {
      if (!type.namespaced || METRICS_KEYS.has(type.key)) continue;
      const items = this.store.list(type.key, name);
      remaining += items.length;
      for (const o of items) {
        if (!o.metadata.deletionTimestamp) {
          try {
            this.delete(type.key, name, o.metadata.name!, { gracePeriodSeconds: 0 });
          } catch {
            // Gone meanwhile.
          }
        }
      }
    }
    if (remaining > 0 && attempt < 600) {
      this.later(() => this.finishNamespace(name, attempt + 1), 100);
      return;
    }
    if ((ns.metadata.finalizers ?? []).length === 0) {
      try {
        this.store.delete('namespaces', undefined, name);
      } catch {
        // Already gone.
      }
    }
  }
}

/** Whether two managedFields lists record the same owners of the same fields (their times aside). */
function sameOwnership(a: unknown[], b: unknown[] | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  const strip = (e: unknown) => JSON.stringify({ ...(e as Obj), time: undefined });
  return a.every((e, i) => strip(e) === strip(b[i]));
}

/** Orders an object's top-level keys as the server serialises them. */
function orderTopLevel(o: KubeObject): KubeObject {
  const { kind, apiVersion, metadata, ...rest } = o;
  return { kind, apiVersion, metadata: orderMetadata({ metadata } as KubeObject).metadata, ...rest } as KubeObject;
}

const META_ORDER = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

const EMPTY_OMITTED = new Set(['object']);
const OMIT_WHEN_EMPTY = new Set(['labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields']);

function orderMetadata(o: KubeObject): KubeObject {
  const m = o.metadata;
  const out: Record<string, unknown> = {};
  // Empty collections are omitted on the wire (Go's omitempty), so they are not stored either.
  const empty = (v: unknown): boolean =>
    v === undefined || (Array.isArray(v) && v.length === 0) || (EMPTY_OMITTED.has(typeof v) && v !== null && Object.keys(v as object).length === 0);
  for (const k of META_ORDER) if (!empty(m[k])) out[k] = m[k];
  for (const k of Object.keys(m)) if (!(k in out) && m[k] !== undefined && !(OMIT_WHEN_EMPTY.has(k) && empty(m[k]))) out[k] = m[k];
  o.metadata = out as KubeObject['metadata'];
  return o;
}


/** Creates one simulated API server. */
export function createSimCluster(name: string, options: CreateSimClusterOptions): SimCluster & {
  readonly objects: InternalObjectApi;
  /** The cluster's RBAC: its default policy, aggregation and authorizer (src/sim/auth). */
  readonly rbac: ClusterRbac;
  restoring: boolean;
  close(): void;
  requireType(resource: string): ResourceType;
  fieldSupported(type: ResourceType, field: string): boolean;
  fieldValue(type: ResourceType, o: KubeObject, field: string): string | undefined;
} {
  const cluster = new SimClusterImpl(name, options);
  // Every cluster is born with the default RBAC policy, as a kube-apiserver bootstraps it at start.
  const rbac = new ClusterRbac(cluster);
  const close = cluster.close.bind(cluster);
  return Object.assign(cluster, {
    rbac,
    close: (): void => {
      rbac.close();
      close();
    },
  });
}

export type SimClusterInternals = ReturnType<typeof createSimCluster>;
