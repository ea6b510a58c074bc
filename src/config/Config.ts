/**
 * The one typed configuration object of the gateway, produced by loadConfig (flags, env, optional file)
 * and read by the fleet connector, the caches and the server. Plain data: no behaviour lives here.
 */

/** How the gateway reads a kind: an informer-backed cache (`watch`) or batched list calls with a TTL (`fetch`). */
export type ReadMode = 'watch' | 'fetch';

/** `--auth` (issue 12's Contract names): none (loopback only), static tokens, OIDC JWTs, TokenReview on the control plane. */
export type AuthMode = 'none' | 'token' | 'oidc' | 'kubernetes';

/** `--auth oidc`: kube-apiserver's OIDC flags, same names and semantics (src/auth/OidcAuthenticator.ts). */
export interface OidcConfig {
  /** `--oidc-issuer-url`: https; the discovery document's and the tokens' `iss` must equal it. */
  issuerUrl: string;
  /** `--oidc-client-id`: the audience every token must carry. */
  clientId: string;
  /** `--oidc-username-claim`. @default 'sub' */
  usernameClaim?: string;
  /** `--oidc-groups-claim` (a string or an array of strings in the token). @default undefined (no groups) */
  groupsClaim?: string;
  /** `--oidc-username-prefix`; `-` disables. @default undefined: `<issuer>#` unless the claim is `email` */
  usernamePrefix?: string;
  /** `--oidc-groups-prefix`. @default undefined (none) */
  groupsPrefix?: string;
  /** `--oidc-ca-file`: PEM CA the issuer's TLS certificate must chain to. @default undefined (system roots) */
  caFile?: string;
}

/** Time-to-live, in ms, of fetch-mode results (seed 000 §3). */
export interface CacheTtls {
  /** Cluster objects. @default 300000 (5 min) */
  clusters: number;
  /** Nodes. @default 180000 (3 min) */
  nodes: number;
  /** Propagation/override policies. @default 600000 (10 min) */
  policies: number;
  /** Resource bindings. @default 120000 (2 min) */
  bindings: number;
  /** Events (fetched, kept briefly so one page of a UI does not list them many times). @default 10000 */
  events: number;
  /** Every other fetch-mode kind. @default 60000 */
  default: number;
}

/** The middleware CR API group/version (seed 002 Application, Component, WorkloadSet, Operation). */
export interface MiddlewareApi {
  /** @default 'middleware.fleetgraph.io' */
  group: string;
  /** @default 'v1alpha1' */
  version: string;
}

/** The audit and operation log (issue 6). */
export interface AuditConfig {
  /**
   * Where the audit log is: a SQLite file, `:memory:` (keeps nothing across restarts, so tests never share a
   * file), or a `postgres://` / `postgresql://` URL (kept as given; `?schema=` names the schema). @default ':memory:'
   */
  path: string;
  /** Audit rows older than this are deleted, ms. @default 2592000000 (30 days) */
  maxAgeMs: number;
  /** Audit rows kept per table. @default 100000 */
  maxRows: number;
}

/** Where gateway-run Operations are kept (issue 14). */
export interface OperationsConfig {
  /**
   * `shared`: FleetOperations and Leases on the control plane (several replicas; refuses to start without
   * them); `in-process`: this process and its audit database (one replica); `auto`: shared when the CRD is
   * installed and the gateway may use it, else in process, said at start and in /readyz. @default 'auto'
   */
  store: 'auto' | 'shared' | 'in-process';
  /** Namespace of the FleetOperations and their Leases on the control plane. @default 'fleetgraph-system' */
  namespace: string;
  /** How long an Operation's Lease stays valid without renewal, ms. @default 15000 */
  leaseDurationMs: number;
  /** This replica's name as a Lease holder. @default $POD_NAME, else <hostname>-<pid> */
  replicaId?: string;
}

/** Subscriptions over graphql-ws (issue 5); every field optional, defaults applied by src/subscriptions. */
export interface SubscriptionConfig {
  /** Operations running at once on one WebSocket connection. @default 100 */
  maxPerConnection?: number;
  /** Events a subscription may hold for a slow reader before the overflow policy applies. @default 256 */
  queueCapacity?: number;
  /** WebSocket connections one user may hold open, over every replica when `redisUrl` is set (0 = no cap). @default 20 */
  maxConnectionsPerUser?: number;
  /** Operations one user may run at once over all its WebSocket connections, over every replica when `redisUrl` is set (0 = no cap). @default 200 */
  maxPerUser?: number;
  /** Server ping interval on WebSockets, ms (0 = off). @default 12000 */
  keepAliveMs?: number;
  /** Redis pub/sub channel prefix shared by the replicas of one deployment (with redisUrl). @default 'fleetgraph:' */
  channelPrefix?: string;
}

/** Feature switches of seed 000 §4.1 (`features.*.enabled`). */
export interface FeatureSwitches {
  /** Mutations that edit resources. @default true */
  resourceEdit: boolean;
  /** Pod terminals. @default false */
  podTerminal: boolean;
  /** Scheduling trace queries. @default true */
  schedulingTrace: boolean;
}

export interface Config {
  /**
   * Kubeconfig file; undefined = embedded demo simulator. In a pod (KUBERNETES_SERVICE_HOST set) without
   * `--kubeconfig`, one written for the pod's ServiceAccount (src/config/inClusterKubeconfig.ts). @default undefined
   */
  kubeconfig?: string;
  /** `kubeconfig` is the pod's ServiceAccount (in-cluster identity). @default undefined */
  inCluster?: boolean;
  /** Context of the Karmada control plane; undefined = the kubeconfig's current context. @default undefined */
  context?: string;
  /**
   * Members reached through their own kubeconfig context instead of the Karmada cluster proxy
   * (`--member <cluster>=<context>`, repeatable). @default {}
   */
  memberContexts: Record<string, string>;
  /** @default 4000 (or PORT) */
  port: number;
  /** @default '127.0.0.1' (or HOST) */
  host: string;
  /** @default 'none' */
  auth: AuthMode;
  /** Tokens file for `auth: 'token'`. @default undefined */
  tokensFile?: string;
  /** OIDC settings, present exactly when `auth` is `oidc`. @default undefined */
  oidc?: OidcConfig;
  /** `--allow-anonymous`: auth mode `none` on a non-loopback `host` (refused at start otherwise). @default false */
  allowAnonymous?: boolean;
  /** Per-kind read mode; kinds not listed use `watch` (events are always fetched). @default {} */
  modes: Record<string, ReadMode>;
  /** Redis for the TTL cache (L2); undefined = in-memory only. @default undefined (or REDIS_URL) */
  redisUrl?: string;
  /**
   * Prefix of every Redis key and channel (the TTL cache's keys, the pub/sub channel), followed by the fleet id.
   * @default 'fleetgraph:'
   */
  redisPrefix?: string;
  /**
   * Names the fleet in Redis keys and channels, so that gateways over different fleets can share a Redis.
   * @default undefined: derived from the control plane's server URL and CA (src/fleet/fleetIdentity.ts)
   */
  fleetId?: string;
  /** Per upstream call timeout, ms. @default 30000 */
  callTimeoutMs: number;
  /** Pod logs call timeout, ms. @default 120000 */
  logsTimeoutMs: number;
  /**
   * Timeout of a metrics.k8s.io call (node and pod usage), ms: shorter than the call timeout, so that a slow
   * metrics server holds an answer up by at most this long (the usage fields are then null with
   * UPSTREAM_TIMEOUT and the rest answers). @default 5000
   */
  metricsTimeoutMs: number;
  ttl: CacheTtls;
  middleware: MiddlewareApi;
  /** Log level for pino. @default 'info' */
  logLevel: string;
  audit: AuditConfig;
  /** Every mutation answers FORBIDDEN. @default false */
  readOnly: boolean;
  /** Where gateway-run Operations are kept. @default { store: 'auto', namespace: 'fleetgraph-system', leaseDurationMs: 15000 } */
  operations?: OperationsConfig;
  features: FeatureSwitches;
  /**
   * How long a SIGTERM/SIGINT shutdown may take (readiness off, in-flight requests answered, sockets closed
   * with 1001, running Operations stopped at a step boundary, audit flushed) before the process exits anyway,
   * ms. Under Kubernetes' default 30 s grace period. @default 25000
   */
  shutdownTimeoutMs?: number;
  /**
   * How long scaleWorkload (placements ready), rollbackWorkload (every member at the revision) and
   * createMiddlewareInstance (instance running) wait before they fail, ms. @default 300000
   */
  readyTimeoutMs?: number;
  /** How long drainNode retries an eviction a PodDisruptionBudget refuses, per pod, ms. @default 120000 */
  drainPodTimeoutMs: number;
  /** How long applyResources waits for Karmada to schedule the templates it applied, ms. @default 60000 */
  applySchedulingTimeoutMs?: number;
  /** Subscriptions (graphql-ws). @default {} */
  subscriptions?: SubscriptionConfig;
  /**
   * Highest query cost accepted on HTTP and WebSocket (a paged field multiplies by its `first`, variables
   * included). @default undefined: DEFAULT_LIMITS.maxCost of src/graphql/limits.ts (250000)
   */
  maxQueryCost?: number;
  /** Largest GraphQL document text, bytes; refused before parsing. @default undefined: DEFAULT_LIMITS (262144) */
  maxDocumentBytes?: number;
  /** Most lexical tokens in a GraphQL document. @default undefined: DEFAULT_LIMITS (15000) */
  maxTokens?: number;
  /**
   * GraphQL operations per user per minute, over both transports (seed 000 §4.1), shared by the replicas
   * through `redisUrl` when set; 0 = no limit. @default undefined: DEFAULT_RATE_LIMIT_PER_MINUTE (1000)
   */
  rateLimitPerMinute?: number;
  /**
   * Browser origins (`https://host:port`) besides the gateway's own allowed to open a WebSocket and to get
   * CORS headers on HTTP answers. @default undefined (none)
   */
  allowedOrigins?: string[];
  /**
   * Serve /metrics without a bearer token in auth modes other than `none` (a scraper that sends no token;
   * the port is then kept private by the network). @default undefined (false: a valid bearer token is needed)
   */
  metricsOpen?: boolean;
  /**
   * OTLP/HTTP collector base URL (`--otel-endpoint`, e.g. `http://collector:4318`): spans of requests, their
   * upstream calls and Operation steps are posted to `<url>/v1/traces`. @default undefined (no tracing)
   */
  otelEndpoint?: string;
  /**
   * Whether `__schema`/`__type` are answered, alike on both transports (GraphiQL fetches the schema
   * through them). @default undefined (true)
   */
  introspection?: boolean;
  /**
   * How queries are executed (`--execution`): `compiled` runs the queries of repeated documents as graphql-jit
   * compiled code (graphql-js for the rest) and answers plain JSON POSTs without Apollo's pipeline;
   * `interpreted` runs everything on graphql-js through Apollo Server (the yardstick); `differential` runs
   * every query both ways and counts differences (tests). @default undefined ('compiled')
   */
  execution?: 'compiled' | 'interpreted' | 'differential';
  /**
   * How requests are authorized when `auth` is not `none` (issue 12): `rbac` evaluates each cluster's own RBAC
   * objects (watched) in the gateway and asks a cluster by SubjectAccessReview only where its RBAC may not be
   * read; `sar` asks every cluster by SubjectAccessReview (clusters with webhook authorizers). @default 'rbac'
   */
  authz?: 'rbac' | 'sar';
  /** Groups whose members read every caller's audit entries (others read their own). @default [] */
  auditReaders?: string[];
  /**
   * Usage history (issue 16, src/history): the in-memory ring's sampling interval and how long it keeps, ms;
   * or the Prometheus whose range queries answer instead. @default { sampleIntervalMs: 30000, keepMs: 3600000 }
   */
  usageHistory?: { sampleIntervalMs: number; keepMs: number; prometheusUrl?: string };
}
