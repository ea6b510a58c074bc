/**
 * Browsers (issue 10 item 5), over real HTTP and WebSocket: an upgrade carrying an `Origin` is accepted only
 * from the gateway's own origin or one listed with --allowed-origins, in every auth mode (403 before any
 * GraphQL otherwise); no Origin passes. The list also answers CORS preflights and sets CORS headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openRawClient } from './support/rawGraphqlWs.js';

const LISTED = 'https://console.example.com';
const FOREIGN = 'https://evil.example.net';

async function upgradeStatus(url: string, headers: Record<string, string>, connectionParams?: Record<string, unknown>): Promise<number> {
  try {
    const c = await openRawClient(url, { headers, ...(connectionParams ? { connectionParams } : {}) });
    const out = await c.run('q', { query: '{ __typename }' });
    expect(out.next).toEqual([{ data: { __typename: 'Query' } }]);
    await c.close();
    return 101;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === undefined) throw error;
    return status;
  }
}

describe.each([
  { mode: 'none', tokens: undefined as string | undefined },
  { mode: 'token', tokens: 'secret-token,alice,1,"admins"\n' },
])('auth $mode', ({ tokens }) => {
  let fx: GatewayFixture;
  const auth = tokens ? { authorization: 'Bearer secret-token' } : undefined;
  beforeAll(async () => {
    fx = await startGatewayFixture({ scenario: 'mini', args: ['--allowed-origins', `${LISTED},http://other.example.org:8080`], ...(tokens ? { tokens } : {}) });
  }, 120_000);
  afterAll(async () => { await fx?.stop(); });

  it('refuses a WebSocket upgrade from a foreign origin with 403', async () => {
    expect(await upgradeStatus(fx.gateway.url, { origin: FOREIGN }, auth)).toBe(403);
  });

  it('accepts an upgrade without Origin, from the gateway\'s own origin, and from a listed one', async () => {
    const own = new URL(fx.gateway.url).origin;
    expect(await upgradeStatus(fx.gateway.url, {}, auth)).toBe(101);
    expect(await upgradeStatus(fx.gateway.url, { origin: own }, auth)).toBe(101);
    expect(await upgradeStatus(fx.gateway.url, { origin: LISTED }, auth)).toBe(101);
    expect(await upgradeStatus(fx.gateway.url, { origin: 'http://other.example.org:8080' }, auth)).toBe(101);
  });

  it('answers a CORS preflight from a listed origin, and not from a foreign one', async () => {
    const listed = await fetch(fx.gateway.url, { method: 'OPTIONS', headers: { origin: LISTED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(listed.status).toBe(204);
    expect(listed.headers.get('access-control-allow-origin')).toBe(LISTED);
    expect(listed.headers.get('access-control-allow-methods')).toContain('POST');
    expect(listed.headers.get('access-control-allow-headers')).toContain('content-type');
    const foreign = await fetch(fx.gateway.url, { method: 'OPTIONS', headers: { origin: FOREIGN, 'access-control-request-method': 'POST' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sets CORS headers on answers to a listed origin only', async () => {
    const body = JSON.stringify({ query: '{ __typename }' });
    const headers = { 'content-type': 'application/json', ...(auth ?? {}) };
    const listed = await fetch(fx.gateway.url, { method: 'POST', headers: { ...headers, origin: LISTED }, body });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('access-control-allow-origin')).toBe(LISTED);
    const foreign = await fetch(fx.gateway.url, { method: 'POST', headers: { ...headers, origin: FOREIGN }, body });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('without --allowed-origins', () => {
  let fx: GatewayFixture;
  beforeAll(async () => { fx = await startGatewayFixture({ scenario: 'mini' }); }, 120_000);
  afterAll(async () => { await fx?.stop(); });

  it('accepts only its own origin on upgrades and sends no CORS headers', async () => {
    expect(await upgradeStatus(fx.gateway.url, { origin: LISTED })).toBe(403);
    expect(await upgradeStatus(fx.gateway.url, { origin: new URL(fx.gateway.url).origin })).toBe(101);
    const res = await fetch(fx.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', origin: LISTED }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('FLEETGRAPH_ALLOWED_ORIGINS', () => {
  it('is read like the flag', async () => {
    const { loadConfig } = await import('../src/config/loadConfig.js');
    const loaded = loadConfig([], { FLEETGRAPH_ALLOWED_ORIGINS: 'https://a.example.com, https://b.example.com:8443/' });
    expect(loaded.kind === 'config' && loaded.config.allowedOrigins).toEqual(['https://a.example.com', 'https://b.example.com:8443']);
    expect(() => loadConfig(['--allowed-origins', 'not a url'], {})).toThrow(/--allowed-origins/);
  });
});
