/**
 * Turns what the data layer knows into hub messages: every cache change (fleet.onChange) becomes a
 * ResourceEvent, a cache RESYNC (relist after an outage, a lost watch or a 410) is split into one
 * ADDED/MODIFIED/DELETED per object that changed meanwhile, and member reachability transitions become
 * MemberHealthEvents.
 *
 * Reachability: the data layer records a member's outage in `fleet.health(member).unreachableSince` but
 * has no listener for it, so the feed compares that in-memory state every `healthCheckMs` (no upstream
 * call is made: it reads the gateway's own bookkeeping). A change arriving from a member marked down, or
 * its relist, ends the outage at once.
 */
import type { ChangeEvent, SlimObject } from '../cache/types.js';
import type { KindName } from '../fleet/kinds.js';
import type { Fleet } from '../fleet/types.js';
import type { EventHub } from './EventHub.js';
import type { ResourceEvent } from './types.js';

/** The part of the Fleet facade the feed reads. */
export type FleetChangeSource = Pick<Fleet, 'onChange' | 'members' | 'health'>;

export interface FleetEventFeedOptions {
  fleet: FleetChangeSource;
  hub: EventHub;
  /** How often member reachability is compared, ms (0 disables). @default 1000 */
  healthCheckMs?: number;
}

export class FleetEventFeed {
  private readonly unsubscribe: () => void;
  private readonly timer: NodeJS.Timeout | undefined;
  /** Member → whether it was reachable at the last look. */
  private readonly reachable = new Map<string, boolean>();
  private seq = 0;
  /** Change events received from the fleet, by type, and messages published (for /metrics and tests). */
  readonly counters = { received: {} as Record<string, number>, published: 0 };

  constructor(private readonly options: FleetEventFeedOptions) {
    this.unsubscribe = options.fleet.onChange((e) => this.onChange(e));
    for (const m of options.fleet.members()) this.reachable.set(m, options.fleet.health(m)?.unreachableSince == null);
    const every = options.healthCheckMs ?? 1000;
    if (every > 0) {
      this.timer = setInterval(() => this.checkHealth(), every);
      this.timer.unref?.();
    }
  }

  stop(): void {
    this.unsubscribe();
    if (this.timer) clearInterval(this.timer);
  }

  /** Compares every member's reachability with the last look and publishes transitions. */
  checkHealth(): void {
    const fleet = this.options.fleet;
    for (const m of fleet.members()) {
      const h = fleet.health(m);
      if (!h) continue;
      const now = h.unreachableSince == null;
      // A member first seen now (it joined after start) was reachable as far as subscribers know.
      const before = this.reachable.get(m) ?? true;
      this.reachable.set(m, now);
      if (before === now) continue;
      this.publishHealth(m, now, now ? undefined : h.lastError?.message);
    }
  }

  private publishHealth(cluster: string, reachable: boolean, reason?: string): void {
    this.options.hub.publish(
      {
        topic: 'member-health',
        id: `h:${cluster}:${reachable}:${++this.seq}`,
        cluster,
        reachable,
        ...(reason ? { reason } : {}),
        at: new Date().toISOString(),
      },
      // Reachability is this replica's own view; another replica may reach the member fine.
      { localOnly: true },
    );
  }

  private onChange(e: ChangeEvent): void {
    this.counters.received[e.type] = (this.counters.received[e.type] ?? 0) + 1;
    if (this.reachable.get(e.cluster) === false) {
      this.reachable.set(e.cluster, true);
      this.publishHealth(e.cluster, true);
    }
    const kind = e.kind as KindName;
    switch (e.type) {
      case 'ADDED':
        return this.publish('ADDED', e.cluster, kind, e.after);
      case 'MODIFIED':
        return this.publish('MODIFIED', e.cluster, kind, e.after, e.before);
      case 'DELETED':
        return this.publish('DELETED', e.cluster, kind, e.before);
      case 'RESYNC':
        for (const o of e.deleted) this.publish('DELETED', e.cluster, kind, o, undefined, true);
        for (const o of e.added) this.publish('ADDED', e.cluster, kind, o, undefined, true);
        for (const m of e.modified) this.publish('MODIFIED', e.cluster, kind, m.after, m.before, true);
        return;
      default:
        return;
    }
  }

  private publish(
    type: ResourceEvent['type'], cluster: string, kind: KindName, object: SlimObject, before?: SlimObject, fromResync?: boolean,
  ): void {
    const md = object.metadata;
    const event: ResourceEvent = {
      topic: 'resource',
      // The same change seen by two replicas gets the same id (de-duplicated by RedisEventHub).
      id: `r:${cluster}:${kind}:${md.uid}:${md.resourceVersion}:${type}`,
      type,
      cluster,
      kind,
      ...(md.namespace !== undefined ? { namespace: md.namespace } : {}),
      name: md.name,
      uid: md.uid,
      resourceVersion: md.resourceVersion,
      at: new Date().toISOString(),
      object,
      ...(before ? { before } : {}),
      ...(fromResync ? { fromResync } : {}),
    };
    this.counters.published++;
    this.options.hub.publish(event);
  }
}
