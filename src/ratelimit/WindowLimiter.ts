/**
 * The per-identity request budget (issue 12, "Limits per identity"; seed 000 §4.1: 1,000 requests per minute
 * by default), in memory: fixed windows of `periodMs`, one counter per caller key in the current window.
 *
 * Why fixed windows: the Redis limiter (RedisWindowLimiter.ts) shares the budget between replicas with one
 * INCR per request on a key named by the window, and the in-memory fallback must count the same way so a
 * caller sees one rule whichever answers. A caller can spend up to twice the budget across a window boundary;
 * that is the price of one integer per caller and no timestamps.
 *
 * Hot path: one Map lookup and one set of a small integer per request, no allocation; when the window rolls
 * the whole map is cleared (every entry belongs to the past window), so idle callers cost nothing.
 */

/** Whether one request may run: 0 = yes, else the seconds until the caller's budget renews (Retry-After). */
export type Admission = number;

/** A request budget per caller key. */
export interface RateLimiter {
  /** Requests per period. */
  readonly limit: number;
  readonly periodMs: number;
  /** Counts one request of `key`; answers 0 (admitted) or the seconds to wait. Never rejects. */
  take(key: string): Admission | Promise<Admission>;
}

export interface WindowLimiterOptions {
  /** Requests per period per key (> 0). */
  limit: number;
  /** Window length, ms. @default 60000 */
  periodMs?: number;
  /** Clock, ms. @default Date.now */
  now?: () => number;
}

export class WindowLimiter implements RateLimiter {
  readonly limit: number;
  readonly periodMs: number;
  private readonly now: () => number;
  private window = -1;
  private readonly counts = new Map<string, number>();

  constructor(options: WindowLimiterOptions) {
    this.limit = options.limit;
    this.periodMs = options.periodMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  take(key: string): Admission {
    const now = this.now();
    const window = Math.floor(now / this.periodMs);
    if (window !== this.window) {
      this.window = window;
      this.counts.clear();
    }
    const used = this.counts.get(key) ?? 0;
    if (used >= this.limit) return retryAfterSeconds(now, window, this.periodMs);
    this.counts.set(key, used + 1);
    return 0;
  }

  /**
   * Takes a count another limiter already decided (the Redis one), so that this one, the fallback, holds
   * roughly what Redis holds when Redis goes away.
   */
  record(key: string, used: number): void {
    const window = Math.floor(this.now() / this.periodMs);
    if (window !== this.window) {
      this.window = window;
      this.counts.clear();
    }
    if (used > (this.counts.get(key) ?? 0)) this.counts.set(key, used);
  }
}

/** Whole seconds until the end of `window` (at least 1: `Retry-After: 0` would invite a retry storm). */
export function retryAfterSeconds(now: number, window: number, periodMs: number): number {
  return Math.max(1, Math.ceil(((window + 1) * periodMs - now) / 1000));
}
