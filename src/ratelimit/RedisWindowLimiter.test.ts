import { describe, expect, it } from 'vitest';
import { RedisBreaker } from '../redis/RedisBreaker.js';
import { RedisWindowLimiter } from './RedisWindowLimiter.js';

/** A Redis whose `eval` runs the INCR/PEXPIRE script's effect in memory, or fails while `down`. */
function fakeRedis() {
  const counters = new Map<string, number>();
  const calls: Array<{ key: string; ttl: string }> = [];
  const state = { down: false };
  const redis = {
    eval: async (_script: string, _n: number, key: string, ttl: string) => {
      calls.push({ key, ttl });
      if (state.down) throw new Error('connect ECONNREFUSED');
      const n = (counters.get(key) ?? 0) + 1;
      counters.set(key, n);
      return n;
    },
  };
  return { redis, counters, calls, state };
}

describe('RedisWindowLimiter', () => {
  it('counts with one script call per request on <prefix>ratelimit:<key>:<window>, shared by two limiters', async () => {
    const now = 3 * 60_000 + 20_000;
    const fake = fakeRedis();
    const a = new RedisWindowLimiter({ redis: fake.redis as never, prefix: 'p:fleet1:', limit: 2, now: () => now });
    const b = new RedisWindowLimiter({ redis: fake.redis as never, prefix: 'p:fleet1:', limit: 2, now: () => now });
    expect(await a.take('user:alice')).toBe(0);
    expect(await b.take('user:alice')).toBe(0);
    // The third request, on either replica, is over the shared budget: 40 s left in the window.
    expect(await a.take('user:alice')).toBe(40);
    expect(await b.take('user:bob')).toBe(0);
    expect(fake.calls.map((c) => c.key)).toEqual(['p:fleet1:ratelimit:user:alice:3', 'p:fleet1:ratelimit:user:alice:3', 'p:fleet1:ratelimit:user:alice:3', 'p:fleet1:ratelimit:user:bob:3']);
    expect(fake.calls[0]!.ttl).toBe('65000');
  });

  it('falls back to memory when a command fails, then the breaker opens and Redis is not asked', async () => {
    let now = 1_000;
    const fake = fakeRedis();
    const breaker = new RedisBreaker('ratelimit', () => {}, { failureThreshold: 2, retryIntervalMs: 10_000, now: () => now });
    breaker.connected();
    const failures: unknown[] = [];
    const limiter = new RedisWindowLimiter({ redis: fake.redis as never, breaker, prefix: 'x:', limit: 3, now: () => now, onFallback: (e) => failures.push(e) });
    expect(await limiter.take('user:a')).toBe(0); // Redis: 1
    fake.state.down = true;
    expect(await limiter.take('user:a')).toBe(0); // memory: 2 (kept in step with Redis' 1)
    expect(await limiter.take('user:a')).toBe(0); // memory: 3; the breaker opens
    expect(breaker.state).toBe('degraded');
    expect(failures).toHaveLength(2);
    const asked = fake.calls.length;
    expect(await limiter.take('user:a')).toBe(59); // over, answered from memory without touching Redis
    expect(fake.calls.length).toBe(asked);
    expect(failures).toHaveLength(2);
    // Redis back and the probe due: counted there again.
    fake.state.down = false;
    now += 10_000;
    expect(await limiter.take('user:b')).toBe(0);
    expect(breaker.state).toBe('up');
    expect(fake.counters.get('x:ratelimit:user:b:0')).toBe(1);
  });
});
