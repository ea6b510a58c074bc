/**
 * The Fleet facade (see types.ts): connects to the Karmada control plane, follows its Cluster objects to
 * start and stop members, runs one ClusterCache per cluster for watched kinds, serves fetch-mode kinds and
 * events through the TTL store, and answers every read as ClusterResult values. Nothing here throws for a
 * cluster's failure; only programming errors (unknown kind) and invalid filters (LabelSelectorError) throw.
 */
import type { Config } from '../config/Config.js';
import { ClusterCache } from '../cache/ClusterCache.js';
import { FetchedLists } from '../cache/FetchedLists.js';
import { compileFilter, matchesFilter } from '../cache/matchesFilter.js';
import { indexValues } from '../cache/ObjectIndex.js';
import type { OrderedIndex, SortSpec } from '../cache/OrderedIndex.js';
import { TtlStore } from '../cache/TtlStore.js';
import type { ChangeEvent, ChangeListener, IndexName, ListFilter, SlimCluster, SlimEvent, SlimObject } from '../cache/types.js';
import { ClusterClient } from './ClusterClient.js';
import { ClusterConnection } from './ClusterConnection.js';
import { createLoaders } from './createLoaders.js';
import { DynamicKinds } from './DynamicKinds.js';
import { fleetIdOfKubeConfig } from './fleetIdentity.js';
import { kindTable, type KindDescriptor, type KindName } from './kinds.js';
import { loadControlPlaneKubeConfig, memberKubeConfigFromContext, memberKubeConfigViaProxy } from './kubeConfigs.js';
import {
  CONTROL_PLANE,
  type ClusterError,
  type ClusterResult,
  type Fleet,
  type FleetLoaders,
  type FleetOptions,
  type LogOptions,
  type MemberHealth,
  type NodeUsage,
  type PodUsage,
  type Readiness,
  type ServedApis,
} from './types.js';
import { ErrorCode, Reason } from '../errors/codes.js';
import { API_NOT_SERVED, clusterError, toClusterError, type Classified } from './UpstreamError.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { FleetAuthorizer } from '../authz/FleetAuthorizer.js';
import { postSubjectAccessReview } from '../authz/postSubjectAccessReview.js';
import { RbacStore } from '../authz/RbacStore.js';
import { RbacWatcher } from '../authz/RbacWatcher.js';
import { SubjectAccessReviewAuthorizer } from '../authz/SubjectAccessReviewAuthorizer.js';

interface ClusterEntry {
  connection: ClusterConnection;
  cache: ClusterCache;
}

/** What a member serves before discovery answered: nothing. Shared, hence frozen. */
const NO_APIS: ServedApis = Object.freeze({ metrics: false, middleware: false, karmada: false, groupVersions: Object.freeze([]) as unknown as string[] });

/**
 * `fleet.health(member)`: the cheap fields read when asked, the per-kind table (an object of every watched
 * kind) when first read rather than when asked, since `cluster { health }` is on the hot path of small queries and never reads it.
 * A class, so the getter lives on the prototype rather than being allocated per call.
 */
class MemberHealthView implements MemberHealth {
  readonly synced: boolean;
  readonly unreachableSince: string | null;
  readonly lastError: ClusterError | null;
  readonly notServed: KindName[];
  readonly apis: ServedApis;
  private kindsRead: MemberHealth['kinds'] | undefined;

  constructor(readonly cluster: string, private readonly entry: ClusterEntry) {
    const { connection, cache } = entry;
    this.synced = cache.synced && connection.availabilityError() === null;
    this.unreachableSince = connection.unreachableSince;
    this.lastError = connection.lastError;
    this.notServed = cache.notServed;
    this.apis = connection.apis ?? NO_APIS;
  }

  get kinds(): MemberHealth['kinds'] {
    return (this.kindsRead ??= this.entry.cache.kindStates());
  }
}

/** The demand scope of a subscription on every cluster (a name no cluster can have). */
const ALL_CLUSTERS = '*';

const fail = <T>(cluster: string, classified: Classified, message: string): ClusterResult<T> => ({
  ok: false,
  cluster,
  error: clusterError(cluster, classified, message),
});

const NOT_FOUND: Classified = { code: ErrorCode.NOT_FOUND };
const UNKNOWN_CLUSTER: Classified = { code: ErrorCode.NOT_FOUND, reason: Reason.UNKNOWN_CLUSTER };

class KarmadaFleet implements Fleet {
  readonly requestCounters = new Map<string, number>();
  private readonly config: Config;
  private readonly options: FleetOptions;
  readonly kinds: ReadonlyMap<KindName, KindDescriptor>;
  private readonly controlPlaneKc: KubeConfig;
  private readonly store: TtlStore;
  private readonly fetched: FetchedLists;
  private readonly listeners = new Set<ChangeListener>();
  private controlPlane!: ClusterEntry;
  private readonly memberEntries = new Map<string, ClusterEntry>();
  /** Members removed whose informers are still stopping (how many removals of that name are in flight). */
  private readonly leavingMembers = new Map<string, number>();
  /**
   * Subscribers per fetch-mode kind (watchKind) and cluster (ALL_CLUSTERS: fleet-wide): an on-demand informer
   * runs on a cluster of the kind's side while it has one.
   */
  private readonly demand = new Map<KindName, Map<string, number>>();
  private stopped = false;
  /** Per-user authorization (issue 12): present when callers authenticate (`auth` other than `none`). */
  readonly authorizer: FleetAuthorizer | undefined;
  /** Watches every cluster's RBAC for the authorizer (not with `--authz sar`). */
  private readonly rbacWatcher: RbacWatcher | undefined;
  /** Any kind the clusters serve (discovery, list, get; subscriptions through watchKind): src/fleet/DynamicKinds.ts. */
  readonly dynamic: DynamicKinds;

  constructor(config: Config, options: FleetOptions, controlPlaneKc: KubeConfig) {
    this.config = config;
    this.options = options;
    this.kinds = kindTable(config.middleware);
    this.controlPlaneKc = controlPlaneKc;
    this.store = new TtlStore({
      ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
      // The fleet id in every key: gateways over different fleets may share a Redis and a prefix.
      redisPrefix: `${options.redisPrefix ?? config.redisPrefix ?? 'fleetgraph:'}${config.fleetId ?? fleetIdOfKubeConfig(controlPlaneKc)}:`,
      ...(options.redisHealth ? { redisHealth: options.redisHealth } : {}),
    });
    this.fetched = new FetchedLists(this.store, config.ttl);
    this.dynamic = new DynamicKinds({ connection: (cluster) => this.entry(cluster)?.connection });
    if (config.auth !== 'none') {
      const store = new RbacStore();
      const mode = config.authz ?? 'rbac';
      // Only the cluster can tell where its RBAC may not be read (or with --authz sar): a review with the
      // gateway's own client of that cluster.
      const reviews = new SubjectAccessReviewAuthorizer({
        review: (cluster, caller, check) => {
          const entry = this.entry(cluster);
          if (!entry) return Promise.reject(new Error(`no cluster named ${cluster}`));
          return postSubjectAccessReview(entry.connection.client, caller, check, config.callTimeoutMs);
        },
      });
      this.authorizer = new FleetAuthorizer({ store, reviews, mode });
      this.rbacWatcher = mode === 'rbac' ? new RbacWatcher({
        store,
        ...(options.backoff ? { backoff: options.backoff } : {}),
        onMode: (cluster, m) => options.logger?.info({ cluster, mode: m }, `authorization: ${m === 'local' ? 'RBAC read and watched' : m === 'review' ? 'RBAC not readable, SubjectAccessReview' : 'RBAC syncing'}`),
      }) : undefined;
    }
  }

  start(): void {
    this.controlPlane = this.openCluster(CONTROL_PLANE, this.controlPlaneKc, 'controlPlane');
    // Members named by --member exist even before (or without) their Cluster object.
    for (const name of Object.keys(this.config.memberContexts)) this.addMember(name);
    this.listeners.add((event) => this.followClusters(event));
  }

  // ---- membership -------------------------------------------------------------------------------------

  private followClusters(event: ChangeEvent): void {
    if (event.cluster !== CONTROL_PLANE || event.kind !== 'clusters') return;
    switch (event.type) {
      case 'ADDED':
        this.addMember(event.after.metadata.name);
        break;
      case 'DELETED':
        if (!(event.before.metadata.name in this.config.memberContexts)) void this.removeMember(event.before.metadata.name);
        break;
      case 'RESYNC': {
        for (const o of event.added) this.addMember(o.metadata.name);
        for (const o of event.deleted) if (!(o.metadata.name in this.config.memberContexts)) void this.removeMember(o.metadata.name);
        break;
      }
      default:
        break;
    }
  }

  /** Called for the first list of Cluster objects too (no change event is emitted for a first list). */
  private syncMembersFromCache(): void {
    const informer = this.controlPlane.cache.informer('clusters');
    if (!informer?.listed) return;
    for (const c of informer.list()) this.addMember(c.metadata.name);
  }

  private addMember(name: string): void {
    if (this.stopped || this.memberEntries.has(name) || name === CONTROL_PLANE) return;
    const context = this.config.memberContexts[name];
    const kc = context ? memberKubeConfigFromContext(this.controlPlaneKc, context) : memberKubeConfigViaProxy(this.controlPlaneKc, name);
    this.memberEntries.set(name, this.openCluster(name, kc, 'member', !context));
  }

  private async removeMember(name: string): Promise<void> {
    const entry = this.memberEntries.get(name);
    if (!entry) return;
    this.memberEntries.delete(name);
    // Until its informers have stopped, the member still holds connections (memberRunning).
    this.leavingMembers.set(name, (this.leavingMembers.get(name) ?? 0) + 1);
    this.dynamic.forget(name);
    try {
      await this.rbacWatcher?.remove(name);
      entry.connection.stop();
      await entry.cache.stop();
    } finally {
      const n = (this.leavingMembers.get(name) ?? 1) - 1;
      if (n > 0) this.leavingMembers.set(name, n);
      else this.leavingMembers.delete(name);
    }
  }

  memberRunning(name: string): boolean {
    return this.memberEntries.has(name) || this.leavingMembers.has(name);
  }

  private openCluster(name: string, kc: KubeConfig, side: 'controlPlane' | 'member', viaProxy = false): ClusterEntry {
    const client = new ClusterClient({
      name,
      kubeConfig: kc,
      callTimeoutMs: this.config.callTimeoutMs,
      logsTimeoutMs: this.config.logsTimeoutMs,
      count: (key) => this.requestCounters.set(key, (this.requestCounters.get(key) ?? 0) + 1),
      ...(this.options.signals ? { signals: this.options.signals } : {}),
    });
    const connection = new ClusterConnection({
      client,
      middlewareGroup: this.config.middleware.group,
      viaProxy,
      probeTimeoutMs: this.config.callTimeoutMs,
      ...(this.options.rediscoveryIntervalMs !== undefined ? { rediscoveryIntervalMs: this.options.rediscoveryIntervalMs } : {}),
      ...(this.options.healthIntervalMs !== undefined ? { healthIntervalMs: this.options.healthIntervalMs } : {}),
    });
    const watched = [...this.kinds.values()].filter((k) => this.onSide(k, side) && this.isWatched(k));
    const cache = new ClusterCache({
      connection,
      kinds: watched,
      onChange: (event) => this.emit(event),
      onInformerState: (kind, state, error) => {
        if (state === 'failed') this.options.logger?.warn({ cluster: name, kind, error }, 'informer failed; retrying with backoff');
        else if (state === 'synced') this.options.logger?.info({ cluster: name, kind }, 'informer synced');
      },
      ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
      ...(this.options.signals ? { signals: this.options.signals } : {}),
    });
    // One line per change of the cluster's reachability (its breaker opening and closing), with the reason.
    connection.breaker.onOpened((error) => this.options.logger?.warn(
      { cluster: name, reason: error.reason ?? error.code, code: error.code, ...(error.status ? { status: error.status } : {}), error: error.message },
      'member unreachable',
    ));
    connection.onRecovered(() => this.options.logger?.info({ cluster: name, reason: 'answered again' }, 'member reachable'));
    // A member that joins while a fetch-mode kind is subscribed to (fleet-wide) watches it too.
    for (const k of this.demand.keys()) {
      const d = this.descriptor(k);
      if (this.onSide(d, side) && this.demanded(d, name)) cache.watchOnDemand(d);
    }
    connection.start();
    cache.start();
    this.rbacWatcher?.add(name, client);
    if (side === 'controlPlane') {
      // The first list of Cluster objects emits no change: pick the members up when it lands.
      void cache.settled().then(() => this.syncMembersFromCache());
    }
    return { connection, cache };
  }

  private onSide(kind: KindDescriptor, side: 'controlPlane' | 'member'): boolean {
    return kind.side === 'both' || kind.side === side;
  }

  /** Cluster objects are always watched: membership follows them. */
  private isWatched(kind: KindDescriptor): boolean {
    if (kind.fetchOnly || kind.wholeObject) return false;
    if (kind.name === 'clusters') return true;
    return (this.config.modes[kind.name] ?? 'watch') === 'watch';
  }

  private emit(event: ChangeEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.options.logger?.error({ err }, 'change listener failed');
      }
    }
  }

  // ---- reads ------------------------------------------------------------------------------------------

  private entry(cluster: string): ClusterEntry | undefined {
    return cluster === CONTROL_PLANE ? this.controlPlane : this.memberEntries.get(cluster);
  }

  private descriptor(kind: KindName): KindDescriptor {
    const d = this.kinds.get(kind) ?? this.dynamic.descriptorOf(kind);
    if (!d) throw new Error(`unknown kind "${kind}"`);
    return d;
  }

  /** Every object of a kind in one cluster, unfiltered; the gate for availability, side and served APIs. */
  /**
   * `memo`: the per-request memo of fetched lists (see loaders()): within one request a (cluster, kind) is
   * fetched at most once even when the TTL is 0 or the answer was an error (errors are never TTL-cached).
   */
  private async readAll(kind: KindDescriptor, cluster: string, filter: ListFilter, memo?: Map<string, Promise<ClusterResult<SlimObject[]>>>): Promise<ClusterResult<SlimObject[]>> {
    const entry = this.entry(cluster);
    if (!entry) return fail(cluster, UNKNOWN_CLUSTER, 'no such member cluster');
    const side = cluster === CONTROL_PLANE ? 'controlPlane' : 'member';
    if (!this.onSide(kind, side)) {
      return fail(cluster, API_NOT_SERVED, `${kind.name} are not read from ${side === 'controlPlane' ? 'the Karmada control plane' : 'member clusters'}`);
    }
    const down = entry.connection.availabilityError();
    if (down) return { ok: false, cluster, error: down };
    const apis = entry.connection.apis;
    if (apis && !apis.groupVersions.includes(kind.group ? `${kind.group}/${kind.version}` : kind.version)) {
      return fail(cluster, API_NOT_SERVED, `${kind.group || 'core'}/${kind.version} ${kind.name} is not served`);
    }
    const informer = entry.cache.informer(kind.name);
    if (informer) {
      if (!informer.listed) {
        await Promise.race([informer.settled(), new Promise((r) => setTimeout(r, this.config.callTimeoutMs).unref())]);
        if (!informer.listed) {
          return { ok: false, cluster, error: informer.lastError ?? clusterError(cluster, { code: ErrorCode.UPSTREAM_TIMEOUT }, `${kind.name} not synced yet`) };
        }
      }
      if (informer.state === 'failed' && informer.lastError) return { ok: false, cluster, error: informer.lastError };
      return { ok: true, cluster, value: informer.list(filter) };
    }
    if (this.isWatched(kind) && !apis) {
      // Discovery has not answered yet, so the informer does not exist: wait for the first attempt.
      await entry.connection.firstAttempt();
      return this.readAll(kind, cluster, filter, memo);
    }
    const memoKey = `${cluster}\u0000${kind.name}`;
    let pending = memo?.get(memoKey);
    if (!pending) {
      pending = this.fetched.list(entry.connection, kind);
      memo?.set(memoKey, pending);
    }
    const all = await pending;
    if (!all.ok) return all;
    const compiled = compileFilter(filter);
    return { ok: true, cluster, value: all.value.filter((o) => matchesFilter(o, compiled)) };
  }

  members(): string[] {
    return [...this.memberEntries.keys()].sort();
  }

  async clusters(): Promise<ClusterResult<SlimCluster[]>> {
    return (await this.list('clusters', CONTROL_PLANE)) as ClusterResult<SlimCluster[]>;
  }

  async list(kind: KindName, cluster: string, filter: ListFilter = {}): Promise<ClusterResult<SlimObject[]>> {
    return this.listWithMemo(kind, cluster, filter);
  }

  private async listWithMemo(kind: KindName, cluster: string, filter: ListFilter = {}, memo?: Map<string, Promise<ClusterResult<SlimObject[]>>>): Promise<ClusterResult<SlimObject[]>> {
    compileFilter(filter); // bad selectors throw before any upstream call
    return this.readAll(this.descriptor(kind), cluster, filter, memo);
  }

  async listAll(kind: KindName, filter: ListFilter = {}): Promise<Array<ClusterResult<SlimObject[]>>> {
    compileFilter(filter);
    const d = this.descriptor(kind);
    if (d.side === 'controlPlane') return [await this.readAll(d, CONTROL_PLANE, filter)];
    return Promise.all(this.members().map((m) => this.readAll(d, m, filter)));
  }

  async get(kind: KindName, cluster: string, namespace: string | undefined, name: string): Promise<ClusterResult<SlimObject>> {
    const d = this.descriptor(kind);
    const r = await this.readAll(d, cluster, { ...(d.namespaced && namespace ? { namespace } : {}), name });
    if (!r.ok) return r;
    const found = r.value[0];
    if (!found) return fail(cluster, NOT_FOUND, `${d.kind} ${namespace && d.namespaced ? `${namespace}/` : ''}${name} not found`);
    return { ok: true, cluster, value: found };
  }

  async index(kind: KindName, cluster: string, index: IndexName, key: string): Promise<ClusterResult<SlimObject[]>> {
    const d = this.descriptor(kind);
    const informer = this.entry(cluster)?.cache.informer(kind);
    if (informer?.listed) {
      const r = await this.readAll(d, cluster, {});
      if (!r.ok) return r;
      return { ok: true, cluster, value: informer.byIndex(index, key) };
    }
    const r = await this.readAll(d, cluster, {});
    if (!r.ok) return r;
    return { ok: true, cluster, value: r.value.filter((o) => indexValues(index, o).includes(key)) };
  }

  ordered(kind: KindName, cluster: string, spec: SortSpec): OrderedIndex | undefined {
    const informer = this.entry(cluster)?.cache.informer(kind);
    if (!informer?.listed || informer.state === 'failed') return undefined;
    return informer.orderedBy(spec);
  }

  loaders(): FleetLoaders {
    const memo = new Map<string, Promise<ClusterResult<SlimObject[]>>>();
    return createLoaders({
      list: (kind, cluster, filter) => this.listWithMemo(kind, cluster, filter, memo),
      allEvents: (cluster) => this.readAll(this.descriptor('events'), cluster, {}, memo) as Promise<ClusterResult<SlimEvent[]>>,
      nodeMetrics: (cluster) => this.nodeMetrics(cluster),
      podMetrics: (cluster) => this.podMetrics(cluster),
    });
  }

  private async metricsGet<T>(cluster: string, path: string, what: string, map: (items: any[]) => T): Promise<ClusterResult<T>> {
    const entry = this.entry(cluster);
    if (!entry) return fail(cluster, UNKNOWN_CLUSTER, 'no such member cluster');
    const down = entry.connection.availabilityError();
    if (down) return { ok: false, cluster, error: down };
    if (entry.connection.apis && !entry.connection.apis.metrics) return fail(cluster, API_NOT_SERVED, 'metrics.k8s.io is not served (no metrics server)');
    try {
      // Its own, shorter timeout: a slow metrics server holds the answer up by at most this long.
      const timeoutMs = Math.min(this.config.metricsTimeoutMs, this.config.callTimeoutMs);
      const body = await entry.connection.client.getJson<{ items?: any[] }>(path, {}, what, timeoutMs);
      return { ok: true, cluster, value: map(body.items ?? []) };
    } catch (err) {
      // A 404 on the metrics API: no metrics server (it went away since discovery). No metrics failure
      // reaches the member's breaker: metrics.k8s.io is served by a metrics server behind the member's
      // aggregation layer, whose slowness or 503 says nothing about the member's own API server (whose
      // failures the probe and the informers see anyway).
      const error = toClusterError(cluster, err, (err as { status?: number }).status === 404 ? API_NOT_SERVED : undefined);
      return { ok: false, cluster, error };
    }
  }

  private nodeMetrics(cluster: string): Promise<ClusterResult<NodeUsage[]>> {
    return this.metricsGet(cluster, '/apis/metrics.k8s.io/v1beta1/nodes', 'list nodes.metrics', (items) =>
      items.map((i) => ({ name: i.metadata?.name, timestamp: i.timestamp, cpu: i.usage?.cpu ?? '0', memory: i.usage?.memory ?? '0' })),
    );
  }

  private podMetrics(cluster: string): Promise<ClusterResult<PodUsage[]>> {
    return this.metricsGet(cluster, '/apis/metrics.k8s.io/v1beta1/pods', 'list pods.metrics', (items) =>
      items.map((i) => ({
        namespace: i.metadata?.namespace,
        name: i.metadata?.name,
        timestamp: i.timestamp,
        containers: (i.containers ?? []).map((c: any) => ({ name: c.name, cpu: c.usage?.cpu ?? '0', memory: c.usage?.memory ?? '0' })),
      })),
    );
  }

  async metrics(cluster: string): Promise<ClusterResult<{ nodes: NodeUsage[]; pods: PodUsage[] }>> {
    const [nodes, pods] = await Promise.all([this.nodeMetrics(cluster), this.podMetrics(cluster)]);
    if (!nodes.ok) return nodes;
    if (!pods.ok) return pods;
    return { ok: true, cluster, value: { nodes: nodes.value, pods: pods.value } };
  }

  /** The container to read when none is named: the pod's only (or first) container. */
  private async containerOf(cluster: string, namespace: string, pod: string, container?: string): Promise<ClusterResult<string>> {
    if (container) return { ok: true, cluster, value: container };
    const p = await this.get('pods', cluster, namespace, pod);
    if (!p.ok) return p;
    const first = (p.value.spec as { containers?: Array<{ name: string }> } | undefined)?.containers?.[0]?.name;
    if (!first) return fail(cluster, NOT_FOUND, `pod ${namespace}/${pod} has no containers`);
    return { ok: true, cluster, value: first };
  }

  async logs(cluster: string, namespace: string, pod: string, options: LogOptions = {}): Promise<ClusterResult<string>> {
    const entry = this.entry(cluster);
    if (!entry) return fail(cluster, UNKNOWN_CLUSTER, 'no such member cluster');
    const down = entry.connection.availabilityError();
    if (down) return { ok: false, cluster, error: down };
    const container = await this.containerOf(cluster, namespace, pod, options.container);
    if (!container.ok) return container;
    const { container: _ignored, ...rest } = options;
    try {
      return { ok: true, cluster, value: await entry.connection.client.readLog(namespace, pod, container.value, rest) };
    } catch (err) {
      // A 400 (no such container, no previous instance) is this request's error; only member failures count.
      const error = toClusterError(cluster, err);
      entry.connection.noteFailure(error);
      return { ok: false, cluster, error };
    }
  }

  async followLogs(
    cluster: string,
    namespace: string,
    pod: string,
    options: LogOptions,
    onLine: (line: string) => void,
    onEnd?: (error?: ClusterError) => void,
  ): Promise<() => void> {
    const end = (error?: ClusterError) => onEnd?.(error);
    const entry = this.entry(cluster);
    if (!entry) {
      end(clusterError(cluster, UNKNOWN_CLUSTER, 'no such member cluster'));
      return () => {};
    }
    const container = await this.containerOf(cluster, namespace, pod, options.container);
    if (!container.ok) {
      end(container.error);
      return () => {};
    }
    const { container: _ignored, ...rest } = options;
    try {
      return await entry.connection.client.followLog(namespace, pod, container.value, rest, onLine, (err) => end(err ? toClusterError(cluster, err) : undefined));
    } catch (err) {
      end(toClusterError(cluster, err));
      return () => {};
    }
  }

  cachedObjects(): Array<{ cluster: string; kind: KindName; count: number }> {
    const out: Array<{ cluster: string; kind: KindName; count: number }> = [];
    const entries: Array<[string, ClusterEntry]> = [[CONTROL_PLANE, this.controlPlane], ...this.memberEntries];
    for (const [cluster, entry] of entries) for (const [kind, count] of entry.cache.cachedCounts()) out.push({ cluster, kind, count });
    return out;
  }

  health(cluster: string): MemberHealth | undefined {
    const entry = this.entry(cluster);
    if (!entry) return undefined;
    return new MemberHealthView(cluster, entry);
  }

  readiness(): Readiness {
    this.syncMembersFromCache();
    const entries: Array<[string, ClusterEntry]> = [[CONTROL_PLANE, this.controlPlane], ...[...this.memberEntries.entries()].sort(([a], [b]) => a.localeCompare(b))];
    const clusters = entries.map(([cluster, { connection, cache }]) => {
      const error = connection.availabilityError() ?? cache.firstFailure();
      // 'synced' only once every informer is watching (listed is not enough: the watch may still be opening).
      const state: 'synced' | 'failed' | 'pending' = !cache.isSettled ? 'pending' : error ? 'failed' : cache.synced ? 'synced' : 'pending';
      return { cluster, state, notServed: cache.notServed, error };
    });
    // Membership is known only once the Cluster objects have listed (or the control plane failed).
    const membersKnown = this.controlPlane.cache.isSettled;
    return { ready: membersKnown && clusters.every((c) => c.state !== 'pending'), clusters };
  }

  async whenReady(): Promise<Readiness> {
    for (;;) {
      await this.controlPlane.cache.settled();
      this.syncMembersFromCache();
      await Promise.all([...this.memberEntries.values()].map((m) => m.cache.settled()));
      const r = this.readiness();
      if (r.ready || this.stopped) return r;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  watchKind(kind: KindName, clusters?: readonly string[]): () => void {
    const d = this.descriptor(kind);
    if (this.isWatched(d) || d.fetchOnly) return () => {};
    const scopes = clusters?.length ? [...new Set(clusters)] : [ALL_CLUSTERS];
    let counts = this.demand.get(kind);
    if (!counts) this.demand.set(kind, (counts = new Map()));
    for (const s of scopes) counts.set(s, (counts.get(s) ?? 0) + 1);
    this.applyDemand(d);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const s of scopes) {
        const left = (counts.get(s) ?? 1) - 1;
        if (left > 0) counts.set(s, left);
        else counts.delete(s);
      }
      if (counts.size === 0 && this.demand.get(kind) === counts) this.demand.delete(kind);
      this.applyDemand(d);
    };
  }

  /** Whether a cluster's cache should run an on-demand informer for `kind` (someone subscribes to it there). */
  private demanded(kind: KindDescriptor, cluster: string): boolean {
    const counts = this.demand.get(kind.name);
    // A discovered kind runs only where discovery (when known) lists it, not wherever its group/version is.
    return !!counts && (counts.has(ALL_CLUSTERS) || counts.has(cluster)) && (!kind.wholeObject || this.dynamic.mayServe(cluster, kind.name));
  }

  /** Starts or stops the on-demand informers of `kind` to match the demand (both are idempotent). */
  private applyDemand(kind: KindDescriptor): void {
    const entries: Array<[string, ClusterEntry]> = [
      ...(this.onSide(kind, 'controlPlane') && this.controlPlane ? [[CONTROL_PLANE, this.controlPlane] as [string, ClusterEntry]] : []),
      ...(this.onSide(kind, 'member') ? [...this.memberEntries.entries()] : []),
    ];
    for (const [name, entry] of entries) {
      if (this.demanded(kind, name)) entry.cache.watchOnDemand(kind);
      else entry.cache.unwatchOnDemand(kind.name);
    }
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [this.controlPlane, ...this.memberEntries.values()];
    this.memberEntries.clear();
    for (const e of all) e.connection.stop();
    await Promise.all([...all.map((e) => e.cache.stop()), this.rbacWatcher?.stop()]);
    await this.store.close();
  }
}

/**
 * Connects to the fleet of `config.kubeconfig`: starts the control plane's caches and, as Cluster objects
 * appear, each member's. Returns at once; use `fleet.whenReady()` to wait for the first sync.
 * @throws Error when the kubeconfig is missing or its context does not exist.
 */
export async function createFleet(config: Config, options: FleetOptions = {}): Promise<Fleet> {
  if (!config.kubeconfig) throw new Error('createFleet needs config.kubeconfig (start the embedded simulator first and pass its kubeconfig)');
  const kc = loadControlPlaneKubeConfig(config.kubeconfig, config.context);
  const fleet = new KarmadaFleet(config, options, kc);
  fleet.start();
  return fleet;
}
