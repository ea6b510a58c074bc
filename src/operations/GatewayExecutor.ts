/**
 * Runs gateway-side Operations (fleet administration) step by step. A plan is an async function that calls
 * `run.step(name, fn)` for each step; every transition (step started, step message, step done, Operation done)
 * is written to the OperationStore, hence persisted and announced to subscribers. A step that throws fails
 * the Operation and names itself in `error`; `continueOnError` steps (one pod of a drain) are recorded as
 * FAILED and the plan goes on, and the Operation fails at the end, naming them.
 */
import type { OperationRecord, OperationStepPhase } from './OperationRecord.js';
import type { OperationStore } from './OperationStore.js';

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
}

export type OperationPlan = (run: OperationRun) => Promise<void>;

export class GatewayExecutor {
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly store: OperationStore) {}

  /** Starts `plan` for an Operation already in the store (PENDING); returns at once. */
  start(op: OperationRecord, plan: OperationPlan): Promise<void> {
    const done = this.execute(op, plan).finally(() => this.running.delete(op.id));
    this.running.set(op.id, done);
    return done;
  }

  /** Resolves when every running plan has ended (shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  get active(): number {
    return this.running.size;
  }

  private async execute(initial: OperationRecord, plan: OperationPlan): Promise<void> {
    const op = initial;
    const save = () => this.store.put(op);
    const now = () => new Date().toISOString();
    const failed: Array<{ name: string; message: string; reason: string }> = [];
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
        s.phase = 'RUNNING';
        s.startedAt = now();
        op.currentStep = i;
        save();
        try {
          const value = await fn((message) => {
            s.message = message;
            save();
          });
          finishStep(i, 'SUCCEEDED', null);
          save();
          return value;
        } catch (err) {
          const message = (err as Error)?.message ?? String(err);
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
    op.startedAt = now();
    save();
    try {
      await plan(run);
      if (failed.length > 0) {
        op.phase = 'FAILED';
        op.reason = failed[0]!.reason;
        op.error = failed.map((f) => `step "${f.name}" failed: ${f.message}`).join('; ');
      } else {
        op.phase = 'SUCCEEDED';
      }
    } catch (err) {
      op.phase = 'FAILED';
      op.reason = err instanceof StepFailure ? err.reason : 'INTERNAL';
      op.error = (err as Error)?.message ?? String(err);
      // Steps declared but never reached stay PENDING: they did not run.
    }
    op.completedAt = now();
    save();
  }
}
