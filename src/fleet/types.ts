/**
 * The Fleet facade: everything the GraphQL layer may ask of the fleet. Resolvers call these methods and
 * never build HTTP requests. Per-cluster failures are values (ClusterResult), never exceptions, so a
 * fan-out over many members always completes with the answers of the healthy ones.
 */
import type DataLoader from 'dataloader';
import type { ChangeListener, IndexName, ListFilter, SlimCluster, SlimEvent, SlimObject } from '../cache/types.js';
import type { OrderedIndex, SortSpec } from '../cache/OrderedIndex.js';
import type { ErrorCode, Reason } from '../errors/codes.js';
import type { KindName } from './kinds.js';

/** The name under which the Karmada control plane appears in results (members use their Karmada names). */
export const CONTROL_PLANE = 'controlPlane';

/**
 * One cluster's failure as a typed value, in the gateway's one error vocabulary (src/errors/codes.ts); built
 * from upstream answers in one place (UpstreamError.ts `toClusterError`). A member that does not serve an
 * API is `NOT_FOUND` with reason `API_NOT_SERVED`.
 */
export interface ClusterError {
  code: ErrorCode;
  /** Machine-readable detail (API_NOT_SERVED, UPSTREAM_BAD_REQUEST, MEMBER_CIRCUIT_OPEN, ...). */
  reason?: Reason;
  /** A summary: the cluster, the request, the HTTP status, the Status reason and message. Never raw headers or bodies. */
  message: string;
  /** Member name, or CONTROL_PLANE. */
  cluster: string;
  /** The upstream HTTP status, when an answer came back. */
  status?: number;
}

export type ClusterResult<T> =
  | { ok: true; cluster: string; value: T }
  | { ok: false; cluster: string; error: ClusterError };

/** Member health as the gateway sees it (not the Karmada Ready condition, which is on the Cluster object). */
export interface MemberHealth {
  cluster: string;
  /** Every watched kind this member serves has listed at least once and its watch is running. */
  synced: boolean;
  /** When the gateway first failed to reach the member in the current outage (RFC 3339), else null. */
  unreachableSince: string | null;
  lastError: ClusterError | null;
  /** Watched kinds the member does not serve (discovery); reported, never retried. */
  notServed: KindName[];
  /** Per watched kind: 'synced' | 'syncing' | 'failed' | 'not-served'. */
  kinds: Partial<Record<KindName, KindSyncState>>;
  /** API groups found by discovery that the schema uses. */
  apis: ServedApis;
}

export type KindSyncState = 'syncing' | 'synced' | 'failed' | 'not-served';

export interface ServedApis {
  /** metrics.k8s.io/v1beta1 */
  metrics: boolean;
  /** The middleware CR group of config. */
  middleware: boolean;
  /** Any *.karmada.io group. */
  karmada: boolean;
  /** Every groupVersion discovery listed ('v1', 'apps/v1', ...). */
  groupVersions: string[];
}

export interface Readiness {
  /** Every member's caches synced or failed (never waits for down members or APIs not served). */
  ready: boolean;
  clusters: Array<{
    cluster: string;
    state: 'synced' | 'failed' | 'pending';
    notServed: KindName[];
    error: ClusterError | null;
  }>;
}

export interface NodeUsage {
  name: string;
  timestamp: string;
  /** Raw quantities as served, e.g. "250m", "512Mi". */
  cpu: string;
  memory: string;
}

export interface PodUsage {
  namespace: string;
  name: string;
  timestamp: string;
  containers: Array<{ name: string; cpu: string; memory: string }>;
}

export interface LogOptions {
  container?: string;
  /** Read as this caller (impersonated), so the member decides and audits too. @default the gateway's identity */
  impersonate?: { user: string; groups: readonly string[] } | undefined;
  tailLines?: number;
  sinceSeconds?: number;
  previous?: boolean;
  timestamps?: boolean;
}

/** A key of the per-request list loader: one upstream list per distinct (cluster, kind) in a batch. */
export interface ListKey {
  kind: KindName;
  /** Member name or CONTROL_PLANE. */
  cluster: string;
  filter?: ListFilter;
}

/** A key of the events loader: events of one object, or of a whole namespace/cluster when no object is given. */
export interface EventsKey {
  cluster: string;
  namespace?: string;
  /** involvedObject.uid; preferred when known. */
  uid?: string;
  /** involvedObject.kind + name, when the uid is not known. */
  kind?: string;
  name?: string;
}

/**
 * Per-request DataLoaders. Create one set per GraphQL request (fleet.loaders()): keys collected in one tick
 * are answered with ONE list call per (cluster, kind) — or none, for watched kinds or TTL-cache hits.
 */
export interface FleetLoaders {
  /** Any kind: watched kinds answer from the cache, fetch-mode kinds from the TTL cache or one list call. */
  list: DataLoader<ListKey, ClusterResult<SlimObject[]>, string>;
  /** Events (always fetched; TTL-cached briefly): one list per cluster per request. */
  events: DataLoader<EventsKey, ClusterResult<SlimEvent[]>, string>;
  /** Node usage of a cluster (metrics.k8s.io; never cached beyond the request). */
  nodeMetrics: DataLoader<string, ClusterResult<NodeUsage[]>>;
  /** Pod usage of a cluster, all namespaces (never cached beyond the request). */
  podMetrics: DataLoader<string, ClusterResult<PodUsage[]>>;
}

export interface Fleet {
  /** Member names currently known (from the control plane's Cluster objects, plus --member ones). */
  members(): string[];
  /**
   * Whether anything of this member still runs: it is a member, or it left and its informers (their watch
   * connections) are still being stopped. @default members().includes(name)
   */
  memberRunning?(name: string): boolean;
  /** Member Cluster objects (slim) from the control plane. */
  clusters(): Promise<ClusterResult<SlimCluster[]>>;
  /** Objects of one kind in one cluster (member or CONTROL_PLANE), filtered server side. */
  list(kind: KindName, cluster: string, filter?: ListFilter): Promise<ClusterResult<SlimObject[]>>;
  /** The same across every member (control-plane-only kinds: one result for CONTROL_PLANE). */
  listAll(kind: KindName, filter?: ListFilter): Promise<Array<ClusterResult<SlimObject[]>>>;
  /** One object; NOT_FOUND as a typed error. */
  get(kind: KindName, cluster: string, namespace: string | undefined, name: string): Promise<ClusterResult<SlimObject>>;
  /** Objects of a watched kind under one index key (e.g. pods byNode 'node-1'). */
  index(kind: KindName, cluster: string, index: IndexName, key: string): Promise<ClusterResult<SlimObject[]>>;
  /**
   * The informer-backed objects of a watched kind in one cluster in `spec`'s order (src/cache/OrderedIndex.ts),
   * built on first use per field and kept up to date; undefined when the kind is not read from an informer
   * there (fetch mode, not listed yet): sorted reads then sort their matches per request. Call it after a
   * read of the same (kind, cluster) answered, which checked availability and authorization.
   */
  ordered?(kind: KindName, cluster: string, spec: SortSpec): OrderedIndex | undefined;
  /** A fresh set of per-request loaders. */
  loaders(): FleetLoaders;
  /** Pod logs, never cached (logs timeout applies). */
  logs(cluster: string, namespace: string, pod: string, options?: LogOptions): Promise<ClusterResult<string>>;
  /** Follows a pod log; `onLine` gets each line; returns a function that stops following. */
  followLogs(
    cluster: string,
    namespace: string,
    pod: string,
    options: LogOptions,
    onLine: (line: string) => void,
    onEnd?: (error?: ClusterError) => void,
  ): Promise<() => void>;
  /** Node and pod usage of one member (not cached). */
  metrics(cluster: string): Promise<ClusterResult<{ nodes: NodeUsage[]; pods: PodUsage[] }>>;
  /** Gateway-side health of a member (or CONTROL_PLANE); undefined when unknown. */
  health(cluster: string): MemberHealth | undefined;
  /** Snapshot: whether every member's caches synced or failed, with per-cluster detail. */
  readiness(): Readiness;
  /** Resolves once readiness().ready (it never waits for down members). */
  whenReady(): Promise<Readiness>;
  /**
   * Runs an informer for a fetch-mode kind on the given clusters (every cluster of its side, members joining
   * later included, when none is given) until the returned release is called: subscriptions on such a kind would
   * otherwise never hear of a change. Calls are counted: an informer stops at the last release concerning its
   * cluster. A kind already watched costs nothing. Its changes reach `onChange` like the others; reads stay in
   * fetch mode.
   */
  watchKind?(kind: KindName, clusters?: readonly string[]): () => void;
  /** Subscribes to cache changes of every cluster and watched kind; returns an unsubscribe function. */
  onChange(listener: ChangeListener): () => void;
  /**
   * Decides what each caller may do, per cluster, as that cluster's RBAC would (src/authz); undefined when
   * callers do not authenticate (auth `none`: every caller acts as the gateway). Only src/graphql/authorize.ts asks it.
   */
  readonly authorizer?: import('../authz/FleetAuthorizer.js').FleetAuthorizer | undefined;
  /** The kinds' API groups and plurals (the middleware group is configured). @default the built-in table */
  readonly kinds?: ReadonlyMap<KindName, import('./kinds.js').KindDescriptor>;
  /** Any kind the clusters serve: discovery, list and get (src/fleet/DynamicKinds.ts). @default none */
  readonly dynamic?: import('./DynamicKinds.js').DynamicKinds;
  /** Upstream calls made, by `cluster verb kind` (for tests; /metrics counts them through FleetOptions.signals). */
  readonly requestCounters: ReadonlyMap<string, number>;
  /** Objects held in the informer caches now, per cluster and kind (the cached-objects gauge). @default none */
  cachedObjects?(): Array<{ cluster: string; kind: KindName; count: number }>;
  /** Stops every informer and closes clients and the TTL store. */
  stop(): Promise<void>;
}

/** Options that are not configuration (injected by the caller). */
export interface FleetOptions {
  /** Period of the per-cluster reachability probe, ms. @default 10000 */
  healthIntervalMs?: number;
  /** How often discovery is re-run to pick up APIs installed later, ms. @default 300000 */
  rediscoveryIntervalMs?: number;
  /** Informer retry backoff after failures, ms. @default { initialMs: 500, maxMs: 30000 } */
  backoff?: { initialMs?: number; maxMs?: number };
  /**
   * Prefix of the TTL cache's Redis keys (when config.redisUrl is set), followed by the fleet id.
   * @default config.redisPrefix, else 'fleetgraph:'
   */
  redisPrefix?: string;
  /** Where the TTL cache's Redis client reports its state (the gateway's /readyz and metric). @default a silent one */
  redisHealth?: import('../redis/RedisHealth.js').RedisHealth;
  /**
   * Told each upstream call, watch re-opened and relist (src/server/metrics.ts, tracing.ts): the data layer
   * imports no metrics or tracing library. @default none
   */
  signals?: import('./FleetSignals.js').FleetSignals;
  /** Receives diagnostic messages (pino-compatible subset). @default silent */
  logger?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

/** Signature of `createFleet` (src/fleet/createFleet.ts): connects, discovers, starts caches; does not wait for sync. */
export type CreateFleet = (config: import('../config/Config.js').Config, options?: FleetOptions) => Promise<Fleet>;
