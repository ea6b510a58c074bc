/**
 * The ONE list of error codes the API uses (DESIGN.md "Conventions"; documented to clients as the
 * `ErrorCode` enum in schema/common.graphql), and the constructors that build GraphQL errors with them.
 * Every error the gateway sends carries `extensions.code` from this list; errors about one member carry
 * `extensions.cluster`, input errors `extensions.field`.
 */
import { GraphQLError } from 'graphql';
import type { ClusterError } from '../fleet/types.js';
import { CONTROL_PLANE } from '../fleet/types.js';

// The one vocabulary lives in src/errors/codes.ts (no imports, so the fleet and cache layers can use it
// too); this module re-exports it for the GraphQL layer and builds GraphQL errors with it.
export { ErrorCode, Reason } from '../errors/codes.js';
import { ErrorCode, type Reason } from '../errors/codes.js';

/** Any gateway error with its code and extra extensions. */
export function apiError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** A client mistake about the request itself (document, variables, transport), with its Reason. */
export function requestError(code: ErrorCode, reason: Reason, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code, reason } });
}

/** A rejected argument; `field` is the argument path, e.g. `filter.labelSelector`. */
export function badUserInput(message: string, field: string): GraphQLError {
  return apiError(ErrorCode.BAD_USER_INPUT, message, { field });
}

/** The named object does not exist. */
export function notFound(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return apiError(ErrorCode.NOT_FOUND, message, extensions);
}

/**
 * A per-cluster failure from the data layer as a GraphQL error: its code and reason as the fleet layer
 * classified them (src/fleet/UpstreamError.ts, from the upstream's Status), and the cluster it concerns.
 * The control plane is named `karmada` to clients (its CONTROL_PLANE key is internal).
 */
export function clusterFailure(error: ClusterError): GraphQLError {
  const cluster = error.cluster === CONTROL_PLANE ? 'karmada' : error.cluster;
  return apiError(error.code, error.message, { cluster, ...(error.reason ? { reason: error.reason } : {}) });
}

/** Whether an error is one of ours (has a listed code), to leave it untouched when formatting. */
export function hasKnownCode(error: { extensions?: Record<string, unknown> }): boolean {
  const code = error.extensions?.code;
  return typeof code === 'string' && code in ErrorCode;
}
