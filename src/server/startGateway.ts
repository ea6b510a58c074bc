/**
 * startGateway(config): one node:http server on config.host:config.port serving
 *   /graphql   GraphQL over HTTP (POST, GET) through Apollo Server; GraphiQL for browsers (GET, text/html)
 *   /graphiql/ GraphiQL's assets from node_modules
 *   /ui        the fleet dashboard (ui/, built into dist-ui/ by `npm run build:ui`; src/server/dashboardAssets.ts)
 *   /healthz   alive (always open)
 *   /readyz    200 once every member's caches synced or failed (body: per member), else 503
 *   /metrics   Prometheus
 * In auth modes other than `none` the status codes of /healthz and /readyz stay open to probes, but /readyz's
 * details (member names, Redis state) need a valid bearer token (else the body is `{"ready": …}` only) and
 * /metrics needs one unless `--metrics-open`. GraphiQL's and the dashboard's pages and assets hold no data and stay public: the
 * schema reaches it only through an introspection query on /graphql, which needs a token like any query.
 * graphql-ws (src/server/ws.ts) shares this server: WebSocket upgrades on /graphql carry subscriptions.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { Config } from '../config/Config.js';
import { createAuthenticator } from '../auth/createAuthenticator.js';
import type { Authenticator } from '../auth/AuthResult.js';
import { createFleet } from '../fleet/createFleet.js';
import { loadControlPlaneKubeConfig } from '../fleet/kubeConfigs.js';
import { CONTROL_PLANE, type Fleet } from '../fleet/types.js';
import { ErrorCode } from '../graphql/errors.js';
import { DEFAULT_LIMITS, type QueryLimits } from '../request/limits.js';
import { buildGatewaySchema } from '../request/gatewaySchema.js';
import { RequestCore } from '../request/RequestCore.js';
import { BrowserOrigins } from './browserOrigins.js';
import { createApolloServer } from './apolloServer.js';
import { graphiqlAsset, graphiqlHtml, wantsGraphiql } from './graphiqlPage.js';
import { dashboardResponse } from './dashboardAssets.js';
import { handleGraphQLHttp, type GraphQLHttpHandlerOptions } from './graphqlHttpHandler.js';
import { startOperations, type OperationsRuntime } from '../operations/startOperations.js';
import { createSubscriptionRuntime, type SubscriptionRuntime } from '../subscriptions/SubscriptionRuntime.js';
import { registerSubscriptionMetrics } from '../subscriptions/subscriptionMetrics.js';
import { attachGraphQLWebSocket, type GraphQLWebSocket } from './ws.js';
import { createLogger, type Logger } from './logger.js';
import { GatewayMetrics } from './metrics.js';
import { fleetIdOf } from '../fleet/fleetIdentity.js';
import { RedisHealth } from '../redis/RedisHealth.js';
import { registerRedisMetrics } from '../redis/redisMetrics.js';
import { createConcurrencyCounter } from '../ratelimit/createConcurrencyCounter.js';
import { createRateLimiter } from '../ratelimit/createRateLimiter.js';
import { fleetSignalsOf, type FleetSignals } from '../fleet/FleetSignals.js';
import { requestSignalsOf } from '../request/RequestSignals.js';
import { GatewayTracing } from './tracing.js';
import { createUsageHistory } from '../history/UsageHistory.js';
import { createRequire } from 'node:module';

/** The gateway's version (package.json), for the start line and the traces' resource. */
const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export interface GatewayOptions {
  /** A fleet already created (tests, embedding); else `createFleet(config)` from src/fleet. @default undefined */
  fleet?: Fleet;
  /** @default a pino logger at config.logLevel */
  logger?: Logger;
  /** Query limits. @default DEFAULT_LIMITS of src/request/limits.ts, with config.maxQueryCost/maxDocumentBytes/maxTokens when set */
  limits?: QueryLimits;
}

export interface Gateway {
  /** `http://host:port/graphql` */
  url: string;
  port: number;
  fleet: Fleet;
  /** The Operations engine and audit log (mutations, `operation`, `auditLog`). */
  operations: OperationsRuntime;
  /** Subscriptions: event hub, engine (routing, queues) and the graphql-ws server on /graphql. */
  subscriptions: SubscriptionRuntime & { ws: GraphQLWebSocket };
  /**
   * Graceful stop: `/readyz` answers 503 at once, the listener closes (no new connection), in-flight HTTP
   * requests are answered (for up to the shutdown timeout less 5 s, then their connections are closed),
   * WebSocket clients get 1001 (Going Away) so they reconnect to another replica, running Operations stop at
   * a step boundary (FAILED, reason INTERRUPTED, `reason` as their error), the audit log is flushed and
   * closed, and the fleet stops (when the gateway created it).
   */
  stop(options?: { reason?: string }): Promise<void>;
  /** The Prometheus text /metrics serves, read without its HTTP authentication (tests, embedding). */
  metricsText(): Promise<string>;
}

async function defaultCreateFleet(config: Config, logger: Logger, redisHealth: RedisHealth | undefined, signals: FleetSignals): Promise<Fleet> {
  return createFleet(config, { logger: logger.child({ component: 'fleet' }), ...(redisHealth ? { redisHealth } : {}), signals });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** The routes counted under their own name in the request metrics; any other path is counted as `other`. */
const COUNTED_ROUTES = new Set(['/graphql', '/healthz', '/readyz', '/metrics']);

/** A path the URL parser leaves as it is: only characters it neither escapes nor decodes, no leading `//`. */
const PLAIN_PATH = /^\/(?!\/)[\w\-.~!$&'()*+,;=:@/]*$/;
/** A query string the URL parser leaves as it is (it escapes these in the query of an http URL; `#` ends it). */
const PLAIN_QUERY = /^[^\x00-\x20"#<>'\x7f-\uffff]*$/;

/**
 * The path and query string of a request target. A plain origin-form target (`/graphql`, `/graphql?query=…`)
 * is split at its `?`: parsing a URL object for every request is a measurable part of a small query's cost.
 * Anything else (absolute form, escapes, characters the parser would escape, dot segments, a fragment) goes through the
 * WHATWG URL parser, so that a path routes exactly as `new URL` would have normalized it.
 */
export function requestTarget(raw: string | undefined): { pathname: string; search: string } {
  const target = raw ?? '/';
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  if (PLAIN_PATH.test(path) && !path.includes('/.') && (q < 0 || PLAIN_QUERY.test(target.slice(q + 1)))) {
    // URL.search is '' for a bare trailing '?', as here.
    return { pathname: path, search: q < 0 || q === target.length - 1 ? '' : target.slice(q) };
  }
  const url = new URL(target, 'http://gateway.invalid');
  return { pathname: url.pathname, search: url.search };
}

/**
 * The `--auth` authenticator (src/auth), made before anything starts so that a bad tokens file or a missing
 * kubeconfig fails the start. `kubernetes` reviews tokens on the control plane the fleet reads (the kubeconfig
 * of `--kubeconfig`/`--context`, or the embedded simulator's).
 */
function authenticatorFor(config: Config, logger: Logger): Authenticator {
  const controlPlane = config.auth === 'kubernetes' && config.kubeconfig ? loadControlPlaneKubeConfig(config.kubeconfig, config.context) : undefined;
  const authenticator = createAuthenticator(config, controlPlane);
  logger.info({
    auth: authenticator.mode,
    ...(config.oidc ? { issuer: config.oidc.issuerUrl, clientId: config.oidc.clientId } : {}),
    ...(controlPlane ? { tokenReview: controlPlane.getCurrentCluster()?.server } : {}),
    ...(authenticator.mode === 'none' ? { anonymous: true } : {}),
  }, authenticator.mode === 'none' ? 'authentication: none (every caller is anonymous)' : `authentication: ${authenticator.mode}`);
  return authenticator;
}

export async function startGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const authenticator = authenticatorFor(config, logger);
  const ownsFleet = !options.fleet;
  // Redis is optional at run time: one health for all its clients, reported by /readyz and fleetgraph_redis_up.
  const redisHealth = config.redisUrl ? new RedisHealth({ logger: logger.child({ component: 'redis' }) }) : undefined;
  // Signals (metrics always, traces with --otel-endpoint): observers the fleet, request core and Operations call.
  const metrics = new GatewayMetrics();
  const tracing = config.otelEndpoint ? new GatewayTracing({ endpoint: config.otelEndpoint, version: VERSION }) : undefined;
  const fleetSignals = fleetSignalsOf(metrics, tracing);
  const fleet = options.fleet ?? (await defaultCreateFleet(config, logger, redisHealth, fleetSignals));
  metrics.observeFleet(fleet);
  let operations: OperationsRuntime;
  try {
    operations = await startOperations(config, fleet, logger.child({ component: 'operations' }), {
      phaseReached: (type, phase) => metrics.phaseReached(type, phase), fleet: fleetSignals, ...(tracing ? { stepRunner: tracing.stepRunner } : {}),
    });
  } catch (err) {
    // The audit database cannot be opened (an unreachable PostgreSQL): the fleet this call started stops with it.
    if (ownsFleet) await fleet.stop().catch(() => undefined);
    await tracing?.stop().catch(() => undefined);
    throw err;
  }

  // Usage history (src/history): the sampling ring (or Prometheus), read by the usageHistory fields.
  const usageHistory = createUsageHistory(config, fleet, logger.child({ component: 'usage-history' }));
  usageHistory.start();

  let server: Server;
  const httpServer = createServer((req, res) => {
    void route(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'internal error', extensions: { code: ErrorCode.INTERNAL } }] });
      else res.destroy();
    });
  });
  server = httpServer;
  // Subscriptions: graphql-ws on the same server and path; Redis pub/sub between replicas when configured.
  const service = operations.service;
  const subscriptions = createSubscriptionRuntime({
    fleet,
    ...(service ? { operations: service } : {}),
    ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
    ...(config.redisUrl ? { channelPrefix: `${config.subscriptions?.channelPrefix ?? config.redisPrefix ?? 'fleetgraph:'}${fleetIdOf(config)}:`, redisHealth } : {}),
    ...(config.subscriptions?.queueCapacity ? { queueCapacity: config.subscriptions.queueCapacity } : {}),
    onError: (err) => logger.warn({ err }, 'subscription event hub error'),
  });
  // One request core for both transports: one schema, one set of limits (the option wins, then the flags).
  const limits: QueryLimits = options.limits ?? {
    ...DEFAULT_LIMITS,
    ...(config.maxQueryCost ? { maxCost: config.maxQueryCost } : {}),
    ...(config.maxDocumentBytes ? { maxDocumentBytes: config.maxDocumentBytes } : {}),
    ...(config.maxTokens ? { maxTokens: config.maxTokens } : {}),
  };
  // Authentication is the core's first stage on both transports (src/request/authenticateCaller.ts).
  // The per-identity request budget, taken by the core on both transports (shared through Redis when set).
  const rateLimit = createRateLimiter(config, redisHealth, logger);
  const core = new RequestCore({
    schema: buildGatewaySchema(), fleet, logger, limits, extras: { ...operations.contextExtras, usageHistory }, authenticator,
    ...(config.introspection === false ? { introspection: false } : {}),
    ...(config.execution ? { execution: config.execution } : {}),
    ...(rateLimit.limiter ? { rateLimiter: rateLimit.limiter } : {}),
    signals: requestSignalsOf(metrics, tracing)!,
  });
  const origins = new BrowserOrigins(config.allowedOrigins);
  // The per-user WebSocket caps' counts (shared through Redis when set).
  const wsCaps = createConcurrencyCounter(config, redisHealth, logger);
  const ws = attachGraphQLWebSocket({
    httpServer,
    core,
    capCounter: wsCaps.counter,
    verifyUpgrade: (request) => origins.acceptsUpgrade(request),
    services: {
      engine: subscriptions.engine,
      ...(service ? { operations: { get: (id: string) => service.find(id), onChange: (l) => service.onChange(l) } } : {}),
    },
    ...(config.subscriptions?.maxPerConnection ? { maxSubscriptionsPerConnection: config.subscriptions.maxPerConnection } : {}),
    ...(config.subscriptions?.keepAliveMs !== undefined ? { keepAliveMs: config.subscriptions.keepAliveMs } : {}),
    ...(config.subscriptions?.maxConnectionsPerUser !== undefined ? { maxConnectionsPerUser: config.subscriptions.maxConnectionsPerUser } : {}),
    ...(config.subscriptions?.maxPerUser !== undefined ? { maxSubscriptionsPerUser: config.subscriptions.maxPerUser } : {}),
  });
  if (redisHealth) registerRedisMetrics(metrics.registry, redisHealth);
  registerSubscriptionMetrics(metrics.registry, {
    engine: subscriptions.engine,
    connections: () => ws.connections,
    bufferedBytes: () => ws.bufferedBytes,
  });
  // In-flight HTTP requests get the shutdown timeout less 5 s (for the Operations, the audit and the fleet).
  const shutdownTimeoutMs = config.shutdownTimeoutMs ?? 25_000;
  const apollo = createApolloServer({
    core,
    logger,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: Math.max(1000, shutdownTimeoutMs - 5000) }), ws.plugin],
  });
  /** Set when stop() begins: readiness is withdrawn before anything else happens. */
  let draining = false;
  await apollo.start();
  // Made once rather than per request: the hot path of small queries allocates as little as it can.
  // Plain JSON POSTs are answered by the core directly unless `--execution interpreted` (today's path through
  // Apollo, the yardstick); once stopping, every request goes to Apollo, which refuses what comes too late.
  const graphqlOptions: GraphQLHttpHandlerOptions = { apollo, core, origins, ...(core.execution !== 'interpreted' ? { direct: () => !draining } : {}) };
  /** Whether /metrics asks for a bearer token: in every auth mode but none, unless `--metrics-open`. */
  const metricsNeedToken = authenticator.mode !== 'none' && config.metricsOpen !== true;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestTarget(req.url);
    const method = req.method ?? 'GET';
    let status = 404;
    if (url.pathname === '/graphql') {
      if (method === 'OPTIONS' && origins.answerPreflight(req, res)) {
        status = 204;
      } else if (wantsGraphiql(method, req.headers.accept, url.search)) {
        res.writeHead((status = 200), { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(graphiqlHtml());
      } else {
        status = await handleGraphQLHttp(req, res, url, graphqlOptions);
      }
    } else if (url.pathname.startsWith('/graphiql/') && (method === 'GET' || method === 'HEAD')) {
      const asset = graphiqlAsset(url.pathname.slice('/graphiql/'.length));
      if (asset) {
        res.writeHead((status = 200), { 'content-type': asset.type, 'cache-control': 'public, max-age=3600' });
        res.end(method === 'HEAD' ? undefined : asset.body);
      } else sendJson(res, (status = 404), { error: 'not found' });
    } else if ((url.pathname === '/ui' || url.pathname.startsWith('/ui/')) && (method === 'GET' || method === 'HEAD')) {
      const answer = dashboardResponse(url.pathname)!;
      res.writeHead((status = answer.status), answer.headers);
      res.end(method === 'HEAD' ? undefined : answer.body);
    } else if (url.pathname === '/healthz') {
      sendJson(res, (status = 200), { status: 'ok' });
    } else if (url.pathname === '/readyz' && draining) {
      // Shutting down: out of the load balancer at once, whoever asks.
      sendJson(res, (status = 503), { ready: false, shuttingDown: true });
    } else if (url.pathname === '/readyz') {
      const r = fleet.readiness();
      // Without the control plane the gateway neither knows its members nor can write: not ready, so that a
      // load balancer sends callers to a replica that still reaches it (a member down is partial data instead).
      const controlPlaneDown = fleet.health(CONTROL_PLANE)?.unreachableSince != null;
      status = r.ready && !controlPlaneDown ? 200 : 503;
      // Probes send no token: the status code is everyone's, the details (member names, errors) a caller's.
      if (authenticator.mode !== 'none' && !(await core.authenticate(req.headers.authorization)).ok) {
        sendJson(res, status, { ready: status === 200 });
      } else {
        // A degraded Redis costs speed, not answers: still 200, with the state in the body.
        // How each cluster authorizes (`local`: its RBAC watched here; `review`: SubjectAccessReview).
        const authz = fleet.authorizer ? { authorization: fleet.authorizer.modes() } : {};
        // Where Operations live: shared by the replicas, or in this process (and why), which is not an outage.
        const ops = { operations: operations.store.kind === 'shared' ? { store: 'shared', namespace: operations.store.namespace, replica: operations.store.replicaId } : { store: 'in-process', reason: operations.store.reason } };
        sendJson(res, status, { ...r, ready: status === 200, ...(controlPlaneDown ? { controlPlane: 'unreachable' } : {}), ...(redisHealth ? { redis: redisHealth.state } : {}), ...authz, ...ops });
      }
    } else if (url.pathname === '/metrics') {
      const auth = metricsNeedToken ? await core.authenticate(req.headers.authorization) : undefined;
      if (auth && !auth.ok) {
        // The same answer as a GraphQL request without a valid token: 401 and WWW-Authenticate (503 when it cannot be verified).
        res.writeHead((status = auth.answer.httpStatus), { ...auth.answer.headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ errors: [auth.error] }));
      } else {
        const text = await metrics.registry.metrics();
        res.writeHead((status = 200), { 'content-type': metrics.registry.contentType });
        res.end(text);
      }
    } else {
      sendJson(res, status, { error: 'not found', paths: ['/graphql', '/ui', '/healthz', '/readyz', '/metrics'] });
    }
    metrics.countRequest(COUNTED_ROUTES.has(url.pathname) ? url.pathname : url.pathname.startsWith('/graphiql/') ? '/graphiql' : url.pathname === '/ui' || url.pathname.startsWith('/ui/') ? '/ui' : 'other', method, status);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}/graphql`;
  // The start summary: one line saying what runs, how callers are checked, which fleet.
  logger.info({
    url, version: VERSION, auth: authenticator.mode, authz: authenticator.mode === 'none' ? 'none' : config.authz ?? 'rbac',
    kubeconfig: config.kubeconfig, context: config.context, members: fleet.members(), readOnly: config.readOnly ?? false,
    ...(config.redisUrl ? { redis: true } : {}), ...(config.otelEndpoint ? { otelEndpoint: config.otelEndpoint } : {}),
  }, 'gateway listening');
  // Members are known once the control plane's Cluster objects have listed: said when the first sync is done.
  void fleet.whenReady().then((r) => r.ready && logger.info({
    members: fleet.members(), clusters: Object.fromEntries(r.clusters.map((c) => [c.cluster, c.error ? `${c.state}: ${c.error.message}` : c.state])),
  }, 'fleet synced'), () => undefined);

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    fleet,
    operations,
    subscriptions: Object.assign(subscriptions, { ws }),
    metricsText: () => metrics.registry.metrics(),
    stop(options = {}) {
      stopping ??= (async () => {
        draining = true;
        const started = Date.now();
        const reason = options.reason ?? 'the gateway shut down';
        logger.info({ reason, timeoutMs: shutdownTimeoutMs }, 'shutting down');
        // Apollo's drain plugin closes the listener and waits for in-flight requests; the WebSocket plugin closes
        // every socket with 1001. Meanwhile running Operations are asked to stop at their next step boundary.
        await Promise.all([apollo.stop(), operations.service?.stop({ interrupt: reason })]);
        if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
        await subscriptions.stop();
        await rateLimit.close();
        await wsCaps.close();
        await operations.stop({ interrupt: reason });
        await usageHistory.stop();
        if (ownsFleet) await fleet.stop();
        authenticator.close?.();
        await tracing?.stop();
        logger.info({ ms: Date.now() - started }, 'stopped');
      })();
      return stopping;
    },
  };
}
