/**
 * A fetch-shaped HTTPS GET on node:https that trusts a given CA, for the OIDC issuer's discovery document
 * and JWKS. Why not the global fetch: Node 20's fetch is undici's, and a custom CA reaches it only through
 * an undici `Agent` as `dispatcher`, which needs the undici package itself (not a dependency here);
 * node:https takes `ca` directly. jose 6 accepts any such function through its `customFetch` option, so
 * discovery and key fetches go through this one function with the same trust.
 *
 * Redirects are not followed (jose asks for `redirect: 'manual'`; an issuer's keys must be where its
 * discovery document says), and a body over `maxBytes` is refused, so an issuer cannot exhaust memory.
 */
import https from 'node:https';

export interface HttpsGetOptions {
  /** PEM CA bundle to trust instead of Node's default roots (`--oidc-ca-file`). @default undefined (system roots) */
  ca?: string;
  /** Largest body accepted, bytes. @default 1048576 */
  maxBytes?: number;
  /** Timeout when the caller passes no signal, ms. @default 5000 */
  timeoutMs?: number;
}

export type FetchLike = (url: string, init?: { headers?: Headers | Record<string, string>; signal?: AbortSignal; method?: string; redirect?: string }) => Promise<Response>;

/** A fetch-like GET bound to one trust configuration. */
export function httpsGet(options: HttpsGetOptions = {}): FetchLike {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  return (url, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const target = new URL(url);
      if (target.protocol !== 'https:') {
        reject(new TypeError(`refusing ${target.protocol} URL ${target.origin}: the issuer must be served over https`));
        return;
      }
      const headers: Record<string, string> = {};
      new Headers(init.headers ?? {}).forEach((v, k) => (headers[k] = v));
      const signal = init.signal ?? AbortSignal.timeout(options.timeoutMs ?? 5_000);
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const req = https.request(target, { method: 'GET', headers, ca: options.ca, agent: false, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            req.destroy(new Error(`${target.origin}${target.pathname}: response over ${maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          const out = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : v);
          const status = res.statusCode ?? 0;
          // Response refuses a body on 204/304; those carry none here anyway.
          resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: out }));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
}
