/**
 * Where a caller's bearer token comes from, for both transports: an HTTP `Authorization: Bearer …` header
 * (HTTP requests and the WebSocket upgrade request), or a graphql-ws `connection_init` payload
 * `{ "authorization": "Bearer …" }` (also `Authorization`, or either nested under `headers`).
 */

const BEARER = /^\s*Bearer\s+(\S+)\s*$/i;

/**
 * The token of an `Authorization` header value or of a `connection_init` payload; undefined when none
 * is given or the value is not a Bearer credential (Basic and other schemes are not tokens).
 */
export function bearerToken(source: string | string[] | Record<string, unknown> | null | undefined): string | undefined {
  if (source === null || source === undefined) return undefined;
  if (typeof source === 'string') return BEARER.exec(source)?.[1];
  if (Array.isArray(source)) return source.length === 1 ? bearerToken(source[0]) : undefined;
  if (typeof source !== 'object') return undefined;
  // connection_init payload: the lower-case key first (the documented one), then the header's spelling.
  for (const key of ['authorization', 'Authorization']) {
    const v = source[key];
    if (typeof v === 'string') return bearerToken(v);
  }
  // Apollo Client and some GraphiQL setups nest them: `{ headers: { Authorization } }` (the current ws.ts reads it too).
  const nested = source['headers'];
  if (nested && typeof nested === 'object' && !Array.isArray(nested) && !('headers' in nested)) return bearerToken(nested as Record<string, unknown>);
  return undefined;
}
