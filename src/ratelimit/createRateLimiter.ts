/**
 * The gateway's per-identity request budget from its configuration: none when `--rate-limit-per-minute 0`,
 * shared through Redis when `--redis-url` is set (keys `<redis prefix><fleet id>:ratelimit:…`, as the TTL
 * cache and the event hub name theirs), else in this process' memory.
 */
import type { Config } from '../config/Config.js';
import { fleetIdOf } from '../fleet/fleetIdentity.js';
import type { RedisHealth } from '../redis/RedisHealth.js';
import type { Logger } from '../server/logger.js';
import { RedisWindowLimiter } from './RedisWindowLimiter.js';
import { WindowLimiter, type RateLimiter } from './WindowLimiter.js';

/** Seed 000 §4.1: 1,000 requests per minute per user unless configured. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 1000;

export interface GatewayRateLimiter {
  limiter: RateLimiter | undefined;
  /** Closes its Redis client, if any. */
  close(): Promise<void>;
}

export function createRateLimiter(config: Config, redisHealth: RedisHealth | undefined, logger: Logger): GatewayRateLimiter {
  const limit = config.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE;
  if (limit === 0) return { limiter: undefined, close: async () => {} };
  if (!config.redisUrl || !redisHealth) return { limiter: new WindowLimiter({ limit }), close: async () => {} };
  const client = redisHealth.client(config.redisUrl, 'ratelimit');
  const limiter = new RedisWindowLimiter({
    redis: client.redis,
    breaker: client.breaker,
    prefix: `${config.redisPrefix ?? 'fleetgraph:'}${fleetIdOf(config)}:`,
    limit,
    // The breaker's state change is logged once by RedisHealth; this is the single failed command.
    onFallback: (err) => logger.debug({ err }, 'rate limit counted in memory: redis command failed'),
  });
  return {
    limiter,
    close: async () => {
      client.redis.disconnect();
    },
  };
}
