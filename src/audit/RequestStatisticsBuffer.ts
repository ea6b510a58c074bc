/**
 * Request statistics counted in memory until a store folds them into its table: counts per (operation name,
 * transport), the bound on operation names, and the timer that asks for one fold per interval. How a fold is
 * written is the store's own (one SQLite transaction, one additive PostgreSQL upsert).
 *
 * Why in memory: every GraphQL request is counted, and a row or a commit per request costs more than the
 * request; counting must cost less than formatting a date, so a count is one map update and a number
 * (`Date.now()`), the ISO date being made once per row at fold time.
 *
 * Why names are capped: operation names are chosen by clients; without a bound, a client naming each request
 * anew grows the table (and this process's memory) by a row per request. Names beyond the cap are counted
 * under OTHER_OPERATIONS.
 */
import { OTHER_OPERATIONS, type RequestStatistic } from './AuditStore.js';
import type { RequestTransport } from './requestStatistics.js';

/** Counts of one (operation name, transport) not yet folded into a table. */
export interface PendingStatistic {
  count: number;
  errors: number;
  totalMs: number;
  maxMs: number;
  lastAtMs: number;
}

/** Pending counts by operation name, then transport. */
export type PendingStatistics = Map<string, Map<RequestTransport, PendingStatistic>>;

export interface RequestStatisticsBufferOptions {
  /** Longest time counts stay in memory: the first count after a fold arms a timer of this length. */
  flushMs: number;
  /** Distinct operation names counted under their own name; further names count as OTHER_OPERATIONS. */
  maxOperationNames: number;
  /** Called when the timer fires; it should `take()` the counts and write them. */
  fold: () => void;
}

export class RequestStatisticsBuffer {
  private stats: PendingStatistics = new Map();
  /** Operation names that have (or will have) a row of their own. */
  private readonly operationNames = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RequestStatisticsBufferOptions) {}

  /**
   * Names that already have rows (a table kept across restarts): they keep their rows and count against the
   * bound. `capped` keeps only the first `maxOperationNames` of them; otherwise all keep their rows (and no
   * new name gets one while they exceed the bound).
   */
  knowNames(names: Iterable<string>, { capped = false }: { capped?: boolean } = {}): void {
    for (const name of names) {
      if (name === OTHER_OPERATIONS) continue;
      if (capped && this.operationNames.size >= this.options.maxOperationNames) break;
      this.operationNames.add(name);
    }
  }

  /** Counts one request; arms the fold timer when it is not armed. */
  record(operationName: string, transport: RequestTransport, durationMs: number, failed: boolean): void {
    // A number, not an ISO string: formatting the date of every request costs more than counting it.
    const now = Date.now();
    const ms = Math.round(durationMs);
    let name = operationName;
    if (!this.operationNames.has(name)) {
      if (this.operationNames.size < this.options.maxOperationNames) this.operationNames.add(name);
      else name = OTHER_OPERATIONS;
    }
    let byTransport = this.stats.get(name);
    if (!byTransport) this.stats.set(name, (byTransport = new Map()));
    const s = byTransport.get(transport);
    if (s) {
      s.count++;
      if (failed) s.errors++;
      s.totalMs += ms;
      if (ms > s.maxMs) s.maxMs = ms;
      s.lastAtMs = now;
    } else {
      byTransport.set(transport, { count: 1, errors: failed ? 1 : 0, totalMs: ms, maxMs: ms, lastAtMs: now });
    }
    this.arm();
  }

  /** Disarms the timer and hands over the pending counts (counts from now on start a new set); undefined when none. */
  take(): PendingStatistics | undefined {
    this.disarm();
    if (this.stats.size === 0) return undefined;
    const pending = this.stats;
    this.stats = new Map();
    return pending;
  }

  /** Puts back the counts of a fold that failed, adding to those counted since. Does not arm the timer. */
  restore(pending: PendingStatistics): void {
    for (const [name, byTransport] of pending) {
      let into = this.stats.get(name);
      if (!into) this.stats.set(name, (into = new Map()));
      for (const [transport, s] of byTransport) {
        const cur = into.get(transport);
        if (!cur) into.set(transport, s);
        else {
          cur.count += s.count;
          cur.errors += s.errors;
          cur.totalMs += s.totalMs;
          cur.maxMs = Math.max(cur.maxMs, s.maxMs);
          cur.lastAtMs = Math.max(cur.lastAtMs, s.lastAtMs);
        }
      }
    }
  }

  /**
   * One fold per interval: arms the timer unless it is armed. Unref'd: pending counts alone must not keep a
   * process alive (the store's close() folds them).
   */
  arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(this.options.fold, this.options.flushMs);
    this.timer.unref();
  }

  disarm(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

/** The rows of pending counts, their last request as an ISO date. */
export function statisticRows(pending: PendingStatistics): RequestStatistic[] {
  const rows: RequestStatistic[] = [];
  for (const [operationName, byTransport] of pending) {
    for (const [transport, s] of byTransport) {
      rows.push({ operationName, transport, count: s.count, errors: s.errors, totalMs: s.totalMs, maxMs: s.maxMs, lastAt: new Date(s.lastAtMs).toISOString() });
    }
  }
  return rows;
}
