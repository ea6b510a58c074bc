/**
 * The work queue every simulated controller runs on, modelled on client-go's: change notifications
 * only *enqueue a key* (namespace/name), and a key is reconciled later, once, however many changes
 * arrived meanwhile. This matters here because SimCluster.onChange fires synchronously inside the
 * write: reconciling right there would nest writes inside writes.
 *
 * Delayed keys ("look at this pod again in 2 s") sit in one time-ordered heap served by a single
 * timer, so a member with thousands of pods still costs one timer per controller, not one per pod.
 */
export interface WorkQueueOptions {
  /**
   * Most keys reconciled in one event-loop turn, so a burst (a 3000-pod member starting) does not
   * starve HTTP answers.
   * @default 400
   */
  batchSize?: number;
  /**
   * Delay before retrying a key whose reconcile threw.
   * @default 2000
   */
  retryDelayMs?: number;
}

export class WorkQueue {
  private readonly ready = new Set<string>();
  /** key -> due time (ms since epoch) of its earliest delayed run. */
  private readonly dueAt = new Map<string, number>();
  private readonly heap: Array<{ due: number; key: string }> = [];
  private immediate: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Infinity;
  private stopped = false;
  private readonly batchSize: number;
  private readonly retryDelayMs: number;

  constructor(
    private readonly reconcile: (key: string) => void,
    options: WorkQueueOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 400;
    this.retryDelayMs = options.retryDelayMs ?? 2000;
  }

  /** Reconciles `key` soon (next event-loop turn). */
  add(key: string): void {
    if (this.stopped) return;
    this.ready.add(key);
    this.scheduleFlush();
  }

  /** Reconciles `key` after `delayMs` (an earlier pending run wins). */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) return this.add(key);
    const due = Date.now() + delayMs;
    const current = this.dueAt.get(key);
    if (current !== undefined && current <= due) return;
    this.dueAt.set(key, due);
    this.push({ due, key });
    this.armTimer();
  }

  /** Keys waiting (ready or delayed): for tests and metrics. */
  get size(): number {
    return this.ready.size + this.dueAt.size;
  }

  stop(): void {
    this.stopped = true;
    if (this.immediate) clearImmediate(this.immediate);
    if (this.timer) clearTimeout(this.timer);
    this.immediate = undefined;
    this.timer = undefined;
    this.ready.clear();
    this.dueAt.clear();
    this.heap.length = 0;
  }

  private scheduleFlush(): void {
    if (this.immediate || this.stopped) return;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      this.flush();
    });
  }

  private flush(): void {
    let done = 0;
    for (const key of this.ready) {
      if (this.stopped) return;
      if (done >= this.batchSize) break;
      this.ready.delete(key);
      done++;
      try {
        this.reconcile(key);
      } catch {
        // A conflict or a vanished namespace: try again a little later, as client-go's rate limiter does.
        this.addAfter(key, this.retryDelayMs);
      }
    }
    if (this.ready.size > 0) this.scheduleFlush();
  }

  private armTimer(): void {
    const top = this.heap[0];
    if (!top || this.stopped) return;
    if (this.timer && this.timerDue <= top.due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = top.due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      this.releaseDue();
    }, Math.max(0, top.due - Date.now()));
    // The simulator's lifetime is owned by its servers and stop(), never by a pending reconcile.
    this.timer.unref();
  }

  private releaseDue(): void {
    const now = Date.now();
    while (this.heap.length > 0 && this.heap[0]!.due <= now) {
      const { due, key } = this.pop()!;
      // Skip heap entries superseded by an earlier addAfter of the same key.
      if (this.dueAt.get(key) !== due) continue;
      this.dueAt.delete(key);
      this.ready.add(key);
    }
    if (this.ready.size > 0) this.scheduleFlush();
    this.armTimer();
  }

  private push(item: { due: number; key: string }): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.due <= heap[i]!.due) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  private pop(): { due: number; key: string } | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < heap.length && heap[l]!.due < heap[smallest]!.due) smallest = l;
        if (r < heap.length && heap[r]!.due < heap[smallest]!.due) smallest = r;
        if (smallest === i) break;
        [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
        i = smallest;
      }
    }
    return top;
  }
}

/** `namespace/name` (or just `name` for cluster-scoped objects): the key controllers queue. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
