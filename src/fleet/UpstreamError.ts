/**
 * Failures of upstream calls, and their translation into the typed per-cluster errors of ClusterResult.
 * Every failure of a member ends up as one of five codes, so resolvers never see raw network errors.
 */
import type { ClusterError, ClusterErrorCode } from './types.js';

/** An HTTP answer other than 2xx, or a transport failure (status 0), or our own timeout. */
export class UpstreamError extends Error {
  /** HTTP status; 0 for transport failures (connection refused, reset, TLS). */
  readonly status: number;
  /** True when the gateway gave up waiting (per-call timeout). */
  readonly timedOut: boolean;
  /** `reason` of a Kubernetes Status body, when one came back. */
  readonly reason?: string;

  constructor(message: string, status: number, options: { timedOut?: boolean; reason?: string; cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'UpstreamError';
    this.status = status;
    this.timedOut = options.timedOut ?? false;
    if (options.reason !== undefined) this.reason = options.reason;
  }
}

/** Maps an HTTP status (and timeouts) to a ClusterErrorCode. 404 means NOT_FOUND; callers decide API_NOT_SERVED. */
export function codeForStatus(status: number, timedOut = false): ClusterErrorCode {
  if (timedOut || status === 504) return 'UPSTREAM_TIMEOUT';
  if (status === 401 || status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  return 'CLUSTER_UNAVAILABLE';
}

/** Any thrown value → a ClusterError naming the cluster. */
export function toClusterError(cluster: string, err: unknown, overrideCode?: ClusterErrorCode): ClusterError {
  if (err instanceof UpstreamError) {
    return { code: overrideCode ?? codeForStatus(err.status, err.timedOut), message: `${cluster}: ${err.message}`, cluster };
  }
  // client-node ApiException (logs) carries `code`; Watch errors carry `statusCode`.
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown; name?: unknown };
  const status = typeof e?.statusCode === 'number' ? e.statusCode : typeof e?.code === 'number' ? e.code : 0;
  const timedOut = e?.name === 'TimeoutError';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return { code: overrideCode ?? codeForStatus(status, timedOut), message: `${cluster}: ${message}`, cluster };
}
