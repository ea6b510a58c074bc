/**
 * Coalesces fleet-wide change into roll-up ticks: however many pods, nodes or clusters change in a burst,
 * the subscribers of one interval get at most one tick per `intervalMs` (the first change of a quiet period
 * ticks after at most `intervalMs`, never more often). One ticker serves every subscriber of the same
 * interval, so the roll-up behind a tick is computed once and shared (see sharedExecution).
 *
 * The interval also holds per subscriber from its FIRST message, the roll-up it gets when it subscribes: a
 * shared ticker may tick just after someone joined (its last tick was long ago), and that tick is held for that
 * subscriber until its interval has passed (only the newest held tick is kept: the roll-up is a state).
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

/** When a subscriber last got a message, and the tick held for it until its interval has passed. */
interface ListenerGate {
  lastSent: number;
  held?: FleetTick;
  timer?: NodeJS.Timeout;
}

export class FleetRollupTicker {
  private timer: NodeJS.Timeout | undefined;
  private lastTick = 0;
  private pendingChanges = 0;
  private seq = 0;
  private readonly listeners = new Map<(tick: FleetTick) => void, ListenerGate>();

  /** @param intervalMs the least time between two ticks. */
  constructor(readonly intervalMs: number) {}

  /**
   * Registers a listener whose first message (its initial roll-up) goes out now: its first tick comes
   * `intervalMs` after that at the earliest. Returns its remover.
   */
  add(listener: (tick: FleetTick) => void): () => void {
    const gate: ListenerGate = { lastSent: Date.now() };
    this.listeners.set(listener, gate);
    return () => {
      if (gate.timer) clearTimeout(gate.timer);
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
    for (const gate of this.listeners.values()) {
      if (gate.timer) clearTimeout(gate.timer);
      gate.timer = undefined;
      delete gate.held;
    }
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
    for (const [listener, gate] of [...this.listeners]) this.offer(listener, gate, tick);
  }

  /** Delivers `tick` to one listener now, or holds it until the listener's interval has passed. */
  private offer(listener: (tick: FleetTick) => void, gate: ListenerGate, tick: FleetTick): void {
    const wait = gate.lastSent + this.intervalMs - Date.now();
    if (wait <= 0) {
      gate.lastSent = Date.now();
      listener(tick);
      return;
    }
    gate.held = tick;
    if (gate.timer) return;
    gate.timer = setTimeout(() => {
      gate.timer = undefined;
      const held = gate.held;
      delete gate.held;
      if (held && this.listeners.get(listener) === gate) {
        gate.lastSent = Date.now();
        listener(held);
      }
    }, wait);
    gate.timer.unref?.();
  }
}
