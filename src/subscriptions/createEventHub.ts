/**
 * Chooses the EventHub for a deployment: Redis pub/sub when a Redis URL is configured (several replicas),
 * the in-process hub otherwise.
 */
import type { EventHub } from './EventHub.js';
import { InProcessEventHub } from './InProcessEventHub.js';
import { RedisEventHub } from './RedisEventHub.js';

export interface EventHubChoice {
  /** REDIS_URL; undefined = in-process. @default undefined */
  redisUrl?: string;
  /** Channel prefix on Redis. @default 'fleetgraph:' */
  channelPrefix?: string;
  /** Receives hub errors (Redis disconnects, listener failures). @default ignored */
  onError?: (error: unknown) => void;
}

export function createEventHub(choice: EventHubChoice = {}): EventHub {
  if (choice.redisUrl) {
    return new RedisEventHub({
      url: choice.redisUrl,
      ...(choice.channelPrefix ? { channelPrefix: choice.channelPrefix } : {}),
      ...(choice.onError ? { onError: choice.onError } : {}),
    });
  }
  return new InProcessEventHub(choice.onError ? { onListenerError: choice.onError } : {});
}
