/**
 * Fills the UsageRing: on every multiple of the sampling interval, for every member at once, ONE node
 * metrics call (metrics.k8s.io, through the fleet's loaders: same timeout and error handling as
 * `Node.usage`) and the pods from the fleet's cache (requests of active pods per node, as `Node.requested`).
 * A member that cannot be read is left out of the tick (a gap); a member whose metrics API fails but whose
 * pods are read keeps its requests and has no usage. A tick still running when the next is due makes it skip.
 */
import type { SlimObject, SlimPod } from '../cache/types.js';
import type { Fleet } from '../fleet/types.js';
import { parseQuantity, ResourceSum } from '../graphql/quantity.js';
import { isActivePod } from '../graphql/resolvers/nodes.js';
import { podRequestValues } from '../graphql/resolvers/pods.js';
import type { ClusterSample, NodeSample } from './UsageRing.js';
import { UsageRing } from './UsageRing.js';

export interface UsageSamplerOptions {
  fleet: Fleet;
  ring: UsageRing;
  /** @default silent */
  logger?: { warn(obj: object, msg?: string): void };
  /** The clock (tests). @default Date.now */
  now?: () => number;
}

export class UsageSampler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Ticks skipped because the previous one was still running. */
  skipped = 0;

  constructor(private readonly options: UsageSamplerOptions) {}

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The next tick at the next multiple of the interval, so sample times sit on the interval's grid. */
  private schedule(): void {
    if (this.stopped) return;
    const interval = this.options.ring.intervalMs;
    const now = this.now();
    const next = (Math.floor(now / interval) + 1) * interval;
    this.timer = setTimeout(() => this.tick(next), next - now);
    this.timer.unref();
  }

  private tick(time: number): void {
    if (this.running) {
      this.skipped++;
    } else {
      this.running = this.sample(time)
        .catch((err: unknown) => this.options.logger?.warn({ err }, 'usage history sample failed'))
        .finally(() => { this.running = undefined; });
    }
    this.schedule();
  }

  /** One tick: every member read at once, then written into the ring in one go. */
  async sample(time: number): Promise<void> {
    const { fleet, ring } = this.options;
    const loaders = fleet.loaders();
    const members = fleet.members();
    const read = await Promise.all(members.map(async (cluster): Promise<ClusterSample | undefined> => {
      const [metrics, pods, nodes] = await Promise.all([loaders.nodeMetrics.load(cluster), fleet.list('pods', cluster), fleet.list('nodes', cluster)]);
      if (!nodes.ok || !pods.ok) return undefined;
      return { cluster, nodes: nodeSamples(nodes.value, pods.value as SlimPod[], metrics.ok ? metrics.value : undefined) };
    }));
    if (this.stopped) return;
    ring.append(time, read.filter((s): s is ClusterSample => s !== undefined));
  }
}

/** Per node of the member: its usage (NaN without metrics) and the requests of its active pods. */
function nodeSamples(nodes: readonly SlimObject[], pods: readonly SlimPod[], usage: ReadonlyArray<{ name: string; cpu: string; memory: string }> | undefined): NodeSample[] {
  const requests = new Map<string, ResourceSum>();
  for (const p of pods) {
    const node = p.spec?.nodeName;
    if (!node || !isActivePod(p)) continue;
    let sum = requests.get(node);
    if (!sum) requests.set(node, (sum = new ResourceSum()));
    sum.addParsed(podRequestValues(p));
  }
  const used = new Map<string, { cpu: string; memory: string }>();
  for (const u of usage ?? []) used.set(u.name, u);
  const out: NodeSample[] = [];
  for (const n of nodes) {
    const name = n.metadata.name;
    const u = used.get(name);
    const r = requests.get(name)?.toList();
    out.push({
      node: name,
      cpuUsage: u ? parseQuantity(u.cpu) : Number.NaN,
      memoryUsage: u ? parseQuantity(u.memory) : Number.NaN,
      // A node with no active pods requests nothing: 0, as Node.requested says.
      cpuRequests: r?.cpuCores ?? 0,
      memoryRequests: r?.memoryBytes ?? 0,
    });
  }
  return out;
}
