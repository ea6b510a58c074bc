/**
 * What a gateway-run plan may use besides its OperationRun: a writer per cluster (changes recorded in the
 * audit log under this Operation), the timing settings, a sleep that ends early when the gateway stops, and the
 * Operation's cancellation signal.
 */
import type { ClusterWriter } from './ClusterWriter.js';

export interface OperationTimings {
  /** How long an eviction refused by a PodDisruptionBudget is retried, ms. @default 120000 */
  drainPodTimeoutMs: number;
  /** Pause between eviction retries, ms. @default 1000 */
  evictionRetryMs: number;
  /** How long an evicted or deleted pod may take to disappear, ms. @default 120000 */
  podDeletionTimeoutMs: number;
  /** How long scaleWorkload / createMiddlewareInstance wait for readiness, ms. @default 300000 */
  readyTimeoutMs: number;
  /** Poll period while waiting for a state, ms. @default 500 */
  pollMs: number;
  /** How long applyResources waits for Karmada to schedule the templates it applied, ms. @default 60000 */
  schedulingTimeoutMs?: number;
}

export const DEFAULT_TIMINGS: OperationTimings = {
  drainPodTimeoutMs: 120_000,
  evictionRetryMs: 1_000,
  podDeletionTimeoutMs: 120_000,
  readyTimeoutMs: 300_000,
  pollMs: 500,
  schedulingTimeoutMs: 60_000,
};

export interface PlanContext {
  /** Writer for a member, or the control plane (CONTROL_PLANE). */
  writer(cluster: string): ClusterWriter;
  timings: OperationTimings;
  /** Resolves after `ms` (or at once when the gateway is stopping or the Operation is cancelled). */
  sleep(ms: number): Promise<void>;
  /** True once the gateway is stopping; long waits give up. */
  stopping(): boolean;
  /**
   * Aborted when `cancelOperation` asks this Operation to stop. Steps check it between upstream calls and
   * throw `cancelledError(signal)` (or anything: once aborted, the executor records the step as CANCELLED).
   * @default never aborted
   */
  signal?: AbortSignal;
}

/** A step stopped because its Operation was cancelled (the GatewayExecutor records it as CANCELLED). */
export class OperationCancelled extends Error {
  constructor(message = 'the Operation was cancelled') {
    super(message);
    this.name = 'OperationCancelled';
  }
}

/**
 * The gateway is shutting down: the Operation stops at the next step boundary (a step waiting, e.g. on a
 * PodDisruptionBudget, ends its wait) and is recorded FAILED with reason INTERRUPTED, not CANCELLED: nobody
 * asked for it to stop, and whoever follows it learns which steps ran.
 */
export class OperationInterrupted extends OperationCancelled {
  constructor(message = 'the gateway shut down') {
    super(message);
    this.name = 'OperationInterrupted';
  }
}

/** Throws OperationCancelled when the plan's Operation has been cancelled; call it between upstream calls. */
export function throwIfCancelled(ctx: PlanContext): void {
  if (ctx.signal?.aborted) throw new OperationCancelled();
}

/**
 * Polls `check` until it returns a value (not undefined), or fails after `timeoutMs` with `onTimeout()`'s error.
 * `check` may report progress through its return of undefined and its own side effects.
 */
export async function waitFor<T>(ctx: PlanContext, timeoutMs: number, check: () => Promise<T | undefined>, onTimeout: () => Error): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    throwIfCancelled(ctx);
    const value = await check();
    if (value !== undefined) return value;
    throwIfCancelled(ctx);
    if (Date.now() >= deadline || ctx.stopping()) throw onTimeout();
    await ctx.sleep(ctx.timings.pollMs);
  }
}
