/**
 * Runs audit retention on its own (seed 002 §10.6: by age and by count): once shortly after start, then every
 * `intervalMs`. The timer is unref'd so it never keeps a process alive; errors are reported, never thrown.
 */
import type { AuditStore, PruneResult } from './AuditStore.js';

export interface AuditRetentionOptions {
  /** Rows older than this are deleted, ms. @default 2592000000 (30 days) */
  maxAgeMs?: number;
  /** Rows kept per table, newest first. @default 100000 */
  maxRows?: number;
  /** How often retention runs, ms. @default 600000 (10 min) */
  intervalMs?: number;
  /** Receives what each run deleted, or its error. @default nothing */
  onRun?: (result: PruneResult | { error: unknown }) => void;
}

export class AuditRetention {
  private timer: NodeJS.Timeout | undefined;
  private first: NodeJS.Timeout | undefined;

  constructor(private readonly log: AuditStore, private readonly options: AuditRetentionOptions = {}) {}

  start(): void {
    const run = () => void this.runOnce();
    this.first = setTimeout(run, 1_000);
    this.first.unref();
    this.timer = setInterval(run, this.options.intervalMs ?? 600_000);
    this.timer.unref();
  }

  /** One run; resolves (never rejects) once `onRun` was told what it deleted or why it failed. */
  async runOnce(): Promise<void> {
    try {
      const result = await this.log.prune(this.options.maxAgeMs ?? 30 * 24 * 3600_000, this.options.maxRows ?? 100_000);
      this.options.onRun?.(result);
    } catch (error) {
      this.options.onRun?.({ error });
    }
  }

  stop(): void {
    if (this.first) clearTimeout(this.first);
    if (this.timer) clearInterval(this.timer);
  }
}
