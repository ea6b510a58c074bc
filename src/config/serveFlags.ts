/**
 * The flags of `fleetgraph serve`: their names, the env variables and config-file keys that may set them
 * instead, and the `--help` text built from the same table, so help and parser never drift apart.
 */
export interface FlagSpec {
  flag: string;
  /** Metavariable shown in help; absent for boolean flags. */
  arg?: string;
  env?: string;
  /** Key in the config file (JSON or YAML). */
  fileKey?: string;
  repeatable?: boolean;
  help: string;
}

export const SERVE_FLAGS: readonly FlagSpec[] = [
  { flag: '--config', arg: '<file>', env: 'FLEETGRAPH_CONFIG', help: 'Config file (JSON or YAML) with any of the keys below; flags and env win over it.' },
  { flag: '--kubeconfig', arg: '<file>', fileKey: 'kubeconfig', help: 'Kubeconfig of the Karmada control plane. Without it an embedded demo simulator is started.' },
  { flag: '--context', arg: '<ctx>', fileKey: 'context', help: 'Kubeconfig context of the Karmada control plane (default: the current context).' },
  { flag: '--member', arg: '<cluster>=<context>', fileKey: 'members', repeatable: true, help: 'Reach member <cluster> through kubeconfig context <context> instead of the Karmada cluster proxy. Repeatable.' },
  { flag: '--port', arg: '<port>', env: 'PORT', fileKey: 'port', help: 'Listen port (default 4000).' },
  { flag: '--host', arg: '<host>', env: 'HOST', fileKey: 'host', help: 'Listen address (default 127.0.0.1).' },
  { flag: '--auth', arg: 'none|token|oidc|kubernetes', env: 'FLEETGRAPH_AUTH', fileKey: 'auth', help: 'Authentication: none (default; loopback --host only unless --allow-anonymous), token (--tokens file), oidc (JWTs of --oidc-issuer-url), kubernetes (TokenReview on the Karmada control plane).' },
  { flag: '--tokens', arg: '<file>', env: 'FLEETGRAPH_TOKENS', fileKey: 'tokens', help: 'Tokens file for --auth token.' },
  { flag: '--allow-anonymous', env: 'FLEETGRAPH_ALLOW_ANONYMOUS', fileKey: 'allowAnonymous', help: 'Allow --auth none on a non-loopback --host (everyone who can reach it is served).' },
  { flag: '--oidc-issuer-url', arg: '<https-url>', env: 'FLEETGRAPH_OIDC_ISSUER_URL', fileKey: 'oidcIssuerUrl', help: 'OIDC issuer (--auth oidc); its /.well-known/openid-configuration gives the keys.' },
  { flag: '--oidc-client-id', arg: '<id>', env: 'FLEETGRAPH_OIDC_CLIENT_ID', fileKey: 'oidcClientId', help: 'Audience every OIDC token must carry (--auth oidc).' },
  { flag: '--oidc-username-claim', arg: '<claim>', fileKey: 'oidcUsernameClaim', help: 'Claim used as the user name (default sub).' },
  { flag: '--oidc-groups-claim', arg: '<claim>', fileKey: 'oidcGroupsClaim', help: 'Claim holding the groups (a string or an array).' },
  { flag: '--oidc-username-prefix', arg: '<prefix>', fileKey: 'oidcUsernamePrefix', help: 'Prefix of user names (default <issuer># unless the claim is email; - for none).' },
  { flag: '--oidc-groups-prefix', arg: '<prefix>', fileKey: 'oidcGroupsPrefix', help: 'Prefix of group names (default none).' },
  { flag: '--oidc-ca-file', arg: '<file>', env: 'FLEETGRAPH_OIDC_CA_FILE', fileKey: 'oidcCaFile', help: "PEM CA bundle for the OIDC issuer's TLS certificate (default: system roots)." },
  { flag: '--mode', arg: '<kind>=watch|fetch', env: 'FLEETGRAPH_MODES', fileKey: 'modes', repeatable: true, help: 'Read <kind> from an informer cache (watch, default) or by batched list calls with a TTL cache (fetch). Repeatable; env: comma separated.' },
  { flag: '--redis-url', arg: '<url>', env: 'REDIS_URL', fileKey: 'redisUrl', help: 'Redis for the TTL cache of fetch-mode kinds (default: in memory).' },
  { flag: '--redis-prefix', arg: '<prefix>', env: 'FLEETGRAPH_REDIS_PREFIX', fileKey: 'redisPrefix', help: 'Prefix of every Redis key and channel, followed by the fleet id (default fleetgraph:).' },
  { flag: '--fleet-id', arg: '<id>', env: 'FLEETGRAPH_FLEET_ID', fileKey: 'fleetId', help: 'Fleet id in Redis keys and channels (default: a hash of the control plane\'s server URL and CA).' },
  { flag: '--timeout', arg: '<duration>', env: 'FLEETGRAPH_TIMEOUT', fileKey: 'timeout', help: 'Per upstream call timeout (default 30s).' },
  { flag: '--metrics-timeout', arg: '<duration>', env: 'FLEETGRAPH_METRICS_TIMEOUT', fileKey: 'metricsTimeout', help: 'metrics.k8s.io (usage) call timeout (default 5s).' },
  { flag: '--logs-timeout', arg: '<duration>', env: 'FLEETGRAPH_LOGS_TIMEOUT', fileKey: 'logsTimeout', help: 'Pod logs call timeout (default 120s).' },
  { flag: '--ttl', arg: '<class>=<duration>', fileKey: 'ttl', repeatable: true, help: 'TTL of fetch-mode results; class: clusters (5m), nodes (3m), policies (10m), bindings (2m), events (10s), default (1m). Repeatable.' },
  { flag: '--middleware-group', arg: '<group>', env: 'FLEETGRAPH_MIDDLEWARE_GROUP', fileKey: 'middlewareGroup', help: 'API group of the middleware CRs (Application, Component, WorkloadSet, Operation).' },
  { flag: '--middleware-version', arg: '<version>', env: 'FLEETGRAPH_MIDDLEWARE_VERSION', fileKey: 'middlewareVersion', help: 'API version of the middleware CRs.' },
  { flag: '--log-level', arg: '<level>', env: 'LOG_LEVEL', fileKey: 'logLevel', help: 'trace|debug|info|warn|error|fatal|silent (default info).' },
  { flag: '--audit-db', arg: '<file|url>', env: 'FLEETGRAPH_AUDIT_DB', fileKey: 'auditDb', help: 'SQLite file or postgres:// URL of the audit and operation log, kept across restarts (default :memory:, kept nowhere). A PostgreSQL database can be shared by replicas; ?schema=<name> puts the tables in that schema (created if missing), else in the database\'s default schema.' },
  { flag: '--audit-max-age', arg: '<duration>', fileKey: 'auditMaxAge', help: 'Audit rows older than this are deleted (default 720h).' },
  { flag: '--audit-max-rows', arg: '<n>', fileKey: 'auditMaxRows', help: 'Audit rows kept per table (default 100000).' },
  { flag: '--read-only', env: 'FLEETGRAPH_READ_ONLY', fileKey: 'readOnly', help: 'Refuse every mutation with FORBIDDEN.' },
  { flag: '--feature', arg: '<feature>=on|off', fileKey: 'features', repeatable: true, help: 'Feature switch: resourceEdit (on), podTerminal (off), schedulingTrace (on). Repeatable.' },
  { flag: '--shutdown-timeout', arg: '<duration>', env: 'FLEETGRAPH_SHUTDOWN_TIMEOUT', fileKey: 'shutdownTimeout', help: 'On SIGTERM: /readyz 503 at once, in-flight requests answered, WebSockets closed 1001, running Operations stopped at a step boundary, audit flushed; exit after at most this long (default 25s, under Kubernetes\' 30 s grace period).' },
  { flag: '--operations-store', arg: 'auto|shared|in-process', env: 'FLEETGRAPH_OPERATIONS_STORE', fileKey: 'operationsStore', help: 'Where gateway-run Operations live: shared = FleetOperation resources and Leases on the control plane, so several replicas answer the same and take over a dead one\'s work; in-process = this process and its --audit-db (one replica); auto (default) = shared when the CRD (deploy/crds) is installed and usable, else in-process.' },
  { flag: '--operations-namespace', arg: '<namespace>', env: 'FLEETGRAPH_OPERATIONS_NAMESPACE', fileKey: 'operationsNamespace', help: 'Control plane namespace of the FleetOperations and their Leases (default fleetgraph-system).' },
  { flag: '--operation-lease-duration', arg: '<duration>', fileKey: 'operationLeaseDuration', help: 'How long a replica\'s hold on an Operation lasts without renewal; another replica takes it over after that (default 15s).' },
  { flag: '--replica-id', arg: '<name>', env: 'POD_NAME', fileKey: 'replicaId', help: 'This replica\'s name as holder of Operation Leases (default: $POD_NAME, else <hostname>-<pid>).' },
  { flag: '--apply-scheduling-timeout', arg: '<duration>', fileKey: 'applySchedulingTimeout', help: 'How long applyResources waits for Karmada to schedule the resource templates it applied (default 1m).' },
  { flag: '--ready-timeout', arg: '<duration>', fileKey: 'readyTimeout', help: 'How long scaleWorkload, rollbackWorkload and createMiddlewareInstance wait for the members to be ready / at the revision before failing (default 5m).' },
  { flag: '--drain-pod-timeout', arg: '<duration>', fileKey: 'drainPodTimeout', help: 'How long drainNode retries an eviction a PodDisruptionBudget refuses, per pod (default 2m).' },
  { flag: '--ws-max-subscriptions', arg: '<n>', env: 'FLEETGRAPH_WS_MAX_SUBSCRIPTIONS', fileKey: 'wsMaxSubscriptions', help: 'Operations at once per WebSocket connection; over it that operation errors, the socket stays open (default 100).' },
  { flag: '--subscription-queue', arg: '<n>', fileKey: 'subscriptionQueue', help: 'Events held per subscription for a slow reader before they are dropped with a RESYNC notice (default 256).' },
  { flag: '--ws-keepalive', arg: '<duration>', fileKey: 'wsKeepalive', help: 'WebSocket ping interval; 0 disables (default 12s).' },
  { flag: '--redis-channel-prefix', arg: '<prefix>', env: 'FLEETGRAPH_REDIS_CHANNEL_PREFIX', fileKey: 'redisChannelPrefix', help: 'Pub/sub channel prefix of the replicas sharing --redis-url (default fleetgraph:).' },
  { flag: '--max-query-cost', arg: '<n>', env: 'FLEETGRAPH_MAX_QUERY_COST', fileKey: 'maxQueryCost', help: 'Highest query cost accepted; a paged field multiplies by its first (default 250000).' },
  { flag: '--max-document-bytes', arg: '<n>', env: 'FLEETGRAPH_MAX_DOCUMENT_BYTES', fileKey: 'maxDocumentBytes', help: 'Largest GraphQL document accepted, bytes; refused before parsing (default 262144).' },
  { flag: '--max-tokens', arg: '<n>', env: 'FLEETGRAPH_MAX_TOKENS', fileKey: 'maxTokens', help: 'Most tokens in a GraphQL document; parsing stops beyond (default 15000).' },
  { flag: '--allowed-origins', arg: '<origin,...>', env: 'FLEETGRAPH_ALLOWED_ORIGINS', fileKey: 'allowedOrigins', repeatable: true, help: 'Browser origins besides the gateway\'s own that may open WebSockets and get CORS headers (default none). Comma separated, repeatable.' },
  { flag: '--rate-limit-per-minute', arg: '<n>', env: 'FLEETGRAPH_RATE_LIMIT_PER_MINUTE', fileKey: 'rateLimitPerMinute', help: 'GraphQL operations per user per minute (HTTP requests and WebSocket operations), shared through --redis-url; over it 429 RATE_LIMITED with Retry-After. 0 disables (default 1000).' },
  { flag: '--ws-max-connections-per-user', arg: '<n>', env: 'FLEETGRAPH_WS_MAX_CONNECTIONS_PER_USER', fileKey: 'wsMaxConnectionsPerUser', help: 'WebSocket connections one user may hold (over all replicas with --redis-url, else per replica); over it connection_init is answered by close 4429. 0 disables (default 20).' },
  { flag: '--max-subscriptions-per-user', arg: '<n>', env: 'FLEETGRAPH_MAX_SUBSCRIPTIONS_PER_USER', fileKey: 'maxSubscriptionsPerUser', help: 'Operations one user may run at once over all its WebSocket connections (over all replicas with --redis-url, else per replica); over it RATE_LIMITED. 0 disables (default 200).' },
  { flag: '--otel-endpoint', arg: '<url>', env: 'FLEETGRAPH_OTEL_ENDPOINT', fileKey: 'otelEndpoint', help: 'Send OpenTelemetry traces (OTLP over HTTP, JSON) to this collector, e.g. http://collector:4318 (spans are posted to <url>/v1/traces): requests, their upstream calls, Operation steps (default off).' },
  { flag: '--metrics-open', env: 'FLEETGRAPH_METRICS_OPEN', fileKey: 'metricsOpen', help: 'Serve /metrics without a bearer token when --auth is not none (for a Prometheus that sends none; keep the port private then).' },
  { flag: '--introspection', arg: 'true|false', env: 'FLEETGRAPH_INTROSPECTION', fileKey: 'introspection', help: 'Answer __schema/__type queries (GraphiQL needs them), on both transports; false refuses them with VALIDATION_FAILED (default true).' },
  { flag: '--execution', arg: 'compiled|interpreted|differential', env: 'FLEETGRAPH_EXECUTION', fileKey: 'execution', help: 'How queries run: compiled (default) runs a repeated document\'s queries as graphql-jit compiled code and answers them over HTTP without Apollo\'s pipeline; interpreted runs everything on graphql-js through Apollo Server; differential runs every query both ways, answers graphql-js\'s and counts differences in fleetgraph_execution_mismatches_total (tests; twice the cost).' },
  { flag: '--authz', arg: 'rbac|sar', env: 'FLEETGRAPH_AUTHZ', fileKey: 'authz', help: 'With --auth other than none: rbac (default) decides each request from every cluster\'s own RBAC objects, watched by the gateway (SubjectAccessReview where they may not be read); sar asks every cluster by SubjectAccessReview (webhook authorizers).' },
  { flag: '--audit-readers', arg: '<group,...>', env: 'FLEETGRAPH_AUDIT_READERS', fileKey: 'auditReaders', repeatable: true, help: 'Groups whose members see every caller\'s audit entries (others see their own). Comma separated, repeatable.' },
  { flag: '--usage-sample-interval', arg: '<duration>', env: 'FLEETGRAPH_USAGE_SAMPLE_INTERVAL', fileKey: 'usageSampleInterval', help: 'How often usage history samples every member\'s node metrics (metrics.k8s.io) and pod requests, whole seconds (default 30s).' },
  { flag: '--usage-history', arg: '<duration>', env: 'FLEETGRAPH_USAGE_HISTORY', fileKey: 'usageHistory', help: 'How much usage history the in-memory ring keeps (default 1h; at most 10000 samples).' },
  { flag: '--prometheus-url', arg: '<url>', env: 'FLEETGRAPH_PROMETHEUS_URL', fileKey: 'prometheusUrl', help: 'Read usage history from this Prometheus (range queries; docs/usage-history.md names the series) instead of the in-memory ring, which then samples nothing.' },
  { flag: '--help', help: 'Print this help.' },
];

/** The `fleetgraph serve --help` text. */
export function serveHelpText(): string {
  const lines = SERVE_FLAGS.map((f) => {
    const head = `  ${f.flag}${f.arg ? ` ${f.arg}` : ''}`;
    const env = f.env ? ` [env ${f.env}]` : '';
    return `${head.padEnd(40)} ${f.help}${env}`;
  });
  return [
    'Usage: fleetgraph serve [options]',
    '',
    'Serves one GraphQL endpoint (/graphql, /healthz, /readyz) over a Karmada fleet.',
    'Precedence: flags, then env, then the config file, then defaults. Durations: 500ms, 30s, 2m, 1h (bare number = ms).',
    '',
    'Options:',
    ...lines,
  ].join('\n');
}
