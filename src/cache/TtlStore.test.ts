import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { TtlStore } from './TtlStore.js';

const REDIS_URL = 'redis://127.0.0.1:6379';

describe('TtlStore', () => {
  it('in memory: caches, shares concurrent loads and does not store refused values', async () => {
    const store = new TtlStore();
    expect(store.backend).toBe('memory');
    let loads = 0;
    const load = async () => {
      loads++;
      return { items: [loads] };
    };
    const [a, b] = await Promise.all([store.getOrLoad('k', 60_000, load), store.getOrLoad('k', 60_000, load)]);
    expect(a).toEqual({ items: [1] });
    expect(b).toEqual({ items: [1] });
    expect(await store.getOrLoad('k', 60_000, load)).toEqual({ items: [1] });
    expect(loads).toBe(1);
    await store.getOrLoad('err', 60_000, async () => ({ ok: false }), (v) => v.ok);
    expect(await store.get('err')).toBeUndefined();
    await store.close();
  });

  describe('on the real Redis at 127.0.0.1:6379', () => {
    const prefix = `fleetgraph-test-${randomUUID()}:`;
    const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    afterAll(async () => {
      const keys = await probe.keys(`${prefix}*`);
      if (keys.length) await probe.del(...keys);
      await probe.quit();
    });

    it('stores values under the prefix with a Redis-side expiry, shared between two gateways', async () => {
      await probe.connect();
      const one = new TtlStore({ redisUrl: REDIS_URL, redisPrefix: prefix });
      const two = new TtlStore({ redisUrl: REDIS_URL, redisPrefix: prefix });
      expect(one.backend).toBe('redis');
      let loads = 0;
      const value = await one.getOrLoad('member1:nodes', 120_000, async () => {
        loads++;
        return { ok: true, items: [{ metadata: { name: 'n1' } }] };
      });
      expect(value.items[0]!.metadata.name).toBe('n1');
      // The second gateway finds it in Redis and does not load.
      const again = await two.getOrLoad('member1:nodes', 120_000, async () => {
        loads++;
        return { ok: true, items: [] };
      });
      expect(again.items).toHaveLength(1);
      expect(loads).toBe(1);
      const keys = await probe.keys(`${prefix}*`);
      expect(keys).toHaveLength(1);
      expect(keys[0]).toContain('member1:nodes');
      const ttl = await probe.pttl(keys[0]!);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(120_000);
      // clear() removes only this store's keys.
      await probe.set(`${prefix}unrelated`, 'x');
      await one.clear();
      expect(await probe.keys(`${prefix}*`)).toEqual([`${prefix}unrelated`]);
      await one.close();
      await two.close();
    });
  });
});
