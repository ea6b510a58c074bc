/**
 * ClusterClient's error mapping against canned kube-apiserver answers (no simulator): every non-2xx answer
 * becomes an UpstreamError read from its Status object and summarised without headers or body; a 429 is
 * retried after Retry-After; logs keep `tailLines: 0`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { kubeStatus, startCannedKubeApi, type CannedHandler, type CannedKubeApi } from '../../test/support/cannedKubeApi.js';
import { ClusterClient, throttleDelayMs } from './ClusterClient.js';
import { toClusterError, UpstreamError } from './UpstreamError.js';

let api: CannedKubeApi | undefined;
let client: ClusterClient | undefined;

afterEach(async () => {
  client?.close();
  await api?.close();
  api = undefined;
  client = undefined;
});

async function clientFor(handler: CannedHandler, options: { callTimeoutMs?: number; logsTimeoutMs?: number; throttleRetries?: number } = {}): Promise<ClusterClient> {
  api = await startCannedKubeApi(handler);
  client = new ClusterClient({ name: 'm1', kubeConfig: api.kubeConfig, ...options });
  return client;
}

async function failureOf(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamError);
    return err as UpstreamError;
  }
  throw new Error('expected a failure');
}

describe('ClusterClient error mapping', () => {
  it("a log request refused with 400 BadRequest is the request's own error, summarised without the member's headers", async () => {
    const c = await clientFor(() => ({
      ...kubeStatus(400, 'BadRequest', 'previous terminated container "app" in pod "p" not found'),
      headers: { 'x-member-secret': 'leak-me', 'audit-id': 'a1b2' },
    }));
    const err = await failureOf(c.readLog('ns', 'p', 'app', { previous: true }));
    expect(api!.requests[0]!.query.get('previous')).toBe('true');
    expect(err).toMatchObject({ status: 400, reason: 'BadRequest' });
    const e = toClusterError('m1', err);
    expect(e).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UPSTREAM_BAD_REQUEST', cluster: 'm1', status: 400 });
    expect(e.message).toBe('m1: GET pods/log ns/p: HTTP 400 BadRequest previous terminated container "app" in pod "p" not found');
    expect(e.message).not.toMatch(/leak-me|x-member-secret|audit-id|a1b2/);
  });

  it('sends tailLines 0 (no lines) and reads the log text', async () => {
    const c = await clientFor((req) => ({ status: 200, body: req.query.get('tailLines') === '0' ? '' : 'a\nb\n' }));
    expect(await c.readLog('ns', 'p', 'app', { tailLines: 0 })).toBe('');
    expect(api!.requests[0]!.path).toBe('/api/v1/namespaces/ns/pods/p/log');
    expect(Object.fromEntries(api!.requests[0]!.query)).toEqual({ container: 'app', tailLines: '0' });
    expect(await c.readLog('ns', 'p', 'app', {})).toBe('a\nb\n');
  });

  it('maps Status answers by their reason and code: 404, 422, 403, 503; a proxy page by its status alone', async () => {
    const answers: Record<string, ReturnType<typeof kubeStatus>> = {
      '/nf': kubeStatus(404, 'NotFound', 'pods "x" not found', { name: 'x', kind: 'pods' }),
      '/invalid': kubeStatus(422, 'Invalid', 'Pod "x" is invalid: spec.containers: Required value'),
      '/forbidden': kubeStatus(403, 'Forbidden', 'pods is forbidden: User "u" cannot list resource "pods"'),
      '/down': kubeStatus(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'),
      '/proxy': { status: 502, body: '<html>bad gateway SECRET</html>' },
    };
    const c = await clientFor((req) => answers[req.path]);
    const classified = async (path: string) => toClusterError('m1', await failureOf(c.getJson(path)));
    expect(await classified('/nf')).toMatchObject({ code: 'NOT_FOUND', status: 404, message: 'm1: GET /nf: HTTP 404 NotFound pods "x" not found' });
    expect(await classified('/invalid')).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UPSTREAM_INVALID' });
    expect(await classified('/forbidden')).toMatchObject({ code: 'FORBIDDEN' });
    expect(await classified('/down')).toMatchObject({ code: 'CLUSTER_UNAVAILABLE', status: 503 });
    const proxy = await classified('/proxy');
    expect(proxy).toMatchObject({ code: 'CLUSTER_UNAVAILABLE', message: 'm1: GET /proxy: HTTP 502' });
    expect((await failureOf(c.getJson('/nf'))).details).toEqual({ name: 'x', kind: 'pods' });
  });

  it('retries a 429 after its Retry-After and answers once the member lets it through', async () => {
    let calls = 0;
    const c = await clientFor(() => (++calls < 3 ? { ...kubeStatus(429, 'TooManyRequests', 'too many requests'), headers: { 'retry-after': '0' } } : { status: 200, body: { kind: 'PodList', items: [] } }));
    expect(await c.getJson('/api/v1/pods')).toEqual({ kind: 'PodList', items: [] });
    expect(api!.requests).toHaveLength(3);
  });

  it('gives up on a 429 after the bounded retries: RATE_LIMITED / UPSTREAM_THROTTLED, never the member down', async () => {
    const c = await clientFor(() => ({ ...kubeStatus(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 0 }) }), { throttleRetries: 2 });
    const e = toClusterError('m1', await failureOf(c.getJson('/api/v1/pods')));
    expect(api!.requests).toHaveLength(3);
    expect(e).toMatchObject({ code: 'RATE_LIMITED', reason: 'UPSTREAM_THROTTLED', status: 429 });
  });

  it('bounds the wait a Retry-After asks for, and backs off without one', () => {
    expect(throttleDelayMs(new UpstreamError('x', 429, { retryAfterSeconds: 3600 }), 0, 5000)).toBe(5000);
    expect(throttleDelayMs(new UpstreamError('x', 429, { retryAfterSeconds: 1 }), 0, 5000)).toBe(1000);
    const first = throttleDelayMs(new UpstreamError('x', 429), 0, 5000);
    const third = throttleDelayMs(new UpstreamError('x', 429), 2, 5000);
    expect(first).toBeGreaterThan(0);
    expect(third).toBeGreaterThan(first);
  });

  it('a member that never answers is UPSTREAM_TIMEOUT; one that refuses the connection CLUSTER_UNAVAILABLE', async () => {
    const c = await clientFor(() => undefined, { callTimeoutMs: 50 });
    const slow = toClusterError('m1', await failureOf(c.getJson('/api')));
    expect(slow).toMatchObject({ code: 'UPSTREAM_TIMEOUT', message: 'm1: GET /api: no answer within 50 ms' });
    const kc = api!.kubeConfig;
    await api!.close();
    api = undefined;
    const refused = new ClusterClient({ name: 'm1', kubeConfig: kc, callTimeoutMs: 1000 });
    const e = toClusterError('m1', await failureOf(refused.getJson('/api')));
    refused.close();
    expect(e.code).toBe('CLUSTER_UNAVAILABLE');
    expect(e.message).toMatch(/ECONNREFUSED/);
  });

  it('follows a log line by line until stopped', async () => {
    const c = await clientFor((req, res) => {
      expect(req.query.get('follow')).toBe('true');
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('one\ntw');
      setTimeout(() => res.write('o\nthree\n'), 5);
    });
    const lines: string[] = [];
    let ended = 0;
    const stop = await c.followLog('ns', 'p', 'app', { tailLines: 0 }, (l) => lines.push(l), () => ended++);
    for (let i = 0; i < 100 && lines.length < 3; i++) await new Promise((r) => setTimeout(r, 5));
    expect(lines).toEqual(['one', 'two', 'three']);
    stop();
    expect(ended).toBe(1);
    expect(api!.requests[0]!.query.get('tailLines')).toBe('0');
  });
});

describe('ClusterClient bodies', () => {
  it('decodes a body whose multi-byte characters are split across chunks, with and without a gate', async () => {
    const text = JSON.stringify({ items: [{ metadata: { name: 'caf\u00e9', annotations: { note: '\u65e5\u672c \u{1f680} ok' } } }] });
    const bytes = Buffer.from(text, 'utf8');
    const c = await clientFor((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // One byte per write, flushed apart: every multi-byte character arrives in pieces.
      let i = 0;
      const next = () => {
        if (i >= bytes.length) return void res.end();
        res.write(bytes.subarray(i, ++i));
        setImmediate(next);
      };
      next();
    });
    expect(await c.getJson('/api/v1/pods')).toEqual(JSON.parse(text));
    const gate = { run: <T>(task: () => Promise<T>) => task() };
    expect(await c.getJson('/api/v1/pods', {}, 'list pods', undefined, gate)).toEqual(JSON.parse(text));
  });
});
