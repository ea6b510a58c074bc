/**
 * The WebSocket caps' counter from the gateway's configuration: shared through Redis when `--redis-url` is set
 * (keys `<redis prefix><fleet id>:wscaps:…`, as the rate limiter names its own), else in this process' memory.
 */
import type { Config } from '../config/Config.js';
import { fleetIdOf } from '../fleet/fleetIdentity.js';
import type { RedisHealth } from '../redis/RedisHealth.js';
import type { Logger } from '../server/logger.js';
import { MemoryConcurrencyCounter, RedisConcurrencyCounter, type ConcurrencyCounter } from './ConcurrencyCounter.js';

export interface GatewayConcurrencyCounter {
  counter: ConcurrencyCounter;
  /** Gives this replica's slots back and closes its Redis client, if any. */
  close(): Promise<void>;
}

export function createConcurrencyCounter(config: Config, redisHealth: RedisHealth | undefined, logger: Logger): GatewayConcurrencyCounter {
  if (!config.redisUrl || !redisHealth) {
    const counter = new MemoryConcurrencyCounter();
    return { counter, close: () => counter.close() };
  }
  const client = redisHealth.client(config.redisUrl, 'wscaps');
  const counter = new RedisConcurrencyCounter({
    redis: client.redis,
    breaker: client.breaker,
    prefix: `${config.redisPrefix ?? 'fleetgraph:'}${fleetIdOf(config)}:`,
    // The breaker's state change is logged once by RedisHealth; this is the single failed command.
    onFallback: (err) => logger.debug({ err }, 'websocket cap counted in memory: redis command failed'),
  });
  return {
    counter,
    close: async () => {
      await counter.close();
      client.redis.disconnect();
    },
  };
}
