/**
 * Failures of upstream calls, and their ONE translation into the typed per-cluster errors of ClusterResult
 * (`ErrorCode` + `Reason` of src/errors/codes.ts). The classification reads the Kubernetes `Status` object
 * of an error answer (its `reason`, then its `code`) and the HTTP status — never a message text — and the
 * message it builds is a summary (status, Status reason, the member's Status message): no raw headers or
 * bodies reach a client or a log.
 *
 * Which failures count against a member's health is decided here too (`countsAgainstMember`): transport
 * failures, 5xx and timeouts do; a 4xx is about the request that got it (its own arguments, permissions, a
 * missing object) and a 429 is throttling that its caller retries.
 */
import { ErrorCode, Reason } from '../errors/codes.js';
import type { ClusterError } from './types.js';

/** The parts of a Kubernetes `Status` error body the gateway uses (metav1.Status). */
export interface KubeStatus {
  /** HTTP status the server meant (usually the answer's own). */
  code?: number;
  /** StatusReason, e.g. `NotFound`, `BadRequest`, `Invalid`, `TooManyRequests`. */
  reason?: string;
  /** The server's human-readable message (kept as the member said it, in the summary only). */
  message?: string;
  details?: { name?: string; kind?: string; group?: string; retryAfterSeconds?: number; causes?: Array<{ field?: string; message?: string; reason?: string }> };
}

/** An HTTP answer other than 2xx, or a transport failure (status 0), or our own timeout. */
export class UpstreamError extends Error {
  /** HTTP status; 0 for transport failures (connection refused, reset, TLS). */
  readonly status: number;
  /** True when the gateway gave up waiting (per-call timeout). */
  readonly timedOut: boolean;
  /** `reason` of a Kubernetes Status body, when one came back. */
  readonly reason?: string;
  /** The Status body's details (kind, name, causes, retryAfterSeconds), when one came back. */
  readonly details?: KubeStatus['details'];
  /** Seconds the server asked us to wait (Retry-After header or Status details), when it said. */
  readonly retryAfterSeconds?: number;

  constructor(
    message: string,
    status: number,
    options: { timedOut?: boolean; reason?: string; details?: KubeStatus['details']; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'UpstreamError';
    this.status = status;
    this.timedOut = options.timedOut ?? false;
    if (options.reason !== undefined) this.reason = options.reason;
    if (options.details !== undefined) this.details = options.details;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /**
   * The error of a non-2xx answer, from its status, its body (a Status object when the server is a
   * kube-apiserver) and its Retry-After header. `what` names the request (`GET /api/v1/pods`); the body is
   * read for its Status fields only and never copied whole into the message.
   */
  static fromAnswer(what: string, status: number, body: string, retryAfter?: string | string[]): UpstreamError {
    const parsed = parseStatus(body);
    const headerSeconds = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
    const retryAfterSeconds = headerSeconds ?? parsed?.details?.retryAfterSeconds;
    const summary = [`HTTP ${status}`, parsed?.reason, parsed?.message].filter((s) => s !== undefined && s !== '').join(' ');
    return new UpstreamError(`${what}: ${summary}`, status, {
      ...(parsed?.reason ? { reason: parsed.reason } : {}),
      ...(parsed?.details ? { details: parsed.details } : {}),
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    });
  }
}

/** The Status fields of an error body, or undefined when it is not a Status (proxies answer HTML or text). */
export function parseStatus(body: string): KubeStatus | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || (parsed as { kind?: unknown }).kind !== 'Status') return undefined;
  const s = parsed as Record<string, unknown>;
  const out: KubeStatus = {};
  if (typeof s['code'] === 'number') out.code = s['code'];
  if (typeof s['reason'] === 'string' && s['reason']) out.reason = s['reason'];
  // Bounded: a member's message is quoted in our errors, and one that is megabytes long must not be.
  if (typeof s['message'] === 'string' && s['message']) out.message = s['message'].length > 500 ? `${s['message'].slice(0, 500)}…` : s['message'];
  if (s['details'] && typeof s['details'] === 'object') out.details = s['details'] as KubeStatus['details'];
  return out;
}

/** Retry-After in seconds (delta-seconds or an HTTP date), undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const n = Number(value);
  if (Number.isFinite(n) && n >= 0) return n;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

/** A classification: the public code and, where one says more, the reason. */
export interface Classified {
  code: ErrorCode;
  reason?: Reason;
}

/** A member does not serve the API asked for: "this does not exist there". */
export const API_NOT_SERVED: Classified = { code: ErrorCode.NOT_FOUND, reason: Reason.API_NOT_SERVED };

/**
 * Classifies an upstream failure by its Status `reason` (what a kube-apiserver means) and else by the HTTP
 * status; timeouts and transport failures (status 0) first.
 */
export function classify(status: number, statusReason?: string, timedOut = false): Classified {
  if (timedOut) return { code: ErrorCode.UPSTREAM_TIMEOUT };
  switch (statusReason) {
    case 'NotFound':
      return { code: ErrorCode.NOT_FOUND };
    case 'BadRequest':
      return { code: ErrorCode.BAD_USER_INPUT, reason: Reason.UPSTREAM_BAD_REQUEST };
    case 'Invalid':
      return { code: ErrorCode.BAD_USER_INPUT, reason: Reason.UPSTREAM_INVALID };
    case 'Unauthorized':
    case 'Forbidden':
      return { code: ErrorCode.FORBIDDEN };
    case 'Conflict':
    case 'AlreadyExists':
      return { code: ErrorCode.CONFLICT };
    case 'TooManyRequests':
      return { code: ErrorCode.RATE_LIMITED, reason: Reason.UPSTREAM_THROTTLED };
    case 'Timeout':
    case 'ServerTimeout':
      return { code: ErrorCode.UPSTREAM_TIMEOUT };
    case 'ServiceUnavailable':
    case 'InternalError':
      return { code: ErrorCode.CLUSTER_UNAVAILABLE };
    default:
      break;
  }
  if (status === 0) return { code: ErrorCode.CLUSTER_UNAVAILABLE };
  if (status === 504) return { code: ErrorCode.UPSTREAM_TIMEOUT };
  if (status >= 500) return { code: ErrorCode.CLUSTER_UNAVAILABLE };
  if (status === 401 || status === 403) return { code: ErrorCode.FORBIDDEN };
  if (status === 404) return { code: ErrorCode.NOT_FOUND };
  if (status === 409 || status === 410) return { code: ErrorCode.CONFLICT };
  if (status === 422) return { code: ErrorCode.BAD_USER_INPUT, reason: Reason.UPSTREAM_INVALID };
  if (status === 429) return { code: ErrorCode.RATE_LIMITED, reason: Reason.UPSTREAM_THROTTLED };
  if (status >= 400) return { code: ErrorCode.BAD_USER_INPUT, reason: Reason.UPSTREAM_BAD_REQUEST };
  // A 1xx/3xx where a 2xx was expected: the member (or a proxy in front of it) misbehaves.
  return { code: ErrorCode.CLUSTER_UNAVAILABLE };
}

/**
 * Whether a failure says the member itself is unwell (transport failure, 5xx, timeout) and so counts in its
 * circuit breaker. A request's own 4xx, a 404 and a 429 never do.
 */
export function countsAgainstMember(error: Pick<ClusterError, 'code'>): boolean {
  return error.code === ErrorCode.CLUSTER_UNAVAILABLE || error.code === ErrorCode.UPSTREAM_TIMEOUT;
}

/** Whether a per-cluster failure is "the member does not serve this API". */
export function isApiNotServed(error: Pick<ClusterError, 'reason'>): boolean {
  return error.reason === Reason.API_NOT_SERVED;
}

/** A ClusterError built by the gateway itself (not from an upstream answer). */
export function clusterError(cluster: string, classified: Classified, message: string): ClusterError {
  return { code: classified.code, ...(classified.reason ? { reason: classified.reason } : {}), message: `${cluster}: ${message}`, cluster };
}

/**
 * Any thrown value → a ClusterError naming the cluster. `override` replaces the classification (callers
 * that know better, e.g. a 404 on discovery means API_NOT_SERVED).
 *
 * Errors of client-node (its Watch: `statusCode`; an ApiException: numeric `code`, whose message carries
 * the answer's headers and body) are summarised by their status alone, never by their message.
 */
export function toClusterError(cluster: string, err: unknown, override?: Classified): ClusterError {
  if (err instanceof UpstreamError) {
    const classified = override ?? classify(err.status, err.reason, err.timedOut);
    return { ...clusterError(cluster, classified, err.message), ...(err.status ? { status: err.status } : {}) };
  }
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown; name?: unknown } | null | undefined;
  const status = typeof e?.statusCode === 'number' ? e.statusCode : typeof e?.code === 'number' ? e.code : 0;
  const timedOut = e?.name === 'TimeoutError';
  const classified = override ?? classify(status, undefined, timedOut);
  // A transport failure's message (ECONNREFUSED, a TLS error) says what happened and holds no answer.
  const message = status === 0 && typeof e?.message === 'string' ? e.message : status ? `HTTP ${status}` : String(err);
  return { ...clusterError(cluster, classified, message), ...(status ? { status } : {}) };
}
