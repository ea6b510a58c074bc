/**
 * What the request core tells whoever observes requests (the gateway's /metrics and, with `--otel-endpoint`,
 * its traces), on both transports alike: each request's end with its duration, each error answered with its
 * code, each request refused over a limit. An interface, so that src/request imports no metrics or tracing
 * library; src/server wires an implementation in (metrics.ts, tracing.ts).
 */
import type { OperationTypeNode } from 'graphql';
import type { RequestTransport } from '../audit/requestStatistics.js';

/** `query`, `mutation` or `subscription`; undefined for a request refused before its operation was known. */
export type OperationType = OperationTypeNode | `${OperationTypeNode}`;

export interface RequestSignals {
  /**
   * One request (HTTP) or operation (WebSocket) ended: answered, refused, or (a subscription) its stream set
   * up. `seconds` from its arrival.
   */
  requestEnded(transport: RequestTransport, operationType: OperationType | undefined, seconds: number): void;
  /** An error left the gateway with this code (src/errors/codes.ts) and reason. */
  errorAnswered(code: string, reason: string | undefined): void;
  /**
   * Runs one operation's execution (resolvers and the upstream calls they make); tracing runs it inside a
   * span. @default runs it as it is
   */
  execution?<T>(operation: { type: OperationType; name: string | undefined; transport: RequestTransport }, run: () => Promise<T>): Promise<T>;
  /**
   * One query or mutation ran on its compiled plan (graphql-jit) or on graphql-js; a differential run
   * (`--execution differential`) tells both. @default nothing
   */
  executed?(engine: ExecutionEngine): void;
  /** A query whose compiled and graphql-js answers differed, twice running (`--execution differential`). @default nothing */
  executionMismatch?(): void;
}

/** What ran an execution. */
export type ExecutionEngine = 'compiled' | 'interpreted';

/** Several observers as one (metrics and traces); undefined when there is none. */
export function requestSignalsOf(...all: Array<RequestSignals | undefined>): RequestSignals | undefined {
  const list = all.filter((s): s is RequestSignals => s !== undefined);
  if (list.length <= 1) return list[0];
  const executions = list.filter((s) => s.execution);
  return {
    requestEnded: (transport, type, seconds) => list.forEach((s) => s.requestEnded(transport, type, seconds)),
    errorAnswered: (code, reason) => list.forEach((s) => s.errorAnswered(code, reason)),
    executed: (engine) => list.forEach((s) => s.executed?.(engine)),
    executionMismatch: () => list.forEach((s) => s.executionMismatch?.()),
    execution: (operation, run) => executions.reduce<() => Promise<any>>((inner, s) => () => s.execution!(operation, inner), run)(),
  };
}
