/**
 * Optional OpenTelemetry traces (`--otel-endpoint`): spans posted as OTLP over HTTP (JSON) to
 * `<endpoint>/v1/traces`, batched. Three kinds of span, through the same observer interfaces the metrics use,
 * so that the data layer, the request core and the Operations import no tracing library:
 *   - `graphql.request`: one per query, mutation or subscription set-up (graphql.operation.type / .name,
 *     fleetgraph.transport), active while it executes;
 *   - `k8s.<verb>`: one per upstream call made inside a traced request or step (k8s.cluster, k8s.verb, k8s.kind,
 *     http.response.status_code), a child of it. The background traffic of informers and probes (watches
 *     re-opened, lists, GET /api every few seconds per cluster) makes none: it belongs to no request, and
 *     the metrics count it;
 *   - `operation.step`: one per step of a gateway-run Operation (fleetgraph.operation.id / .type / .step),
 *     a child of the mutation's request while that runs; the step's own upstream calls are its children.
 * The context follows the request's async calls (AsyncLocalStorage), as DataLoader batches and plan steps do.
 */
import { context, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { FleetSignals, UpstreamCallEnd } from '../fleet/FleetSignals.js';
import type { StepRunner } from '../operations/GatewayExecutor.js';
import type { RequestSignals } from '../request/RequestSignals.js';

export interface GatewayTracingOptions {
  /** OTLP/HTTP base URL of the collector (`--otel-endpoint`); spans go to `<endpoint>/v1/traces`. */
  endpoint: string;
  /** `service.version` of the spans' resource. @default undefined */
  version?: string;
  /** Longest wait before a batch of spans is sent, ms. @default 1000 */
  flushDelayMs?: number;
}

const NOTHING: UpstreamCallEnd = () => undefined;

/** A GraphQL operation's span runs its execution; errors leave it as the span's status. */
export class GatewayTracing implements FleetSignals, RequestSignals {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;
  readonly stepRunner: StepRunner;

  constructor(options: GatewayTracingOptions) {
    // One context manager per process: a second gateway in the same process (tests) shares the first's.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'fleetgraph', ...(options.version ? { 'service.version': options.version } : {}) }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint}/v1/traces` }), { scheduledDelayMillis: options.flushDelayMs ?? 1000 })],
    });
    this.tracer = this.provider.getTracer('fleetgraph', options.version);
    this.stepRunner = (operation, step, run) => this.inSpan('operation.step', {
      'fleetgraph.operation.id': operation.id,
      'fleetgraph.operation.type': operation.type,
      'fleetgraph.operation.step': step,
    }, run);
  }

  execution<T>(operation: { type: string; name: string | undefined; transport: string }, run: () => Promise<T>): Promise<T> {
    return this.inSpan('graphql.request', {
      'graphql.operation.type': operation.type,
      ...(operation.name ? { 'graphql.operation.name': operation.name } : {}),
      'fleetgraph.transport': operation.transport === 'WEBSOCKET' ? 'ws' : 'http',
    }, async () => {
      const result = await run();
      // A GraphQL answer with errors is still an answer: its errors are marked on the span, not thrown.
      const errors = (result as { errors?: ReadonlyArray<{ message: string; extensions?: { code?: unknown } }> } | null)?.errors;
      if (errors?.length) {
        const span = trace.getActiveSpan();
        span?.setAttribute('graphql.errors', errors.length);
        span?.setStatus({ code: SpanStatusCode.ERROR, message: String(errors[0]!.extensions?.code ?? errors[0]!.message) });
      }
      return result;
    }, SpanKind.SERVER);
  }

  requestEnded(): void {}

  errorAnswered(): void {}

  upstreamCall(cluster: string, verb: string, kind: string): UpstreamCallEnd {
    // Only inside a traced request or step (see the header).
    if (!trace.getActiveSpan()) return NOTHING;
    const span = this.tracer.startSpan(`k8s.${verb}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'k8s.cluster': cluster, 'k8s.verb': verb, 'k8s.kind': kind },
    });
    return (code) => {
      const status = Number(code);
      if (Number.isInteger(status)) span.setAttribute('http.response.status_code', status);
      else span.setAttribute('error.type', code);
      if (!(status >= 200 && status < 400)) span.setStatus({ code: SpanStatusCode.ERROR, message: code });
      span.end();
    };
  }

  watchRestarted(): void {}

  relisted(): void {}

  /** Sends what is buffered now (tests, shutdown). */
  flush(): Promise<void> {
    return this.provider.forceFlush();
  }

  /** Sends what is buffered and stops. */
  async stop(): Promise<void> {
    await this.provider.shutdown().catch(() => undefined);
  }

  private inSpan<T>(name: string, attributes: Record<string, string>, run: () => Promise<T>, kind = SpanKind.INTERNAL): Promise<T> {
    return this.tracer.startActiveSpan(name, { kind, attributes }, async (span: Span) => {
      try {
        return await run();
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message ?? String(err) });
        throw err;
      } finally {
        span.end();
      }
    });
  }
}
