/**
 * Per-user counts of things held open at once (the WebSocket caps: a user's connections, a user's running
 * operations), transport-free: the WebSocket adapter (src/server/ws.ts) acquires a slot per connection or
 * operation under a holder id of its own and releases it when that ends.
 *
 * MemoryConcurrencyCounter counts this process' holders (each replica on its own). RedisConcurrencyCounter
 * (`--redis-url`) counts every replica's holders of a user together, so N replicas do not allow N times a cap.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisUnavailableError, type RedisBreaker } from '../redis/RedisBreaker.js';

/** What is counted per user. */
export type ConcurrencyKind = 'connections' | 'operations';

export interface ConcurrencyCounter {
  /**
   * Takes one of `user`'s `limit` slots of `kind` for `holder` (unique per connection or operation): true when
   * taken, false when `user` already holds `limit`. Taking a slot the holder already has is a no-op (true).
   */
  acquire(user: string, kind: ConcurrencyKind, limit: number, holder: string): Promise<boolean>;
  /** Gives the holder's slot back; idempotent. */
  release(user: string, kind: ConcurrencyKind, holder: string): void;
  /** Gives every slot of this process back (graceful stop) and stops background work. */
  close(): Promise<void>;
}

/** The holders of this process, by user and kind: the whole count in memory, this replica's share with Redis. */
class LocalHolders {
  private readonly byKey = new Map<string, { user: string; kind: ConcurrencyKind; holders: Set<string> }>();

  count(user: string, kind: ConcurrencyKind): number {
    return this.byKey.get(`${kind}\u0000${user}`)?.holders.size ?? 0;
  }

  has(user: string, kind: ConcurrencyKind, holder: string): boolean {
    return this.byKey.get(`${kind}\u0000${user}`)?.holders.has(holder) ?? false;
  }

  add(user: string, kind: ConcurrencyKind, holder: string): void {
    const key = `${kind}\u0000${user}`;
    let entry = this.byKey.get(key);
    if (!entry) this.byKey.set(key, (entry = { user, kind, holders: new Set() }));
    entry.holders.add(holder);
  }

  delete(user: string, kind: ConcurrencyKind, holder: string): boolean {
    const key = `${kind}\u0000${user}`;
    const entry = this.byKey.get(key);
    if (!entry?.holders.delete(holder)) return false;
    if (entry.holders.size === 0) this.byKey.delete(key);
    return true;
  }

  entries(): Iterable<{ user: string; kind: ConcurrencyKind; holders: Set<string> }> {
    return this.byKey.values();
  }

  clear(): void {
    this.byKey.clear();
  }
}

/** Today's per-replica behaviour: the count is this process' holders. */
export class MemoryConcurrencyCounter implements ConcurrencyCounter {
  private readonly local = new LocalHolders();

  async acquire(user: string, kind: ConcurrencyKind, limit: number, holder: string): Promise<boolean> {
    return this.take(user, kind, limit, holder);
  }

  /** Synchronous acquire (also the Redis counter's fallback). */
  take(user: string, kind: ConcurrencyKind, limit: number, holder: string): boolean {
    if (this.local.has(user, kind, holder)) return true;
    if (this.local.count(user, kind) >= limit) return false;
    this.local.add(user, kind, holder);
    return true;
  }

  release(user: string, kind: ConcurrencyKind, holder: string): void {
    this.local.delete(user, kind, holder);
  }

  count(user: string, kind: ConcurrencyKind): number {
    return this.local.count(user, kind);
  }

  /** Every user and kind with holders here, and those holders. */
  entries(): Iterable<{ user: string; kind: ConcurrencyKind; holders: ReadonlySet<string> }> {
    return this.local.entries();
  }

  async close(): Promise<void> {
    this.local.clear();
  }
}

/*
 * The Redis design: one sorted set per user and kind, `<prefix>wscaps:<kind>:<user>`, whose members are holder
 * ids (`<replica id>:<holder>`) scored with the time (Redis' own clock, `TIME`, so replicas' clocks do not
 * matter) they were last confirmed alive. Acquiring is ONE script: drop members older than `staleMs`, count
 * what is left, add the holder if under the limit. Every `refreshMs` each replica re-adds all of its live
 * holders with a fresh score (ZADD also puts back holders taken in memory while Redis was away); a replica
 * that dies stops refreshing, so its holders drop out of every count within `staleMs` (3 × refreshMs): no
 * count is left behind forever, and no per-replica bookkeeping (heartbeat keys, replica lists) is needed.
 * Each key expires `staleMs` after its last write, so users who left leave no keys.
 */

/** KEYS[1] the set; ARGV: holder, limit, staleMs. Returns 1 when the holder holds a slot, else 0. */
const ACQUIRE_SCRIPT = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local stale = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - stale)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[1])
  return 1
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], stale)
return 1`;

/** KEYS[1] the set; ARGV[1] staleMs, ARGV[2..] holders: refreshes (or puts back) this replica's holders. */
const REFRESH_SCRIPT = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return #ARGV - 1`;

export interface RedisConcurrencyCounterOptions {
  redis: Pick<Redis, 'eval' | 'zrem'>;
  /** The client's breaker: open = counted in memory without asking Redis. @default every command is sent */
  breaker?: Pick<RedisBreaker, 'run'>;
  /** Key prefix including the fleet id, e.g. `fleetgraph:<fleet id>:`. */
  prefix: string;
  /** How often this replica confirms its holders, ms; a dead replica's holders stop counting after 3 × this. @default 10000 */
  refreshMs?: number;
  /** This replica's id in holder ids. @default a random UUID */
  replicaId?: string;
  /** Told once per failed command that sent a count to memory (not for an open breaker). @default nothing */
  onFallback?: (error: unknown) => void;
}

/**
 * The caps shared by every replica through Redis. Redis is optional at run time: while the breaker is open, or
 * when a command fails, a slot is counted against this replica's own holders (the in-memory count), so nobody
 * is refused, nor fails, because Redis is down; each replica then enforces the cap on its own.
 */
export class RedisConcurrencyCounter implements ConcurrencyCounter {
  readonly refreshMs: number;
  readonly staleMs: number;
  readonly replicaId: string;
  /** This replica's holders: refreshed into Redis, and the count while Redis is away. Exposed for tests. */
  readonly memory = new MemoryConcurrencyCounter();
  private readonly timer: NodeJS.Timeout;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly options: RedisConcurrencyCounterOptions) {
    this.refreshMs = options.refreshMs ?? 10_000;
    this.staleMs = 3 * this.refreshMs;
    this.replicaId = options.replicaId ?? randomUUID();
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  keyOf(user: string, kind: ConcurrencyKind): string {
    return `${this.options.prefix}wscaps:${kind}:${user}`;
  }

  private send<T>(command: () => Promise<T>): Promise<T> {
    return this.options.breaker ? this.options.breaker.run(command) : command();
  }

  async acquire(user: string, kind: ConcurrencyKind, limit: number, holder: string): Promise<boolean> {
    const member = `${this.replicaId}:${holder}`;
    let taken: boolean;
    try {
      const answer = await this.send(() => this.options.redis.eval(ACQUIRE_SCRIPT, 1, this.keyOf(user, kind), member, String(limit), String(this.staleMs)) as Promise<unknown>);
      taken = Number(answer) === 1;
    } catch (error) {
      if (!(error instanceof RedisUnavailableError)) this.options.onFallback?.(error);
      return this.memory.take(user, kind, limit, holder);
    }
    // Kept in step (without the limit: Redis decided), so an outage counts from this replica's real holders.
    if (taken) this.memory.take(user, kind, Number.POSITIVE_INFINITY, holder);
    return taken;
  }

  release(user: string, kind: ConcurrencyKind, holder: string): void {
    this.memory.release(user, kind, holder);
    // Not awaited: a failed ZREM only leaves a member nobody refreshes, which drops out after staleMs.
    this.send(() => this.options.redis.zrem(this.keyOf(user, kind), `${this.replicaId}:${holder}`)).catch(() => {});
  }

  /** Confirms every holder of this replica in Redis (the timer's work; exposed for tests). */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const sends: Promise<unknown>[] = [];
        for (const { user, kind, holders } of this.memory.entries()) {
          const members = [...holders].map((h) => `${this.replicaId}:${h}`);
          sends.push(this.send(() => this.options.redis.eval(REFRESH_SCRIPT, 1, this.keyOf(user, kind), String(this.staleMs), ...members) as Promise<unknown>));
        }
        await Promise.allSettled(sends);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const removals: Promise<unknown>[] = [];
    for (const { user, kind, holders } of this.memory.entries()) {
      const members = [...holders].map((h) => `${this.replicaId}:${h}`);
      if (members.length) removals.push(this.send(() => this.options.redis.zrem(this.keyOf(user, kind), ...members)));
    }
    await Promise.allSettled(removals);
    await this.memory.close();
  }
}
