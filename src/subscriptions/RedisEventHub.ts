/**
 * EventHub over Redis pub/sub (ioredis), for several replicas behind one load balancer. Every message is
 * delivered to this replica's listeners at once and published on one channel; other replicas deliver what
 * they receive. Each replica usually sees the same cache change from its own informers too, so delivery
 * is de-duplicated by message id (RecentIds): whichever copy arrives first is the one subscribers get.
 *
 * Pub/sub is fire-and-forget: a replica disconnected from Redis misses what was published meanwhile. That
 * is acceptable here because each replica still has its own informers; what only crosses replicas (an
 * Operation moving on another replica) is also readable by query.
 */
import { randomUUID } from 'node:crypto';
import { RedisHealth, type RedisClient } from '../redis/RedisHealth.js';
import type { EventHub, HubListener, PublishOptions } from './EventHub.js';
import { deliver } from './InProcessEventHub.js';
import { RecentIds } from './RecentIds.js';
import type { HubMessage } from './types.js';

export interface RedisEventHubOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379`. */
  url: string;
  /**
   * Prefix of the pub/sub channel: replicas of one gateway deployment share it; tests use a unique one. The
   * gateway puts the fleet id in it (`fleetgraph:<fleet id>:`), so that fleets sharing a Redis never see each
   * other's events. @default 'fleetgraph:'
   */
  channelPrefix?: string;
  /**
   * Where the state of the hub's two Redis clients is reported. While it is degraded, publishing skips Redis
   * (this replica's own subscribers still get every message). @default a silent one of its own
   */
  redisHealth?: RedisHealth;
  /** How many message ids are remembered for de-duplication. @default 50000 */
  dedupeCapacity?: number;
  /**
   * Called on listener failures and unreadable messages. Redis' connection errors are not reported here, but
   * as state changes of `redisHealth` (one log line each, not one per reconnection attempt). @default ignores them
   */
  onError?: (error: unknown) => void;
}

interface Envelope {
  origin: string;
  message: HubMessage;
}

export class RedisEventHub implements EventHub {
  /** This replica's id: its own messages coming back from Redis are skipped. */
  readonly origin = randomUUID();
  readonly shared = true;
  private readonly listeners = new Set<HubListener>();
  private readonly seen: RecentIds;
  private readonly health: RedisHealth;
  private readonly pub: RedisClient;
  private readonly sub: RedisClient;
  private readonly channel: string;
  private readonly subscribed: Promise<void>;
  private closed = false;

  constructor(private readonly options: RedisEventHubOptions) {
    this.channel = `${options.channelPrefix ?? 'fleetgraph:'}events`;
    this.seen = new RecentIds(options.dedupeCapacity ?? 50_000);
    // A subscribed ioredis connection can only (un)subscribe: publishing needs a second one.
    this.health = options.redisHealth ?? new RedisHealth();
    this.pub = this.health.client(options.url, 'events-pub');
    // The subscriber waits for its connection however long it takes; ioredis subscribes again after a reconnection.
    this.sub = this.health.client(options.url, 'events-sub', true);
    this.sub.redis.on('message', (channel: string, raw: string) => this.receive(channel, raw));
    this.subscribed = this.sub.redis.subscribe(this.channel).then(() => undefined);
    // ready() reports the failure; an unobserved rejection must not crash the process meanwhile.
    this.subscribed.catch((e) => options.onError?.(e));
  }

  publish(message: HubMessage, options: PublishOptions = {}): void {
    if (this.closed) return;
    if (!this.seen.firstSeen(message.id)) return;
    deliver(this.listeners, message, this.options.onError);
    if (options.localOnly) return;
    const envelope: Envelope = { origin: this.origin, message };
    // Through the breaker: while Redis is degraded this is refused at once; a failure counts there, and is
    // logged (once) as the state change it causes.
    this.pub.breaker.run(() => this.pub.redis.publish(this.channel, JSON.stringify(envelope))).catch(() => {});
  }

  subscribe(listener: HubListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  ready(): Promise<void> {
    return this.subscribed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    await Promise.allSettled([this.health.close(this.sub), this.health.close(this.pub)]);
  }

  private receive(channel: string, raw: string): void {
    if (this.closed || channel !== this.channel) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch (e) {
      this.options.onError?.(e);
      return;
    }
    if (envelope.origin === this.origin || !envelope.message?.id) return;
    if (!this.seen.firstSeen(envelope.message.id)) return;
    deliver(this.listeners, envelope.message, this.options.onError);
  }
}
