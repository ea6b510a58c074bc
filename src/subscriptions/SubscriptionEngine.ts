/**
 * The transport-free core of subscriptions. It listens to the EventHub (where FleetEventFeed publishes
 * cache changes and member outages, and the Operations engine publishes Operation moves), routes each
 * message through the SubscriberIndex to the subscriptions whose filter matches, and puts it in each one's
 * bounded SubscriptionQueue. It knows nothing of GraphQL or WebSockets: the resolvers open queues here and
 * the transport drains them.
 */
import type { KindName } from '../fleet/kinds.js';
import type { EventHub } from './EventHub.js';
import { FleetRollupTicker, type FleetTick } from './FleetRollupTicker.js';
import { resourceMatches } from './routeMatches.js';
import { SubscriberIndex } from './SubscriberIndex.js';
import { SubscriptionQueue, type QueueStats } from './SubscriptionQueue.js';
import type { HubMessage, MemberHealthEvent, OperationEvent, ResourceEvent, SubscriptionFilter } from './types.js';

export interface SubscriptionEngineOptions {
  hub: EventHub;
  /** Queue capacity of each subscription (see SubscriptionQueue for the policy). @default 256 */
  queueCapacity?: number;
  /** Shortest fleet roll-up interval a subscriber may ask for, ms. @default 100 */
  minRollupIntervalMs?: number;
  /**
   * Called when a resource subscription opens, with its kinds and clusters (undefined: every cluster); the
   * returned function when it closes. The
   * runtime makes the fleet watch fetch-mode kinds meanwhile (Fleet.watchKind). @default nothing
   */
  demand?: (kinds: readonly KindName[], clusters: readonly string[] | undefined) => () => void;
}

/** What a subscription's queue carries. */
export type EngineEvent = ResourceEvent | MemberHealthEvent | OperationEvent | FleetTick;

export interface OpenOptions {
  filter: SubscriptionFilter;
  /**
   * Also receive member outage/recovery events, of these members (empty or undefined: every member).
   * @default undefined (none)
   */
  memberHealth?: { clusters?: readonly string[] };
  /**
   * Replaces the default residual match (resourceMatches) for resource events, e.g. to let a
   * ResourceBinding change through for a workload subscription.
   */
  match?: (event: ResourceEvent) => boolean;
  /** @default the engine's queueCapacity */
  capacity?: number;
}

interface Route {
  options: OpenOptions;
  queue: SubscriptionQueue<EngineEvent>;
}

/** Kinds whose changes move the fleet roll-up. */
const ROLLUP_KINDS: readonly KindName[] = ['pods', 'nodes', 'clusters'];

export class SubscriptionEngine {
  private readonly index = new SubscriberIndex<Route>();
  private readonly healthIndex = new SubscriberIndex<Route>();
  private readonly operationRoutes = new Map<string, Set<SubscriptionQueue<EngineEvent>>>();
  /** operationChanged subscribers: every Operation's moves (their filters and visibility are the resolver's). */
  private readonly operationFeeds = new Set<SubscriptionQueue<EngineEvent>>();
  private readonly tickers = new Map<number, FleetRollupTicker>();
  private readonly unsubscribeHub: () => void;
  private readonly capacity: number;
  private readonly minRollupIntervalMs: number;
  private readonly totals = { routed: 0, messages: 0 };
  private readonly queues = new Set<SubscriptionQueue<EngineEvent>>();

  constructor(private readonly options: SubscriptionEngineOptions) {
    this.capacity = options.queueCapacity ?? 256;
    this.minRollupIntervalMs = options.minRollupIntervalMs ?? 100;
    this.unsubscribeHub = options.hub.subscribe((m) => this.route(m));
  }

  get hub(): EventHub {
    return this.options.hub;
  }

  /** Opens a subscription to resource changes (and member health when asked); drain the returned queue. */
  open(options: OpenOptions): SubscriptionQueue<EngineEvent> {
    const route: Route = {
      options,
      queue: undefined as unknown as SubscriptionQueue<EngineEvent>,
    };
    const removers: Array<() => void> = [];
    route.queue = this.track(new SubscriptionQueue<EngineEvent>({
      capacity: options.capacity ?? this.capacity,
      onClose: () => removers.forEach((r) => r()),
    }));
    if (options.filter.kinds.length) removers.push(this.index.add(route, options.filter));
    if (options.filter.kinds.length && this.options.demand) removers.push(this.options.demand(options.filter.kinds, options.filter.clusters));
    if (options.memberHealth) removers.push(this.healthIndex.add(route, { kinds: ['clusters'], clusters: options.memberHealth.clusters }));
    return route.queue;
  }

  /** Opens a subscription to one Operation's moves. */
  openOperation(operationId: string): SubscriptionQueue<EngineEvent> {
    let set = this.operationRoutes.get(operationId);
    if (!set) this.operationRoutes.set(operationId, (set = new Set()));
    const routes = set;
    const queue = this.track(new SubscriptionQueue<EngineEvent>({
      capacity: this.capacity,
      onClose: () => {
        routes.delete(queue);
        if (routes.size === 0 && this.operationRoutes.get(operationId) === routes) this.operationRoutes.delete(operationId);
      },
    }));
    set.add(queue);
    return queue;
  }

  /**
   * Opens a subscription to every Operation's moves (never finished by a terminal phase). Each routed message
   * is the same object for every subscriber; a move of an Operation still waiting in a slow subscriber's queue
   * replaces it (an ADDED stays an ADDED of the newer state).
   */
  openOperationFeed(): SubscriptionQueue<EngineEvent> {
    const queue = this.track(new SubscriptionQueue<EngineEvent>({
      capacity: this.capacity,
      onClose: () => this.operationFeeds.delete(queue),
    }));
    this.operationFeeds.add(queue);
    return queue;
  }

  /**
   * Opens a subscription to fleet roll-up ticks, at most one per `minIntervalMs` (clamped to the engine's
   * minimum). Subscribers of the same interval share one ticker, hence one tick object per interval.
   */
  openFleetTicks(minIntervalMs: number): SubscriptionQueue<EngineEvent> {
    const interval = Math.max(this.minRollupIntervalMs, Math.round(minIntervalMs));
    let ticker = this.tickers.get(interval);
    if (!ticker) {
      const t = new FleetRollupTicker(interval);
      this.tickers.set(interval, t);
      ticker = t;
    }
    const t = ticker;
    const removers: Array<() => void> = [];
    const queue = this.track(new SubscriptionQueue<EngineEvent>({
      capacity: 4,
      onClose: () => {
        removers.forEach((r) => r());
        if (t.size === 0 && this.tickers.get(interval) === t) this.tickers.delete(interval);
      },
    }));
    // A slow reader keeps only the newest tick: the roll-up is a state, not a history.
    removers.push(t.add((tick) => queue.replace(tick, 'fleet')));
    return queue;
  }

  /** Counters for /metrics and tests. */
  stats(): { subscriptions: number; routed: number; messages: number; queues: QueueStats } {
    const q: QueueStats = { pushed: 0, delivered: 0, coalesced: 0, dropped: 0, pending: 0 };
    for (const queue of this.queues) {
      const s = queue.stats;
      q.pushed += s.pushed;
      q.delivered += s.delivered;
      q.coalesced += s.coalesced;
      q.dropped += s.dropped;
      q.pending += s.pending;
    }
    return { subscriptions: this.queues.size, routed: this.totals.routed, messages: this.totals.messages, queues: q };
  }

  /** Closes every subscription and detaches from the hub (the hub itself is closed by its owner). */
  close(): void {
    this.unsubscribeHub();
    for (const q of [...this.queues]) q.close();
    for (const t of this.tickers.values()) t.stop();
    this.tickers.clear();
  }

  private track(queue: SubscriptionQueue<EngineEvent>): SubscriptionQueue<EngineEvent> {
    this.queues.add(queue);
    queue.onClose(() => this.queues.delete(queue));
    return queue;
  }

  private route(message: HubMessage): void {
    this.totals.messages++;
    switch (message.topic) {
      case 'resource': {
        if (ROLLUP_KINDS.includes(message.kind)) for (const t of this.tickers.values()) t.changed();
        for (const r of this.index.candidates(message.kind, message.cluster, message.namespace)) {
          const ok = r.options.match ? r.options.match(message) : resourceMatches(r.options.filter, message);
          if (!ok) continue;
          this.totals.routed++;
          r.queue.push(message, `${message.cluster}/${message.kind}/${message.uid}`);
        }
        return;
      }
      case 'member-health': {
        for (const t of this.tickers.values()) t.changed();
        for (const r of this.healthIndex.candidates('clusters', message.cluster, undefined)) {
          this.totals.routed++;
          r.queue.push(message);
        }
        return;
      }
      case 'operation': {
        // One object for every feed subscriber: its payload is executed once per selection and identity.
        const move: OperationEvent = message.type ? message : { ...message, type: 'MODIFIED' };
        for (const q of this.operationFeeds) {
          this.totals.routed++;
          q.push(move, `operation/${message.operationId}`);
        }
        const set = this.operationRoutes.get(message.operationId);
        if (!set) return;
        for (const q of [...set]) {
          this.totals.routed++;
          q.push(message);
          if (message.terminal) q.finish();
        }
        return;
      }
      default:
        return;
    }
  }
}
