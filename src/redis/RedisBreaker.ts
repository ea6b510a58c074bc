/**
 * The circuit breaker of one Redis client. Redis is optional at run time: when it stops answering, the gateway
 * must stop asking it after the first failures (each failed call costs a query its command timeout), serve from
 * memory, and use Redis again soon after it answers. States:
 *   connecting  before the first connection: commands go through (they wait in ioredis' queue, bounded by its
 *               command timeout), so the first reads after start find what other gateways stored;
 *   up          commands go through; `failureThreshold` failures in a row, or the connection closing, make it
 *   degraded    commands are refused at once (RedisUnavailableError) without touching the network. The
 *               connection coming back ('ready') makes it up again; a connection that stays open but stopped
 *               answering (a hung server) is probed by one command every `retryIntervalMs`.
 * Transport-free: the client's events are fed in by `watchClient` (RedisHealth) or by tests.
 */

export type RedisState = 'connecting' | 'up' | 'degraded';

export interface RedisBreakerOptions {
  /** Commands failing in a row that make an up client degraded. @default 2 */
  failureThreshold?: number;
  /** While degraded with an open connection, how often one command is let through to try Redis, ms. @default 2000 */
  retryIntervalMs?: number;
  /** Whether the client's connection is open now (ioredis `status === 'ready'`). @default () => true */
  isConnected?: () => boolean;
  /** Clock, ms. @default Date.now */
  now?: () => number;
  /**
   * The client's command timeout, ms. A command that failed only after twice this long failed late: its
   * timeout timer could not fire on time because this process was busy (a blocked or CPU-starved event loop
   * makes every timer late, and runs the timeout before the reply already waiting on the socket). That says
   * nothing about Redis, so such a failure does not count towards `failureThreshold`. A Redis that really
   * stopped answering keeps failing on time once the process runs again; a closed connection degrades at once.
   * @default undefined (every failure counts)
   */
  commandTimeoutMs?: number;
}

/** Refused by an open breaker: the caller treats it as a cache miss, never as a failed query. */
export class RedisUnavailableError extends Error {
  constructor() {
    super('redis is degraded: not asked');
    this.name = 'RedisUnavailableError';
  }
}

export class RedisBreaker {
  private current: RedisState = 'connecting';
  private failures = 0;
  private retryAt = 0;
  private probing = false;
  /** The failure that made it degraded, for the one log line. */
  lastError: unknown;
  private readonly threshold: number;
  private readonly retryIntervalMs: number;
  private readonly isConnected: () => boolean;
  private readonly now: () => number;
  private readonly lateAfterMs: number;

  /** @param onChange called after every state change (RedisHealth aggregates and logs). */
  constructor(readonly name: string, private readonly onChange: (breaker: RedisBreaker) => void, options: RedisBreakerOptions = {}) {
    this.threshold = options.failureThreshold ?? 2;
    this.retryIntervalMs = options.retryIntervalMs ?? 2000;
    this.isConnected = options.isConnected ?? (() => true);
    this.now = options.now ?? Date.now;
    this.lateAfterMs = options.commandTimeoutMs !== undefined ? 2 * options.commandTimeoutMs : Infinity;
  }

  get state(): RedisState {
    return this.current;
  }

  /** Whether a command would be sent now (up, connecting, or degraded with a probe due). */
  allows(): boolean {
    if (this.current !== 'degraded') return true;
    return !this.probing && this.isConnected() && this.now() >= this.retryAt;
  }

  /** Runs `command` unless degraded; its outcome moves the breaker. @throws RedisUnavailableError when refused. */
  async run<T>(command: () => Promise<T>): Promise<T> {
    const probe = this.current === 'degraded';
    if (probe) {
      if (!this.allows()) throw new RedisUnavailableError();
      this.probing = true;
    }
    const sentAt = this.now();
    try {
      const value = await command();
      this.succeeded();
      return value;
    } catch (error) {
      this.failed(error, this.now() - sentAt);
      throw error;
    } finally {
      if (probe) this.probing = false;
    }
  }

  /** The connection is (again) open and ready. */
  connected(): void {
    this.failures = 0;
    this.set('up');
  }

  /** The connection closed, or could not be opened. */
  disconnected(error?: unknown): void {
    if (this.current === 'degraded') return;
    if (error !== undefined) this.lastError = error;
    this.degrade();
  }

  private succeeded(): void {
    this.failures = 0;
    if (this.current === 'degraded') this.set('up');
  }

  private failed(error: unknown, tookMs: number): void {
    this.lastError = error;
    if (this.current !== 'degraded' && tookMs > this.lateAfterMs) return; // failed late: this process stalled, see commandTimeoutMs
    this.failures++;
    if (this.current === 'degraded') this.retryAt = this.now() + this.retryIntervalMs;
    else if (this.failures >= this.threshold) this.degrade();
  }

  private degrade(): void {
    this.retryAt = this.now() + this.retryIntervalMs;
    this.set('degraded');
  }

  private set(state: RedisState): void {
    if (this.current === state) return;
    this.current = state;
    this.onChange(this);
  }
}
