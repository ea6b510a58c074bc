/**
 * graphql-ws on the gateway's HTTP server, same port and path (`ws://host:port/graphql`). A thin adapter:
 * it authenticates `connection_init` with the same IdentityResolver as HTTP, applies the same rules as
 * HTTP before anything runs (parse, validation with the same query limits, introspection policy, the
 * per-connection subscription cap), builds the same request context, and hands subscriptions to
 * sharedSubscribe (payloads shared per selection and identity). Routing, queues and replicas are the
 * subscription engine's business (src/subscriptions/).
 *
 * Mutations are audited as over HTTP: each operation's context carries the upgrade request's `x-request-id`
 * (else an id of its own), the socket's remote address and `user-agent`. Every operation is counted in the
 * request statistics as over HTTP (src/audit/requestStatistics.ts, transport `WEBSOCKET`): a query or
 * mutation once executed, a subscription once its stream is set up (or refused), a refused operation at once.
 *
 * Close codes are graphql-ws's: missing or unknown credentials → 4403 Forbidden. An operation refused by
 * validation, limits or the cap gets an `error` message for that operation only; the socket stays open.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { makeExecutableSchema } from '@graphql-tools/schema';
import {
  getOperationAST, GraphQLError, NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate,
  type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema, type ValidationRule,
} from 'graphql';
import type { Extra } from 'graphql-ws/use/ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { operationNameOf, startRequestCount, type RequestCount } from '../audit/requestStatistics.js';
import type { Fleet } from '../fleet/types.js';
import type { Identity } from '../graphql/authorize.js';
import { createContext, type GraphQLContext, type RequestInfo } from '../graphql/context.js';
import { ErrorCode } from '../graphql/errors.js';
import { DEFAULT_LIMITS, LIMIT_PREFIX, limitRules, queryCostError, type QueryLimits } from '../graphql/limits.js';
import { withPartialErrors } from '../graphql/partialErrors.js';
import { resolvers } from '../graphql/resolvers/index.js';
import { sharedSubscribe } from '../graphql/subscriptions/sharedExecution.js';
import type { SubscriptionContext, SubscriptionServices } from '../graphql/subscriptions/subscriptionContext.js';
import { loadTypeDefs } from '../graphql/typeDefs.js';
import { formatError } from './apolloServer.js';
import type { IdentityResolver } from './identity.js';
import type { Logger } from './logger.js';

export interface GraphQLWebSocketOptions {
  httpServer: Server;
  fleet: Fleet;
  identities: IdentityResolver;
  services: SubscriptionServices;
  logger: Logger;
  /**
   * Builds the request context of one operation, as HTTP builds it (so mutations and Operation reads work
   * over WS too). @default createContext(fleet, identity)
   */
  makeContext?: (identity: Identity) => GraphQLContext;
  /** The same limits HTTP applies. @default DEFAULT_LIMITS */
  limits?: QueryLimits;
  /** Whether introspection is allowed (as on HTTP). @default true */
  introspection?: boolean;
  /** Operations running at once on one connection; over it, that operation errors and the socket stays open. @default 100 */
  maxSubscriptionsPerConnection?: number;
  /** Server → client ping interval, ms; a client that does not pong within it is dropped (0 = off). @default 12000 */
  keepAliveMs?: number;
  /** Largest message accepted, bytes (as HTTP's body limit). @default 1048576 */
  maxPayloadBytes?: number;
  /** Ms a client has to send connection_init. @default 3000 */
  connectionInitWaitTimeoutMs?: number;
}

export interface GraphQLWebSocket {
  /** Apollo plugin whose drainServer closes every socket and the WS server. */
  plugin: ApolloServerPlugin<GraphQLContext>;
  /** Open WebSocket connections. */
  readonly connections: number;
  /** Bytes written to sockets but not yet sent (slow readers), summed over connections. */
  readonly bufferedBytes: number;
  dispose(): Promise<void>;
}

interface ConnectionState {
  identity: Identity;
  /** Where the connection came from, read from the upgrade request once (the socket may close later). */
  origin: ConnectionOrigin;
}

interface ConnectionOrigin {
  /** The upgrade's `x-request-id`, if the client sent one. */
  requestId: string | null;
  sourceIp: string | null;
  userAgent: string | null;
}

/**
 * The audit trace fields of a connection, by the same rule HTTP applies to a request (graphqlHttpHandler):
 * the caller's `x-request-id` (at most 200 characters), the socket's remote address, `user-agent`.
 */
function originOf(request: IncomingMessage): ConnectionOrigin {
  const given = request.headers['x-request-id'];
  const requestId = (Array.isArray(given) ? given[0] : given)?.slice(0, 200) || null;
  return { requestId, sourceIp: request.socket?.remoteAddress ?? null, userAgent: request.headers['user-agent'] ?? null };
}

/** One operation's trace fields: the connection's `x-request-id`, or an id of its own when none was sent. */
function requestInfoOf(origin: ConnectionOrigin): RequestInfo {
  return { id: origin.requestId ?? randomUUID(), sourceIp: origin.sourceIp, userAgent: origin.userAgent };
}

/** The credential of a connection: connection_init's `authorization`/`token`, else the upgrade's header. */
function credentialOf(params: Readonly<Record<string, unknown>> | undefined, request: IncomingMessage): string | undefined {
  const p = params ?? {};
  const fromParams = p.authorization ?? p.Authorization ?? p.token;
  if (typeof fromParams === 'string' && fromParams) return fromParams;
  const header = (p.headers as Record<string, unknown> | undefined)?.authorization;
  if (typeof header === 'string' && header) return header;
  return request.headers.authorization;
}

/** A rejected operation as HTTP reports it: same message, same code. */
function refusal(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

function validationCode(e: GraphQLError): string {
  return e.message.startsWith(LIMIT_PREFIX) ? ErrorCode.QUERY_TOO_COMPLEX : ErrorCode.BAD_USER_INPUT;
}

export function attachGraphQLWebSocket(options: GraphQLWebSocketOptions): GraphQLWebSocket {
  const schema: GraphQLSchema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as never });
  const limits = options.limits ?? DEFAULT_LIMITS;
  const rules: ValidationRule[] = [
    ...specifiedRules,
    ...limitRules(limits),
    ...(options.introspection === false ? [NoSchemaIntrospectionCustomRule] : []),
  ];
  const cap = options.maxSubscriptionsPerConnection ?? 100;
  const format = formatError(options.logger);
  const states = new WeakMap<object, ConnectionState>();
  /** The statistics count of each operation that passed onSubscribe, until onOperation sees its outcome. */
  const counts = new WeakMap<object, { count: RequestCount; name: string | null | undefined }>();

  const wss = new WebSocketServer({ server: options.httpServer, path: '/graphql', maxPayload: options.maxPayloadBytes ?? 1024 * 1024 });
  const server = useServer<Record<string, unknown>, Extra & Record<PropertyKey, unknown>>(
    {
      schema,
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs ?? 3000,
      onConnect: (ctx) => {
        const identity = options.identities.authenticate(credentialOf(ctx.connectionParams, ctx.extra.request));
        if (!identity) return false; // graphql-ws closes with 4403 Forbidden
        states.set(ctx, { identity, origin: originOf(ctx.extra.request) });
        return true;
      },
      onSubscribe: (ctx, _id, payload) => {
        const state = states.get(ctx);
        if (!state) return [refusal('not authenticated', ErrorCode.UNAUTHENTICATED)];
        const base = options.makeContext ? options.makeContext(state.identity) : createContext(options.fleet, state.identity);
        const count = startRequestCount(base.auditLog, 'WEBSOCKET');
        let document: DocumentNode | undefined;
        // A refused operation is counted as a failed request, named as the HTTP plugin names one.
        const refused = (errors: readonly GraphQLError[]) => {
          count.finish(operationNameOf(document, payload.operationName), true);
          return errors;
        };
        // graphql-ws registers the operation before this hook, so the count includes this one.
        if (Object.keys(ctx.subscriptions).length > cap) {
          return refused([refusal(`too many operations on this connection (at most ${cap}); complete some first`, ErrorCode.RATE_LIMITED)]);
        }
        try {
          document = parse(payload.query);
        } catch (e) {
          return refused([refusal(e instanceof Error ? e.message : String(e), ErrorCode.BAD_USER_INPUT)]);
        }
        const errors = validate(schema, document, rules);
        if (errors.length) return refused(errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: validationCode(e) } })));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) {
          return refused([refusal('could not determine which operation to run (give operationName)', ErrorCode.BAD_USER_INPUT)]);
        }
        // The cost limit needs the variables, so it runs here rather than in validation (as HTTP's plugin does).
        const tooCostly = queryCostError(schema, document, operation, payload.variables, limits);
        if (tooCostly) return refused([refusal(tooCostly.message, ErrorCode.QUERY_TOO_COMPLEX)]);
        const contextValue: SubscriptionContext = {
          ...base,
          // Mutations over WS are audited like HTTP ones: request id, source IP and user agent per operation.
          request: requestInfoOf(state.origin),
          subscriptions: options.services,
          shareKey: shareKeyOf(payload.query, payload.operationName, payload.variables, state.identity),
        };
        counts.set(contextValue, { count, name: operation.name?.value ?? payload.operationName });
        const args: ExecutionArgs = {
          schema,
          document,
          contextValue,
          ...(payload.operationName ? { operationName: payload.operationName } : {}),
          ...(payload.variables ? { variableValues: payload.variables } : {}),
        };
        return args;
      },
      // The outcome of an executed query or mutation, or of setting up a subscription's stream.
      onOperation: (_ctx, _id, _payload, args, result) => {
        // graphql-ws hands over the awaited outcome: a stream (subscription set up) or one result.
        const outcome = result as ExecutionResult | AsyncIterable<unknown>;
        const pending = counts.get(args.contextValue as object);
        counts.delete(args.contextValue as object);
        if (Symbol.asyncIterator in outcome) {
          pending?.count.finish(pending.name, false);
          return undefined;
        }
        // A query or mutation answers with the members that responded; those that did not are reported in
        // `errors`, as Apollo's partialErrorsPlugin does over HTTP (graphql-ws's own execute knows nothing of it).
        const answer = withPartialErrors(outcome, (args.contextValue as GraphQLContext).partial);
        pending?.count.finish(pending.name, Boolean(answer.errors?.length));
        return answer === outcome ? undefined : answer;
      },
      subscribe: sharedSubscribe,
      // Errors leave in the same shape as over HTTP (one code list, no stack traces).
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors?.length) return undefined;
        return { ...result, errors: result.errors.map((e) => format(e.toJSON(), e)) };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => format(e.toJSON(), e)),
    },
    wss,
    options.keepAliveMs ?? 12_000,
  );

  let disposing: Promise<void> | undefined;
  const dispose = (): Promise<void> => (disposing ??= Promise.resolve(server.dispose()));
  return {
    plugin: {
      async serverWillStart() {
        return {
          async drainServer() {
            await dispose();
          },
        };
      },
    },
    get connections() {
      return wss.clients.size;
    },
    get bufferedBytes() {
      let n = 0;
      for (const c of wss.clients) n += c.bufferedAmount;
      return n;
    },
    dispose,
  };
}

/**
 * Subscribers with the same query text, operation name, variables and identity scope share payloads. The
 * scope is the user and groups: what authorization may depend on.
 */
function shareKeyOf(query: string, operationName: string | null | undefined, variables: unknown, identity: Identity): string {
  const scope = `${identity.user}\u0000${[...identity.groups].sort().join(',')}`;
  return createHash('sha1')
    .update(query).update('\u0000')
    .update(operationName ?? '').update('\u0000')
    .update(JSON.stringify(variables ?? null)).update('\u0000')
    .update(scope)
    .digest('base64');
}
