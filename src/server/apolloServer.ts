/**
 * The Apollo Server instance: schema (schema/*.graphql + resolvers), query limits, the partial-errors
 * plugin, error formatting onto the one code list, landing page disabled (Apollo's load from a CDN; we
 * serve GraphiQL ourselves), CSRF prevention kept (Apollo's default).
 */
import { ApolloServer, type ApolloServerPlugin, type GraphQLRequestListener } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLFormattedError } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { ErrorCode, hasKnownCode } from '../graphql/errors.js';
import { CostLimitCache, DEFAULT_LIMITS, LIMIT_PREFIX, limitRules, type QueryLimits } from '../graphql/limits.js';
import { resolvers } from '../graphql/resolvers/index.js';
import { loadTypeDefs } from '../graphql/typeDefs.js';
import type { Logger } from './logger.js';

/** Apollo's own codes mapped onto ours (DESIGN.md: one list). */
const APOLLO_CODES: Record<string, string> = {
  GRAPHQL_PARSE_FAILED: ErrorCode.BAD_USER_INPUT,
  GRAPHQL_VALIDATION_FAILED: ErrorCode.BAD_USER_INPUT,
  BAD_USER_INPUT: ErrorCode.BAD_USER_INPUT,
  BAD_REQUEST: ErrorCode.BAD_USER_INPUT,
  OPERATION_RESOLUTION_FAILURE: ErrorCode.BAD_USER_INPUT,
  PERSISTED_QUERY_NOT_FOUND: ErrorCode.BAD_USER_INPUT,
  PERSISTED_QUERY_NOT_SUPPORTED: ErrorCode.BAD_USER_INPUT,
  INTERNAL_SERVER_ERROR: ErrorCode.INTERNAL,
};

export function formatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const extensions = { ...(formatted.extensions ?? {}) };
    if (formatted.message.startsWith(LIMIT_PREFIX)) {
      extensions.code = ErrorCode.QUERY_TOO_COMPLEX;
    } else if (!hasKnownCode({ extensions })) {
      const code = typeof extensions.code === 'string' ? APOLLO_CODES[extensions.code] : undefined;
      extensions.code = code ?? ErrorCode.INTERNAL;
      if (extensions.code === ErrorCode.INTERNAL) {
        logger.error({ err: error }, 'internal error while resolving a request');
      }
    }
    delete extensions.stacktrace;
    return { ...formatted, extensions };
  };
}

/**
 * Appends the per-request member failures collected beside fields that still answered. The hooks are one
 * object for every request (they keep nothing between calls): no per-request closure on the hot path.
 */
const partialErrorsHooks: GraphQLRequestListener<GraphQLContext> = {
  async willSendResponse({ response, contextValue }) {
    if (response.body.kind !== 'single' || !contextValue.partial || contextValue.partial.size === 0) return;
    const extra = contextValue.partial.list().map((e) => e.toJSON());
    const result = response.body.singleResult;
    result.errors = [...(result.errors ?? []), ...extra];
  },
};

export const partialErrorsPlugin: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return partialErrorsHooks;
  },
};

/**
 * The query cost limit, checked once Apollo has resolved the operation: unlike validation, this hook sees
 * the request's variables, so `first: $n` costs what `first: 5000` does. Throwing here ends the request
 * before execution (no resolver, no upstream call) with the error's 400. Apollo hands the same parsed
 * document to every request with the same text, so a CostLimitCache weighs each (operation, page sizes)
 * once rather than on every request.
 */
export function costLimitPlugin(limits: QueryLimits): ApolloServerPlugin<GraphQLContext> {
  const costs = new CostLimitCache(limits);
  const hooks: GraphQLRequestListener<GraphQLContext> = {
    async didResolveOperation({ schema, document, operation, request }) {
      if (!operation) return; // Apollo has already refused an unresolvable operation
      const error = costs.check(schema, document, operation, request.variables);
      if (error) throw error;
    },
  };
  return {
    async requestDidStart() {
      return hooks;
    },
  };
}

export interface GatewayApolloOptions {
  logger: Logger;
  /** @default DEFAULT_LIMITS */
  limits?: QueryLimits;
  /** More plugins (drain, WS disposal). @default [] */
  plugins?: Array<ApolloServerPlugin<GraphQLContext>>;
}

export function createApolloServer(options: GatewayApolloOptions): ApolloServer<GraphQLContext> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  return new ApolloServer<GraphQLContext>({
    typeDefs: loadTypeDefs(),
    resolvers: resolvers as never,
    validationRules: limitRules(limits),
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError: formatError(options.logger),
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // The schema has no @cacheControl hints, so every answer is uncacheable (`cache-control: no-store`,
      // which the HTTP handler sets). Apollo's cache-control plugin would still wrap every field resolver
      // to compute that, for each request.
      ApolloServerPluginCacheControlDisabled(),
      costLimitPlugin(limits),
      partialErrorsPlugin,
      ...(options.plugins ?? []),
    ],
    logger: options.logger,
  });
}
