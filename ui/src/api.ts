/**
 * The dashboard's transport: GraphQL over HTTP (fetch, POST /graphql) and ONE graphql-ws connection for every
 * subscription, both carrying the signed-in user's token (`Authorization: Bearer`, and `connectionParams`
 * `{ authorization }` as src/server/ws.ts reads it). The token lives in sessionStorage (this tab only).
 */
import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentString } from './gql/graphql';

const TOKEN_KEY = 'fleetgraph.token';

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage disabled: the token lasts as long as the page */
  }
  memoryToken = token;
  resetSocket();
}

let memoryToken: string | null = storedToken();

export interface GraphQLErrorShape {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

/** A request that answered errors (or no data): its first error's code is `code`. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly errors: GraphQLErrorShape[],
    readonly status: number,
  ) {
    super(message);
  }
}

const endpoint = new URL('/graphql', window.location.href);

/** Runs a typed document; resolves its data (partial data with errors too: `errors` is then set). */
export async function request<R, V>(document: TypedDocumentString<R, V>, variables?: V): Promise<{ data: R; errors?: GraphQLErrorShape[] }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
  if (memoryToken) headers.authorization = `Bearer ${memoryToken}`;
  const res = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }) });
  let body: { data?: R | null; errors?: GraphQLErrorShape[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new RequestError(`HTTP ${res.status}`, res.status === 401 ? 'UNAUTHENTICATED' : undefined, [], res.status);
  }
  if (body.data == null) {
    const first = body.errors?.[0];
    const code = first?.extensions?.code ?? (res.status === 401 ? 'UNAUTHENTICATED' : undefined);
    throw new RequestError(first?.message ?? `HTTP ${res.status}`, code, body.errors ?? [], res.status);
  }
  return body.errors?.length ? { data: body.data, errors: body.errors } : { data: body.data };
}

let socket: Client | undefined;
export type SocketState = 'connected' | 'closed' | 'unauthorized';
type SocketListener = (state: SocketState) => void;
const socketListeners = new Set<SocketListener>();

/** Connection state changes of the one graphql-ws connection (for the status badge). */
export function onSocketState(listener: SocketListener): () => void {
  socketListeners.add(listener);
  return () => socketListeners.delete(listener);
}

function client(): Client {
  if (!socket) {
    const url = new URL('/graphql', window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = createClient({
      url: url.href,
      lazy: true,
      retryAttempts: Number.POSITIVE_INFINITY,
      // 4403: the token is missing, refused or expired (src/server/ws.ts): retrying with it cannot help.
      shouldRetry: (event) => (event as { code?: number } | undefined)?.code !== 4403,
      connectionParams: () => (memoryToken ? { authorization: `Bearer ${memoryToken}` } : {}),
      on: {
        connected: () => socketListeners.forEach((l) => l('connected')),
        closed: (event) => {
          const unauthorized = (event as { code?: number } | undefined)?.code === 4403;
          socketListeners.forEach((l) => l(unauthorized ? 'unauthorized' : 'closed'));
        },
      },
    });
  }
  return socket;
}

function resetSocket(): void {
  const old = socket;
  socket = undefined;
  void old?.dispose();
}

export interface SubscriptionHandlers<R> {
  next(data: R): void;
  error?(error: RequestError): void;
  complete?(): void;
}

/** Subscribes over the shared connection; returns the unsubscribe function. */
export function subscribe<R, V>(document: TypedDocumentString<R, V>, variables: V | undefined, handlers: SubscriptionHandlers<R>): () => void {
  return client().subscribe<R>(
    { query: document.toString(), variables: (variables ?? {}) as Record<string, unknown> },
    {
      next: (result) => {
        if (result.data) handlers.next(result.data as R);
        else if (result.errors?.length) {
          const first = result.errors[0] as GraphQLErrorShape;
          handlers.error?.(new RequestError(first.message, first.extensions?.code, result.errors as GraphQLErrorShape[], 0));
        }
      },
      error: (err: unknown) => {
        const list = Array.isArray(err) ? (err as GraphQLErrorShape[]) : [];
        const message = list[0]?.message ?? (err instanceof Error ? err.message : 'subscription closed');
        handlers.error?.(new RequestError(message, list[0]?.extensions?.code, list, 0));
      },
      complete: () => handlers.complete?.(),
    },
  );
}
