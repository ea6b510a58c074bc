/**
 * The ONE list of error codes the API uses (DESIGN.md "Conventions"; documented to clients as the
 * `ErrorCode` enum in schema/common.graphql), and the constructors that build GraphQL errors with them.
 * Every error the gateway sends carries `extensions.code` from this list; errors about one member carry
 * `extensions.cluster`, input errors `extensions.field`.
 */
import { GraphQLError } from 'graphql';
import type { ClusterError } from '../fleet/types.js';
import { CONTROL_PLANE } from '../fleet/types.js';

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CLUSTER_UNAVAILABLE: 'CLUSTER_UNAVAILABLE',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  CONFLICT: 'CONFLICT',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Any gateway error with its code and extra extensions. */
export function apiError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
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
