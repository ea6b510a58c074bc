/**
 * The ONE error formatter of both transports: every error leaves with `extensions.code` from the one list
 * (src/errors/codes.ts) and no stack trace. Errors the gateway made carry their code already. Apollo's own
 * request errors (before the core sees the request: body shape, CSRF prevention, persisted queries, GET with
 * a mutation) carry Apollo's codes, mapped here onto BAD_USER_INPUT with a Reason: a client mistake is never
 * INTERNAL. Anything else is our bug: logged once with the request id and stack, answered with a message
 * that leaks nothing.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, Reason } from '../errors/codes.js';
import type { Logger } from '../server/logger.js';

/** Apollo Server's codes (ApolloServerErrorCode) of errors about the request, with the Reason each means. */
const APOLLO_REASONS: Readonly<Record<string, Reason>> = {
  GRAPHQL_PARSE_FAILED: Reason.PARSE_FAILED,
  GRAPHQL_VALIDATION_FAILED: Reason.VALIDATION_FAILED,
  BAD_USER_INPUT: Reason.BAD_VARIABLES,
  BAD_REQUEST: Reason.MALFORMED_REQUEST,
  OPERATION_RESOLUTION_FAILURE: Reason.OPERATION_NOT_FOUND,
  PERSISTED_QUERY_NOT_FOUND: Reason.PERSISTED_QUERY_NOT_FOUND,
  PERSISTED_QUERY_NOT_SUPPORTED: Reason.PERSISTED_QUERY_NOT_FOUND,
};

/** The message an INTERNAL error is answered with, whatever it said. */
export const INTERNAL_MESSAGE = 'internal error (logged with this request id)';

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** The original error of a GraphQL error (a resolver's throw, a GraphQLError made from another). */
function originalOf(error: unknown): unknown {
  let e = error;
  while (e instanceof GraphQLError && e.originalError && e.originalError !== e) e = e.originalError;
  return e;
}

/** The HTTP status Apollo attached to one of its errors (`extensions.http.status`), if any. */
function httpStatusOf(error: unknown): number | undefined {
  const http = error instanceof GraphQLError ? (error.extensions.http as { status?: unknown } | undefined) : undefined;
  return typeof http?.status === 'number' ? http.status : undefined;
}

/**
 * `request` gives the request id, read only when an INTERNAL error is formatted: over HTTP the id of a request
 * that sent none is made on first read, and most requests never need one.
 */
export type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown, request?: { readonly id: string }) => GraphQLFormattedError;

/**
 * `onAnswered` is told the code and reason of every error formatted (the errors-by-code metric).
 */
export function makeErrorFormatter(logger: Logger, onAnswered?: (code: string, reason: string | undefined) => void): ErrorFormatter {
  if (!onAnswered) return formatErrorWith(logger);
  const format = formatErrorWith(logger);
  return (formatted, error, request) => {
    const out = format(formatted, error, request);
    const ext = out.extensions as { code?: unknown; reason?: unknown } | undefined;
    onAnswered(typeof ext?.code === 'string' ? ext.code : ErrorCode.INTERNAL, typeof ext?.reason === 'string' ? ext.reason : undefined);
    return out;
  };
}

function formatErrorWith(logger: Logger): ErrorFormatter {
  return (formatted, error, request) => {
    const extensions = formatted.extensions;
    const code = extensions?.code;
    if (typeof code === 'string' && KNOWN_CODES.has(code) && code !== ErrorCode.INTERNAL) {
      if (extensions && ('stacktrace' in extensions || 'http' in extensions)) {
        const { stacktrace: _s, http: _h, ...rest } = extensions;
        return { ...formatted, extensions: rest };
      }
      return formatted;
    }
    const status = httpStatusOf(error);
    // An error Apollo made about the request before the core saw it, with a 4xx of its own but no code of its
    // own (an unsupported persisted-query version): a malformed request.
    const apolloReason = typeof code === 'string' && APOLLO_REASONS[code] ? APOLLO_REASONS[code]
      : status !== undefined && status >= 400 && status < 500 ? Reason.MALFORMED_REQUEST : undefined;
    if (apolloReason) {
      // Apollo answers a GET carrying a mutation with 405: its own reason, the same code.
      const reason = code === 'BAD_REQUEST' && status === 405 ? Reason.MUTATION_OVER_GET : apolloReason;
      const { stacktrace: _s, http: _h, ...rest } = extensions ?? {};
      return { ...formatted, extensions: { ...rest, code: ErrorCode.BAD_USER_INPUT, reason } };
    }
    const original = originalOf(error);
    const requestId = request?.id;
    logger.error({ err: original instanceof Error ? original : error, reqId: requestId, path: formatted.path }, 'internal error while answering a request');
    return {
      message: INTERNAL_MESSAGE,
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.INTERNAL, ...(requestId ? { requestId } : {}) },
    };
  };
}
