/**
 * Everything subscriptions need at run time, assembled once per gateway: the EventHub (Redis when
 * configured), the engine routing hub messages to subscribers, the feed publishing the fleet's cache
 * changes and member outages, and the feed publishing Operation moves. `stop()` takes it all down.
 */
import type { KindName } from '../fleet/kinds.js';
import type { Fleet } from '../fleet/types.js';
import type { EventHub } from './EventHub.js';
import type { RedisHealth } from '../redis/RedisHealth.js';
import { createEventHub } from './createEventHub.js';
import { FleetEventFeed, type FleetChangeSource } from './FleetEventFeed.js';
import { OperationFeed, type OperationChanges } from './OperationFeed.js';
import { SubscriptionEngine } from './SubscriptionEngine.js';

export interface SubscriptionRuntimeOptions {
  /** With `watchKind`, subscriptions on fetch-mode kinds run an informer for them while they last. */
  fleet: FleetChangeSource & Partial<Pick<Fleet, 'watchKind'>>;
  /** Operations store of this replica; undefined = no operationProgress. @default undefined */
  operations?: OperationChanges;
  /** REDIS_URL: share events between replicas through Redis pub/sub. @default undefined (in-process) */
  redisUrl?: string;
  /** Redis channel prefix (replicas of one deployment share it). @default 'fleetgraph:' */
  channelPrefix?: string;
  /** Where the hub's Redis clients' state is reported (/readyz, metric). @default a silent one of the hub's own */
  redisHealth?: RedisHealth;
  /** Queue capacity per subscription (SubscriptionQueue policy). @default 256 */
  queueCapacity?: number;
  /** How often member reachability is compared, ms. @default 1000 */
  healthCheckMs?: number;
  /** Receives hub errors. @default ignored */
  onError?: (error: unknown) => void;
}

export interface SubscriptionRuntime {
  hub: EventHub;
  engine: SubscriptionEngine;
  /** The feed of the fleet's cache changes into the hub. */
  feed: FleetEventFeed;
  /** Resolves when the hub delivers other replicas' messages (at once in-process). */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

export function createSubscriptionRuntime(options: SubscriptionRuntimeOptions): SubscriptionRuntime {
  const hub = createEventHub({
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    ...(options.channelPrefix ? { channelPrefix: options.channelPrefix } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.redisHealth ? { redisHealth: options.redisHealth } : {}),
  });
  const fleet = options.fleet;
  const engine = new SubscriptionEngine({
    hub,
    ...(options.queueCapacity ? { queueCapacity: options.queueCapacity } : {}),
    ...(fleet.watchKind
      ? {
          demand: (kinds: readonly KindName[], clusters: readonly string[] | undefined) => {
            const releases = kinds.map((k) => fleet.watchKind!(k, clusters));
            return () => releases.forEach((release) => release());
          },
        }
      : {}),
  });
  const feed = new FleetEventFeed({
    fleet: options.fleet,
    hub,
    ...(options.healthCheckMs !== undefined ? { healthCheckMs: options.healthCheckMs } : {}),
  });
  const operations = options.operations ? new OperationFeed(options.operations, hub) : undefined;
  let stopping: Promise<void> | undefined;
  return {
    hub,
    engine,
    feed,
    ready: () => hub.ready(),
    stop() {
      stopping ??= (async () => {
        feed.stop();
        operations?.stop();
        engine.close();
        await hub.close();
      })();
      return stopping;
    },
  };
}
