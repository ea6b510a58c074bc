/**
 * Who waits for which queued write of an audit store (SQLite or PostgreSQL). Writes are numbered as they are
 * queued and committed in batches, in order; `wait()` resolves once everything queued before it is committed,
 * or rejects with the error of the batch that held its last write (that batch was rolled back: the mutation
 * waiting on its audit row must not answer as if it were written).
 */
export class CommitTracker {
  private waiters: Array<{ upTo: number; resolve: () => void; reject: (err: unknown) => void }> = [];
  private enqueued = 0;
  private committed = 0;

  /** Counts one more queued write. */
  queued(): void {
    this.enqueued++;
  }

  /** Whether every queued write has been committed (or dropped with its failed batch). */
  get idle(): boolean {
    return this.committed >= this.enqueued;
  }

  /** Resolves once every write queued so far is committed; rejects if its batch failed. */
  wait(): Promise<void> {
    if (this.idle) return Promise.resolve();
    const upTo = this.enqueued;
    return new Promise((resolve, reject) => this.waiters.push({ upTo, resolve, reject }));
  }

  /** The next `count` queued writes are done: committed, or rolled back with `err`. */
  settled(count: number, err?: unknown): void {
    this.committed += count;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.upTo <= this.committed) {
        if (err) w.reject(err);
        else w.resolve();
      } else still.push(w);
    }
    this.waiters = still;
  }
}
