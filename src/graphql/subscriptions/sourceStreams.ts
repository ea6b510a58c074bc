/**
 * The source streams subscription resolvers return: an engine queue mapped to SourceItems, the values
 * graphql-js executes the selection against. A SourceItem names what its payload may be shared under
 * (`share`, the routed event object every matching subscriber receives, and `variant`, what differs per
 * subscriber such as the coalesced count), see sharedExecution.ts.
 *
 * These are hand-written iterators rather than async generators on purpose: an async generator suspended
 * in `await queue.next()` does not run `return()` until an event arrives, so a client completing a quiet
 * subscription would leave its route in the index. Here `return()` closes the queue at once.
 */
import type { Delivered, SubscriptionQueue } from '../../subscriptions/SubscriptionQueue.js';

export interface SourceItem {
  /** Object the payload is shared under (the same for every subscriber of one event); none = not shared. */
  share?: object;
  /** What else the payload depends on besides the shared object, the selection and the identity. */
  variant: string;
  /** The value the subscription field resolves to. */
  payload: unknown;
}

/** Maps a queue's items to SourceItems; `map` may skip an item by returning null. */
export function sourceStream<E extends object>(
  queue: SubscriptionQueue<E>,
  map: (delivered: Delivered<E>) => SourceItem | null | Promise<SourceItem | null>,
  options: { initial?: () => Promise<SourceItem | null>; onReturn?: () => void } = {},
): AsyncIterableIterator<SourceItem> {
  let initial = options.initial;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    queue.close();
    options.onReturn?.();
  };
  const it: AsyncIterableIterator<SourceItem> = {
    async next(): Promise<IteratorResult<SourceItem>> {
      if (initial) {
        const first = initial;
        initial = undefined;
        const item = await first();
        if (item) return { value: item, done: false };
      }
      for (;;) {
        const r = await queue.next();
        if (r.done) {
          end();
          return { value: undefined, done: true };
        }
        const item = await map(r.value);
        if (item) return { value: item, done: false };
      }
    },
    async return(): Promise<IteratorResult<SourceItem>> {
      end();
      return { value: undefined, done: true };
    },
    async throw(error?: unknown): Promise<IteratorResult<SourceItem>> {
      end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}
