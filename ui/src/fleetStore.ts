/**
 * The live fleet: clusters, nodes and pods loaded once over HTTP (paged), then kept current by the
 * subscriptions nodeChanged, podChanged, clusterChanged and fleetChanged on the one graphql-ws connection.
 * Events are queued and applied once per animation frame: one new snapshot (and so at most one React render)
 * per frame whatever the event rate. Snapshots are immutable and structurally shared: a cluster or node that
 * did not change keeps its view object, so memoized components skip it.
 */
import { request, subscribe, RequestError } from './api';
import {
  ClusterChangedSubscription, ClustersQuery, FleetChangedSubscription, NodeChangedSubscription, NodeUsageQuery,
  NodesPageQuery, PodChangedSubscription, PodsPageQuery,
} from './documents';
import type { MaySubject } from './can';
import type { DashboardFleetChangedSubscription, DashboardNodesQuery, DashboardNodeUsageQuery, DashboardPodsQuery, PodPhase } from './gql/graphql';

export const PHASES: PodPhase[] = ['RUNNING', 'PENDING', 'SUCCEEDED', 'FAILED', 'UNKNOWN'];
export const PHASE_LABEL: Record<PodPhase, string> = { RUNNING: 'Running', PENDING: 'Pending', SUCCEEDED: 'Succeeded', FAILED: 'Failed', UNKNOWN: 'Unknown' };

export interface ClusterRec {
  name: string;
  provider: string | null;
  region: string | null;
  ready: boolean;
  reachable: boolean;
  reason: string | null;
}

export interface Quantity {
  cpuCores: number | null;
  memoryBytes: number | null;
}

export interface NodeRec {
  cluster: string;
  name: string;
  ready: boolean;
  unschedulable: boolean;
  capacity: Quantity;
  usage: Quantity | null;
  /** What the caller may do on it, when the query selects `can` (see can.ts). */
  can?: MaySubject['can'];
}

export interface PodRec {
  cluster: string;
  namespace: string;
  name: string;
  phase: PodPhase;
  nodeName: string | null;
  requests: Quantity;
}

export interface NodeView {
  key: string;
  node: NodeRec;
  /** Phases of its pods, in a stable order (by phase, then name): one square each. */
  pods: PodPhase[];
}

export interface Resource {
  capacity: number;
  requested: number;
  /** null when no node of the cluster has metrics. */
  used: number | null;
}

export interface ClusterView {
  info: ClusterRec;
  nodes: NodeView[];
  nodesReady: number;
  nodesCordoned: number;
  pods: number;
  byPhase: Record<PodPhase, number>;
  /** Pods not (yet) on a node. */
  unscheduled: number;
  cpu: Resource;
  memory: Resource;
}

export type FleetTotals = DashboardFleetChangedSubscription['fleetChanged'];

export interface Snapshot {
  status: 'loading' | 'ready' | 'error';
  error: RequestError | null;
  clusters: ClusterView[];
  fleet: FleetTotals | null;
  live: boolean;
  /** Events applied since the page loaded (the e2e test and the benchmark read it). */
  events: number;
  /** Frames in which events were applied. */
  flushes: number;
}

interface PodTotals {
  pods: number;
  byPhase: Record<PodPhase, number>;
  unscheduled: number;
  cpu: number;
  memory: number;
}

/** Whether two records of a pod differ in what the dashboard shows (most MODIFIED events do not). */
function samePod(a: PodRec, b: PodRec): boolean {
  return a.phase === b.phase && a.nodeName === b.nodeName && a.requests.cpuCores === b.requests.cpuCores && a.requests.memoryBytes === b.requests.memoryBytes;
}

function sameNode(a: NodeRec, b: NodeRec): boolean {
  return a.ready === b.ready && a.unschedulable === b.unschedulable && a.capacity.cpuCores === b.capacity.cpuCores && a.capacity.memoryBytes === b.capacity.memoryBytes
    && a.usage?.cpuCores === b.usage?.cpuCores && a.usage?.memoryBytes === b.usage?.memoryBytes
    && a.can?.cordon === b.can?.cordon && a.can?.uncordon === b.can?.uncordon && a.can?.drain === b.can?.drain;
}

type Change =
  | { kind: 'node'; type: string; cluster: string | null; node: NodeRec | null }
  | { kind: 'pod'; type: string; cluster: string | null; pod: PodRec | null }
  | { kind: 'cluster'; cluster: string | null; reachable: boolean | null; reason: string | null; member: ClusterRec | null }
  | { kind: 'fleet'; fleet: FleetTotals }
  | { kind: 'usage'; usage: Array<{ key: string; usage: Quantity | null }> };

const nodeKey = (cluster: string, name: string) => `${cluster}/${name}`;
const podKey = (p: { cluster: string; namespace: string; name: string }) => `${p.cluster}/${p.namespace}/${p.name}`;
const phaseOrder = new Map(PHASES.map((p, i) => [p, i]));

function emptyPhases(): Record<PodPhase, number> {
  return { RUNNING: 0, PENDING: 0, SUCCEEDED: 0, FAILED: 0, UNKNOWN: 0 };
}

interface ClusterNodeRaw {
  name: string;
  provider?: string | null;
  region?: string | null;
  health: { ready: boolean; readyCondition?: { reason?: string | null } | null; gateway: { unreachableSince?: string | null; lastError?: string | null } };
}

function clusterRec(c: ClusterNodeRaw): ClusterRec {
  const reachable = !c.health.gateway.unreachableSince;
  return {
    name: c.name,
    provider: c.provider ?? null,
    region: c.region ?? null,
    ready: c.health.ready,
    reachable,
    reason: reachable ? (c.health.readyCondition?.reason ?? null) : (c.health.gateway.lastError ?? 'unreachable'),
  };
}

export class FleetStore {
  private clusters = new Map<string, ClusterRec>();
  private nodes = new Map<string, NodeRec>();
  private pods = new Map<string, PodRec>();
  private podsByNode = new Map<string, Set<string>>();
  /** Per cluster, kept by delta as pods come and go: pods by phase, unscheduled, requests of live pods. */
  private podTotals = new Map<string, PodTotals>();
  private nodesByCluster = new Map<string, Set<string>>();
  private nodeViews = new Map<string, NodeView>();
  private clusterViews = new Map<string, ClusterView>();
  private dirtyNodes = new Set<string>();
  private dirtyClusters = new Set<string>();
  private queue: Change[] = [];
  private loading = true;
  private frame = 0;
  private fallback: ReturnType<typeof setTimeout> | undefined;
  private listeners = new Set<() => void>();
  private unsubscribers: Array<() => void> = [];
  private usageTimer: ReturnType<typeof setInterval> | undefined;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  /** Milliseconds of work per applied frame: the store's, plus React's render and commit when it rendered. */
  readonly frameWork: number[] = [];
  private flushStart: number | undefined;
  private snapshot: Snapshot = { status: 'loading', error: null, clusters: [], fleet: null, live: false, events: 0, flushes: 0 };

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): Snapshot => this.snapshot;

  /** Subscribes first (events arriving meanwhile wait in the queue), then loads. */
  start(): void {
    const onError = (err: RequestError) => this.set({ error: err });
    this.unsubscribers.push(
      subscribe(NodeChangedSubscription, undefined, {
        next: ({ nodeChanged: e }) => {
          if (e.type === 'RESYNC') return this.scheduleReload();
          this.push({ kind: 'node', type: e.type, cluster: e.cluster, node: e.node ? { ...e.node, cluster: e.node.cluster ?? e.cluster ?? '' } : null });
        },
        error: onError,
      }),
      subscribe(PodChangedSubscription, undefined, {
        next: ({ podChanged: e }) => {
          if (e.type === 'RESYNC') return this.scheduleReload();
          const p = e.pod;
          this.push({ kind: 'pod', type: e.type, cluster: e.cluster, pod: p ? { cluster: p.cluster ?? e.cluster ?? '', namespace: p.namespace ?? '', name: p.name, phase: p.phase, nodeName: p.nodeName ?? null, requests: p.requests } : null });
        },
        error: onError,
      }),
      subscribe(ClusterChangedSubscription, undefined, {
        next: ({ clusterChanged: e }) => {
          if (e.type === 'RESYNC') return this.scheduleReload();
          if (e.type === 'DELETED' || e.type === 'ADDED') this.scheduleReload();
          this.push({ kind: 'cluster', cluster: e.cluster, reachable: e.reachable ?? null, reason: e.reason ?? null, member: e.member ? clusterRec(e.member) : null });
        },
        error: onError,
      }),
      subscribe(FleetChangedSubscription, undefined, {
        next: ({ fleetChanged }) => this.push({ kind: 'fleet', fleet: fleetChanged }),
        error: onError,
      }),
    );
    void this.load();
    this.usageTimer = setInterval(() => void this.refreshUsage(), 15_000);
  }

  stop(): void {
    this.unsubscribers.splice(0).forEach((u) => u());
    clearInterval(this.usageTimer);
    clearTimeout(this.reloadTimer);
    cancelAnimationFrame(this.frame);
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.load(), 250);
  }

  private async load(): Promise<void> {
    this.loading = true;
    try {
      const { data } = await request(ClustersQuery);
      const clusters = new Map<string, ClusterRec>();
      for (const { node } of data.clusters.edges) clusters.set(node.name, clusterRec(node));
      const nodes = new Map<string, NodeRec>();
      let after: string | null = null;
      do {
        const { data: d }: { data: DashboardNodesQuery } = await request(NodesPageQuery, { first: 1000, after });
        for (const { node: n } of d.nodes.edges) nodes.set(nodeKey(n.cluster ?? '', n.name), { ...n, cluster: n.cluster ?? '' });
        after = d.nodes.pageInfo.hasNextPage ? (d.nodes.pageInfo.endCursor ?? null) : null;
      } while (after);
      const pods = new Map<string, PodRec>();
      after = null;
      do {
        const { data: d }: { data: DashboardPodsQuery } = await request(PodsPageQuery, { first: 2500, after });
        for (const { node: p } of d.pods.edges) {
          const rec: PodRec = { cluster: p.cluster ?? '', namespace: p.namespace ?? '', name: p.name, phase: p.phase, nodeName: p.nodeName ?? null, requests: p.requests };
          pods.set(podKey(rec), rec);
        }
        after = d.pods.pageInfo.hasNextPage ? (d.pods.pageInfo.endCursor ?? null) : null;
      } while (after);
      this.clusters = clusters;
      this.nodes = nodes;
      this.pods = new Map();
      this.podsByNode = new Map();
      this.podTotals = new Map();
      this.nodesByCluster = new Map();
      for (const [key, n] of nodes) this.indexNode(key, n);
      for (const [key, p] of pods) this.putPod(key, p);
      this.nodeViews.clear();
      this.clusterViews.clear();
      for (const k of nodes.keys()) this.dirtyNodes.add(k);
      for (const c of clusters.keys()) this.dirtyClusters.add(c);
      this.loading = false;
      this.snapshot = { ...this.snapshot, status: 'ready', error: null };
      this.flush();
    } catch (err) {
      this.loading = false;
      this.set({ status: 'error', error: err instanceof RequestError ? err : new RequestError(String(err), undefined, [], 0) });
    }
  }

  private async refreshUsage(): Promise<void> {
    if (this.loading) return;
    try {
      const usage: Array<{ key: string; usage: Quantity | null }> = [];
      let after: string | null = null;
      do {
        const { data }: { data: DashboardNodeUsageQuery } = await request(NodeUsageQuery, { first: 1000, after });
        for (const { node } of data.nodes.edges) usage.push({ key: nodeKey(node.cluster ?? '', node.name), usage: node.usage ?? null });
        after = data.nodes.pageInfo.hasNextPage ? (data.nodes.pageInfo.endCursor ?? null) : null;
      } while (after);
      this.push({ kind: 'usage', usage });
    } catch {
      /* the next refresh tries again */
    }
  }

  private set(patch: Partial<Snapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    this.listeners.forEach((l) => l());
  }

  private push(change: Change): void {
    this.queue.push(change);
    if (this.frame || this.fallback) return;
    this.frame = requestAnimationFrame(() => this.flush());
    // A hidden tab gets no animation frames: apply at least every second there.
    this.fallback = setTimeout(() => this.flush(), 1000);
  }

  private indexNode(key: string, n: NodeRec): void {
    let set = this.nodesByCluster.get(n.cluster);
    if (!set) this.nodesByCluster.set(n.cluster, (set = new Set()));
    set.add(key);
  }

  /** Adds (sign 1) or takes away (sign -1) a pod from its cluster's totals. */
  private count(p: PodRec, sign: 1 | -1): void {
    let t = this.podTotals.get(p.cluster);
    if (!t) this.podTotals.set(p.cluster, (t = { pods: 0, byPhase: emptyPhases(), unscheduled: 0, cpu: 0, memory: 0 }));
    t.pods += sign;
    t.byPhase[p.phase] = (t.byPhase[p.phase] ?? 0) + sign;
    if (!p.nodeName) t.unscheduled += sign;
    // As the scheduler counts: pods that ended hold no resources.
    if (p.phase !== 'SUCCEEDED' && p.phase !== 'FAILED') {
      t.cpu += sign * (p.requests.cpuCores ?? 0);
      t.memory += sign * (p.requests.memoryBytes ?? 0);
    }
    this.dirtyClusters.add(p.cluster);
  }

  private putPod(key: string, p: PodRec): void {
    const old = this.pods.get(key);
    this.pods.set(key, p);
    // Most MODIFIED events change nothing shown here (annotations, conditions, restarts): nothing to redo.
    if (old && samePod(old, p)) return;
    if (old) {
      this.count(old, -1);
      if (old.nodeName) {
        const k = nodeKey(old.cluster, old.nodeName);
        this.podsByNode.get(k)?.delete(key);
        this.dirtyNodes.add(k);
      }
    }
    this.count(p, 1);
    if (p.nodeName) {
      const k = nodeKey(p.cluster, p.nodeName);
      let set = this.podsByNode.get(k);
      if (!set) this.podsByNode.set(k, (set = new Set()));
      set.add(key);
      this.dirtyNodes.add(k);
    }
  }

  private removePod(key: string): void {
    const old = this.pods.get(key);
    if (!old) return;
    this.pods.delete(key);
    this.count(old, -1);
    if (old.nodeName) {
      const k = nodeKey(old.cluster, old.nodeName);
      this.podsByNode.get(k)?.delete(key);
      this.dirtyNodes.add(k);
    }
  }

  private apply(change: Change): void {
    switch (change.kind) {
      case 'node': {
        const n = change.node;
        if (!n) return;
        const key = nodeKey(n.cluster, n.name);
        const old = this.nodes.get(key);
        if (change.type === 'DELETED') {
          this.nodes.delete(key);
          this.nodesByCluster.get(n.cluster)?.delete(key);
        } else {
          this.nodes.set(key, n);
          if (old && sameNode(old, n)) return;
          this.indexNode(key, n);
        }
        this.dirtyNodes.add(key);
        this.dirtyClusters.add(n.cluster);
        return;
      }
      case 'pod': {
        const p = change.pod;
        if (!p) return;
        const key = podKey(p);
        if (change.type === 'DELETED') this.removePod(key);
        else this.putPod(key, p);
        return;
      }
      case 'cluster': {
        const name = change.member?.name ?? change.cluster;
        if (!name) return;
        const old = this.clusters.get(name);
        let rec = change.member ?? old;
        if (!rec) return;
        if (change.reachable != null) rec = { ...rec, reachable: change.reachable, reason: change.reachable ? rec.reason : (change.reason ?? 'unreachable') };
        this.clusters.set(name, rec);
        this.dirtyClusters.add(name);
        return;
      }
      case 'fleet':
        this.snapshot = { ...this.snapshot, fleet: change.fleet };
        return;
      case 'usage':
        for (const { key, usage } of change.usage) {
          const n = this.nodes.get(key);
          if (n && (n.usage?.cpuCores !== usage?.cpuCores || n.usage?.memoryBytes !== usage?.memoryBytes)) {
            this.nodes.set(key, { ...n, usage });
            this.dirtyClusters.add(n.cluster);
          }
        }
    }
  }

  /** Applies every queued change, rebuilds the views of what changed, publishes one snapshot. */
  private flush(): void {
    cancelAnimationFrame(this.frame);
    clearTimeout(this.fallback);
    this.frame = 0;
    this.fallback = undefined;
    if (this.loading) return; // applied once the load is in (the queue keeps them)
    const started = performance.now();
    const changes = this.queue.splice(0);
    for (const c of changes) this.apply(c);
    for (const key of this.dirtyNodes) {
      const node = this.nodes.get(key);
      if (!node) {
        this.nodeViews.delete(key);
        continue;
      }
      const pods: PodRec[] = [];
      for (const pk of this.podsByNode.get(key) ?? []) {
        const p = this.pods.get(pk);
        if (p) pods.push(p);
      }
      pods.sort((a, b) => phaseOrder.get(a.phase)! - phaseOrder.get(b.phase)! || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      this.nodeViews.set(key, { key, node, pods: pods.map((p) => p.phase) });
      this.dirtyClusters.add(node.cluster);
    }
    this.dirtyNodes.clear();
    for (const name of this.dirtyClusters) {
      const info = this.clusters.get(name);
      if (!info) {
        this.clusterViews.delete(name);
        continue;
      }
      const nodes: NodeView[] = [];
      for (const key of this.nodesByCluster.get(name) ?? []) {
        const v = this.nodeViews.get(key);
        if (v) nodes.push(v);
      }
      nodes.sort((a, b) => (a.node.name < b.node.name ? -1 : 1));
      const t = this.podTotals.get(name);
      let cpuCap = 0;
      let memCap = 0;
      let cpuUsed: number | null = null;
      let memUsed: number | null = null;
      let ready = 0;
      let cordoned = 0;
      for (const { node } of nodes) {
        if (node.ready) ready++;
        if (node.unschedulable) cordoned++;
        cpuCap += node.capacity.cpuCores ?? 0;
        memCap += node.capacity.memoryBytes ?? 0;
        if (node.usage) {
          cpuUsed = (cpuUsed ?? 0) + (node.usage.cpuCores ?? 0);
          memUsed = (memUsed ?? 0) + (node.usage.memoryBytes ?? 0);
        }
      }
      this.clusterViews.set(name, {
        info, nodes, nodesReady: ready, nodesCordoned: cordoned, pods: t?.pods ?? 0, byPhase: { ...(t?.byPhase ?? emptyPhases()) }, unscheduled: t?.unscheduled ?? 0,
        cpu: { capacity: cpuCap, requested: Math.max(0, t?.cpu ?? 0), used: cpuUsed },
        memory: { capacity: memCap, requested: Math.max(0, t?.memory ?? 0), used: memUsed },
      });
    }
    this.dirtyClusters.clear();
    const clusters = [...this.clusters.keys()].sort().map((n) => this.clusterViews.get(n)).filter((v): v is ClusterView => !!v);
    const same = clusters.length === this.snapshot.clusters.length && clusters.every((c, i) => c === this.snapshot.clusters[i]);
    const before = this.snapshot;
    this.snapshot = { ...this.snapshot, clusters: same ? this.snapshot.clusters : clusters, live: true, events: this.snapshot.events + changes.length, flushes: this.snapshot.flushes + (changes.length ? 1 : 0) };
    // Counters alone (events that changed nothing shown) need no render.
    if (!same || before.fleet !== this.snapshot.fleet || !before.live) {
      this.flushStart = started;
      this.listeners.forEach((l) => l());
    } else if (changes.length) this.record(performance.now() - started);
  }

  /** Called by the view once React has committed what a flush published (useLayoutEffect). */
  committed(): void {
    if (this.flushStart === undefined) return;
    this.record(performance.now() - this.flushStart);
    this.flushStart = undefined;
  }

  private record(ms: number): void {
    if (this.frameWork.length >= 100_000) this.frameWork.splice(0, 50_000);
    this.frameWork.push(ms);
  }
}
