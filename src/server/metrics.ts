/**
 * Prometheus metrics for /metrics. Counters end in `_total` and only go up; gauges are values of now;
 * durations are histograms in seconds. The data layer, the request core and the Operations know nothing of
 * prom-client: they call the small observer interfaces this class implements (FleetSignals, RequestSignals,
 * OperationSignals), and what they already hold (cached objects, member health) is read at scrape time.
 *
 *   fleetgraph_http_requests_total{route,method,status}                    counter
 *   fleetgraph_graphql_request_duration_seconds{operation_type,transport}   histogram (query|mutation|subscription|unknown; http|ws)
 *   fleetgraph_graphql_errors_total{code}                                  counter: errors answered, by ErrorCode
 *   fleetgraph_rate_limited_total{reason}                                  counter: requests, operations and connections refused over a limit
 *   fleetgraph_forbidden_total                                             counter: FORBIDDEN errors answered (authorization denials)
 *   fleetgraph_graphql_executions_total{engine}                            counter: queries and mutations run, compiled (graphql-jit) or interpreted (graphql-js)
 *   fleetgraph_execution_mismatches_total                                  counter: queries answered differently compiled and interpreted (--execution differential)
 *   fleetgraph_upstream_requests_total{cluster,verb,kind,code}             counter: calls to the control plane and members
 *   fleetgraph_upstream_request_duration_seconds{cluster,verb,kind,code}   histogram (a watch: until its stream opened)
 *   fleetgraph_watch_restarts_total{cluster,kind}                          counter: informer watches re-opened
 *   fleetgraph_relists_total{cluster,kind}                                 counter: informer lists after the first
 *   fleetgraph_cached_objects{cluster,kind}                                gauge
 *   fleetgraph_operations_total{type,phase}                                counter: Operations reaching each phase
 *   fleetgraph_member_synced{cluster}, fleetgraph_member_reachable{cluster} gauges (1/0)
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestTransport } from '../audit/requestStatistics.js';
import { ErrorCode } from '../errors/codes.js';
import type { FleetSignals, UpstreamCallEnd } from '../fleet/FleetSignals.js';
import { CONTROL_PLANE, type Fleet } from '../fleet/types.js';
import type { OperationSignals } from '../operations/startOperations.js';
import type { OperationPhase } from '../operations/OperationRecord.js';
import type { ExecutionEngine, OperationType, RequestSignals } from '../request/RequestSignals.js';

/** Seconds: from a cached small query (~1 ms) to a slow fan-out or upstream call (the 30 s call timeout). */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Label children are kept by a flat key; past this many a table is cleared (labels partly come from outside). */
const MAX_CHILDREN = 5000;

/** A bounded table of labelled children, looked up by one string: prom-client would hash the label object each time. */
class Children<T> {
  private readonly map = new Map<string, T>();
  constructor(private readonly make: (labels: string[]) => T) {}

  get(...labels: string[]): T {
    const key = labels.join('\u0000');
    let child = this.map.get(key);
    if (!child) {
      if (this.map.size >= MAX_CHILDREN) this.map.clear();
      child = this.make(labels);
      this.map.set(key, child);
    }
    return child;
  }
}

const TRANSPORT: Record<RequestTransport, string> = { HTTP: 'http', WEBSOCKET: 'ws' };

export class GatewayMetrics implements FleetSignals, RequestSignals, OperationSignals {
  readonly registry = new Registry();
  private readonly requests: Children<Counter.Internal>;
  private readonly durations: Children<Histogram.Internal<string>>;
  private readonly errors: Children<Counter.Internal>;
  private readonly rateLimited: Counter<'reason'>;
  private readonly forbidden: Counter;
  private readonly upstream: Children<{ count: Counter.Internal; seconds: Histogram.Internal<string> }>;
  private readonly watchRestarts: Counter<'cluster' | 'kind'>;
  private readonly relists: Counter<'cluster' | 'kind'>;
  private readonly operations: Counter<'type' | 'phase'>;
  private readonly executions: Record<ExecutionEngine, Counter.Internal>;
  private readonly mismatches: Counter;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'fleetgraph_' });
    const requests = new Counter({
      name: 'fleetgraph_http_requests_total',
      help: 'HTTP requests served, by route, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.requests = new Children(([route, method, status]) => requests.labels({ route: route!, method: method!, status: status! }));
    const durations = new Histogram({
      name: 'fleetgraph_graphql_request_duration_seconds',
      help: 'Time to answer a GraphQL request (HTTP) or operation (WebSocket; a subscription: until its stream is set up), by operation type (unknown: refused before it was resolved) and transport.',
      labelNames: ['operation_type', 'transport'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.durations = new Children(([operation_type, transport]) => durations.labels({ operation_type: operation_type!, transport: transport! }));
    const errors = new Counter({
      name: 'fleetgraph_graphql_errors_total',
      help: 'Errors answered to clients (GraphQL errors and HTTP or WebSocket refusals), by extensions.code.',
      labelNames: ['code'],
      registers,
    });
    this.errors = new Children(([code]) => errors.labels({ code: code! }));
    this.rateLimited = new Counter({
      name: 'fleetgraph_rate_limited_total',
      help: 'Requests, WebSocket operations and connections refused over a limit (RATE_LIMITED), by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.forbidden = new Counter({
      name: 'fleetgraph_forbidden_total',
      help: 'Authorization denials answered to clients (FORBIDDEN errors: the caller may not read or change something).',
      registers,
    });
    const upstreamCount = new Counter({
      name: 'fleetgraph_upstream_requests_total',
      help: 'Calls to the Karmada control plane and members, by cluster, verb, kind and HTTP status code (timeout, error: no answer).',
      labelNames: ['cluster', 'verb', 'kind', 'code'],
      registers,
    });
    const upstreamSeconds = new Histogram({
      name: 'fleetgraph_upstream_request_duration_seconds',
      help: 'Time until an upstream call answered (a watch: until its stream opened), by cluster, verb, kind and status code.',
      labelNames: ['cluster', 'verb', 'kind', 'code'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.upstream = new Children(([cluster, verb, kind, code]) => {
      const labels = { cluster: cluster!, verb: verb!, kind: kind!, code: code! };
      return { count: upstreamCount.labels(labels), seconds: upstreamSeconds.labels(labels) };
    });
    this.watchRestarts = new Counter({
      name: 'fleetgraph_watch_restarts_total',
      help: 'Informer watches re-opened (after a server timeout, a dropped stream or a failure), by cluster and kind.',
      labelNames: ['cluster', 'kind'],
      registers,
    });
    this.relists = new Counter({
      name: 'fleetgraph_relists_total',
      help: 'Informer lists after the first (410 Gone, expired continue token), by cluster and kind.',
      labelNames: ['cluster', 'kind'],
      registers,
    });
    this.operations = new Counter({
      name: 'fleetgraph_operations_total',
      help: 'Operations made by this gateway reaching each phase (PENDING when made, RUNNING, SUCCEEDED, FAILED, CANCELLED), by type.',
      labelNames: ['type', 'phase'],
      registers,
    });
    const executions = new Counter({
      name: 'fleetgraph_graphql_executions_total',
      help: 'Queries and mutations executed, by engine: compiled (graphql-jit plan of a repeated query) or interpreted (graphql-js). A differential run (--execution differential) counts both.',
      labelNames: ['engine'],
      registers,
    });
    this.executions = { compiled: executions.labels({ engine: 'compiled' }), interpreted: executions.labels({ engine: 'interpreted' }) };
    this.mismatches = new Counter({
      name: 'fleetgraph_execution_mismatches_total',
      help: 'Queries whose compiled and interpreted answers differed twice running (--execution differential; the interpreted answer was sent, the difference logged).',
      registers,
    });
  }

  /** Gauges read from the fleet at scrape time: objects cached, member synced and reachable. */
  observeFleet(fleet: Fleet): void {
    const registers = [this.registry];
    new Gauge({
      name: 'fleetgraph_cached_objects',
      help: 'Objects held in the informer caches, by cluster and kind.',
      labelNames: ['cluster', 'kind'],
      registers,
      collect() {
        this.reset();
        for (const { cluster, kind, count } of fleet.cachedObjects?.() ?? []) this.set({ cluster, kind }, count);
      },
    });
    new Gauge({
      name: 'fleetgraph_member_synced',
      help: '1 when every cached kind of the member has synced.',
      labelNames: ['cluster'],
      registers,
      collect() {
        this.reset();
        for (const m of fleet.members()) this.set({ cluster: m }, fleet.health(m)?.synced ? 1 : 0);
      },
    });
    new Gauge({
      name: 'fleetgraph_member_reachable',
      help: '1 while the cluster (a member, or controlPlane) answers; 0 while its circuit is open (unreachable).',
      labelNames: ['cluster'],
      registers,
      collect() {
        this.reset();
        for (const m of [CONTROL_PLANE, ...fleet.members()]) {
          const health = fleet.health(m);
          if (health) this.set({ cluster: m }, health.unreachableSince === null ? 1 : 0);
        }
      },
    });
  }

  countRequest(route: string, method: string, status: number): void {
    this.requests.get(route, method, String(status)).inc();
  }

  // ---- RequestSignals ---------------------------------------------------------------------------------

  requestEnded(transport: RequestTransport, operationType: OperationType | undefined, seconds: number): void {
    this.durations.get(operationType ?? 'unknown', TRANSPORT[transport]).observe(seconds);
  }

  errorAnswered(code: string, reason: string | undefined): void {
    this.errors.get(code).inc();
    if (code === ErrorCode.RATE_LIMITED) this.rateLimited.inc({ reason: reason ?? 'unknown' });
    else if (code === ErrorCode.FORBIDDEN) this.forbidden.inc();
  }

  executed(engine: ExecutionEngine): void {
    this.executions[engine].inc();
  }

  executionMismatch(): void {
    this.mismatches.inc();
  }

  // ---- FleetSignals -----------------------------------------------------------------------------------

  upstreamCall(cluster: string, verb: string, kind: string): UpstreamCallEnd {
    const started = performance.now();
    return (code) => {
      const child = this.upstream.get(cluster, verb, kind, code);
      child.count.inc();
      child.seconds.observe((performance.now() - started) / 1000);
    };
  }

  watchRestarted(cluster: string, kind: string): void {
    this.watchRestarts.inc({ cluster, kind });
  }

  relisted(cluster: string, kind: string): void {
    this.relists.inc({ cluster, kind });
  }

  // ---- OperationSignals -------------------------------------------------------------------------------

  phaseReached(type: string, phase: OperationPhase): void {
    this.operations.inc({ type, phase });
  }
}
