/**
 * The default EventHub: one replica, listeners called synchronously in publish order. Listeners must not
 * throw (the engine's do not); one that does is logged through `onListenerError` and the others still run.
 */
import type { EventHub, HubListener } from './EventHub.js';
import type { HubMessage } from './types.js';

export interface InProcessEventHubOptions {
  /** Called when a listener throws. @default ignores the error */
  onListenerError?: (error: unknown) => void;
}

export class InProcessEventHub implements EventHub {
  readonly shared = false;
  private readonly listeners = new Set<HubListener>();
  private closed = false;

  constructor(private readonly options: InProcessEventHubOptions = {}) {}

  publish(message: HubMessage): void {
    if (this.closed) return;
    deliver(this.listeners, message, this.options.onListenerError);
  }

  subscribe(listener: HubListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async ready(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }
}

/** Calls each listener, isolating failures. Shared with RedisEventHub. */
export function deliver(listeners: Iterable<HubListener>, message: HubMessage, onError?: (e: unknown) => void): void {
  for (const l of [...listeners]) {
    try {
      l(message);
    } catch (e) {
      onError?.(e);
    }
  }
}
