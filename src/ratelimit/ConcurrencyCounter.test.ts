import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBreaker } from '../redis/RedisBreaker.js';
import { MemoryConcurrencyCounter, RedisConcurrencyCounter } from './ConcurrencyCounter.js';

describe('MemoryConcurrencyCounter', () => {
  it('counts holders per user and kind, refuses over the limit, frees on release, and is idempotent', async () => {
    const c = new MemoryConcurrencyCounter();
    expect(await c.acquire('user:a', 'connections', 2, 'h1')).toBe(true);
    expect(await c.acquire('user:a', 'connections', 2, 'h1')).toBe(true); // same holder: no second slot
    expect(await c.acquire('user:a', 'connections', 2, 'h2')).toBe(true);
    expect(await c.acquire('user:a', 'connections', 2, 'h3')).toBe(false);
    expect(await c.acquire('user:a', 'operations', 2, 'h3')).toBe(true); // another kind
    expect(await c.acquire('user:b', 'connections', 2, 'h3')).toBe(true); // another user
    c.release('user:a', 'connections', 'h1');
    c.release('user:a', 'connections', 'h1');
    expect(c.count('user:a', 'connections')).toBe(1);
    expect(await c.acquire('user:a', 'connections', 2, 'h3')).toBe(true);
  });
});

// The machine's Redis, under a prefix of this test's own.
describe('RedisConcurrencyCounter against Redis', () => {
  const prefix = `fleetgraph-wscaps-test-${randomUUID()}:fleet1:`;
  let redis: Redis;
  const counters: RedisConcurrencyCounter[] = [];
  const make = (options: Partial<ConstructorParameters<typeof RedisConcurrencyCounter>[0]> = {}) => {
    const c = new RedisConcurrencyCounter({ redis, prefix, refreshMs: 200, ...options });
    counters.push(c);
    return c;
  };

  beforeAll(() => {
    redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    for (const c of counters) await c.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('counts the holders of every replica together, under <prefix>wscaps:<kind>:<user>', async () => {
    const a = make();
    const b = make();
    expect(await a.acquire('user:alice', 'connections', 3, 'c1')).toBe(true);
    expect(await b.acquire('user:alice', 'connections', 3, 'c2')).toBe(true);
    expect(await a.acquire('user:alice', 'connections', 3, 'c3')).toBe(true);
    expect(await b.acquire('user:alice', 'connections', 3, 'c4')).toBe(false);
    expect(await a.acquire('user:alice', 'connections', 3, 'c4')).toBe(false);
    expect(await b.acquire('user:bob', 'connections', 3, 'c4')).toBe(true);
    const key = `${prefix}wscaps:connections:user:alice`;
    expect((await redis.zrange(key, 0, -1)).sort()).toEqual([`${a.replicaId}:c1`, `${b.replicaId}:c2`, `${a.replicaId}:c3`].sort());
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(a.staleMs);
    // A release on one replica frees a slot for the other.
    a.release('user:alice', 'connections', 'c1');
    const deadline = Date.now() + 5_000;
    while (!(await b.acquire('user:alice', 'connections', 3, 'c5'))) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await redis.zcard(key)).toBe(3);
    expect(b.memory.count('user:alice', 'connections')).toBe(2);
  });

  it('drops the holders of a replica that stopped refreshing them (died) after staleMs, and keeps the live ones', async () => {
    // A user of this attempt only: a retry must not meet the first attempt's live holders.
    const user = `user:carol-${randomUUID()}`;
    const live = make();
    const dead = make();
    expect(await dead.acquire(user, 'operations', 2, 'o1')).toBe(true);
    expect(await dead.acquire(user, 'operations', 2, 'o2')).toBe(true);
    expect(await live.acquire(user, 'operations', 2, 'o3')).toBe(false);
    // "Dies": its timer stops (and a refresh already under way ends), nothing is removed from Redis.
    clearInterval((dead as unknown as { timer: NodeJS.Timeout }).timer);
    await (dead as unknown as { refreshing?: Promise<void> }).refreshing;
    const started = Date.now();
    while (!(await live.acquire(user, 'operations', 2, 'o3'))) {
      expect(Date.now() - started).toBeLessThan(5_000);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(live.staleMs - 300);
    // The live replica's holder outlives staleMs: its refresh keeps it counted. A refused acquire drops whatever
    // is stale (the dead replica's holders) and leaves the set as it counts it.
    await new Promise((r) => setTimeout(r, live.staleMs * 2));
    expect(await live.acquire(user, 'operations', 1, 'probe')).toBe(false);
    expect(await redis.zrange(`${prefix}wscaps:operations:${user}`, 0, -1)).toEqual([`${live.replicaId}:o3`]);
  });

  it('counts in memory while Redis fails, never refusing everyone, and puts its holders back in Redis when it returns', async () => {
    let down = false;
    const failing = {
      eval: (...args: Parameters<Redis['eval']>) => (down ? Promise.reject(new Error('connection is closed')) : redis.eval(...args)),
      zrem: (...args: Parameters<Redis['zrem']>) => (down ? Promise.reject(new Error('connection is closed')) : redis.zrem(...args)),
    } as unknown as Redis;
    const breaker = new RedisBreaker('wscaps', () => {}, { failureThreshold: 1, retryIntervalMs: 100 });
    const fallbacks: unknown[] = [];
    const c = make({ redis: failing, breaker, onFallback: (e) => fallbacks.push(e) });
    const other = make();
    expect(await other.acquire('user:dave', 'connections', 2, 'x1')).toBe(true);
    expect(await other.acquire('user:dave', 'connections', 2, 'x2')).toBe(true);
    down = true;
    // Redis would refuse (two held elsewhere); this replica, on its own, holds none: allowed up to the limit.
    expect(await c.acquire('user:dave', 'connections', 2, 'y1')).toBe(true);
    expect(await c.acquire('user:dave', 'connections', 2, 'y2')).toBe(true);
    expect(await c.acquire('user:dave', 'connections', 2, 'y3')).toBe(false);
    expect(fallbacks.length).toBeGreaterThanOrEqual(1);
    down = false;
    await new Promise((r) => setTimeout(r, 150)); // the breaker's probe is due
    await c.refresh();
    await c.refresh();
    const members = await redis.zrange(`${prefix}wscaps:connections:user:dave`, 0, -1);
    expect(members.sort()).toEqual([`${other.replicaId}:x1`, `${other.replicaId}:x2`, `${c.replicaId}:y1`, `${c.replicaId}:y2`].sort());
    // Over the cap now (4 of 2): nobody gets a new slot until enough are released.
    expect(await other.acquire('user:dave', 'connections', 2, 'x3')).toBe(false);
  });

  it('gives every slot of the replica back on close', async () => {
    const c = make();
    expect(await c.acquire('user:erin', 'connections', 5, 'z1')).toBe(true);
    expect(await c.acquire('user:erin', 'operations', 5, 'z1/1')).toBe(true);
    await c.close();
    expect(await redis.exists(`${prefix}wscaps:connections:user:erin`, `${prefix}wscaps:operations:user:erin`)).toBe(0);
  });
});
