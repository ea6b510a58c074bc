/**
 * graphql-ws on the gateway's HTTP server, same port and path (`ws://host:port/graphql`): the WebSocket
 * adapter of the request core (src/request/RequestCore.ts). It authenticates `connection_init` through the
 * core as HTTP requests are (`core.authenticate`: the payload's `{ "authorization": "Bearer …" }`, else the
 * upgrade request's `Authorization` header), enforces the per-connection operation cap, and hands each operation's text,
 * name and variables to the core, which refuses it (as over HTTP: same errors, codes and reasons) or
 * prepares it; graphql-ws then runs it through the core's `execute` and `subscribe`, and every result
 * leaves through the core's formatter. Routing, queues and replicas are the subscription engine's business
 * (src/subscriptions/).
 *
 * Mutations are audited as over HTTP: each operation's context carries the upgrade request's `x-request-id`
 * (else an id of its own), the socket's remote address and `user-agent`. Every operation is counted in the
 * request statistics (transport `WEBSOCKET`): a query or mutation once executed, a subscription once its
 * stream is set up (or refused), a refused operation at once.
 *
 * Close codes (src/auth/refusalAnswer.ts): a missing, unknown, expired or foreign token → 4403 (graphql-ws'
 * Forbidden); a token that cannot be verified right now (issuer or control plane down) → 1013 Try Again
 * Later; an accepted token closes its socket with 4403 when it expires (src/auth/credentialExpiry.ts). An operation the core
 * refuses, or one that fails, gets an `error` message for that operation only: the core never throws, so
 * graphql-ws never closes the socket with 4500 over one operation.
 *
 * Limits per identity (issue 12): every operation takes one request from its caller's budget through the core
 * (`core.admit`, before parsing; over it the operation gets RATE_LIMITED / RATE_LIMIT_EXCEEDED with
 * `retryAfter`); a user's connections over `maxConnectionsPerUser` are closed with 4429 instead of acknowledged;
 * a user's operations over `maxSubscriptionsPerUser`, counted over all its connections, get RATE_LIMITED /
 * TOO_MANY_USER_SUBSCRIPTIONS. The two caps are counted by `capCounter` (src/ratelimit/ConcurrencyCounter.ts):
 * over every replica through Redis when the gateway has one, else per replica in memory.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Extra } from 'graphql-ws/use/ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { RequestCount } from '../audit/requestStatistics.js';
import { ErrorCode, Reason } from '../errors/codes.js';
import type { Identity } from '../graphql/authorize.js';
import type { GraphQLContext, RequestInfo } from '../graphql/context.js';
import { apiError, requestError } from '../graphql/errors.js';
import type { SubscriptionContext, SubscriptionServices } from '../graphql/subscriptions/subscriptionContext.js';
import type { RequestCore } from '../request/RequestCore.js';
import { MemoryConcurrencyCounter, type ConcurrencyCounter } from '../ratelimit/ConcurrencyCounter.js';
import { EXPIRED_CLOSE_CODE, onCredentialExpiry } from '../auth/credentialExpiry.js';

export interface GraphQLWebSocketOptions {
  httpServer: Server;
  /** The request core HTTP reaches too: one schema, one pipeline, one formatter. */
  core: RequestCore;
  services: SubscriptionServices;
  /**
   * Decides on each upgrade before any GraphQL (browsers: the `Origin` check); false answers 403.
   * @default every upgrade is accepted
   */
  verifyUpgrade?: (request: IncomingMessage) => boolean;
  /** Counts both per-user caps (shared across replicas when Redis-backed). @default this process' memory */
  capCounter?: ConcurrencyCounter;
  /** Operations running at once on one connection; over it, that operation errors and the socket stays open. @default 100 */
  maxSubscriptionsPerConnection?: number;
  /**
   * WebSocket connections one user may hold open (over every replica with a shared `capCounter`); over it, connection_init is answered by
   * closing the socket with 4429 (reason TOO_MANY_CONNECTIONS). 0 = no cap. @default 20
   */
  maxConnectionsPerUser?: number;
  /**
   * Operations one user may have running at once over all its connections (to every replica with a shared
   * `capCounter`); over it, that
   * operation errors RATE_LIMITED (reason TOO_MANY_USER_SUBSCRIPTIONS) and the socket stays open. 0 = no cap.
   * @default 200
   */
  maxSubscriptionsPerUser?: number;
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
  /** The caller the per-user caps count under (user name, or source address when anonymous). */
  userKey: string;
  /** Where the connection came from, read from the upgrade request once (the socket may close later). */
  origin: ConnectionOrigin;
  /** The connection's holder id in the cap counter; its operations' are `<id>/<operation id>`. */
  holder: string;
  /** Operation ids holding a slot of the per-user operation cap, released when each ends or the socket closes. */
  operations: Set<string>;
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

/** The id a connection's own log lines carry: the upgrade's `x-request-id`, else one made when first read. */
function connectionRequestOf(request: IncomingMessage): { readonly id: string } {
  const given = request.headers['x-request-id'];
  let id = (Array.isArray(given) ? given[0] : given)?.slice(0, 200) || undefined;
  return { get id() { return (id ??= randomUUID()); } };
}

/** One operation's trace fields: the connection's `x-request-id`, or an id of its own when none was sent. */
function requestInfoOf(origin: ConnectionOrigin): RequestInfo {
  return { id: origin.requestId ?? randomUUID(), sourceIp: origin.sourceIp, userAgent: origin.userAgent };
}

export function attachGraphQLWebSocket(options: GraphQLWebSocketOptions): GraphQLWebSocket {
  const { core } = options;
  const cap = options.maxSubscriptionsPerConnection ?? 100;
  const connectionCap = options.maxConnectionsPerUser ?? 20;
  const userOperationCap = options.maxSubscriptionsPerUser ?? 200;
  const caps = options.capCounter ?? new MemoryConcurrencyCounter();
  const states = new WeakMap<object, ConnectionState>();
  /** The statistics count of each operation that passed onSubscribe, until onOperation sees its outcome. */
  const counts = new WeakMap<object, { count: RequestCount; name: string | undefined; type: string }>();
  const requestOf = (args: { contextValue?: unknown }) => (args.contextValue as GraphQLContext | undefined)?.request;

  const releaseOperation = (state: ConnectionState, id: string) => {
    if (state.operations.delete(id)) caps.release(state.userKey, 'operations', `${state.holder}/${id}`);
  };

  const wss = new WebSocketServer({
    server: options.httpServer,
    path: '/graphql',
    maxPayload: options.maxPayloadBytes ?? 1024 * 1024,
    // ws's callback form, to answer 403 (its synchronous form answers 401, which says "send credentials").
    ...(options.verifyUpgrade ? {
      verifyClient: (info: { req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void) => {
        if (options.verifyUpgrade!(info.req)) done(true);
        else done(false, 403, 'Origin not allowed');
      },
    } : {}),
  });
  const server = useServer<Record<string, unknown>, Extra & Record<PropertyKey, unknown>>(
    {
      schema: core.schema,
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs ?? 3000,
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        // Log lines of the connection's authentication carry the upgrade's `x-request-id` (else an id of its own).
        const auth = await core.authenticateRequest(connectionRequestOf(request), ctx.connectionParams, request.headers.authorization);
        if (!auth.ok) {
          // Returning false makes graphql-ws close with 4403 Forbidden; "cannot verify" closes first with 1013
          // (a later close of a closing socket is ignored), so the client retries instead of giving up.
          if (auth.answer.wsCloseCode !== 4403) socket.close(auth.answer.wsCloseCode, auth.answer.reason);
          core.noteAnswered(auth.answer.code, auth.answer.reason);
          return false;
        }
        if (auth.expiresAt !== undefined && auth.expiresAt <= Date.now()) return false;
        // A connection outlives its token otherwise: close it with 4403 when the token expires.
        const cancel = onCredentialExpiry(auth.expiresAt, () => socket.close(EXPIRED_CLOSE_CODE, 'Forbidden: token expired'));
        socket.once('close', cancel);
        const origin = originOf(request);
        const userKey = auth.identity.anonymous ? `ip:${origin.sourceIp ?? 'unknown'}` : `user:${auth.identity.user}`;
        const holder = randomUUID();
        if (connectionCap > 0) {
          const taken = await caps.acquire(userKey, 'connections', connectionCap, holder);
          if (!taken) {
            // Closed before graphql-ws' own 4403 (which then is ignored): 4429 says "too many", not "forbidden".
            socket.close(TOO_MANY_CONNECTIONS_CLOSE_CODE, Reason.TOO_MANY_CONNECTIONS);
            core.noteAnswered(ErrorCode.RATE_LIMITED, Reason.TOO_MANY_CONNECTIONS);
            return false;
          }
          // Closed while the slot was being taken: its close event may have passed already, so give it back here.
          if (socket.readyState !== socket.OPEN) {
            caps.release(userKey, 'connections', holder);
            return false;
          }
        }
        const operations = new Set<string>();
        socket.once('close', () => {
          caps.release(userKey, 'connections', holder);
          for (const id of operations) caps.release(userKey, 'operations', `${holder}/${id}`);
          operations.clear();
        });
        states.set(ctx, { identity: auth.identity, userKey, origin, holder, operations });
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const state = states.get(ctx);
        if (!state) return [apiError(ErrorCode.UNAUTHENTICATED, 'not authenticated')];
        const count = core.startCount('WEBSOCKET');
        // Every operation takes one request from its caller's budget, as an HTTP request does, before any parsing.
        const admitted = core.admit(state.identity, state.origin.sourceIp);
        const retryAfter = typeof admitted === 'number' ? admitted : await admitted;
        if (retryAfter > 0) {
          count.finish(typeof payload.operationName === 'string' ? payload.operationName : undefined, true);
          return [core.rateLimitedError(retryAfter)];
        }
        // graphql-ws registers the operation before this hook, so the count includes this one.
        if (Object.keys(ctx.subscriptions).length > cap) {
          count.finish(typeof payload.operationName === 'string' ? payload.operationName : undefined, true);
          return [requestError(ErrorCode.RATE_LIMITED, Reason.TOO_MANY_SUBSCRIPTIONS, `too many operations on this connection (at most ${cap}); complete some first`)];
        }
        if (userOperationCap > 0) {
          const taken = await caps.acquire(state.userKey, 'operations', userOperationCap, `${state.holder}/${id}`);
          // Taken for an operation whose socket closed meanwhile: the close handler has run, give it back here.
          if (taken && ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) caps.release(state.userKey, 'operations', `${state.holder}/${id}`);
          else if (taken) state.operations.add(id);
          else {
            count.finish(typeof payload.operationName === 'string' ? payload.operationName : undefined, true);
            return [requestError(ErrorCode.RATE_LIMITED, Reason.TOO_MANY_USER_SUBSCRIPTIONS,
              `too many operations running for this user over all connections (at most ${userOperationCap}); complete some first`)];
          }
        }
        const prepared = core.prepare(payload, 'WEBSOCKET');
        if (prepared.kind === 'refused') {
          releaseOperation(state, id);
          count.finish(prepared.countedName, true);
          return prepared.errors as GraphQLError[];
        }
        const contextValue: SubscriptionContext = {
          // Mutations over WS are audited like HTTP ones: request id, source IP and user agent per operation.
          ...core.createContext(state.identity, requestInfoOf(state.origin)),
          subscriptions: options.services,
          shareKey: shareKeyOf(payload.query, payload.operationName, prepared.variables, state.identity),
        };
        counts.set(contextValue, { count, name: prepared.countedName, type: prepared.operation.operation });
        return core.executionArgs(prepared, contextValue);
      },
      // An operation's end (completed by either side, or its result sent): its slot of the user's cap is free.
      onComplete: (ctx, id) => {
        const state = states.get(ctx);
        if (state) releaseOperation(state, id);
      },
      execute: (args) => core.execute(args, 'WEBSOCKET'),
      subscribe: (args) => core.subscribe(args),
      // The outcome of an executed query or mutation, or of setting up a subscription's stream.
      onOperation: (_ctx, _id, _payload, args, result) => {
        // graphql-ws hands over the awaited outcome: a stream (subscription set up) or one result.
        const outcome = result as ExecutionResult | AsyncIterable<unknown>;
        const pending = counts.get(args.contextValue as object);
        counts.delete(args.contextValue as object);
        const failed = !(Symbol.asyncIterator in outcome) && Boolean(outcome.errors?.length);
        pending?.count.finish(pending.name, failed, pending.type);
        return undefined;
      },
      // Errors leave in the same shape as over HTTP: the core's one formatter (one code list, no stack traces).
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors?.length) return undefined;
        return core.formatResult(result as ExecutionResult, requestOf(args));
      },
      onError: (_ctx, _id, _payload, errors) => core.formatErrors(errors),
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

/** Close code of a connection over its user's connection cap (4429: "429 Too Many Requests" in graphql-ws' 4xxx range). */
export const TOO_MANY_CONNECTIONS_CLOSE_CODE = 4429;

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
