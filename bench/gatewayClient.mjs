/**
 * A plain HTTP GraphQL client for the gateway (and the bare Apollo Server): POST /graphql with a
 * keep-alive agent, returning the raw body text and the time until its last byte, so that latency
 * covers execution, serialization and transfer, as a frontend sees it.
 */
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/**
 * @param {string} url e.g. http://127.0.0.1:4000/graphql
 * @param {string} query
 * @param {Record<string, unknown>} [variables]
 * @param {{ timeoutMs?: number, token?: string, headers?: Record<string, string> }} [options] timeoutMs default 300000;
 *   token: sent as `Authorization: Bearer <token>`; headers: added to the request
 * @returns {Promise<{ status: number, text: string, ms: number }>}
 */
export function postGraphql(url, query, variables, options = {}) {
  const body = JSON.stringify({ query, variables: variables ?? {} });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json', 'content-length': Buffer.byteLength(body), accept: 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.headers ?? {}),
      },
      timeout: options.timeoutMs ?? 300000,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('GraphQL request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * POSTs and parses; throws when the answer has no `data` (a refused or failed query), returns
 * `{ data, errors, ms, bytes }` otherwise (partial errors are returned, not thrown).
 */
export async function queryGateway(url, query, variables, options) {
  const r = await postGraphql(url, query, variables, options);
  let parsed;
  try {
    parsed = JSON.parse(r.text);
  } catch {
    throw new Error(`HTTP ${r.status}: not JSON: ${r.text.slice(0, 200)}`);
  }
  if (!parsed.data) throw new Error(`HTTP ${r.status}: ${JSON.stringify(parsed.errors ?? parsed).slice(0, 400)}`);
  return { data: parsed.data, errors: parsed.errors ?? [], ms: r.ms, bytes: Buffer.byteLength(r.text) };
}

/** GET a health path; resolves with the status (0 when nothing listens yet). */
export function getStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}
