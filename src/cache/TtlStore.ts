/**
 * The TTL cache of fetch-mode lists and events (seed 000 §3): keyv over memory by default, over Redis
 * (RedisKeyvStore on ioredis) when REDIS_URL is set. Values are slim projections only, so secrets' values
 * and managedFields never reach Redis. Concurrent misses of the same key share one upstream call.
 */
import { Keyv } from 'keyv';
import { Redis } from 'ioredis';
import { RedisKeyvStore } from './RedisKeyvStore.js';

export interface TtlStoreOptions {
  /** Redis URL; undefined = in-memory. @default undefined */
  redisUrl?: string;
  /** Prefix of the Redis keys. @default 'fleetgraph:' */
  redisPrefix?: string;
  /** keyv namespace (part of each key). @default 'ttl' */
  namespace?: string;
}

export class TtlStore {
  private readonly keyv: Keyv;
  private readonly inflight = new Map<string, Promise<unknown>>();
  /** Where values live: 'memory' or 'redis'. */
  readonly backend: 'memory' | 'redis';

  constructor(options: TtlStoreOptions = {}) {
    const namespace = options.namespace ?? 'ttl';
    if (options.redisUrl) {
      // lazyConnect + a bounded retry: a gateway with a dead Redis must still answer (from upstream).
      const redis = new Redis(options.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: true });
      redis.on('error', () => {
        // Reported through failed get/set (treated as misses); ioredis reconnects by itself.
      });
      this.keyv = new Keyv({ store: new RedisKeyvStore(redis, { prefix: options.redisPrefix ?? 'fleetgraph:' }), namespace });
      this.backend = 'redis';
    } else {
      this.keyv = new Keyv({ namespace });
      this.backend = 'memory';
    }
    this.keyv.on('error', () => {
      // Same: a cache error is a miss, never a failed query.
    });
  }

  async get<T>(key: string): Promise<T | undefined> {
    try {
      return (await this.keyv.get<T>(key)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    try {
      await this.keyv.set(key, value, ttlMs);
    } catch {
      // A cache that cannot store only costs a later upstream call.
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.keyv.delete(key);
    } catch {
      // see set()
    }
  }

  /**
   * The cached value, or `load()`'s, stored for `ttlMs` when `shouldStore` says so (errors are not cached).
   * Concurrent callers of the same missing key share one `load()`.
   */
  async getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>, shouldStore: (value: T) => boolean = () => true): Promise<T> {
    // The in-flight entry is registered synchronously, before the (async) cache read, so that callers arriving
    // in the same tick share one cache read and at most one load, whatever the store's latency.
    const running = this.inflight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const p = (async () => {
      try {
        const cached = await this.get<T>(key);
        if (cached !== undefined) return cached;
        const value = await load();
        if (shouldStore(value) && ttlMs > 0) await this.set(key, value, ttlMs);
        return value;
      } finally {
        this.inflight.delete(key);
      }
    })();
    this.inflight.set(key, p);
    return p;
  }

  /** Removes this store's keys (its namespace only). */
  async clear(): Promise<void> {
    try {
      await this.keyv.clear();
    } catch {
      // see set()
    }
  }

  async close(): Promise<void> {
    await this.keyv.disconnect().catch(() => {});
  }
}
