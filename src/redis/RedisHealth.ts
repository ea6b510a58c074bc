/**
 * Redis as seen by one gateway: every ioredis client it opens (the TTL cache's, the EventHub's publisher and
 * subscriber) is made here with options that fail fast, and watched by its own RedisBreaker. The gateway's Redis
 * state is the worst of them (`degraded` if any is, else `connecting` if any is, else `up`); it is what /readyz
 * and `fleetgraph_redis_up` report, and each change of it is logged as ONE line. ioredis' own 'error' events
 * (one per reconnection attempt while Redis is away) are never logged one by one.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { RedisBreaker, type RedisBreakerOptions, type RedisState } from './RedisBreaker.js';

/** The logger subset used (pino-compatible). */
export interface RedisHealthLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface RedisHealthOptions {
  /** Receives one line per state change. @default silent */
  logger?: RedisHealthLogger;
  /**
   * How long one command may take before it counts as a failure, ms. Short: a query waiting on a cache read
   * should never wait long for a cache that is not answering. @default 500
   */
  commandTimeoutMs?: number;
  /** Longest pause between reconnection attempts, ms: Redis is used again within about this long of its return. @default 1000 */
  maxReconnectDelayMs?: number;
  /** Breaker settings of every client. @default RedisBreaker's defaults */
  breaker?: Omit<RedisBreakerOptions, 'isConnected'>;
}

export type { RedisState };

export interface RedisClient {
  redis: Redis;
  breaker: RedisBreaker;
}

export class RedisHealth {
  private readonly breakers = new Set<RedisBreaker>();
  private readonly listeners = new Set<(state: RedisState) => void>();
  private reported: RedisState = 'connecting';

  constructor(private readonly options: RedisHealthOptions = {}) {}

  /** The gateway's Redis state: the worst of its clients' (`up` when it has none yet). */
  get state(): RedisState {
    let state: RedisState = 'up';
    for (const b of this.breakers) {
      if (b.state === 'degraded') return 'degraded';
      if (b.state === 'connecting') state = 'connecting';
    }
    return state;
  }

  /** Called with the new state after each change. @returns unsubscribe */
  onChange(listener: (state: RedisState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Opens an ioredis client watched by a breaker.
   * @param name names the client in log lines (`ttl`, `events-pub`, `events-sub`)
   * @param subscriber a pub/sub subscriber: its (re)subscriptions wait for the connection however long it takes,
   *   since it sends nothing else and nobody waits on it
   */
  client(url: string, name: string, subscriber = false): RedisClient {
    const options: RedisOptions = {
      lazyConnect: false,
      connectTimeout: 3000,
      retryStrategy: (times) => Math.min(times * 100, this.options.maxReconnectDelayMs ?? 1000),
      // A command sent while the connection is down fails at the next failed reconnection rather than
      // being retried later for a query that has moved on (the breaker then stops sending them at all).
      ...(subscriber ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 0, commandTimeout: this.options.commandTimeoutMs ?? 500 }),
    };
    const redis = new Redis(url, options);
    const breaker = this.breaker(name, {
      isConnected: () => redis.status === 'ready',
      ...(subscriber ? {} : { commandTimeoutMs: this.options.commandTimeoutMs ?? 500 }),
    });
    redis.on('ready', () => breaker.connected());
    redis.on('close', () => breaker.disconnected());
    redis.on('error', (error: unknown) => {
      // Repeats once per reconnection attempt while Redis is away: it only moves the breaker (once).
      breaker.disconnected(error);
    });
    return { redis, breaker };
  }

  /** A breaker reported in this health (exported for clients made elsewhere and for tests). */
  breaker(name: string, options: Pick<RedisBreakerOptions, 'isConnected' | 'now' | 'commandTimeoutMs'> = {}): RedisBreaker {
    const breaker = new RedisBreaker(name, (b) => this.changed(b), { ...this.options.breaker, ...options });
    this.breakers.add(breaker);
    return breaker;
  }

  /** Closes a client quietly: its breaker stops counting first, so a shutdown is not reported as an outage. */
  async close(client: RedisClient): Promise<void> {
    this.breakers.delete(client.breaker);
    client.redis.removeAllListeners('close');
    // quit() waits for the server's answer: a client that is not connected is simply disconnected.
    if (client.redis.status === 'ready') await client.redis.quit().catch(() => client.redis.disconnect());
    else client.redis.disconnect();
  }

  private changed(cause: RedisBreaker): void {
    const state = this.state;
    if (state === this.reported) return;
    const previous = this.reported;
    this.reported = state;
    const log = this.options.logger;
    if (state === 'degraded') {
      log?.warn({ redis: state, client: cause.name, err: cause.lastError }, 'redis degraded: not asked for a while, serving from memory');
    } else if (state === 'up') {
      log?.info({ redis: state, was: previous }, 'redis up');
    }
    for (const l of this.listeners) l(state);
  }
}
