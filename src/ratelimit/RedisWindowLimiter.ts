/**
 * The per-identity request budget shared by every replica through Redis (`--redis-url`): the same fixed
 * windows as WindowLimiter, counted with ONE atomic Redis operation per request (a Lua script: INCR, and
 * PEXPIRE on the window's first request) on `<prefix><fleet id>:ratelimit:<caller>:<window>`.
 *
 * Redis is optional at run time: while the client's breaker is open (src/redis/RedisBreaker.ts), or when a
 * command fails, the request is counted by the in-memory limiter instead, which is kept in step with what
 * Redis answered. A request is never refused, nor failed, because Redis is down: each replica then enforces
 * the budget on its own.
 */
import type { Redis } from 'ioredis';
import { RedisUnavailableError, type RedisBreaker } from '../redis/RedisBreaker.js';
import { retryAfterSeconds, WindowLimiter, type Admission, type RateLimiter } from './WindowLimiter.js';

/** INCR the window's counter; the first request of a window sets its expiry (the window's end plus slack). */
const TAKE_SCRIPT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

export interface RedisWindowLimiterOptions {
  redis: Pick<Redis, 'eval'>;
  /** The client's breaker: open = counted in memory without asking Redis. @default every command is sent */
  breaker?: Pick<RedisBreaker, 'run'>;
  /** Key prefix including the fleet id, e.g. `fleetgraph:<fleet id>:`. */
  prefix: string;
  limit: number;
  /** @default 60000 */
  periodMs?: number;
  /** Clock, ms. @default Date.now */
  now?: () => number;
  /** Told once per failure that sent the request to the in-memory limiter (not for an open breaker). @default nothing */
  onFallback?: (error: unknown) => void;
}

export class RedisWindowLimiter implements RateLimiter {
  readonly limit: number;
  readonly periodMs: number;
  /** The fallback, also exposed for tests. */
  readonly memory: WindowLimiter;
  private readonly options: RedisWindowLimiterOptions;
  private readonly now: () => number;

  constructor(options: RedisWindowLimiterOptions) {
    this.options = options;
    this.limit = options.limit;
    this.periodMs = options.periodMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.memory = new WindowLimiter({ limit: this.limit, periodMs: this.periodMs, now: this.now });
  }

  async take(key: string): Promise<Admission> {
    const now = this.now();
    const window = Math.floor(now / this.periodMs);
    const redisKey = `${this.options.prefix}ratelimit:${key}:${window}`;
    // Kept a little past the window's end: a replica whose clock is behind still finds the count.
    const ttl = String(this.periodMs + 5_000);
    const send = () => this.options.redis.eval(TAKE_SCRIPT, 1, redisKey, ttl) as Promise<unknown>;
    let used: number;
    try {
      used = Number(await (this.options.breaker ? this.options.breaker.run(send) : send()));
    } catch (error) {
      if (!(error instanceof RedisUnavailableError)) this.options.onFallback?.(error);
      return this.memory.take(key);
    }
    this.memory.record(key, used);
    return used > this.limit ? retryAfterSeconds(now, window, this.periodMs) : 0;
  }
}
