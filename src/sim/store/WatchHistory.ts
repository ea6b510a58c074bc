/**
 * The watch side of a Store, shared by both backends: a bounded window of past changes (the "etcd
 * watch window") that watches replay from, and the live listeners that get each change synchronously
 * after the write. A watch from before the window gets StoreError('Expired'), which the API layer
 * turns into the 410 ERROR event the recordings show.
 */
import { StoreError } from './Store.js';
import type { StoreEvent } from './Store.js';

interface Listener {
  resource: string;
  namespace: string | undefined;
  fn: (event: StoreEvent) => void;
}

export interface WatchHistoryOptions {
  /**
   * How many past changes are kept for replay.
   * @default 20000
   */
  size?: number;
}

export class WatchHistory {
  private readonly events: StoreEvent[] = [];
  /** Index of the first live entry: a ring without per-shift array copies. */
  private start = 0;
  private readonly size: number;
  /** A watch from a version below this one cannot be served. */
  private oldestWatchable: number;
  private readonly listeners = new Set<Listener>();
  /**
   * Per resource, the listeners an event of it may concern ('*' ones included), in subscription order:
   * built on first use and dropped whenever a listener comes or goes. A write then neither copies the
   * whole listener set nor tests every other resource's watchers.
   */
  private byResource = new Map<string, Listener[]>();
  private closed = false;

  constructor(currentResourceVersion: number, options: WatchHistoryOptions = {}) {
    this.size = options.size ?? 20_000;
    this.oldestWatchable = currentResourceVersion;
  }

  record(event: StoreEvent): void {
    this.events.push(event);
    if (this.events.length - this.start > this.size) {
      this.oldestWatchable = this.events[this.start]!.resourceVersion;
      this.start++;
      // Compact the backing array now and then rather than shifting on every write.
      if (this.start > 4096 && this.start * 2 > this.events.length) {
        this.events.splice(0, this.start);
        this.start = 0;
      }
    }
    if (this.closed) return;
    // A snapshot, as before: a watch that starts inside a listener has replayed this event already.
    for (const l of this.listenersOf(event.resource)) {
      if (!matches(l, event)) continue;
      try {
        l.fn(event);
      } catch (err) {
        // One faulty listener (a controller bug) must not break the write path of every other one.
        console.error(`[sim store] listener failed on ${event.type} ${event.resource}:`, err);
      }
    }
  }

  watch(resource: string, namespace: string | undefined, fromResourceVersion: number, listener: (event: StoreEvent) => void): () => void {
    if (fromResourceVersion < this.oldestWatchable) {
      throw new StoreError(
        'Expired',
        `too old resource version: ${fromResourceVersion} (${this.oldestWatchable})`,
        this.oldestWatchable,
      );
    }
    const entry: Listener = { resource, namespace, fn: listener };
    // Replay first, then subscribe: both happen in this tick, so no write can fall in between.
    for (let i = this.start; i < this.events.length; i++) {
      const ev = this.events[i]!;
      if (ev.resourceVersion > fromResourceVersion && matches(entry, ev)) listener(ev);
    }
    this.listeners.add(entry);
    this.byResource = new Map();
    return () => {
      if (this.listeners.delete(entry)) this.byResource = new Map();
    };
  }

  private listenersOf(resource: string): Listener[] {
    let list = this.byResource.get(resource);
    if (!list) {
      list = [...this.listeners].filter((l) => l.resource === '*' || l.resource === resource);
      this.byResource.set(resource, list);
    }
    return list;
  }

  /** Forgets everything up to `currentResourceVersion`. */
  compact(currentResourceVersion: number): void {
    this.events.length = 0;
    this.start = 0;
    this.oldestWatchable = currentResourceVersion;
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.byResource = new Map();
  }
}

function matches(l: Listener, ev: StoreEvent): boolean {
  if (l.resource !== '*' && l.resource !== ev.resource) return false;
  if (l.namespace !== undefined && l.namespace !== ev.object.metadata.namespace) return false;
  return true;
}
