/**
 * Deletes Events older than their time to live, as the API server's event TTL (`--event-ttl`, 1 h by
 * default) does through etcd leases. Without it a long-running simulator would keep every Pulled and
 * Scheduled event it ever wrote.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { Controller } from '../SimFleet.js';

export interface EventExpiryOptions {
  /**
   * Age (from lastTimestamp) after which an Event is deleted, in seconds.
   * @default 3600
   */
  ttlSeconds?: number;
  /**
   * Seconds between sweeps.
   * @default 60
   */
  sweepSeconds?: number;
}

export class EventExpiryController implements Controller {
  readonly name: string;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: EventExpiryOptions = {},
  ) {
    this.name = `event-ttl/${cluster.name}`;
  }

  start(): void {
    this.timer = setInterval(() => this.sweep(), (this.options.sweepSeconds ?? 60) * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Deletes expired events now; returns how many went. */
  sweep(now = Date.now()): number {
    const cutoff = now - (this.options.ttlSeconds ?? 3600) * 1000;
    let removed = 0;
    for (const event of this.cluster.objects.list('events')) {
      const last = Date.parse(String(event.lastTimestamp ?? event.metadata.creationTimestamp ?? ''));
      if (!(last < cutoff)) continue;
      try {
        this.cluster.objects.delete('events', event.metadata.namespace, event.metadata.name!);
        removed++;
      } catch {
        // Gone already.
      }
    }
    return removed;
  }
}
