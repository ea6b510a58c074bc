/**
 * The TTL cache of fetch-mode lists and events (seed 000 §3): keyv over memory by default, over Redis
 * (RedisKeyvStore on ioredis) when a Redis URL is set. Values are slim projections only, so secrets' values
 * and managedFields never reach Redis. Concurrent misses of the same key share one upstream call.
 *
 * Redis is optional at run time: its client is watched by a breaker (src/redis). While Redis is degraded the
 * store keeps values in memory instead and never waits on Redis; once Redis is up again the memory copies are
 * dropped (they may be older than what other gateways stored meanwhile) and Redis is used again.
 */
import { Keyv } from 'keyv';
import type { RedisClient, RedisHealth } from '../redis/RedisHealth.js';
import { RedisHealth as Health } from '../redis/RedisHealth.js';
import { RedisKeyvStore } from './RedisKeyvStore.js';

export interface TtlStoreOptions {
  /** Redis URL; undefined = in-memory. @default undefined */
  redisUrl?: string;
  /**
   * Prefix of the Redis keys. The fleet's caller puts the fleet id in it (`fleetgraph:<fleet id>:`), so that
   * gateways over different fleets sharing a Redis never read each other's values. @default 'fleetgraph:'
   */
  redisPrefix?: string;
  /** keyv namespace (part of each key). @default 'ttl' */
  namespace?: string;
  /** Where the Redis client's state is reported (the gateway's /readyz and metric). @default a silent one of its own */
  redisHealth?: RedisHealth;
}

export class TtlStore {
  /** Values while there is no Redis, or while it is degraded. */
  private readonly memory: Keyv;
  private readonly redisKeyv: Keyv | undefined;
  private readonly client: RedisClient | undefined;
  private readonly health: RedisHealth | undefined;
  private readonly stopWatching: (() => void) | undefined;
  private readonly inflight = new Map<string, Promise<unknown>>();
  /** Where values live when all is well: 'memory' or 'redis'. */
  readonly backend: 'memory' | 'redis';

  constructor(options: TtlStoreOptions = {}) {
    const namespace = options.namespace ?? 'ttl';
    this.memory = new Keyv({ namespace });
    this.memory.on('error', () => {});
    if (options.redisUrl) {
      this.health = options.redisHealth ?? new Health();
      this.client = this.health.client(options.redisUrl, 'ttl');
      const store = new RedisKeyvStore(this.client.redis, { prefix: options.redisPrefix ?? 'fleetgraph:', breaker: this.client.breaker });
      this.redisKeyv = new Keyv({ store, namespace });
      // A cache error is a miss, never a failed query (keyv reports store errors here rather than throwing).
      this.redisKeyv.on('error', () => {});
      this.stopWatching = this.health.onChange((state) => {
        if (state === 'up') void this.memory.clear().catch(() => {});
      });
      this.backend = 'redis';
    } else {
      this.backend = 'memory';
    }
  }

  /** Redis when it may be asked now, else memory. */
  private current(): Keyv {
    return this.redisKeyv && this.client!.breaker.allows() ? this.redisKeyv : this.memory;
  }

  async get<T>(key: string): Promise<T | undefined> {
    try {
      return (await this.current().get<T>(key)) ?? undefined;
    } catch {
      return undefined;
    }
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    try {
      await this.current().set(key, value, ttlMs);
    } catch {
      // A cache that cannot store only costs a later upstream call.
    }
  }

  async delete(key: string): Promise<void> {
    // Both: a value kept in memory during an outage must not outlive a write through the gateway.
    await Promise.all([this.memory, ...(this.redisKeyv && this.client!.breaker.allows() ? [this.redisKeyv] : [])].map((k) => k.delete(key).catch(() => false)));
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
    await this.memory.clear().catch(() => {});
    if (this.redisKeyv && this.client!.breaker.allows()) await this.redisKeyv.clear().catch(() => {});
  }

  async close(): Promise<void> {
    this.stopWatching?.();
    if (this.client) await this.health!.close(this.client);
  }
}
