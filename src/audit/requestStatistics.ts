/**
 * Request statistics per operation name (seed 000 §5 api_statistics) are counted by one code path whatever
 * the transport: the request core (src/request) starts a count when a request arrives and finishes it once
 * with the operation's name and outcome, so HTTP and WebSocket cannot drift apart in how they time, name or
 * fail a request.
 */
import { getOperationAST, type DocumentNode } from 'graphql';
import type { AuditStore } from './AuditStore.js';

/** How a request reached the gateway; stored as the `transport` of its statistics row. */
export type RequestTransport = 'HTTP' | 'WEBSOCKET';

/** Name under which a request without an operation name (an anonymous `{ ... }`) is counted. */
export const ANONYMOUS_OPERATION = 'anonymous';

export interface RequestCount {
  /**
   * Counts the request: its name (`anonymous` when it has none), the time since `startRequestCount`, and
   * whether it answered with errors. Only the first call counts, so an adapter with more than one way to
   * end a request cannot count it twice. `operationType`: query, mutation or subscription, when the operation
   * was resolved (the metrics' histogram label; the statistics do not keep it).
   */
  finish(operationName: string | null | undefined, failed: boolean, operationType?: string): void;
}

/**
 * The name a request is counted under: the `operationName` the client sent, else the name of the
 * document's only operation when it parsed. Used where the server did not resolve the operation (a
 * refused request), so that `query Mine { noSuchField }` counts as `Mine`, not `anonymous`.
 */
export function operationNameOf(document: DocumentNode | undefined, requested: string | null | undefined): string | undefined {
  if (requested) return requested;
  return (document && getOperationAST(document)?.name?.value) || undefined;
}

const NOT_COUNTED: RequestCount = { finish: () => undefined };

/** One request being timed; a class, so that counting a request allocates one small object and no closure. */
class PendingCount implements RequestCount {
  private readonly started = performance.now();
  private done = false;

  constructor(
    private readonly audit: AuditStore,
    private readonly transport: RequestTransport,
  ) {}

  finish(operationName: string | null | undefined, failed: boolean): void {
    if (this.done) return;
    this.done = true;
    this.audit.recordRequest(operationName || ANONYMOUS_OPERATION, this.transport, performance.now() - this.started, failed);
  }
}

/** Starts timing one request; `audit` absent (a gateway without an audit log) counts nothing. */
export function startRequestCount(audit: AuditStore | undefined, transport: RequestTransport): RequestCount {
  return audit ? new PendingCount(audit, transport) : NOT_COUNTED;
}
