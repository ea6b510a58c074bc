/**
 * How the transports answer a refused token, one table for both so they cannot drift apart:
 * a bad token is 401 with `WWW-Authenticate: Bearer` (HTTP) or a 4403 close (graphql-ws' "Forbidden", what
 * its `onConnect` returning false sends); "cannot verify" is 503 with `Retry-After` (HTTP) or 1013
 * "Try Again Later" (WebSocket), and `CLUSTER_UNAVAILABLE` rather than `UNAUTHENTICATED`, because the
 * client did nothing wrong and should retry as is.
 */
import { ErrorCode, Reason } from '../errors/codes.js';
import type { AuthRefusal } from './AuthResult.js';

export interface RefusalAnswer {
  httpStatus: 401 | 503;
  /** Headers of the HTTP answer. */
  headers: Record<string, string>;
  /** Close code of a WebSocket refused at `connection_init`. */
  wsCloseCode: 4403 | 1013;
  /** `extensions.code` of the GraphQL error. */
  code: ErrorCode;
  /** `extensions.reason` of the GraphQL error: which refusal it is. */
  reason: Reason;
  /** A message safe to show (the refusal's detail, which may name the issuer, stays in the logs). */
  message: string;
}

const MESSAGES: Record<AuthRefusal['reason'], string> = {
  missing: 'authentication required: send Authorization: Bearer <token>',
  invalid: 'the bearer token is not valid',
  expired: 'the bearer token has expired or is not valid yet',
  'wrong-audience': 'the bearer token is not issued for this gateway',
  unavailable: 'the token cannot be verified right now; retry shortly',
};

const REASONS: Record<AuthRefusal['reason'], Reason> = {
  missing: Reason.TOKEN_MISSING,
  invalid: Reason.TOKEN_INVALID,
  expired: Reason.TOKEN_EXPIRED,
  'wrong-audience': Reason.TOKEN_WRONG_AUDIENCE,
  unavailable: Reason.AUTH_UNAVAILABLE,
};

export function refusalAnswer(refusal: Pick<AuthRefusal, 'reason'>): RefusalAnswer {
  if (refusal.reason === 'unavailable') {
    return { httpStatus: 503, headers: { 'Retry-After': '1' }, wsCloseCode: 1013, code: ErrorCode.CLUSTER_UNAVAILABLE, reason: REASONS.unavailable, message: MESSAGES.unavailable };
  }
  const error = refusal.reason === 'missing' ? '' : ', error="invalid_token"';
  return { httpStatus: 401, headers: { 'WWW-Authenticate': `Bearer realm="fleetgraph"${error}` }, wsCloseCode: 4403, code: ErrorCode.UNAUTHENTICATED, reason: REASONS[refusal.reason], message: MESSAGES[refusal.reason] };
}
