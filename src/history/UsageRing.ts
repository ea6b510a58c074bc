/**
 * The in-memory usage history: a bounded ring of samples, one slot per sampling tick, shared by every node.
 * Each node holds ONE Float64Array of `capacity × 4` numbers (CPU usage cores, memory usage bytes, CPU
 * requests cores, memory requests bytes per slot) and no per-point objects; NaN marks a value that was not
 * read at that tick (a member down, a metrics API not served, a node not there yet): a gap, never a zero.
 * Sample times are multiples of the interval (the sampler ticks on that grid), so points line up with steps.
 */

/** Values per slot: cpu usage, memory usage, cpu requests, memory requests. */
export const FIELDS = 4;

/** One node's values at one sample (NaN: not read). */
export interface NodeSample {
  node: string;
  cpuUsage: number;
  memoryUsage: number;
  cpuRequests: number;
  memoryRequests: number;
}

/** One member's nodes at one sample; a member not given (or given as `null` nodes) is a gap at that tick. */
export interface ClusterSample {
  cluster: string;
  nodes: readonly NodeSample[];
}

/** What a series is summed over: one node, one member's nodes, or the whole fleet. */
export type HistoryScope =
  | { cluster: string; node: string; only?: undefined }
  | { cluster: string; node?: undefined; only?: undefined }
  /** The fleet; `only`: just these members (the ones the caller may read). */
  | { cluster?: undefined; node?: undefined; only?: readonly string[] };

/** One point as the schema's UsagePoint (time in ms). */
export interface HistoryPoint {
  time: number;
  cpuUsage: number | null;
  memoryUsage: number | null;
  cpuRequests: number | null;
  memoryRequests: number | null;
  nodes: number;
}

class NodeSeries {
  readonly values: Float64Array;
  /** The sample count when this node was last written (for dropping nodes gone for a whole ring). */
  lastWritten = -1;

  constructor(capacity: number) {
    this.values = new Float64Array(capacity * FIELDS).fill(Number.NaN);
  }
}

export class UsageRing {
  readonly capacity: number;
  /** Sample time (ms since the epoch) per slot; NaN while unused. */
  private readonly times: Float64Array;
  /** Samples written so far; the next goes to slot `written % capacity`. */
  private written = 0;
  private readonly clusters = new Map<string, Map<string, NodeSeries>>();

  constructor(readonly intervalMs: number, keepMs: number) {
    this.capacity = Math.max(1, Math.floor(keepMs / intervalMs));
    this.times = new Float64Array(this.capacity).fill(Number.NaN);
  }

  /** Time of the latest sample (ms), or undefined before the first. */
  get latest(): number | undefined {
    return this.written === 0 ? undefined : this.times[(this.written - 1) % this.capacity]!;
  }

  /** Nodes that have a series (for the memory measure). */
  get nodeCount(): number {
    let n = 0;
    for (const nodes of this.clusters.values()) n += nodes.size;
    return n;
  }

  /**
   * Writes one tick: every node of the given members; every other series gets NaN in that slot. Nodes not
   * written for a whole ring (gone) are dropped, and members with them.
   */
  append(timeMs: number, members: readonly ClusterSample[]): void {
    const slot = this.written % this.capacity;
    const count = this.written;
    this.times[slot] = timeMs;
    for (const m of members) {
      let nodes = this.clusters.get(m.cluster);
      if (!nodes) this.clusters.set(m.cluster, (nodes = new Map()));
      for (const s of m.nodes) {
        let series = nodes.get(s.node);
        if (!series) nodes.set(s.node, (series = new NodeSeries(this.capacity)));
        const at = slot * FIELDS;
        series.values[at] = s.cpuUsage;
        series.values[at + 1] = s.memoryUsage;
        series.values[at + 2] = s.cpuRequests;
        series.values[at + 3] = s.memoryRequests;
        series.lastWritten = count;
      }
    }
    for (const [cluster, nodes] of this.clusters) {
      for (const [name, series] of nodes) {
        if (series.lastWritten === count) continue;
        if (count - series.lastWritten >= this.capacity) {
          nodes.delete(name);
          continue;
        }
        series.values.fill(Number.NaN, slot * FIELDS, slot * FIELDS + FIELDS);
      }
      if (nodes.size === 0) this.clusters.delete(cluster);
    }
    this.written++;
  }

  /** Where a read at `nowMs` ends: the latest sample, or the last interval boundary before any. */
  endAt(nowMs: number): number {
    return this.latest ?? Math.floor(nowMs / this.intervalMs) * this.intervalMs;
  }

  /**
   * `count` points `stepMs` apart ending at `end` (see endAt; samples after it are left out, so that every
   * read of one request sees the same samples): each holds the latest sample in (time - step, time], summed
   * over the scope's nodes; null fields where nothing was read.
   */
  points(scope: HistoryScope, count: number, stepMs: number, end: number): HistoryPoint[] {
    const points: HistoryPoint[] = [];
    for (let k = count - 1; k >= 0; k--) {
      points.push({ time: end - k * stepMs, cpuUsage: null, memoryUsage: null, cpuRequests: null, memoryRequests: null, nodes: 0 });
    }
    const series = this.seriesOf(scope);
    const filled = new Uint8Array(count);
    const held = Math.min(this.written, this.capacity);
    for (let i = 0; i < held; i++) {
      const slot = (this.written - 1 - i) % this.capacity;
      const t = this.times[slot]!;
      if (t > end) continue;
      const bucket = Math.floor((end - t) / stepMs);
      if (bucket >= count) break;
      if (filled[bucket]) continue;
      filled[bucket] = 1;
      const p = points[count - 1 - bucket]!;
      const at = slot * FIELDS;
      let cpu = 0, mem = 0, cpuReq = 0, memReq = 0;
      let nCpu = 0, nMem = 0, nCpuReq = 0, nMemReq = 0, nodes = 0;
      for (const s of series) {
        const v = s.values;
        const c = v[at]!, m = v[at + 1]!, cr = v[at + 2]!, mr = v[at + 3]!;
        if (c === c) { cpu += c; nCpu++; }
        if (m === m) { mem += m; nMem++; }
        if (cr === cr) { cpuReq += cr; nCpuReq++; }
        if (mr === mr) { memReq += mr; nMemReq++; }
        if (c === c || cr === cr) nodes++;
      }
      p.cpuUsage = nCpu ? cpu : null;
      p.memoryUsage = nMem ? mem : null;
      p.cpuRequests = nCpuReq ? cpuReq : null;
      p.memoryRequests = nMemReq ? memReq : null;
      p.nodes = nodes;
    }
    return points;
  }

  private seriesOf(scope: HistoryScope): NodeSeries[] {
    if (scope.cluster === undefined) {
      const only = scope.only ? new Set(scope.only) : undefined;
      return [...this.clusters].filter(([c]) => !only || only.has(c)).flatMap(([, nodes]) => [...nodes.values()]);
    }
    const nodes = this.clusters.get(scope.cluster);
    if (!nodes) return [];
    if (scope.node === undefined) return [...nodes.values()];
    const one = nodes.get(scope.node);
    return one ? [one] : [];
  }
}
