/**
 * Limits per identity (issue 12), through a real gateway over the simulator with `--auth token`:
 * - a user past `--rate-limit-per-minute` gets HTTP 429 RATE_LIMITED with `Retry-After` and `extensions.retryAfter`
 *   (nothing of the request parsed), and the same error for a WebSocket operation, the socket living on,
 *   while another user still answers;
 * - `--ws-max-connections-per-user`: the connection over the cap is closed with 4429 before its ack;
 * - `--max-subscriptions-per-user`: counted over all of a user's connections; the operation over it errors
 *   RATE_LIMITED (TOO_MANY_USER_SUBSCRIPTIONS) and its socket still runs operations;
 * - with `--redis-url`, two gateway processes count one budget per user; with that Redis gone, the gateway
 *   counts in memory (from what Redis had counted) and no request fails for it.
 * Budgets are per minute window: a test starts away from a window's end so its requests fall in one window.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { ensureBuilt, spawnGateway, type GatewayProcess } from './support/operationsGatewayProcess.js';
import { PrivateRedis } from './support/privateRedis.js';
import { openRawClient, type RawWsClient } from './support/rawGraphqlWs.js';

const QUERY = '{ clusters { totalCount } }';
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
const tokenOf = (user: string) => `rate-limit-test-token-${user}-0123456789`;
const auth = (user: string) => ({ authorization: `Bearer ${tokenOf(user)}` });

const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-rate-limit-'));
const tokensFile = join(dir, 'tokens.csv');
writeFileSync(tokensFile, USERS.map((u, i) => `${tokenOf(u)},${u},${2000 + i},"fleet-readers"\n`).join(''));

/** Waits, if needed, until at least `needMs` remain in the current minute window (the budgets' window). */
async function awayFromWindowEnd(needMs = 15_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 50));
}

async function post(url: string, query: string, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> } };
}

describe('per-user limits on one gateway', () => {
  let fx: GatewayFixture;
  const clients: RawWsClient[] = [];

  beforeAll(async () => {
    fx = await startGatewayFixture({
      scenario: 'mini',
      grantRead: ['fleet-readers'],
      args: ['--auth', 'token', '--tokens', tokensFile, '--rate-limit-per-minute', '8', '--ws-max-connections-per-user', '2', '--max-subscriptions-per-user', '3'],
    });
  });

  afterAll(async () => {
    for (const c of clients) await c.close();
    await fx?.stop();
  });

  it('answers 429 RATE_LIMITED with Retry-After past the budget over HTTP and WebSocket, while another user answers', async () => {
    await awayFromWindowEnd();
    for (let i = 0; i < 8; i++) {
      const ok = await post(fx.gateway.url, QUERY, auth('alice'));
      expect(ok.status).toBe(200);
      expect(ok.body.data.clusters.totalCount).toBe(fx.sim.fleet.members.size);
    }
    // Over the budget, and not even parsed: a broken document gets the same refusal, not PARSE_FAILED.
    const refused = await post(fx.gateway.url, '{ clusters {', auth('alice'));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.retryAfter);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors).toHaveLength(1);
    expect(refused.body.errors![0]!.extensions).toEqual({ code: 'RATE_LIMITED', reason: 'RATE_LIMIT_EXCEEDED', retryAfter });

    // Another user has a budget of their own.
    const bob = await post(fx.gateway.url, QUERY, auth('bob'));
    expect(bob.status).toBe(200);
    expect(bob.body.data.clusters.totalCount).toBe(fx.sim.fleet.members.size);

    // Over WebSocket: the connection is accepted (connections are not requests), each operation refused alone.
    const ws = await openRawClient(fx.gateway.url, { connectionParams: auth('alice') });
    clients.push(ws);
    const first = await ws.run('1', { query: QUERY });
    expect(first.next).toEqual([]);
    expect(first.error?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'RATE_LIMIT_EXCEEDED' });
    expect(first.error?.[0]?.extensions?.retryAfter).toBeGreaterThanOrEqual(1);
    const second = await ws.run('2', { query: 'subscription { nodeChanged { type } }' });
    expect(second.error?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(ws.closeCode).toBeUndefined();
  });

  it('closes the connection over the per-user connection cap with 4429, and accepts one again once another closed', async () => {
    const a = await openRawClient(fx.gateway.url, { connectionParams: auth('carol') });
    const b = await openRawClient(fx.gateway.url, { connectionParams: auth('carol') });
    await expect(openRawClient(fx.gateway.url, { connectionParams: auth('carol') })).rejects.toThrow(/closed 4429 before ack/);
    // Other users are not affected.
    clients.push(await openRawClient(fx.gateway.url, { connectionParams: auth('erin') }));
    await a.close();
    clients.push(b);
    // The server sees the close shortly after: poll for the freed slot.
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        clients.push(await openRawClient(fx.gateway.url, { connectionParams: auth('carol') }));
        break;
      } catch (error) {
        if (!/closed 4429/.test(String(error)) || Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  });

  it('refuses the operation over the per-user cap across connections, and the socket runs the next one', async () => {
    await awayFromWindowEnd();
    const one = await openRawClient(fx.gateway.url, { connectionParams: auth('dave') });
    const two = await openRawClient(fx.gateway.url, { connectionParams: auth('dave') });
    clients.push(one, two);
    one.start('s1', { query: 'subscription { nodeChanged { type } }' });
    one.start('s2', { query: 'subscription { clusterChanged { type } }' });
    // A socket's messages are handled in order: once this answers, s1 and s2 are registered (3 running with it).
    const between = await one.run('q', { query: QUERY });
    expect(between.error).toBeUndefined();
    two.start('s3', { query: 'subscription { nodeChanged { type } }' });
    const over = await two.run('s4', { query: 'subscription { podChanged { type } }' });
    expect(over.error?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', reason: 'TOO_MANY_USER_SUBSCRIPTIONS' });
    for (const [c, id] of [[one, 's1'], [one, 's2'], [two, 's3']] as const) {
      await c.waitFor(id, (o) => o.error === undefined && !o.completed, 100);
    }
    // The socket lives: once one subscription is completed, the next operation on it runs.
    one.stop('s1');
    const deadline = Date.now() + 10_000;
    let answered;
    for (let i = 0; ; i++) {
      answered = await two.run(`q${i}`, { query: QUERY });
      if (answered.error?.[0]?.extensions?.reason !== 'TOO_MANY_USER_SUBSCRIPTIONS' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(answered.error).toBeUndefined();
    expect((answered.next[0]?.data as any)?.clusters?.totalCount).toBe(fx.sim.fleet.members.size);
    expect(two.closeCode).toBeUndefined();
  });
});

describe('one budget per user across two gateways sharing Redis', () => {
  const REDIS_URL = 'redis://127.0.0.1:6379';
  const prefix = `fleetgraph-ratelimit-test-${randomUUID()}:`;
  const fleetId = `rl${randomUUID().slice(0, 8)}`;
  let fx: GatewayFixture;
  let b: GatewayProcess | undefined;
  let redis: Redis;

  beforeAll(async () => {
    ensureBuilt();
    const args = ['--auth', 'token', '--tokens', tokensFile, '--rate-limit-per-minute', '4', '--redis-url', REDIS_URL, '--redis-prefix', prefix, '--fleet-id', fleetId];
    fx = await startGatewayFixture({ scenario: 'mini', grantRead: ['fleet-readers'], args });
    b = await spawnGateway(['--kubeconfig', fx.kubeconfig, '--port', '0', '--host', '127.0.0.1', '--log-level', 'error', ...args]);
    redis = new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });
  }, 120_000);

  afterAll(async () => {
    b?.child.kill('SIGTERM');
    await b?.exited;
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
    await fx?.stop();
  });

  it('counts requests to either gateway against the same budget, in Redis under the prefix and fleet id', async () => {
    await awayFromWindowEnd();
    const window = Math.floor(Date.now() / 60_000);
    const urls = [fx.gateway.url, b!.url, fx.gateway.url, b!.url];
    for (const url of urls) {
      const ok = await post(url, QUERY, auth('alice'));
      expect(ok.status).toBe(200);
    }
    // The fifth, on either gateway, is over the one shared budget of 4.
    for (const url of [fx.gateway.url, b!.url]) {
      const refused = await post(url, QUERY, auth('alice'));
      expect(refused.status).toBe(429);
      expect(refused.body.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'RATE_LIMIT_EXCEEDED' });
      expect(Number(refused.retryAfter)).toBe(refused.body.errors![0]!.extensions!.retryAfter);
    }
    expect(await redis.get(`${prefix}${fleetId}:ratelimit:user:alice:${window}`)).toBe('6');
    const ttl = await redis.pttl(`${prefix}${fleetId}:ratelimit:user:alice:${window}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(65_000);
    // Bob's budget is his own, on both.
    expect((await post(b!.url, QUERY, auth('bob'))).status).toBe(200);
    expect((await post(fx.gateway.url, QUERY, auth('bob'))).status).toBe(200);
  });
});

describe('the budget with its Redis gone', () => {
  let redis: PrivateRedis;
  let fx: GatewayFixture;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    fx = await startGatewayFixture({
      scenario: 'mini',
      grantRead: ['fleet-readers'],
      args: ['--auth', 'token', '--tokens', tokensFile, '--rate-limit-per-minute', '3', '--redis-url', redis.url, '--redis-prefix', `fleetgraph-rl-${randomUUID()}:`, '--fleet-id', 'outage'],
    });
  }, 120_000);

  afterAll(async () => {
    await fx?.stop();
    await redis?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts in memory, carrying on from Redis\' count, and answers every request', async () => {
    await awayFromWindowEnd(30_000);
    const first = await post(fx.gateway.url, QUERY, auth('alice'));
    expect(first.status).toBe(200);
    await redis.kill();
    // Redis is gone: the next two are still within the budget (one was counted in Redis), the third is over.
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(fx.gateway.url, QUERY, auth('alice'))).status);
    expect(statuses).toEqual([200, 200, 429]);
    const bob = await post(fx.gateway.url, QUERY, auth('bob'));
    expect(bob.status).toBe(200);
    expect(bob.body.data.clusters.totalCount).toBe(fx.sim.fleet.members.size);
  });
});
