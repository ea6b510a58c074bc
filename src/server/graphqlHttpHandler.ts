/**
 * GraphQL over HTTP on node:http: turns an IncomingMessage into Apollo's HTTPGraphQLRequest, runs it with
 * a per-request context made by the request core (identity, loaders, trace fields), and writes Apollo's
 * answer back (with CORS headers for a listed browser origin). Everything GraphQL about the request is the
 * core's (src/request/), who is asking too (`core.authenticate`, with the `Authorization` header); this file
 * only reads bodies and writes answers.
 *
 * The direct path (`--execution compiled`, the default): a plain JSON POST (one operation, no persisted-query
 * extension, an `accept` the answer's type needs no negotiation for) is prepared, executed and answered by the
 * core here, without Apollo's per-request pipeline (request context, plugin hooks, HeaderMaps, its own body
 * checks), which cost a small query more than its execution. It answers what Apollo would, byte for byte:
 * the same status, `content-type`, body (`errors`, `data`, `extensions` in Apollo's order, and its trailing
 * newline), statistics count and signals, behind the same authentication, rate limit, body limit and CORS
 * (checked above it for both paths). Everything else (GET, batches, persisted queries, other content types,
 * malformed bodies, content negotiation) goes to Apollo, as does every request once the gateway is stopping.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import type { Identity } from '../graphql/authorize.js';
import { ErrorCode, Reason } from '../errors/codes.js';
import type { GraphQLContext, RequestInfo } from '../graphql/context.js';
import type { RequestCore } from '../request/RequestCore.js';
import type { BrowserOrigins } from './browserOrigins.js';

/** Largest request body accepted. @default 1 MiB */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * How much of an oversized body is read (and thrown away) so that its sender, still writing, receives the
 * 413: a server that stops reading and closes makes the client fail with a reset instead. Past this the
 * connection is closed after the answer. @default 16 MiB
 */
const MAX_DISCARDED_BYTES = 16 * 1024 * 1024;

class BodyTooLarge extends Error {
  /** Whether the whole body was read (the connection may be kept); false when reading stopped. */
  constructor(readonly drained: boolean) {
    super('request body too large');
  }
}

/** Map's own `set`, bypassing HeaderMap's lower-casing (see handleGraphQLHttp). */
const setHeader: (this: Map<string, string>, key: string, value: string) => unknown = Map.prototype.set;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) {
        if (size > MAX_BODY_BYTES + MAX_DISCARDED_BYTES) {
          req.pause();
          reject(new BodyTooLarge(false));
        }
        return;
      }
      if (size > MAX_BODY_BYTES) {
        // Keep reading, keep nothing: the answer waits for the end of the body.
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    // A small query arrives in one chunk: decode it as it is rather than copy it into a new buffer first.
    req.on('end', () => {
      if (tooLarge) reject(new BodyTooLarge(true));
      else resolve((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function sendError(res: ServerResponse, status: number, code: string, reason: string | undefined, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [{ message, extensions: reason ? { code, reason } : { code } }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/**
 * The persisted-query hash of one request that does not match its query, if so. Apollo checks this too, but
 * answers with an error that has no code; the gateway says which mistake it is (PERSISTED_QUERY_HASH_MISMATCH).
 */
function persistedQueryMismatch(request: unknown): boolean {
  if (request === null || typeof request !== 'object') return false;
  const { query, extensions } = request as { query?: unknown; extensions?: { persistedQuery?: { sha256Hash?: unknown } } };
  const hash = extensions?.persistedQuery?.sha256Hash;
  if (typeof query !== 'string' || typeof hash !== 'string') return false;
  return createHash('sha256').update(query).digest('hex') !== hash;
}

/** The GET parameters of a persisted query (only looked at when the query string mentions one). */
function getRequestOf(search: string): unknown {
  const params = new URLSearchParams(search);
  const extensions = params.get('extensions');
  if (!extensions) return undefined;
  try {
    return { query: params.get('query') ?? undefined, extensions: JSON.parse(extensions) as unknown };
  } catch {
    return undefined; // Apollo reports the bad JSON
  }
}

export interface GraphQLHttpHandlerOptions {
  apollo: ApolloServer<GraphQLContext>;
  /** The request core: makes each request's context. */
  core: RequestCore;
  /** CORS headers for listed browser origins. @default none sent */
  origins?: BrowserOrigins;
  /**
   * Whether plain JSON POSTs take the direct path (see above) now; read per request, so that a stopping gateway
   * hands every request to Apollo. @default undefined (every request through Apollo)
   */
  direct?: () => boolean;
}

/**
 * Apollo's `content-type` of a single result for the `accept` values clients commonly send (what its
 * negotiator picks among application/json and application/graphql-response+json; a test checks each against
 * Apollo). Any other `accept` is negotiated by Apollo.
 */
const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';
export const DIRECT_CONTENT_TYPES: ReadonlyMap<string, string> = new Map([
  ['', JSON_TYPE],
  ['*/*', JSON_TYPE],
  ['application/json', JSON_TYPE],
  ['application/json;charset=utf-8', JSON_TYPE],
  ['application/json; charset=utf-8', JSON_TYPE],
  ['application/json, text/plain, */*', JSON_TYPE],
  ['application/json, application/graphql-response+json', JSON_TYPE],
  ['application/graphql-response+json', GRAPHQL_RESPONSE_TYPE],
  ['application/graphql-response+json, application/json', GRAPHQL_RESPONSE_TYPE],
  ['application/graphql-response+json, application/json;q=0.9', GRAPHQL_RESPONSE_TYPE],
  ['application/graphql-response+json, application/json; q=0.9', GRAPHQL_RESPONSE_TYPE],
]);

/** A JSON POST body the direct path answers: exactly the requests Apollo would hand to the core unchanged. */
interface DirectRequest {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/** Whether `value` is a JSON object (what Apollo calls a string record). */
function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The content type of the direct answer to this request, or undefined: Apollo answers it (its checks or
 * errors would differ, or it negotiates something the direct path does not write).
 */
function directContentType(req: IncomingMessage, body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const { query, operationName, variables, extensions } = body;
  if (typeof query !== 'string' || query === '') return undefined;
  if (operationName != null && typeof operationName !== 'string') return undefined;
  if (variables != null && !isObject(variables)) return undefined;
  if (extensions != null) return undefined;
  // `application/json` itself: Apollo's CSRF prevention lets it through, and this handler parsed it as JSON.
  const type = req.headers['content-type'];
  if (type === undefined || type.split(';', 1)[0]!.trim().toLowerCase() !== 'application/json') return undefined;
  return DIRECT_CONTENT_TYPES.get(req.headers.accept?.trim().toLowerCase() ?? '');
}

/**
 * Answers a plain JSON POST as Apollo's pipeline and the core's plugin (apolloServer.ts) would: counted from
 * here, prepared (or refused: 400, 500 for our bug), executed with the request's context, formatted.
 */
async function answerDirectly(res: ServerResponse, request: DirectRequest, contentType: string, identity: Identity, info: HttpRequestInfo,
  core: RequestCore, cors: Record<string, string> | undefined): Promise<number> {
  const count = core.startCount('HTTP');
  const prepared = core.prepare(request, 'HTTP');
  let status = 200;
  let result: FormattedExecutionResult;
  if (prepared.kind === 'refused') {
    status = prepared.status;
    result = { errors: core.formatErrors(prepared.errors, info) };
  } else {
    const contextValue = core.createContext(identity, info);
    result = core.formatResult(await core.execute(core.executionArgs(prepared, contextValue)), info);
  }
  count.finish(prepared.countedName, Boolean(result.errors?.length), prepared.kind === 'prepared' ? prepared.operation.operation : undefined);
  // Apollo's order of the fields and its serialization (prettyJSONStringify: JSON and a newline).
  const text = `${JSON.stringify({ errors: result.errors, data: result.data, extensions: result.extensions })}\n`;
  // Encoded once: Buffer.byteLength for the header and the socket's own encoding at the write would each walk
  // the whole text (megabytes for a traversal).
  const body = Buffer.from(text, 'utf8');
  const headers: Record<string, string | number> = { 'content-type': contentType, 'cache-control': 'no-store' };
  if (cors) Object.assign(headers, cors);
  headers['content-length'] = body.length;
  res.writeHead(status, headers);
  res.end(body);
  return status;
}

/** Handles one request to /graphql (GET or POST); returns the status sent. */
export async function handleGraphQLHttp(req: IncomingMessage, res: ServerResponse, url: Pick<URL, 'search'>, options: GraphQLHttpHandlerOptions): Promise<number> {
  // CORS headers go on every answer to a listed origin, refusals included (else the browser hides them).
  const cors = req.headers.origin !== undefined ? options.origins?.corsHeaders(req) : undefined;
  // Authentication first: without a valid token nothing is parsed, executed or read.
  // The request's trace fields (its id on every log line it causes), read now while the request is current.
  const info = new HttpRequestInfo(req);
  const auth = await options.core.authenticateRequest(info, req.headers.authorization);
  if (!auth.ok) {
    // 401 + WWW-Authenticate for a bad or missing token, 503 + Retry-After when it cannot be verified now.
    const { answer } = auth;
    options.core.noteAnswered(answer.code, answer.reason);
    sendError(res, answer.httpStatus, answer.code, answer.reason, answer.message, { ...answer.headers, ...cors });
    return answer.httpStatus;
  }
  const identity = auth.identity;
  // The caller's budget next, before the body is read: a refused request costs no parse.
  const admitted = options.core.admit(identity, req.socket.remoteAddress);
  const retryAfter = typeof admitted === 'number' ? admitted : await admitted;
  if (retryAfter > 0) {
    const error = options.core.rateLimitedError(retryAfter);
    options.core.noteAnswered(ErrorCode.RATE_LIMITED, Reason.RATE_LIMIT_EXCEEDED);
    const body = JSON.stringify({ errors: [{ message: error.message, extensions: error.extensions }] });
    res.writeHead(429, {
      'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)),
      'retry-after': String(retryAfter), 'cache-control': 'no-store', ...cors,
    });
    res.end(body);
    return 429;
  }

  let body: unknown;
  if (req.method === 'POST') {
    let text: string;
    try {
      text = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        options.core.noteAnswered(ErrorCode.BAD_USER_INPUT, Reason.BODY_TOO_LARGE);
        sendError(res, 413, ErrorCode.BAD_USER_INPUT, Reason.BODY_TOO_LARGE, `request body larger than ${MAX_BODY_BYTES} bytes`,
          error.drained ? { ...cors } : { connection: 'close', ...cors });
        // A body that did not end: close once the answer is out rather than read it all.
        if (!error.drained) res.once('finish', () => req.destroy());
        return 413;
      }
      throw error;
    }
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    if (type.includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        options.core.noteAnswered(ErrorCode.BAD_USER_INPUT, Reason.MALFORMED_REQUEST);
        sendError(res, 400, ErrorCode.BAD_USER_INPUT, Reason.MALFORMED_REQUEST, 'request body is not valid JSON', cors);
        return 400;
      }
    } else {
      body = text;
    }
  }

  const persisted = req.method === 'POST' ? body : url.search.includes('persistedQuery') ? getRequestOf(url.search) : undefined;
  if (persisted !== undefined && (Array.isArray(persisted) ? persisted.some(persistedQueryMismatch) : persistedQueryMismatch(persisted))) {
    options.core.noteAnswered(ErrorCode.BAD_USER_INPUT, Reason.PERSISTED_QUERY_HASH_MISMATCH);
    sendError(res, 400, ErrorCode.BAD_USER_INPUT, Reason.PERSISTED_QUERY_HASH_MISMATCH, 'extensions.persistedQuery.sha256Hash is not the SHA-256 of the query', cors);
    return 400;
  }

  if (req.method === 'POST' && options.direct?.()) {
    const contentType = directContentType(req, body);
    if (contentType) return answerDirectly(res, body as DirectRequest, contentType, identity, info, options.core, cors);
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
    context: async () => options.core.createContext(identity, info),
  });
  const status = result.status ?? 200;
  const outHeaders: Record<string, string | number> = {};
  for (const [key, value] of result.headers) outHeaders[key] = value;
  // Answers are per caller and live: never cached (what Apollo's cache-control plugin, disabled in
  // apolloServer.ts because the schema carries no cache hints, would have said too).
  outHeaders['cache-control'] ??= 'no-store';
  if (cors) Object.assign(outHeaders, cors);
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
