/**
 * Operational endpoints and introspection per auth mode (issue 12, "Limits per identity"), over real HTTP
 * and WebSocket to a running gateway and simulator:
 * - `--auth token`: /healthz open; /readyz answers the same status code without a token as with one, but
 *   only `{"ready": …}` without; /metrics 401 without a valid token, 200 with one;
 * - `--metrics-open`: /metrics 200 without a token; `--introspection false`: `__schema` refused alike over
 *   HTTP and WebSocket (BAD_USER_INPUT, VALIDATION_FAILED) while normal queries run;
 * - `--auth none`: everything open and detailed as before.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';

const TOKEN = 'ops-endpoints-token-0123456789abcdef';
const TOKENS = `${TOKEN},alice,1001,"fleet-readers"\n`;
const BEARER = { authorization: `Bearer ${TOKEN}` };

function base(fx: GatewayFixture): string {
  return fx.gateway.url.replace(/\/graphql$/, '');
}

async function get(fx: GatewayFixture, path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${base(fx)}${path}`, { headers });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** One WebSocket operation's result (data and errors), or the socket's close reason. */
async function wsQuery(fx: GatewayFixture, query: string, payload: Record<string, unknown> = {}): Promise<{ data?: any; errors?: any[] }> {
  const client: Client = createClient({ url: fx.gateway.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: payload });
  try {
    return await new Promise((resolve, reject) => {
      let result: { data?: any; errors?: any[] } = {};
      client.subscribe({ query }, {
        next: (value) => { result = value as typeof result; },
        error: (error) => Array.isArray(error) ? resolve({ errors: error }) : reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => resolve(result),
      });
    });
  } finally {
    await client.dispose();
  }
}

describe('--auth token', () => {
  let fx: GatewayFixture;
  beforeAll(async () => {
    fx = await startGatewayFixture({ grantRead: ['fleet-readers'], tokens: TOKENS });
  });
  afterAll(async () => {
    await fx?.stop();
  });

  it('/healthz stays open', async () => {
    const res = await get(fx, '/healthz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ status: 'ok' });
  });

  it('/readyz: the same status code with and without a token, details only with a valid one', async () => {
    const open = await get(fx, '/readyz');
    const unknown = await get(fx, '/readyz', { authorization: 'Bearer not-the-token' });
    const withToken = await get(fx, '/readyz', BEARER);
    expect(withToken.status).toBe(200);
    expect(open.status).toBe(withToken.status);
    expect(unknown.status).toBe(withToken.status);
    expect(JSON.parse(open.text)).toEqual({ ready: true });
    expect(JSON.parse(unknown.text)).toEqual({ ready: true });
    const details = JSON.parse(withToken.text) as { ready: boolean; clusters: Array<{ cluster: string; state: string }> };
    expect(details.ready).toBe(true);
    expect(details.clusters.map((c) => c.cluster)).toEqual(expect.arrayContaining([...fx.sim.fleet.members.keys()]));
    const { authorization, operations, ...readiness } = details as typeof details & { authorization: Record<string, string>; operations: { store: string } };
    expect(readiness).toEqual(fx.gateway.fleet.readiness());
    // Where Operations live: the demo fleet has the FleetOperation CRD, so they are shared.
    expect(operations).toMatchObject({ store: 'shared', namespace: 'fleetgraph-system' });
    // Every cluster's RBAC is read and watched by the gateway (the demo's gateway identity may).
    expect(Object.keys(authorization).sort()).toEqual(['controlPlane', ...fx.sim.fleet.members.keys()].sort());
    expect(new Set(Object.values(authorization))).toEqual(new Set(['local']));
  });

  it('/metrics: 401 without a valid token, 200 with one', async () => {
    const none = await get(fx, '/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(JSON.parse(none.text).errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_MISSING' });
    expect(none.text).not.toContain('fleetgraph_');
    const unknown = await get(fx, '/metrics', { authorization: 'Bearer not-the-token' });
    expect(unknown.status).toBe(401);
    expect(JSON.parse(unknown.text).errors[0].extensions.reason).toBe('TOKEN_INVALID');
    const ok = await get(fx, '/metrics', BEARER);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('fleetgraph_');
  });

  it('the schema GraphiQL would fetch needs a token like any query; the page itself holds no schema', async () => {
    const refused = await fx.query('{ __schema { queryType { name } } }');
    expect(refused.status).toBe(401);
    expect(refused.body.data).toBeUndefined();
    const allowed = await fx.query('{ __schema { queryType { name } } }', undefined, BEARER);
    expect(allowed.body.data?.__schema.queryType.name).toBe('Query');
    const page = await get(fx, '/graphql', { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('GraphiQL');
    expect(page.text).not.toContain('__schema');
    for (const name of fx.sim.fleet.members.keys()) expect(page.text).not.toContain(name);
  });
});

describe('--auth token --metrics-open --introspection false', () => {
  let fx: GatewayFixture;
  beforeAll(async () => {
    fx = await startGatewayFixture({ grantRead: ['fleet-readers'], tokens: TOKENS, args: ['--metrics-open', '--introspection', 'false'] });
  });
  afterAll(async () => {
    await fx?.stop();
  });

  it('/metrics answers without a token', async () => {
    const res = await get(fx, '/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('fleetgraph_');
  });

  it('/readyz details still need a token', async () => {
    expect(JSON.parse((await get(fx, '/readyz')).text)).toEqual({ ready: true });
  });

  it('refuses __schema over HTTP and WebSocket alike; normal queries run', async () => {
    const http = await fx.query('{ __schema { queryType { name } } }', undefined, BEARER);
    expect(http.status).toBe(400);
    expect(http.body.data).toBeUndefined();
    expect(http.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'VALIDATION_FAILED' });
    const ws = await wsQuery(fx, '{ __schema { queryType { name } } }', BEARER);
    expect(ws.data).toBeUndefined();
    expect(ws.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'VALIDATION_FAILED' });
    expect(ws.errors?.[0]?.message).toBe(http.body.errors?.[0]?.message);

    const typeQuery = await fx.query('{ __type(name: "Query") { name } }', undefined, BEARER);
    expect(typeQuery.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'VALIDATION_FAILED' });

    const members = fx.sim.fleet.members.size;
    const normal = await fx.query('{ clusters { totalCount } }', undefined, BEARER);
    expect(normal.status).toBe(200);
    expect(normal.body.data?.clusters.totalCount).toBe(members);
    const normalWs = await wsQuery(fx, '{ clusters { totalCount } }', BEARER);
    expect(normalWs.errors).toBeUndefined();
    expect(normalWs.data?.clusters.totalCount).toBe(members);
  });
});

describe('--auth none', () => {
  let fx: GatewayFixture;
  beforeAll(async () => {
    fx = await startGatewayFixture();
  });
  afterAll(async () => {
    await fx?.stop();
  });

  it('keeps /healthz, /readyz details, /metrics and introspection open', async () => {
    expect((await get(fx, '/healthz')).status).toBe(200);
    const ready = await get(fx, '/readyz');
    expect(ready.status).toBe(200);
    const { operations, ...details } = JSON.parse(ready.text) as { clusters: Array<{ cluster: string }>; operations: { store: string } };
    expect(details.clusters.map((c) => c.cluster)).toEqual(expect.arrayContaining([...fx.sim.fleet.members.keys()]));
    expect(details).toEqual(fx.gateway.fleet.readiness());
    expect(operations.store).toBe('shared');
    const metrics = await get(fx, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('fleetgraph_');
    const schema = await fx.query('{ __schema { queryType { name } } }');
    expect(schema.body.data?.__schema.queryType.name).toBe('Query');
  });
});
