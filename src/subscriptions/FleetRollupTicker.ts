/**
 * Coalesces fleet-wide change into roll-up ticks: however many pods, nodes or clusters change in a burst,
 * the subscribers of one interval get at most one tick per `intervalMs` (the first change of a quiet period
 * ticks after at most `intervalMs`, never more often). One ticker serves every subscriber of the same
 * interval, so the roll-up behind a tick is computed once and shared (see sharedExecution).
 */
export interface FleetTick {
  topic: 'fleet';
  /** Unique per tick: the key payloads are shared under. */
  id: string;
  type: 'MODIFIED';
  at: string;
  /** How many changes this tick stands for. */
  changes: number;
}

export class FleetRollupTicker {
  private timer: NodeJS.Timeout | undefined;
  private lastTick = 0;
  private pendingChanges = 0;
  private seq = 0;
  private readonly listeners = new Set<(tick: FleetTick) => void>();

  /** @param intervalMs the least time between two ticks. */
  constructor(readonly intervalMs: number) {}

  /** Registers a listener; returns its remover. */
  add(listener: (tick: FleetTick) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  get size(): number {
    return this.listeners.size;
  }

  /** A relevant change happened: tick now if the interval allows, else once it has passed. */
  changed(): void {
    this.pendingChanges++;
    if (this.timer) return;
    const wait = Math.max(0, this.lastTick + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.tick(), wait);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pendingChanges = 0;
  }

  private tick(): void {
    this.timer = undefined;
    this.lastTick = Date.now();
    const tick: FleetTick = {
      topic: 'fleet',
      id: `fleet:${this.intervalMs}:${++this.seq}`,
      type: 'MODIFIED',
      at: new Date(this.lastTick).toISOString(),
      changes: this.pendingChanges,
    };
    this.pendingChanges = 0;
    for (const l of [...this.listeners]) l(tick);
  }
}
