/**
 * A keyv store on ioredis (the project's one Redis client; @keyv/redis would bring the `redis` client as a
 * second one). Keys are `<prefix><keyv key>` with Redis-side expiry (PX), so expired entries cost nothing.
 */
import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import type { Redis } from 'ioredis';
import type { RedisBreaker } from '../redis/RedisBreaker.js';

export interface RedisKeyvStoreOptions {
  /** Prefix of every Redis key this store writes, so several gateways (or tests) can share a Redis. @default 'fleetgraph:' */
  prefix?: string;
  /** Every command goes through it: a degraded Redis is not asked at all. @default none (always asked) */
  breaker?: RedisBreaker;
}

export class RedisKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  opts: RedisKeyvStoreOptions;
  namespace?: string | undefined;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly breaker: RedisBreaker | undefined;

  constructor(redis: Redis, options: RedisKeyvStoreOptions = {}) {
    super();
    this.redis = redis;
    this.prefix = options.prefix ?? 'fleetgraph:';
    this.breaker = options.breaker;
    this.opts = { prefix: this.prefix };
  }

  private run<T>(command: () => Promise<T>): Promise<T> {
    return this.breaker ? this.breaker.run(command) : command();
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const v = await this.run(() => this.redis.get(this.prefix + key));
    return (v ?? undefined) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    if (keys.length === 0) return [];
    const values = await this.run(() => this.redis.mget(keys.map((k) => this.prefix + k)));
    return values.map((v) => (v ?? undefined) as StoredData<Value | undefined>);
  }

  async set(key: string, value: any, ttl?: number): Promise<void> {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (ttl && ttl > 0) await this.run(() => this.redis.set(this.prefix + key, text, 'PX', Math.ceil(ttl)));
    else await this.run(() => this.redis.set(this.prefix + key, text));
  }

  async delete(key: string): Promise<boolean> {
    return (await this.run(() => this.redis.del(this.prefix + key))) > 0;
  }

  async has(key: string): Promise<boolean> {
    return (await this.run(() => this.redis.exists(this.prefix + key))) > 0;
  }

  /** Deletes this store's keys (of its keyv namespace when one is set), never the rest of the database. */
  async clear(): Promise<void> {
    const match = `${this.prefix}${this.namespace ? `${this.namespace}:` : ''}*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.run(() => this.redis.scan(cursor, 'MATCH', match, 'COUNT', 500));
      cursor = next;
      if (keys.length) await this.run(() => this.redis.del(...keys));
    } while (cursor !== '0');
  }

  async disconnect(): Promise<void> {
    await this.redis.quit();
  }
}
