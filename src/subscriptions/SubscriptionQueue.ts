/**
 * The bounded queue between the router and one subscription's consumer (the WebSocket send loop), and the
 * documented slow-consumer policy. A consumer that reads slower than events arrive must never make the
 * gateway's memory grow, so:
 *
 * 1. **Coalesce.** An event with a coalescing key (one object: cluster/kind/uid) that finds a pending,
 *    not yet delivered event with the same key, where the new one is a MODIFIED, replaces the pending one
 *    in place: the subscriber gets the newest state once, at the old position, with the pending event's
 *    type kept (an ADDED then MODIFIED is still an ADDED of the newest state) and `coalesced` counting
 *    the events merged into it.
 * 2. **Drop with a RESYNC notice.** When the queue holds `capacity` items and the new event cannot be
 *    coalesced, every pending item is dropped and replaced by ONE overflow notice carrying the number of
 *    dropped events (a RESYNC for the client: its view may be stale, re-query). Events arriving while the
 *    notice is still pending are counted into it instead of queued... until the consumer takes the notice,
 *    after which queueing resumes normally.
 *
 * So a queue never holds more than `capacity` items, whatever the rate, and every event pushed is
 * accounted for: delivered, coalesced into a delivered one, or counted in a notice (see `stats`).
 */
import type { QueueItem } from './types.js';

export interface SubscriptionQueueOptions {
  /** Most items held before the overflow policy applies. @default 256 */
  capacity?: number;
  /** Called once when the consumer stops (return() or close()). */
  onClose?: () => void;
}

/** A pending event with the bookkeeping of the coalescing policy. */
export interface Delivered<E> {
  item: QueueItem<E>;
  /** Events merged into this one (0 when none). */
  coalesced: number;
}

export interface QueueStats {
  pushed: number;
  delivered: number;
  coalesced: number;
  dropped: number;
  pending: number;
}

interface Slot<E> {
  item: QueueItem<E>;
  key: string | undefined;
  type: string | undefined;
  coalesced: number;
}

export class SubscriptionQueue<E extends object> implements AsyncIterableIterator<Delivered<E>> {
  private readonly capacity: number;
  private slots: Array<Slot<E>> = [];
  /** Pending slot per coalescing key. */
  private readonly byKey = new Map<string, Slot<E>>();
  private waiter: ((r: IteratorResult<Delivered<E>>) => void) | undefined;
  private closed = false;
  private readonly counters = { pushed: 0, delivered: 0, coalesced: 0, dropped: 0 };
  private readonly closeListeners: Array<() => void> = [];

  constructor(options: SubscriptionQueueOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? 256);
    if (options.onClose) this.closeListeners.push(options.onClose);
  }

  /** Adds a function called once when the consumer stops. */
  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  private notifyClosed(): void {
    for (const l of this.closeListeners.splice(0)) l();
  }

  /** Offers an event; `key` identifies its object for coalescing (undefined: never coalesced). */
  push(event: E, key?: string): void {
    if (this.closed) return;
    this.counters.pushed++;
    if (this.waiter && this.slots.length === 0) {
      const w = this.waiter;
      this.waiter = undefined;
      this.counters.delivered++;
      w({ value: { item: { kind: 'event', event }, coalesced: 0 }, done: false });
      return;
    }
    const type = typeOf(event);
    if (key !== undefined && type === 'MODIFIED') {
      const pending = this.byKey.get(key);
      if (pending && pending.item.kind === 'event') {
        const keptType = pending.type;
        pending.item = { kind: 'event', event: keptType && keptType !== type ? { ...event, type: keptType } : event };
        pending.coalesced++;
        this.counters.coalesced++;
        return;
      }
    }
    const head = this.slots[0];
    if (head?.item.kind === 'overflow') {
      // A notice is pending: the consumer has not caught up since the last overflow; count, do not queue.
      head.item.dropped++;
      this.counters.dropped++;
      return;
    }
    if (this.slots.length >= this.capacity) {
      let dropped = 1;
      for (const s of this.slots) dropped += s.item.kind === 'overflow' ? s.item.dropped : 1 + s.coalesced;
      this.counters.dropped += dropped;
      this.byKey.clear();
      this.slots = [{ item: { kind: 'overflow', dropped, at: new Date().toISOString() }, key: undefined, type: undefined, coalesced: 0 }];
      return;
    }
    const slot: Slot<E> = { item: { kind: 'event', event }, key, type, coalesced: 0 };
    this.slots.push(slot);
    if (key !== undefined) this.byKey.set(key, slot);
  }

  /** Offers an item that is not an object change (e.g. a roll-up tick): replaces any pending one with the same key. */
  replace(event: E, key: string): void {
    if (this.closed) return;
    const pending = this.byKey.get(key);
    if (pending && pending.item.kind === 'event' && !this.waiter) {
      pending.item = { kind: 'event', event };
      pending.coalesced++;
      this.counters.pushed++;
      this.counters.coalesced++;
      return;
    }
    this.push(event, key);
  }

  /**
   * What the subscriber may see changed (e.g. it lost access to some of the objects): pending items are
   * discarded, as they may no longer be for this subscriber's eyes, and one RESYNC notice takes their place
   * (`dropped` counts them), telling the client to refetch.
   */
  resync(): void {
    if (this.closed) return;
    let dropped = 0;
    for (const s of this.slots) dropped += s.item.kind === 'overflow' ? s.item.dropped : 1 + s.coalesced;
    this.counters.dropped += dropped;
    this.byKey.clear();
    const notice: Slot<E> = { item: { kind: 'overflow', dropped, at: new Date().toISOString() }, key: undefined, type: undefined, coalesced: 0 };
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      this.slots = [];
      w({ value: { item: notice.item, coalesced: 0 }, done: false });
      return;
    }
    this.slots = [notice];
  }

  next(): Promise<IteratorResult<Delivered<E>>> {
    const slot = this.slots.shift();
    if (slot) {
      if (slot.key !== undefined && this.byKey.get(slot.key) === slot) this.byKey.delete(slot.key);
      if (slot.item.kind === 'event') this.counters.delivered++;
      return Promise.resolve({ value: { item: slot.item, coalesced: slot.coalesced }, done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<Delivered<E>>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Ends the stream: pending items are discarded, a waiting consumer gets `done`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.slots = [];
    this.byKey.clear();
    const w = this.waiter;
    this.waiter = undefined;
    w?.({ value: undefined, done: true });
    this.notifyClosed();
  }

  /** Ends the stream after the items already queued are consumed (e.g. an Operation reached its terminal phase). */
  finish(): void {
    if (this.closed) return;
    if (this.slots.length === 0) return this.close();
    this.closed = true;
    // next() hands out the rest, then reports done; nobody waits while items remain.
    this.notifyClosed();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get stats(): QueueStats {
    return { ...this.counters, pending: this.slots.length };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Delivered<E>> {
    return this;
  }
}

/** The change type of an event, when it has one. */
function typeOf(event: object): string | undefined {
  const t = (event as { type?: unknown }).type;
  return typeof t === 'string' ? t : undefined;
}
