/**
 * The WebSocket adapter on an in-memory core (no simulator): a node:http server on port 0, graphql-ws on it,
 * a raw client. Refusals and failures end one operation only; the socket and its other operations live on.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRawClient, type RawWsClient } from '../../test/support/rawGraphqlWs.js';
import { refused, type AuthResult, type Authenticator } from '../auth/AuthResult.js';
import type { SubscriptionServices } from '../graphql/subscriptions/subscriptionContext.js';
import { tinyCore } from '../request/testSupport.js';
import { BrowserOrigins } from './browserOrigins.js';
import { attachGraphQLWebSocket, type GraphQLWebSocket } from './ws.js';

let server: Server;
let adapter: GraphQLWebSocket;
let url: string;
const { core, logged } = tinyCore({ maxDocumentBytes: 2000 });

beforeAll(async () => {
  server = createServer();
  const origins = new BrowserOrigins(['https://listed.example.com']);
  adapter = attachGraphQLWebSocket({
    httpServer: server,
    core,
    // The tiny schema's subscription needs no engine.
    services: {} as SubscriptionServices,
    verifyUpgrade: (req) => origins.acceptsUpgrade(req),
    maxSubscriptionsPerConnection: 3,
    keepAliveMs: 0,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await adapter.dispose();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('graphql-ws adapter', () => {
  let ws: RawWsClient;
  beforeAll(async () => { ws = await openRawClient(url); });
  afterAll(async () => { await ws.close(); });

  it('runs queries and subscriptions through the core', async () => {
    expect(await ws.run('q', { query: '{ hello }' })).toEqual({ next: [{ data: { hello: 'hello world' } }], completed: true });
    expect(await ws.run('s', { query: 'subscription { ticks(n: 2) }' })).toEqual({ next: [{ data: { ticks: 1 } }, { data: { ticks: 2 } }], completed: true });
  });

  it('refuses bad operations alone, with the core\'s codes and reasons, and never closes the socket', async () => {
    const cases: Array<[unknown, string]> = [
      [{ raw: '{"query":"{ hello"}' }, 'BAD_USER_INPUT/PARSE_FAILED'],
      [{ query: `{ hello } # ${'x'.repeat(3000)}` }, 'QUERY_TOO_COMPLEX/DOCUMENT_TOO_LARGE'],
      [{ query: 'query($n: Int) { page(first: $n) { edges } }', variables: { n: 'x' } }, 'BAD_USER_INPUT/BAD_VARIABLES'],
      [{ raw: `{"query":"query($n: Int) { page(first: $n) { edges } }","variables":{"n":${'['.repeat(50_000)}${']'.repeat(50_000)}}}` }, 'BAD_USER_INPUT/BAD_VARIABLES'],
      [{ query: 'subscription { ticks @include(if: "x") }' }, 'BAD_USER_INPUT/VALIDATION_FAILED'],
    ];
    for (const [i, [payload, expected]] of cases.entries()) {
      const out = await ws.run(`bad-${i}`, payload as { query: string });
      expect(out.error?.map((e) => `${e.extensions?.code}/${e.extensions?.reason}`)).toEqual([expected]);
    }
    expect(await ws.run('skipped', { query: 'subscription($s: Boolean!) { ticks @skip(if: $s) }', variables: { s: true } })).toEqual({ next: [{ data: {} }], completed: true });
    expect(ws.closeCode).toBeUndefined();
  });

  it('answers a resolver bug as INTERNAL on that operation, logged once', async () => {
    logged.length = 0;
    const out = await ws.run('boom', { query: '{ boom }' });
    expect(out.next[0]!.errors!.map((e) => e.extensions)).toEqual([{ code: 'INTERNAL', requestId: expect.any(String) }]);
    expect(logged).toHaveLength(1);
    expect(ws.closeCode).toBeUndefined();
  });

  it('caps the operations of one connection with RATE_LIMITED / TOO_MANY_SUBSCRIPTIONS', async () => {
    const other = await openRawClient(url);
    for (const id of ['a', 'b', 'c']) other.start(id, { query: 'subscription { idle }' });
    const over = await other.run('d', { query: '{ hello }' });
    expect(over.error?.map((e) => e.extensions)).toEqual([{ code: 'RATE_LIMITED', reason: 'TOO_MANY_SUBSCRIPTIONS' }]);
    await other.close();
  });
});

describe('Origin check on upgrades', () => {
  const statusOf = async (origin: string | undefined) => {
    try {
      const c = await openRawClient(url, { headers: origin ? { origin } : {} });
      await c.close();
      return 101;
    } catch (e) {
      return (e as { status?: number }).status;
    }
  };
  it('accepts no Origin, the own origin and a listed one; answers 403 to others', async () => {
    expect(await statusOf(undefined)).toBe(101);
    expect(await statusOf(new URL(url).origin)).toBe(101);
    expect(await statusOf('https://listed.example.com')).toBe(101);
    expect(await statusOf('https://evil.example.com')).toBe(403);
  });
});

describe('connection_init authentication', () => {
  /** `good` never expires, `short` expires 300 ms after it is checked, `down` cannot be verified; others are bad. */
  const authenticator: Authenticator = {
    mode: 'token',
    async authenticate(token: string): Promise<AuthResult> {
      const identity = { user: token, groups: ['system:authenticated'], anonymous: false };
      if (token === 'good') return { ok: true, identity };
      if (token === 'short') return { ok: true, identity, expiresAt: Date.now() + 300 };
      if (token === 'down') return refused('unavailable', 'verifier unreachable');
      return refused('invalid', 'unknown token');
    },
  };
  let authServer: Server;
  let authAdapter: GraphQLWebSocket;
  let authUrl: string;

  beforeAll(async () => {
    authServer = createServer();
    authAdapter = attachGraphQLWebSocket({ httpServer: authServer, core: tinyCore({}, authenticator).core, services: {} as SubscriptionServices, keepAliveMs: 0 });
    await new Promise<void>((resolve) => authServer.listen(0, '127.0.0.1', resolve));
    authUrl = `http://127.0.0.1:${(authServer.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await authAdapter.dispose();
    await new Promise<void>((resolve) => authServer.close(() => resolve()));
  });

  const closeOf = (options: Parameters<typeof openRawClient>[1]) =>
    openRawClient(authUrl, options).then(async (c) => { await c.close(); return 'acknowledged'; }, (e: Error) => e.message);

  it('reads the payload first, then the upgrade request\'s Authorization header', async () => {
    const viaHeader = await openRawClient(authUrl, { headers: { authorization: 'Bearer good' } });
    expect(await viaHeader.run('q', { query: '{ hello }' })).toEqual({ next: [{ data: { hello: 'hello world' } }], completed: true });
    await viaHeader.close();
    expect(await closeOf({ connectionParams: { authorization: 'Bearer good' } })).toBe('acknowledged');
    // The payload's token is the one checked, even when the header holds a good one.
    expect(await closeOf({ connectionParams: { authorization: 'Bearer bad' }, headers: { authorization: 'Bearer good' } })).toBe('closed 4403 before ack');
  });

  it('closes 4403 without or with a bad token, 1013 when it cannot be verified', async () => {
    expect(await closeOf({})).toBe('closed 4403 before ack');
    expect(await closeOf({ connectionParams: { authorization: 'Bearer bad' } })).toBe('closed 4403 before ack');
    expect(await closeOf({ connectionParams: { authorization: 'Bearer down' } })).toBe('closed 1013 before ack');
  });

  it('closes an accepted connection with 4403 when its token expires', async () => {
    const c = await openRawClient(authUrl, { connectionParams: { authorization: 'Bearer short' } });
    c.start('idle', { query: 'subscription { idle }' });
    const deadline = Date.now() + 5_000;
    while (c.closeCode === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(c.closeCode).toBe(4403);
  });
});
