/**
 * The gateway's ONE error vocabulary (issue 10: "one error vocabulary"), shared by every layer: the fleet
 * connector, the cache, Operations and the GraphQL request core all speak it, so nothing downstream has to
 * classify an error by its message text.
 *
 * - `ErrorCode` is `extensions.code` of every GraphQL error the gateway sends, and is documented to clients
 *   as the `ErrorCode` enum in schema/common.graphql (keep the two lists identical).
 * - `Reason` is the machine-readable detail beside it (`extensions.reason`, and `Operation.reason` for
 *   failed or cancelled Operations), documented as the `ErrorReason` enum in schema/common.graphql.
 *
 * Why a separate room (`src/errors/`): the fleet and cache layers must not import the GraphQL layer, yet they
 * produce most of the codes. This file has no imports.
 */

export const ErrorCode = {
  /** An argument or document is malformed, or an upstream refused the request's own arguments (4xx). */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** No valid credentials were presented. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The caller may not do this, or a member refused the request (401/403 upstream). */
  FORBIDDEN: 'FORBIDDEN',
  /** The object, cluster or API asked for does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** A member (or the control plane) could not be reached or answered 5xx; its fields are null. */
  CLUSTER_UNAVAILABLE: 'CLUSTER_UNAVAILABLE',
  /** A member did not answer within its timeout; its fields are null. */
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  /** A write lost an optimistic-concurrency race, or an idempotency key was reused differently. */
  CONFLICT: 'CONFLICT',
  /** The document is over a limit (size, tokens, depth, aliases, directives, cost). */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** Too many requests: the caller's, or the upstream's throttling (429) after retries. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** A bug of ours. Logged once with the request id and stack; the message leaks nothing. */
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Machine-readable details (`extensions.reason`, `Operation.reason`). Append new values here (and to
 * `ErrorReason` in schema/common.graphql); never put free strings in `reason`.
 */
export const Reason = {
  // --- documents and transports ---
  /** The request body is over the body limit (HTTP 413). */
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  /** The document text is over the byte limit; refused before parsing. */
  DOCUMENT_TOO_LARGE: 'DOCUMENT_TOO_LARGE',
  /** The document has more tokens than the limit; refused while parsing. */
  TOO_MANY_TOKENS: 'TOO_MANY_TOKENS',
  /** Depth limit. */
  DEPTH_LIMIT: 'DEPTH_LIMIT',
  /** Alias limit (`__typename` aliases count too). */
  ALIAS_LIMIT: 'ALIAS_LIMIT',
  /** Directive limit. */
  DIRECTIVE_LIMIT: 'DIRECTIVE_LIMIT',
  /** Cost limit (page sizes weighed with the request's variables). */
  COST_LIMIT: 'COST_LIMIT',
  /** The request is not valid GraphQL over HTTP (bad JSON, content type, missing query, batch). */
  MALFORMED_REQUEST: 'MALFORMED_REQUEST',
  /** The document does not parse. */
  PARSE_FAILED: 'PARSE_FAILED',
  /** The document does not validate against the schema. */
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  /** A variable's value does not match its type, or a required one is missing. */
  BAD_VARIABLES: 'BAD_VARIABLES',
  /** No operation with that name, or several and none named. */
  OPERATION_NOT_FOUND: 'OPERATION_NOT_FOUND',
  /** A subscription was sent over HTTP: subscriptions need the WebSocket (graphql-ws) on the same URL. */
  SUBSCRIPTION_OVER_HTTP: 'SUBSCRIPTION_OVER_HTTP',
  /** A mutation over HTTP GET. */
  MUTATION_OVER_GET: 'MUTATION_OVER_GET',
  /** Apollo's CSRF prevention refused a simple request (add `apollo-require-preflight` or a JSON content type). */
  CSRF_PREVENTION: 'CSRF_PREVENTION',
  /** Automatic persisted queries: the hash is unknown. */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  /** Automatic persisted queries: the hash does not match the query. */
  PERSISTED_QUERY_HASH_MISMATCH: 'PERSISTED_QUERY_HASH_MISMATCH',
  /** The request's `Origin` is neither the gateway's own nor listed in `--allowed-origins`. */
  ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED',
  /** Too many operations at once on one WebSocket connection. */
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',

  // --- the fleet ---
  /** The argument names a cluster the fleet does not have (`extensions.members` lists those it has). */
  UNKNOWN_CLUSTER: 'UNKNOWN_CLUSTER',
  /** The member does not serve this API group/version/kind. */
  API_NOT_SERVED: 'API_NOT_SERVED',
  /** The member's breaker is open after transport failures, 5xx or timeouts; it is retried shortly. */
  MEMBER_CIRCUIT_OPEN: 'MEMBER_CIRCUIT_OPEN',
  /** The upstream refused the request's own arguments (its Status reason `BadRequest`). */
  UPSTREAM_BAD_REQUEST: 'UPSTREAM_BAD_REQUEST',
  /** The upstream found the request invalid (its Status reason `Invalid`, 422). */
  UPSTREAM_INVALID: 'UPSTREAM_INVALID',
  /** The upstream throttled the request (429) and retries did not get through. */
  UPSTREAM_THROTTLED: 'UPSTREAM_THROTTLED',
  /** A PodDisruptionBudget refused an eviction (429 on pods/eviction). */
  DISRUPTION_BUDGET: 'DISRUPTION_BUDGET',
  /** The kind is served in fetch mode and cannot be watched for this subscription. */
  KIND_NOT_WATCHED: 'KIND_NOT_WATCHED',

  // --- Operations ---
  /** The step failed (see the step's message). */
  STEP_FAILED: 'STEP_FAILED',
  /** The gateway running it stopped before it finished; the steps say what really happened. */
  INTERRUPTED: 'INTERRUPTED',
  /** Cancelled by a caller. */
  CANCELLED: 'CANCELLED',
  /** The Operation cannot be cancelled (middleware Operation CRs). */
  NOT_CANCELLABLE: 'NOT_CANCELLABLE',
  /** The Operation has already finished. */
  ALREADY_FINISHED: 'ALREADY_FINISHED',
  /** A drain waited for PodDisruptionBudgets longer than allowed. */
  PDB_TIMEOUT: 'PDB_TIMEOUT',
  /** The mutation is switched off by configuration. */
  MUTATION_DISABLED: 'MUTATION_DISABLED',
  /** The idempotency key was used before with other arguments. */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',

  // --- Authentication (src/auth/refusalAnswer.ts) ---
  /** No bearer token was sent in a mode that needs one (HTTP 401, WebSocket close 4403). */
  TOKEN_MISSING: 'TOKEN_MISSING',
  /** The bearer token is unknown, malformed or badly signed (HTTP 401, WebSocket close 4403). */
  TOKEN_INVALID: 'TOKEN_INVALID',
  /** The bearer token is past its expiry or not valid yet (HTTP 401, WebSocket close 4403). */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** The bearer token was issued for another audience (client id) (HTTP 401, WebSocket close 4403). */
  TOKEN_WRONG_AUDIENCE: 'TOKEN_WRONG_AUDIENCE',
  /** The token cannot be verified right now (issuer or control plane unreachable): retry as is (HTTP 503, close 1013). */
  AUTH_UNAVAILABLE: 'AUTH_UNAVAILABLE',

  // --- Limits per identity (src/ratelimit/) ---
  /** The caller's request budget (`--rate-limit-per-minute`) is spent: retry after `extensions.retryAfter` seconds (HTTP 429 + Retry-After). */
  RATE_LIMIT_EXCEEDED: 'RATE_LIMIT_EXCEEDED',
  /** The caller has too many WebSocket connections open (`--ws-max-connections-per-user`; close 4429). */
  TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
  /** The caller has too many operations running over all its WebSocket connections (`--max-subscriptions-per-user`). */
  TOO_MANY_USER_SUBSCRIPTIONS: 'TOO_MANY_USER_SUBSCRIPTIONS',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];
