/**
 * Client mistakes from issue 10's "Why", end to end over real HTTP and WebSocket: each is answered as the
 * client's (4xx / BAD_USER_INPUT or QUERY_TOO_COMPLEX with a Reason), never as a server error, and a bad
 * operation on a WebSocket fails alone: the socket and its other subscriptions live on (no close 4500).
 */
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openRawClient, type RawWsClient } from './support/rawGraphqlWs.js';

let fx: GatewayFixture;
const logged: string[] = [];

beforeAll(async () => {
  const logger = pino({ level: 'error' }, { write: (line: string) => { logged.push(line); } });
  fx = await startGatewayFixture({ scenario: 'mini', logger });
}, 120_000);

afterAll(async () => {
  await fx?.stop();
});

async function post(body: string, headers: Record<string, string> = {}) {
  const res = await fetch(fx.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> } };
}

describe('client mistakes over HTTP', () => {
  it('a subscription POSTed over HTTP gets 400 saying to use the WebSocket, and nothing is logged', async () => {
    logged.length = 0;
    const res = await post(JSON.stringify({ query: 'subscription { fleetChanged { clusters { total } } }' }));
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'SUBSCRIPTION_OVER_HTTP' });
    expect(res.body.errors![0]!.message).toMatch(/WebSocket/);
    expect(logged).toEqual([]);
  });

  it('a non-boolean @include on a subscription is BAD_USER_INPUT, not a 500', async () => {
    const res = await post(JSON.stringify({ query: 'subscription { podChanged @include(if: "x") { type } }' }));
    expect(res.status).toBe(400);
    expect(res.body.errors!.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('a persisted-query hash that does not match its query is BAD_USER_INPUT (PERSISTED_QUERY_HASH_MISMATCH)', async () => {
    const query = '{ __typename }';
    const res = await post(JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }));
    expect(res.status).toBe(400);
    expect(res.body.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'PERSISTED_QUERY_HASH_MISMATCH' });
    // The right hash still works (registers and answers).
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const ok = await post(JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash } } }));
    expect(ok).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });

  it('a 780 KB document of repeated fields is refused before parsing, while a small query on another connection answers', async () => {
    const huge = `{ ${'clusters { totalCount } '.repeat(32_500)}}`;
    expect(huge.length).toBeGreaterThan(780_000);
    const [big, small] = await Promise.all([
      post(JSON.stringify({ query: huge })),
      post(JSON.stringify({ query: '{ clusters { totalCount } }' })),
    ]);
    expect(big.status).toBe(400);
    expect(big.body.errors![0]!.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', reason: 'DOCUMENT_TOO_LARGE' });
    expect(small.status).toBe(200);
    expect(small.body.data.clusters.totalCount).toBeGreaterThan(0);
  });

  it('a body over 1 MiB receives its 413 JSON answer', async () => {
    const body = JSON.stringify({ query: `# ${'x'.repeat(2 * 1024 * 1024)}\n{ __typename }` });
    const res = await post(body);
    expect(res.status).toBe(413);
    expect(res.body.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'BODY_TOO_LARGE' });
  });

  it('a GET with a mutation is 405 BAD_USER_INPUT (MUTATION_OVER_GET)', async () => {
    const url = `${fx.gateway.url}?query=${encodeURIComponent('mutation { cordonNode(cluster: "a", name: "b") { id } }')}`;
    const res = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(405);
    const body = (await res.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(body.errors[0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'MUTATION_OVER_GET' });
  });

  it('a simple GET without the preflight header is refused by CSRF prevention as BAD_USER_INPUT (400)', async () => {
    const res = await fetch(`${fx.gateway.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('client mistakes over WebSocket fail that operation alone', () => {
  let ws: RawWsClient;
  beforeAll(async () => { ws = await openRawClient(fx.gateway.url); });
  afterAll(async () => { await ws?.close(); });

  it('a bad variable type is BAD_USER_INPUT as over HTTP', async () => {
    const q = 'query($n: Int) { clusters(first: $n) { totalCount } }';
    const over = await ws.run('badvar', { query: q, variables: { n: 'x' } });
    const http = await post(JSON.stringify({ query: q, variables: { n: 'x' } }));
    expect(over.error!.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', reason: 'BAD_VARIABLES' }]);
    expect(http.body.errors!.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', reason: 'BAD_VARIABLES' }]);
  });

  it('valid subscriptions with root-field directives, fragments and aliases work; bad ones fail alone', async () => {
    // A subscription that stays open through everything below.
    ws.start('live', { query: 'subscription { fleetChanged(minIntervalMs: 100) { clusters { total } } }' });
    await ws.waitFor('live', (o) => o.next.length >= 1);

    const skipped = await ws.run('skip', { query: 'subscription { podChanged @skip(if: true) { type } }' });
    expect(skipped).toEqual({ next: [{ data: {} }], completed: true });

    ws.start('frag', { query: 'subscription S { ...F } fragment F on Subscription { f: fleetChanged(minIntervalMs: 100) @include(if: true) { n: clusters { total } } }' });
    const frag = await ws.waitFor('frag', (o) => o.next.length >= 1);
    expect(frag.next[0]).toEqual({ data: { f: { n: { total: expect.any(Number) } } } });
    ws.stop('frag');

    const withVar = await ws.run('skipvar', { query: 'subscription($s: Boolean!) { podChanged @skip(if: $s) { type } }', variables: { s: true } });
    expect(withVar.next).toEqual([{ data: {} }]);

    const nonBoolean = await ws.run('nonbool', { query: 'subscription { podChanged @include(if: "x") { type } }' });
    expect(nonBoolean.error!.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);

    const badVar = await ws.run('badvarsub', { query: 'subscription($s: Boolean!) { podChanged @skip(if: $s) { type } }', variables: { s: 'x' } });
    expect(badVar.error!.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', reason: 'BAD_VARIABLES' }]);

    const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    const deepVars = await ws.run('deep', { raw: `{"query":"subscription($c: String) { podChanged(cluster: $c) { type } }","variables":{"c":${deep}}}` });
    expect(deepVars.error!.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', reason: 'BAD_VARIABLES' }]);

    const huge = await ws.run('huge', { query: `{ ${'clusters { totalCount } '.repeat(32_500)}}` });
    expect(huge.error!.map((e) => e.extensions)).toEqual([{ code: 'QUERY_TOO_COMPLEX', reason: 'DOCUMENT_TOO_LARGE' }]);

    // The socket is open and the first subscription still delivers.
    expect(ws.closeCode).toBeUndefined();
    const after = await ws.run('after', { query: '{ clusters { totalCount } }' });
    expect(after.next[0]!.data).toEqual({ clusters: { totalCount: expect.any(Number) } });
    const live = await ws.waitFor('live', (o) => o.next.length >= 1);
    expect(live.error).toBeUndefined();
    expect(live.completed).toBe(false);
  });
});

describe('a body over 1 MiB on a raw connection', () => {
  it('is answered 413 before the sender is cut off', async () => {
    const url = new URL(fx.gateway.url);
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(3 * 1024 * 1024) } }, (res) => {
        let t = '';
        res.on('data', (c) => { t += String(c); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: t }));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      for (let i = 0; i < 48; i++) req.write(chunk);
      req.end();
    });
    expect(status).toBe(413);
    expect(JSON.parse(text).errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'BODY_TOO_LARGE' });
  });
});
