/**
 * The ONE circuit breaker of a cluster (a member or the control plane): the read gate every read of that
 * cluster passes. Only failures that say the member itself is unwell — transport failures, 5xx, timeouts
 * (`countsAgainstMember`) — count; a request's own 4xx, a 404 or a 429 is that request's error and leaves
 * the breaker alone, so one caller's bad arguments can never null another caller's reads.
 *
 * Closed → open after `failureThreshold` member failures in a row; while open, reads answer the error that
 * opened it (reason MEMBER_CIRCUIT_OPEN) without calling the member. The cluster's own probe
 * (ClusterConnection, every health interval) and any call that still runs (informers retrying) are the
 * trial calls: the first success closes it again and tells the listeners (informers retry at once).
 */
import { Reason } from '../errors/codes.js';
import type { ClusterError } from './types.js';
import { countsAgainstMember } from './UpstreamError.js';

export interface MemberBreakerOptions {
  /** Member failures in a row that open the breaker. @default 1 (a refused connection or a 503 is definitive) */
  failureThreshold?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

export class MemberBreaker {
  private readonly threshold: number;
  private readonly now: () => number;
  private failuresInARow = 0;
  private opened: { since: string; error: ClusterError } | null = null;
  private last: ClusterError | null = null;
  private readonly closedListeners: Array<() => void> = [];
  private readonly openedListeners: Array<(error: ClusterError) => void> = [];

  constructor(options: MemberBreakerOptions = {}) {
    this.threshold = Math.max(1, options.failureThreshold ?? 1);
    this.now = options.now ?? Date.now;
  }

  /** Whether reads are refused now. */
  get isOpen(): boolean {
    return this.opened !== null;
  }

  /** The error a read refused by the open breaker answers, else null. */
  get gateError(): ClusterError | null {
    return this.opened?.error ?? null;
  }

  /** When the breaker opened (RFC 3339), else null. */
  get openSince(): string | null {
    return this.opened?.since ?? null;
  }

  /** The last member failure recorded (kept after the breaker closes, for health reports). */
  get lastError(): ClusterError | null {
    return this.last;
  }

  /**
   * Records a failed call. Returns whether it counted against the member (a request's own 4xx, a 404 or a
   * 429 does not, and is not even remembered as the member's last error).
   */
  recordFailure(error: ClusterError): boolean {
    if (!countsAgainstMember(error)) return false;
    this.last = error;
    this.failuresInARow++;
    const gate: ClusterError = { ...error, reason: Reason.MEMBER_CIRCUIT_OPEN };
    if (this.opened) this.opened.error = gate;
    else if (this.failuresInARow >= this.threshold) {
      this.opened = { since: new Date(this.now()).toISOString(), error: gate };
      for (const l of this.openedListeners) l(error);
    }
    return true;
  }

  /** Records a successful call; closes an open breaker (and tells the listeners). */
  recordSuccess(): void {
    this.failuresInARow = 0;
    if (!this.opened) return;
    this.opened = null;
    for (const l of this.closedListeners) l();
  }

  /** Called each time the breaker opens (the member became unreachable), with the failure that opened it. */
  onOpened(listener: (error: ClusterError) => void): void {
    this.openedListeners.push(listener);
  }

  /** Called each time an open breaker closes (the member answers again). */
  onClosed(listener: () => void): void {
    this.closedListeners.push(listener);
  }
}
