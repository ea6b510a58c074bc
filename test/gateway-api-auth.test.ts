/**
 * `--auth token`: no token or an unknown one → HTTP 401 with UNAUTHENTICATED and no data; a listed token
 * → data. The GraphiQL page itself holds no data and stays reachable (its requests carry the token).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';

let fx: GatewayFixture;
const TOKEN = 'gw-api-test-token-0123456789';

beforeAll(async () => {
  fx = await startGatewayFixture({ grantRead: ['fleet-readers'], tokens: `${TOKEN},alice,1001,"fleet-readers"\n` });
});

afterAll(async () => {
  await fx?.stop();
});

const QUERY = '{ clusters { totalCount } }';

describe('token auth', () => {
  it('answers 401 without a token', async () => {
    const res = await fx.query(QUERY);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_MISSING' });
  });

  it('answers 401 with an unknown token, and on GET too', async () => {
    const unknown = await fx.query(QUERY, undefined, { authorization: 'Bearer not-the-token' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
    const get = await fetch(`${fx.gateway.url}?query=${encodeURIComponent(QUERY)}`, { headers: { accept: 'application/json' } });
    expect(get.status).toBe(401);
  });

  it('serves data with a listed token', async () => {
    const res = await fx.query(QUERY, undefined, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.clusters.totalCount).toBe(fx.sim.fleet.members.size);
  });
});
