/**
 * Subscriptions e2e, the rules HTTP applies: with `--auth token`, connection_init goes through the same
 * identity code as HTTP (missing or unknown credentials close the socket with 4403; a known token is
 * accepted), an operation HTTP refuses (validation, depth/alias limits) is refused over WS with the same
 * code, and the per-connection cap errors the one operation over it while the socket stays open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openClient, poll, record } from './support/subscriptionsClient.js';

let fx: GatewayFixture;
const TOKEN = 'subs-token-alice';

beforeAll(async () => {
  fx = await startGatewayFixture({
    scenario: 'mini',
    tokens: `${TOKEN},alice,1001,"dev"\n`,
    args: ['--ws-max-subscriptions', '3'],
  });
});

afterAll(async () => {
  await fx?.stop();
});

/** Opens a client and records how its socket closed. */
function connect(authorization?: string) {
  const closed: { code?: number; reason?: string } = {};
  const client = openClient(fx.gateway.url, {
    ...(authorization ? { authorization } : {}),
    onClosed: (code, reason) => {
      closed.code = code;
      closed.reason = reason;
    },
  });
  return { client, closed };
}

describe('connection_init authentication', () => {
  it('closes with 4403 without credentials and with an unknown token', async () => {
    for (const auth of [undefined, 'Bearer not-a-known-token']) {
      const { client, closed } = connect(auth);
      const rec = record(client, 'subscription { nodeChanged { type } }');
      await poll(() => closed.code, 10_000, () => `socket not closed for ${auth}`);
      expect(closed.code).toBe(4403);
      expect(rec.events).toEqual([]);
      await client.dispose();
    }
  });

  it('accepts the same bearer token HTTP accepts', async () => {
    const http = await fx.query('{ clusters { totalCount } }', undefined, { authorization: `Bearer ${TOKEN}` });
    expect(http.status).toBe(200);
    const { client, closed } = connect(`Bearer ${TOKEN}`);
    const rec = record(client, 'query { clusters { totalCount } }');
    await rec.waitForEnd();
    expect(rec.errors).toEqual([]);
    expect(rec.events[0]).toEqual(http.body.data);
    expect(closed.code).toBeUndefined();
    await client.dispose();
  });
});

describe('the rules HTTP applies', () => {
  const tooDeep = `subscription { podChanged { pod { trace { workload { ... on Workload { binding { resource { ... on ResourceBinding { policy { resource { ... on PropagationPolicy { name labels { key } } } } } } } } } } } } }`;
  const manyAliases = `subscription { podChanged { ${Array.from({ length: 40 }, (_, i) => `a${i}: type`).join(' ')} } }`;
  const invalid = 'subscription { podChanged { noSuchField } }';

  it('refuses over WS what HTTP refuses, with the same code, and keeps the socket open', async () => {
    const { client, closed } = connect(`Bearer ${TOKEN}`);
    try {
      for (const query of [invalid, manyAliases, tooDeep]) {
        // The same document over HTTP: validation (and its limits) runs before any operation-type check.
        const http = await fx.query(query, undefined, { authorization: `Bearer ${TOKEN}` });
        const httpCodes = (http.body.errors ?? []).map((e) => e.extensions?.code);
        expect(httpCodes.length).toBeGreaterThan(0);
        const rec = record(client, query);
        await rec.waitForEnd();
        const wsCodes = rec.errors.map((e: any) => e.extensions?.code);
        expect(rec.events).toEqual([]);
        expect(new Set(wsCodes)).toEqual(new Set(httpCodes));
        expect(rec.errors.map((e: any) => e.message).sort()).toEqual((http.body.errors ?? []).map((e) => e.message).sort());
      }
      // Still usable after three refusals.
      const ok = record(client, 'query { clusters { totalCount } }');
      await ok.waitForEnd();
      expect(ok.errors).toEqual([]);
      expect(closed.code).toBeUndefined();
    } finally {
      await client.dispose();
    }
  });

  it('errors the operation over the per-connection cap and keeps the others running', async () => {
    const { client, closed } = connect(`Bearer ${TOKEN}`);
    try {
      const open = [0, 1, 2].map(() => record(client, 'subscription { nodeChanged { type } }'));
      await poll(() => (fx.gateway.subscriptions.engine.stats().subscriptions >= 3 ? true : undefined), 10_000, () => 'three subscriptions not open');
      const fourth = record(client, 'subscription { nodeChanged { type } }');
      await fourth.waitForEnd();
      expect(fourth.errors.map((e: any) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
      expect(open.every((r) => !r.completed && r.errors.length === 0)).toBe(true);
      open[0]!.stop();
      await poll(() => (fx.gateway.subscriptions.engine.stats().subscriptions === 2 ? true : undefined), 10_000, () => 'subscription not released');
      const again = record(client, 'subscription { nodeChanged { type } }');
      await poll(() => (fx.gateway.subscriptions.engine.stats().subscriptions === 3 ? true : undefined), 10_000, () => 'slot not reusable');
      expect(again.errors).toEqual([]);
      expect(closed.code).toBeUndefined();
      // /metrics needs a token outside --auth none (see gateway-api-ops-endpoints).
      const metrics = await fetch(fx.gateway.url.replace('/graphql', '/metrics'), { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.text());
      expect(metrics).toMatch(/^fleetgraph_subscriptions_active 3$/m);
      expect(metrics).toMatch(/^fleetgraph_ws_connections [1-9]\d*$/m);
    } finally {
      await client.dispose();
    }
  });
});
