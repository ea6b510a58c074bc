/**
 * Redis is optional at run time (issue 10, item 4), end to end with a gateway over a simulated fleet and a Redis
 * of the test's own (killed and restarted; the shared one on 6379 is never stopped):
 *  - while Redis is gone, fetch-mode reads answer promptly from memory, /readyz answers 200 with
 *    `"redis": "degraded"`, `fleetgraph_redis_up` is 0, and the log gets ONE line for the outage (not one per
 *    reconnection attempt); Redis is used again once it is back, with one more line; the same when Redis hangs
 *    (SIGSTOP: connections open, no answers) and then answers again;
 *  - two gateways over two different fleets sharing one Redis and one prefix never read each other's lists, and
 *    publish their events on channels of their own.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { PrivateRedis } from './support/privateRedis.js';

let redis: PrivateRedis;
const fixtures: GatewayFixture[] = [];

beforeAll(async () => {
  redis = await PrivateRedis.start();
});

afterAll(async () => {
  for (const fx of fixtures) await fx.stop();
  await redis?.kill();
});

/** Polls `check` until it returns a value (not undefined), at most `ms`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000, last: () => unknown = () => lastReadyz): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last /readyz: ${JSON.stringify(last())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The last /readyz answer read, for a timeout's message. */
let lastReadyz: unknown;

async function readyz(fx: GatewayFixture): Promise<{ status: number; body: any }> {
  const res = await fetch(fx.gateway.url.replace('/graphql', '/readyz'));
  const answer = { status: res.status, body: await res.json() };
  lastReadyz = answer;
  return answer;
}

/** A GraphQL POST that must answer within `ms` (a generous bound: the bug was 8 s per read). */
async function queryWithin(fx: GatewayFixture, query: string, ms = 3000): Promise<any> {
  const res = await fetch(fx.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(ms),
  });
  return res.json();
}

/** The TTL cache's keys among a prefix's: without the request-budget counters (`<prefix><fleet id>:ratelimit:…`). */
const ttlKeys = (keys: string[]) => keys.filter((k) => !k.includes(':ratelimit:'));

const PODS = `{ pods(first: 500, filter: { cluster: "member1" }) { totalCount } }`;

describe('gateway with its Redis gone and back', () => {
  it('serves fetch-mode reads from memory, says degraded in /readyz and the metric, logs one line per change, and uses Redis again', async () => {
    const lines: Array<{ level: number; msg: string; component?: string; redis?: string }> = [];
    const logger = pino({ level: 'info' }, new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
        done();
      },
    }));
    const prefix = `fleetgraph-test-${randomUUID()}:`;
    const fx = await startGatewayFixture({
      scenario: 'mini',
      logger,
      args: ['--redis-url', redis.url, '--redis-prefix', prefix, '--mode', 'pods=fetch'],
    });
    fixtures.push(fx);
    const podsInSim = fx.sim.fleet.members.get('member1')!.objects.list('pods').length;
    expect(podsInSim).toBeGreaterThan(0);
    await until('redis up', async () => ((await readyz(fx)).body.redis === 'up' ? true : undefined));
    const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    probe.on('error', () => {});
    await probe.connect();
    try {
      expect((await queryWithin(fx, PODS)).data.pods.totalCount).toBe(podsInSim);
      // The TTL cache's keys (the per-user request budget keeps its counters under the same prefix: `:ratelimit:`).
      const keys = ttlKeys(await probe.keys(`${prefix}*`));
      // The fleet id between the prefix and the keyv namespace.
      expect(keys).toEqual([expect.stringMatching(new RegExp(`^${prefix}[0-9a-f]{12}:ttl:member1:pods$`))]);
    } finally {
      probe.disconnect();
    }

    // Counted before the kill: the client may see its connection close (and log it) before kill() resolves.
    const outageStart = lines.length;
    await redis.kill();
    const degraded = await until('degraded', async () => {
      const r = await readyz(fx);
      return r.body.redis === 'degraded' ? r : undefined;
    });
    expect(degraded.status).toBe(200);
    expect(degraded.body.ready).toBe(true);
    const metrics = await (await fetch(fx.gateway.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/^fleetgraph_redis_up 0$/m);

    // Reads during the outage: each answers within the bound, right, and from memory after the first load.
    await fx.admin('POST', '/_sim/stats/reset');
    const started = Date.now();
    const took: number[] = [];
    for (let i = 0; i < 12; i++) {
      const t0 = Date.now();
      const out = await queryWithin(fx, PODS);
      took.push(Date.now() - t0);
      expect(out.errors).toBeUndefined();
      expect(out.data.pods.totalCount).toBe(podsInSim);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000); // the outage lasted long enough to count log lines
    // A figure for the record, not asserted (the bound is queryWithin's).
    console.log(`fetch-mode reads with Redis gone: ${took.sort((a, b) => a - b).join(', ')} ms`);
    expect(await fx.countRequests((r) => r.verb === 'list' && r.resource.endsWith('pods'))).toBeLessThanOrEqual(1);
    const redisLines = lines.slice(outageStart).filter((l) => l.level >= 40 || /redis|event hub/i.test(l.msg));
    expect(redisLines.map((l) => [l.component, l.redis])).toEqual([['redis', 'degraded']]);

    await redis.restart();
    await until('redis up again', async () => ((await readyz(fx)).body.redis === 'up' ? true : undefined), 15_000);
    const back = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    back.on('error', () => {});
    try {
      // Used again: a read stores its list in the restarted (empty) Redis.
      await until('a list stored in Redis again', async () => {
        expect((await queryWithin(fx, PODS)).data.pods.totalCount).toBe(podsInSim);
        const keys = ttlKeys(await back.keys(`${prefix}*`));
        return keys.length > 0 ? keys : undefined;
      }, 10_000);
    } finally {
      back.disconnect();
    }
    expect((await fetch(fx.gateway.url.replace('/graphql', '/metrics')).then((r) => r.text()))).toMatch(/^fleetgraph_redis_up 1$/m);
    const changes = lines.slice(outageStart).filter((l) => l.component === 'redis').map((l) => l.redis);
    expect(changes).toEqual(['degraded', 'up']);

    // A Redis that hangs (connections open, no answers): the first reads' command timeouts make it degraded,
    // later reads answer from memory; once it answers again, a probe read finds it and it is used again.
    const hangStart = lines.length;
    redis.pause();
    try {
      await until('degraded while hung', async () => {
        const out = await queryWithin(fx, PODS);
        expect(out.data.pods.totalCount).toBe(podsInSim);
        return (await readyz(fx)).body.redis === 'degraded' ? true : undefined;
      }, 15_000);
      for (let i = 0; i < 5; i++) expect((await queryWithin(fx, PODS)).data.pods.totalCount).toBe(podsInSim);
    } finally {
      redis.resume();
    }
    await until('up after the hang', async () => {
      await queryWithin(fx, PODS);
      return (await readyz(fx)).body.redis === 'up' ? true : undefined;
    }, 15_000);
    expect(lines.slice(hangStart).filter((l) => l.component === 'redis').map((l) => l.redis)).toEqual(['degraded', 'up']);
  }, 120_000);
});

describe('two gateways over two fleets sharing one Redis and one prefix', () => {
  it('never read each other\'s cached lists', async () => {
    const prefix = `fleetgraph-test-${randomUUID()}:`;
    const args = ['--redis-url', redis.url, '--redis-prefix', prefix, '--mode', 'configmaps=fetch'];
    const a = await startGatewayFixture({ scenario: 'mini', args });
    fixtures.push(a);
    const b = await startGatewayFixture({ scenario: 'mini', args });
    fixtures.push(b);
    a.sim.fleet.members.get('member1')!.objects.create('configmaps', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'only-in-fleet-a', namespace: 'default' }, data: { x: '1' },
    });
    const names = async (fx: GatewayFixture) => {
      const out = await fx.query(`{ configMaps(first: 500, filter: { cluster: "member1", namespace: "default" }) { edges { node { name } } } }`);
      expect(out.body.errors).toBeUndefined();
      return out.body.data.configMaps.edges.map((e: any) => e.node.name as string);
    };
    await until('both gateways use Redis', async () => ((await readyz(a)).body.redis === 'up' && (await readyz(b)).body.redis === 'up' ? true : undefined));
    expect(await names(a)).toContain('only-in-fleet-a');
    await b.admin('POST', '/_sim/stats/reset');
    // B lists its own fleet (one list call to its simulator), not A's list from Redis.
    expect(await names(b)).not.toContain('only-in-fleet-a');
    expect(await b.countRequests((r) => r.verb === 'list' && r.resource.endsWith('configmaps'))).toBe(1);
    const probe = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    try {
      const keys = ttlKeys(await probe.keys(`${prefix}*`)).sort();
      expect(keys).toHaveLength(2);
      expect(new Set(keys.map((k) => k.slice(prefix.length).split(':')[0])).size).toBe(2);
      // The event channels too: one per fleet, each under the prefix and its fleet id.
      const ids = [...new Set(keys.map((k) => k.slice(prefix.length).split(':')[0]))].sort();
      const channels = ((await probe.call('PUBSUB', 'CHANNELS', `${prefix}*`)) as string[]).sort();
      expect(channels).toEqual(ids.map((id) => `${prefix}${id}:events`));
    } finally {
      probe.disconnect();
    }
  }, 120_000);
});
