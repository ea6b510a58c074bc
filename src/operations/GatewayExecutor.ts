/**
 * Runs gateway-side Operations (fleet administration) step by step. A plan is an async function that calls
 * `run.step(name, fn)` for each step; every transition (step started, step message, step done, Operation done)
 * is written to the OperationStore, hence persisted and announced to subscribers. A step that throws fails
 * the Operation and names itself in `error`; `continueOnError` steps (one pod of a drain) are recorded as
 * FAILED and the plan goes on, and the Operation fails at the end, naming them.
 *
 * Cancellation (`cancel(id)`): the run's AbortSignal is aborted; no step starts after that, a running step that
 * throws (plans check the signal between upstream calls and sleeps end early) is recorded as CANCELLED rather
 * than FAILED, concurrent `continueOnError` steps are all let finish, and once the plan has returned the
 * Operation ends CANCELLED with every step it did not finish marked CANCELLED.
 */
import type { OperationRecord, OperationStepPhase, OperationStepRecord } from './OperationRecord.js';
import type { OperationStore } from './OperationStore.js';
import { OperationCancelled, OperationInterrupted } from './PlanContext.js';

/** A failure with a machine-readable reason (`PDB_TIMEOUT`, `NOT_FOUND`, ...). */
export class StepFailure extends Error {
  constructor(message: string, readonly reason: string) {
    super(message);
    this.name = 'StepFailure';
  }
}

export interface StepOptions {
  /** Record a failure of this step and go on with the plan. @default false */
  continueOnError?: boolean;
}

export interface OperationRun {
  readonly id: string;
  /** Declares steps up front (PENDING), so callers see the whole plan before it runs. */
  declare(names: string[]): void;
  /** Runs one step; the value is what `fn` returns (undefined for a failed `continueOnError` step). */
  step<T>(name: string, fn: (progress: (message: string) => void) => Promise<T>, options?: StepOptions): Promise<T | undefined>;
  /** Marks a step SKIPPED with the reason. */
  skip(name: string, message: string): void;
  /**
   * The steps recorded so far. A run taken over from another replica starts with that replica's steps, so a
   * plan can tell the work already done from the work left.
   */
  steps(): readonly OperationStepRecord[];
}

export type OperationPlan = (run: OperationRun) => Promise<void>;

/**
 * Runs one step's function; tracing (src/server/tracing.ts) runs it inside a span, so that the upstream calls
 * the step makes are that span's children. @default runs it as it is
 */
export type StepRunner = <T>(operation: { readonly id: string; readonly type: string }, step: string, run: () => Promise<T>) => Promise<T>;

interface Running {
  done: Promise<void>;
  cancel: AbortController;
}

export class GatewayExecutor {
  private readonly running = new Map<string, Running>();

  constructor(private readonly store: OperationStore, private readonly stepRunner?: StepRunner) {}

  /**
   * Starts `plan` for an Operation already in the store (PENDING); returns at once. `cancel` is the controller
   * whose signal the plan's context carries (so `cancel(id)` reaches the plan's waits).
   */
  start(op: OperationRecord, plan: OperationPlan, cancel: AbortController = new AbortController()): Promise<void> {
    const done = this.execute(op, plan, cancel.signal).finally(() => this.running.delete(op.id));
    this.running.set(op.id, { done, cancel });
    return done;
  }

  /** Whether this executor is running the Operation. */
  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /**
   * Asks a running Operation to stop (`message` becomes its error, e.g. "cancelled by alice: reason") and
   * resolves once its plan has returned, or after `waitMs` if a step is stuck in an upstream call (it stops
   * at the call's end). False when this executor is not running it.
   */
  async cancel(id: string, message: string, waitMs = 10_000): Promise<boolean> {
    const run = this.running.get(id);
    if (!run) return false;
    if (!run.cancel.signal.aborted) run.cancel.abort(new OperationCancelled(message));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([run.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    return true;
  }

  /**
   * Stops one running Operation at its next step boundary (as a shutdown does), without waiting: its replica
   * lost it (a shared Operation whose Lease another replica took; the store no longer writes its states).
   */
  interrupt(id: string, message: string): void {
    const run = this.running.get(id);
    if (run && !run.cancel.signal.aborted) run.cancel.abort(new OperationInterrupted(message));
  }

  /**
   * Shutdown: asks every running Operation to stop at its next step boundary (recorded FAILED, reason
   * INTERRUPTED) and resolves once every plan has returned.
   */
  async interruptAll(message: string): Promise<void> {
    for (const run of this.running.values()) if (!run.cancel.signal.aborted) run.cancel.abort(new OperationInterrupted(message));
    await this.idle();
  }

  /** Resolves when every running plan has ended (shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  get active(): number {
    return this.running.size;
  }

  private async execute(initial: OperationRecord, plan: OperationPlan, signal: AbortSignal): Promise<void> {
    const op = initial;
    const save = () => this.store.put(op);
    const now = () => new Date().toISOString();
    const failed: Array<{ name: string; message: string; reason: string }> = [];
    const stepRunner = this.stepRunner;
    const indexOf = (name: string): number => {
      let i = op.steps.findIndex((s) => s.name === name);
      if (i < 0) {
        op.steps.push({ name, phase: 'PENDING', message: null, startedAt: null, finishedAt: null });
        i = op.steps.length - 1;
      }
      return i;
    };
    const finishStep = (i: number, phase: OperationStepPhase, message: string | null) => {
      const s = op.steps[i]!;
      s.phase = phase;
      s.finishedAt = now();
      if (message !== null) s.message = message;
    };

    const run: OperationRun = {
      id: op.id,
      declare(names) {
        for (const n of names) indexOf(n);
        save();
      },
      async step(name, fn, options = {}) {
        const i = indexOf(name);
        const s = op.steps[i]!;
        // Cancelled: no step starts any more (it is marked CANCELLED with the others at the end).
        if (signal.aborted) {
          if (options.continueOnError) return undefined;
          throw new OperationCancelled();
        }
        s.phase = 'RUNNING';
        s.startedAt = now();
        op.currentStep = i;
        save();
        try {
          const progress = (message: string) => {
            s.message = message;
            save();
          };
          const value = await (stepRunner ? stepRunner(op, name, () => fn(progress)) : fn(progress));
          finishStep(i, 'SUCCEEDED', null);
          save();
          return value;
        } catch (err) {
          const message = (err as Error)?.message ?? String(err);
          if (signal.aborted) {
            // Whatever the step threw once cancelled (its wait ended early, its check saw the signal), it was
            // stopped, not failed. Concurrent continueOnError steps all return, so the plan ends only once
            // none of them can write upstream any more.
            // Why it stopped is the signal's reason (who cancelled, or the shutdown), not the step's own error.
            const why = signal.reason instanceof OperationCancelled ? signal.reason.message : message;
            finishStep(i, 'CANCELLED', err instanceof OperationCancelled ? `stopped: ${why}` : `stopped by the cancel: ${message}`);
            save();
            if (options.continueOnError) return undefined;
            throw new OperationCancelled();
          }
          const reason = err instanceof StepFailure ? err.reason : 'STEP_FAILED';
          finishStep(i, 'FAILED', message);
          save();
          if (options.continueOnError) {
            failed.push({ name, message, reason });
            return undefined;
          }
          throw new StepFailure(`step "${name}" failed: ${message}`, reason);
        }
      },
      steps() {
        return op.steps.map((st) => ({ ...st }));
      },
      skip(name, message) {
        const i = indexOf(name);
        const s = op.steps[i]!;
        s.phase = 'SKIPPED';
        s.message = message;
        s.startedAt = s.startedAt ?? now();
        s.finishedAt = now();
        save();
      },
    };

    op.phase = 'RUNNING';
    // A run taken over from another replica keeps its start (and the steps it recorded).
    op.startedAt = op.startedAt ?? now();
    save();
    let cancelled = false;
    try {
      await plan(run);
      cancelled = signal.aborted && op.steps.some((st) => st.phase === 'CANCELLED' || st.phase === 'PENDING' || st.phase === 'RUNNING');
      if (cancelled) {
        // Stopped part-way: the outcome is the cancel, whatever the steps before it did.
      } else if (failed.length > 0 || op.steps.some((st) => st.phase === 'FAILED')) {
        // A step failed in this run, or (a run taken over) before it and was not run again.
        const all = op.steps.filter((st) => st.phase === 'FAILED');
        op.phase = 'FAILED';
        op.reason = failed[0]?.reason ?? 'STEP_FAILED';
        op.error = all.map((st) => `step "${st.name}" failed: ${st.message ?? 'failed'}`).join('; ');
      } else {
        op.phase = 'SUCCEEDED';
      }
    } catch (err) {
      if (signal.aborted) {
        cancelled = true;
      } else {
        op.phase = 'FAILED';
        op.reason = err instanceof StepFailure ? err.reason : 'INTERNAL';
        op.error = (err as Error)?.message ?? String(err);
        // Steps declared but never reached stay PENDING: they did not run.
      }
    }
    const interrupted = cancelled && signal.reason instanceof OperationInterrupted;
    if (cancelled) {
      const t = now();
      const what = interrupted ? 'the gateway shut down' : 'the Operation was cancelled';
      for (const st of op.steps) {
        if (st.phase !== 'PENDING' && st.phase !== 'RUNNING') continue;
        st.message = st.phase === 'RUNNING' ? `stopped: ${what}` : `not run: ${what}`;
        st.phase = 'CANCELLED';
        st.finishedAt = t;
      }
      op.phase = interrupted ? 'FAILED' : 'CANCELLED';
      op.reason = interrupted ? 'INTERRUPTED' : 'CANCELLED';
      const why = signal.reason instanceof OperationCancelled ? signal.reason.message : 'cancelled';
      const failedNote = failed.length > 0 ? `; before that, ${failed.map((f) => `step "${f.name}" failed: ${f.message}`).join('; ')}` : '';
      op.error = `${why}${failedNote}`;
    }
    op.completedAt = now();
    save();
  }
}
