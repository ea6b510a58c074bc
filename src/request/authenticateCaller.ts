/**
 * The request core's first stage, for both transports: who is asking. The adapters hand over where a
 * credential may be (HTTP: the `Authorization` header; WebSocket: the `connection_init` payload, then the
 * upgrade request's header); this stage takes the bearer token out (src/auth/bearerToken.ts), asks the
 * configured Authenticator (src/auth), and answers either an identity with its expiry or a refusal already
 * translated for both transports (src/auth/refusalAnswer.ts: HTTP status and headers, WebSocket close code,
 * the GraphQL error with its code and Reason). Nothing is parsed or executed before it has answered.
 */
import type { GraphQLFormattedError } from 'graphql';
import type { AuthIdentity, Authenticator } from '../auth/AuthResult.js';
import { refused } from '../auth/AuthResult.js';
import { bearerToken } from '../auth/bearerToken.js';
import { refusalAnswer, type RefusalAnswer } from '../auth/refusalAnswer.js';
import type { Logger } from '../server/logger.js';

/** Where a credential may be: an `Authorization` header value, or a `connection_init` payload. */
export type CredentialSource = string | string[] | Readonly<Record<string, unknown>> | null | undefined;

export type Authentication =
  | {
      ok: true;
      identity: AuthIdentity;
      /** When the credential stops being valid, ms since the epoch; undefined = not known / never. */
      expiresAt?: number;
    }
  | {
      ok: false;
      /** How each transport answers it. */
      answer: RefusalAnswer;
      /** The GraphQL error of an HTTP refusal body (`extensions.code` and `extensions.reason`). */
      error: GraphQLFormattedError;
    };

/**
 * Authenticates one caller with the first source that holds a bearer token (in mode `none` no token is
 * asked for, and one sent anyway is ignored). `request`: the request whose id (`reqId`) its log lines carry.
 */
export async function authenticateCaller(authenticator: Authenticator, logger: Logger, sources: readonly CredentialSource[], request?: { readonly id: string }): Promise<Authentication> {
  // Mode none reads no header at all: the hot path of a local gateway stays as short as it was.
  let token: string | undefined;
  if (authenticator.mode !== 'none') {
    for (const source of sources) {
      token = bearerToken(source as Parameters<typeof bearerToken>[0]);
      if (token !== undefined) break;
    }
  }
  const result = authenticator.mode === 'none'
    ? await authenticator.authenticate('')
    : token === undefined
      ? refused('missing', 'no bearer token')
      : await authenticator.authenticate(token);
  if (result.ok) return result.expiresAt === undefined ? { ok: true, identity: result.identity } : { ok: true, identity: result.identity, expiresAt: result.expiresAt };
  // "Cannot verify" is an outage worth a warning; a bad token is the client's business (debug only).
  const reqId = request?.id;
  if (result.reason === 'unavailable') logger.warn({ auth: authenticator.mode, detail: result.detail, ...(reqId ? { reqId } : {}) }, 'cannot verify bearer token');
  else logger.debug({ auth: authenticator.mode, reason: result.reason, detail: result.detail, ...(reqId ? { reqId } : {}) }, 'bearer token refused');
  const answer = refusalAnswer(result);
  return { ok: false, answer, error: { message: answer.message, extensions: { code: answer.code, reason: answer.reason } } };
}
