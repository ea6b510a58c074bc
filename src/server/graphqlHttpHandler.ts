/**
 * GraphQL over HTTP on node:http: turns an IncomingMessage into Apollo's HTTPGraphQLRequest, runs it with
 * a per-request context (identity, loaders), and writes Apollo's answer back. The WebSocket adapter (a later
 * issue) sits beside this file and shares the identity resolver and context factory, not this code.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Fleet } from '../fleet/types.js';
import { createContext, type ContextExtras, type GraphQLContext, type RequestInfo } from '../graphql/context.js';
import { ErrorCode } from '../graphql/errors.js';
import type { IdentityResolver } from './identity.js';

/** Largest request body accepted. @default 1 MiB */
export const MAX_BODY_BYTES = 1024 * 1024;

class BodyTooLarge extends Error {}

/** Map's own `set`, bypassing HeaderMap's lower-casing (see handleGraphQLHttp). */
const setHeader: (this: Map<string, string>, key: string, value: string) => unknown = Map.prototype.set;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    // A small query arrives in one chunk: decode it as it is rather than copy it into a new buffer first.
    req.on('end', () => resolve((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8')));
    req.on('error', reject);
  });
}

function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

export interface GraphQLHttpHandlerOptions {
  apollo: ApolloServer<GraphQLContext>;
  fleet: Fleet;
  identities: IdentityResolver;
  /** The Operations engine and audit log (src/operations, src/audit). @default none */
  extras?: Omit<ContextExtras, 'request'>;
}

/** Handles one request to /graphql (GET or POST); returns the status sent. */
export async function handleGraphQLHttp(req: IncomingMessage, res: ServerResponse, url: Pick<URL, 'search'>, options: GraphQLHttpHandlerOptions): Promise<number> {
  // Authentication first: without a valid token nothing is parsed, executed or read.
  const identity = options.identities.authenticate(req.headers.authorization);
  if (!identity) {
    sendError(res, 401, ErrorCode.UNAUTHENTICATED, 'a valid bearer token is required', { 'www-authenticate': 'Bearer realm="fleetgraph"' });
    return 401;
  }

  let body: unknown;
  if (req.method === 'POST') {
    let text: string;
    try {
      text = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        sendError(res, 413, ErrorCode.BAD_USER_INPUT, `request body larger than ${MAX_BODY_BYTES} bytes`);
        return 413;
      }
      throw error;
    }
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    if (type.includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        sendError(res, 400, ErrorCode.BAD_USER_INPUT, 'request body is not valid JSON');
        return 400;
      }
    } else {
      body = text;
    }
  }

  const headers = new HeaderMap();
  const incoming = req.headers;
  for (const key in incoming) {
    const value = incoming[key];
    // Node already lower-cases the names in `req.headers`: Map's own set skips HeaderMap's toLowerCase,
    // which showed in profiles of small queries (one string per header per request).
    if (value !== undefined) setHeader.call(headers, key, Array.isArray(value) ? value.join(', ') : value);
  }
  const result = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
    context: async () => {
      const ctx = createContext(options.fleet, identity, options.extras);
      ctx.request = new HttpRequestInfo(req);
      return ctx;
    },
  });
  const status = result.status ?? 200;
  const outHeaders: Record<string, string | number> = {};
  for (const [key, value] of result.headers) outHeaders[key] = value;
  // Answers are per caller and live: never cached (what Apollo's cache-control plugin, disabled in
  // apolloServer.ts because the schema carries no cache hints, would have said too).
  outHeaders['cache-control'] ??= 'no-store';
  if (result.body.kind === 'complete') {
    // A known length: without it, writeHead commits to chunked encoding, which costs a larger write
    // (size line, trailer) per response on the hot path.
    outHeaders['content-length'] = Buffer.byteLength(result.body.string);
    res.writeHead(status, outHeaders);
    res.end(result.body.string);
  } else {
    res.writeHead(status, outHeaders);
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }
  return status;
}

/**
 * Trace fields of a request for the audit log; the id is the caller's `x-request-id` or a new UUID. The UUID is
 * made on first read of `id` (only a mutation's audit row reads it) and kept, so every reader of one request
 * sees the same id; the header and peer are read now, while the request is current.
 */
class HttpRequestInfo implements RequestInfo {
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
  private given: string | undefined;

  constructor(req: IncomingMessage) {
    const given = req.headers['x-request-id'];
    this.given = (Array.isArray(given) ? given[0] : given)?.slice(0, 200) || undefined;
    this.sourceIp = req.socket.remoteAddress ?? null;
    this.userAgent = req.headers['user-agent'] ?? null;
  }

  get id(): string {
    return (this.given ??= randomUUID());
  }
}
