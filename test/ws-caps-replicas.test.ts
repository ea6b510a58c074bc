/**
 * The per-user WebSocket caps shared by two gateway replicas through one Redis (issue 14): an in-process gateway
 * and a gateway process over one simulator, both with `--redis-url`, `--ws-max-connections-per-user 2` and
 * `--max-subscriptions-per-user 3`:
 * - a user's third connection is closed 4429 on either replica, and a connection closed on one frees its slot
 *   for the other;
 * - a user's operations are counted over both replicas' connections;
 * - a replica killed (SIGKILL: nothing cleaned up) stops counting within the holders' staleness bound (3 × the
 *   10 s refresh).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { ensureBuilt, spawnGateway, type GatewayProcess } from './support/operationsGatewayProcess.js';
import { openRawClient, type RawWsClient } from './support/rawGraphqlWs.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const QUERY = '{ clusters { totalCount } }';
const USERS = ['alice', 'bob', 'carol'] as const;
const tokenOf = (user: string) => `ws-caps-test-token-${user}-0123456789`;
const auth = (user: string) => ({ connectionParams: { authorization: `Bearer ${tokenOf(user)}` } });

const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-ws-caps-'));
const tokensFile = join(dir, 'tokens.csv');
writeFileSync(tokensFile, USERS.map((u, i) => `${tokenOf(u)},${u},${3000 + i},"fleet-readers"\n`).join(''));

/** Opens a connection for `user`, retrying while it is closed 4429, until `withinMs`. */
async function openWhenFree(url: string, user: string, withinMs: number): Promise<RawWsClient> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await openRawClient(url, auth(user));
    } catch (error) {
      if (!/closed 4429/.test(String(error)) || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('per-user WebSocket caps across two gateways sharing Redis', () => {
  const prefix = `fleetgraph-wscaps-e2e-${randomUUID()}:`;
  const fleetId = `wc${randomUUID().slice(0, 8)}`;
  let fx: GatewayFixture;
  let b: GatewayProcess | undefined;
  let redis: Redis;
  const clients: RawWsClient[] = [];
  let bobOnB: RawWsClient;

  beforeAll(async () => {
    ensureBuilt();
    const args = ['--auth', 'token', '--tokens', tokensFile, '--ws-max-connections-per-user', '2', '--max-subscriptions-per-user', '3',
      '--redis-url', REDIS_URL, '--redis-prefix', prefix, '--fleet-id', fleetId];
    fx = await startGatewayFixture({ scenario: 'mini', grantRead: ['fleet-readers'], args });
    b = await spawnGateway(['--kubeconfig', fx.kubeconfig, '--port', '0', '--host', '127.0.0.1', '--log-level', 'error', ...args]);
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    if (b && b.child.exitCode === null && b.child.signalCode === null) {
      b.child.kill('SIGTERM');
      await b.exited;
    }
    await fx?.stop();
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('closes a user\'s third connection with 4429 on either replica, and a close on one frees a slot on the other', async () => {
    const onA = await openRawClient(fx.gateway.url, auth('alice'));
    const onB = await openRawClient(b!.url, auth('alice'));
    clients.push(onB);
    await expect(openRawClient(fx.gateway.url, auth('alice'))).rejects.toThrow(/closed 4429 before ack/);
    await expect(openRawClient(b!.url, auth('alice'))).rejects.toThrow(/closed 4429 before ack/);
    // Counted in Redis under the prefix and fleet id, one member per connection.
    expect(await redis.zcard(`${prefix}${fleetId}:wscaps:connections:user:alice`)).toBe(2);
    // Another user is not affected.
    bobOnB = await openRawClient(b!.url, auth('bob'));
    clients.push(bobOnB);
    await onA.close();
    const again = await openWhenFree(b!.url, 'alice', 10_000);
    clients.push(again);
    const answered = await again.run('q', { query: QUERY });
    expect((answered.next[0]?.data as any)?.clusters?.totalCount).toBe(fx.sim.fleet.members.size);
  });

  it('counts a user\'s operations over both replicas\' connections, and frees one when it completes', async () => {
    const one = await openRawClient(fx.gateway.url, auth('bob'));
    clients.push(one);
    const two = bobOnB;
    one.start('s1', { query: 'subscription { nodeChanged { type } }' });
    one.start('s2', { query: 'subscription { clusterChanged { type } }' });
    // Messages of a socket are handled in order: once this answers, s1 and s2 hold their slots.
    expect((await one.run('q', { query: QUERY })).error).toBeUndefined();
    two.start('s3', { query: 'subscription { nodeChanged { type } }' });
    const over = await two.run('s4', { query: 'subscription { podChanged { type } }' });
    expect(over.error?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', reason: 'TOO_MANY_USER_SUBSCRIPTIONS' });
    const overA = await one.run('s5', { query: 'subscription { podChanged { type } }' });
    expect(overA.error?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', reason: 'TOO_MANY_USER_SUBSCRIPTIONS' });
    for (const [c, id] of [[one, 's1'], [one, 's2'], [two, 's3']] as const) {
      await c.waitFor(id, (o) => o.error === undefined && !o.completed, 100);
    }
    expect(await redis.zcard(`${prefix}${fleetId}:wscaps:operations:user:bob`)).toBe(3);
    // Completed on replica A: the next operation on replica B runs.
    one.stop('s1');
    const deadline = Date.now() + 10_000;
    let answered;
    for (let i = 0; ; i++) {
      answered = await two.run(`q${i}`, { query: QUERY });
      if (answered.error?.[0]?.extensions?.reason !== 'TOO_MANY_USER_SUBSCRIPTIONS' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(answered.error).toBeUndefined();
    expect((answered.next[0]?.data as any)?.clusters?.totalCount).toBe(fx.sim.fleet.members.size);
    expect(one.closeCode).toBeUndefined();
    expect(two.closeCode).toBeUndefined();
  });

  it('frees the slots of a killed replica within the staleness bound', async () => {
    clients.push(await openRawClient(b!.url, auth('carol')));
    clients.push(await openRawClient(b!.url, auth('carol')));
    await expect(openRawClient(fx.gateway.url, auth('carol'))).rejects.toThrow(/closed 4429 before ack/);
    const killed = Date.now();
    b!.child.kill('SIGKILL');
    await b!.exited;
    // Nothing removed them: they still count until they are 30 s (3 × the 10 s refresh) past their last refresh.
    await expect(openRawClient(fx.gateway.url, auth('carol'))).rejects.toThrow(/closed 4429 before ack/);
    const c = await openWhenFree(fx.gateway.url, 'carol', 40_000);
    clients.push(c);
    expect(Date.now() - killed).toBeLessThanOrEqual(40_000);
    expect(await redis.zcard(`${prefix}${fleetId}:wscaps:connections:user:carol`)).toBe(1);
  }, 60_000);
});
