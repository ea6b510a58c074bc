/**
 * Which browser origins may talk to the gateway beyond plain same-origin use. A WebSocket upgrade is not
 * covered by the browser's same-origin policy nor by Apollo's CSRF prevention: any page could open a socket
 * to a gateway reachable from its visitor's machine and run mutations with the visitor's network position.
 * So an upgrade that carries an `Origin` (a browser always sends one) is accepted only from the gateway's
 * own origin (its `Host`) or one listed with `--allowed-origins`; one without `Origin` is not a browser and
 * passes (its credentials are checked as always). The same list answers CORS preflights and sets the CORS
 * headers on HTTP answers, so a console on another origin can use the HTTP endpoint too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Request headers a browser may send cross-origin (CSRF prevention's headers, auth, tracing). */
const ALLOWED_HEADERS = 'content-type, authorization, apollo-require-preflight, x-apollo-operation-name, x-request-id';

export class BrowserOrigins {
  private readonly listed: ReadonlySet<string>;

  /** `allowed`: origins as `scheme://host[:port]` (config.allowedOrigins). @default none */
  constructor(allowed: readonly string[] = []) {
    this.listed = new Set(allowed);
  }

  /** Whether `origin` is the origin of the gateway this request reached (its Host header), any scheme. */
  private isOwn(origin: string, request: IncomingMessage): boolean {
    const host = request.headers.host;
    if (!host) return false;
    return origin === `http://${host}` || origin === `https://${host}`;
  }

  /** The WebSocket upgrade check: no `Origin`, the gateway's own, or a listed one. */
  acceptsUpgrade(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    return this.listed.has(origin) || this.isOwn(origin, request);
  }

  /** The CORS headers for an answer to this request: only for a listed origin. */
  corsHeaders(request: IncomingMessage): Record<string, string> | undefined {
    const origin = request.headers.origin;
    if (origin === undefined || !this.listed.has(origin)) return undefined;
    return { 'access-control-allow-origin': origin, vary: 'Origin' };
  }

  /**
   * Answers a CORS preflight (OPTIONS) from a listed origin with 204 and what it may do; returns false (the
   * caller answers as for any other request) when the origin is not listed.
   */
  answerPreflight(request: IncomingMessage, res: ServerResponse): boolean {
    const cors = this.corsHeaders(request);
    if (!cors) return false;
    res.writeHead(204, {
      ...cors,
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': '600',
      'content-length': '0',
    });
    res.end();
    return true;
  }
}
