/**
 * Chooses the EventHub for a deployment: Redis pub/sub when a Redis URL is configured (several replicas),
 * the in-process hub otherwise.
 */
import type { EventHub } from './EventHub.js';
import { InProcessEventHub } from './InProcessEventHub.js';
import { RedisEventHub } from './RedisEventHub.js';
import type { RedisHealth } from '../redis/RedisHealth.js';

export interface EventHubChoice {
  /** REDIS_URL; undefined = in-process. @default undefined */
  redisUrl?: string;
  /** Channel prefix on Redis. @default 'fleetgraph:' */
  channelPrefix?: string;
  /** Where the Redis clients' state is reported. @default a silent one of the hub's own */
  redisHealth?: RedisHealth;
  /** Receives hub errors (Redis disconnects, listener failures). @default ignored */
  onError?: (error: unknown) => void;
}

export function createEventHub(choice: EventHubChoice = {}): EventHub {
  if (choice.redisUrl) {
    return new RedisEventHub({
      url: choice.redisUrl,
      ...(choice.channelPrefix ? { channelPrefix: choice.channelPrefix } : {}),
      ...(choice.onError ? { onError: choice.onError } : {}),
      ...(choice.redisHealth ? { redisHealth: choice.redisHealth } : {}),
    });
  }
  return new InProcessEventHub(choice.onError ? { onListenerError: choice.onError } : {});
}
