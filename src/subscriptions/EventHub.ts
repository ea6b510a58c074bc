/**
 * The EventHub carries events between the replica that sees them and every replica with subscribers.
 * One implementation per deployment shape: InProcessEventHub (one replica, the default; `npm start` needs no
 * Redis) and RedisEventHub (several replicas sharing REDIS_URL). The subscription engine publishes everything
 * it learns (cache changes, Operations moving) here and routes only what the hub delivers, so a single
 * code path serves one replica or many.
 */
import type { HubMessage } from './types.js';

export type HubListener = (message: HubMessage) => void;

export interface PublishOptions {
  /**
   * Deliver to this replica's listeners only. Used for what is about this replica's own view (whether IT
   * can reach a member), which another replica may see differently.
   * @default false
   */
  localOnly?: boolean;
}

export interface EventHub {
  /** True when other replicas share this hub (what they publish arrives here too). */
  readonly shared: boolean;
  /** Delivers `message` to every listener of every replica, at most once per replica (by `message.id`). */
  publish(message: HubMessage, options?: PublishOptions): void;
  /** Registers a listener for every delivered message; returns the function that unregisters it. */
  subscribe(listener: HubListener): () => void;
  /** Resolves once the hub is ready to deliver messages of other replicas (immediately in-process). */
  ready(): Promise<void>;
  /** Releases connections; later publishes are ignored. */
  close(): Promise<void>;
}
