/**
 * karmada-controller-manager's cluster status controller for the simulated members: every `intervalMs`
 * it probes each member (through the fault switch, as the real one probes /readyz over the network) and
 * writes Cluster.status: the Ready condition (ClusterReady / ClusterNotReady / ClusterNotReachable),
 * CompleteAPIEnablements, kubernetesVersion, apiEnablements, nodeSummary and resourceSummary.
 *
 * Like the real controller, a change of readiness is only written once it has lasted
 * `failureThresholdMs` (towards not ready) or `successThresholdMs` (towards ready), so a blip does not
 * flap the cluster; and the cluster controller's taints (`cluster.karmada.io/not-ready`,
 * `cluster.karmada.io/unreachable`, NoSchedule) follow the condition so the scheduler avoids the member.
 */
import type { Controller, SimFleet } from '../SimFleet.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { SIM_KUBERNETES_VERSION } from '../fleet.js';
import { setCondition } from './conditions.js';
import type { Condition, Taint } from './karmadaShapes.js';
import { CLUSTERS } from './karmadaResourceTypes.js';
import { CONTROLLER_MANAGER, EXECUTION_SPACE_PREFIX, TAINT_NOT_READY, TAINT_UNREACHABLE } from './karmadaLabels.js';
import { parseQuantity } from '../controllers/quantity.js';
import { formatCpu, formatMemory } from './quantityFormat.js';
import { MemberSummaryCache } from './MemberSummaryCache.js';

export interface ClusterStatusControllerOptions {
  /**
   * How often each member's status is collected (karmada's --cluster-status-update-frequency).
   * @default 10000
   */
  intervalMs?: number;
  /**
   * How long a member must fail its probe before Ready turns False (--cluster-failure-threshold).
   * @default 30000
   */
  failureThresholdMs?: number;
  /**
   * How long a member must pass its probe before Ready turns True again (--cluster-success-threshold).
   * @default 30000
   */
  successThresholdMs?: number;
  /**
   * The version members report (the recorded kube-apiserver's).
   * @default SIM_KUBERNETES_VERSION (v1.26.5, the recorded kube-apiserver's)
   */
  kubernetesVersion?: string;
}

type Probe = { status: 'True' | 'False'; reason: 'ClusterReady' | 'ClusterNotReady' | 'ClusterNotReachable'; message: string };

export class ClusterStatusController implements Controller {
  readonly name = 'karmada-cluster-status-controller';
  private timer: NodeJS.Timeout | undefined;
  /** member -> since when the probe has disagreed with the written Ready status. */
  private readonly disagreeSince = new Map<string, number>();
  /** Pod and node sums per member, computed again only after a pod or node of that member changed. */
  private readonly resourceSummaries = new MemberSummaryCache(resourceSummaryOf, ['pods', 'nodes']);
  private readonly intervalMs: number;
  private readonly failureThresholdMs: number;
  private readonly successThresholdMs: number;
  private readonly kubernetesVersion: string;

  constructor(private readonly fleet: SimFleet, options: ClusterStatusControllerOptions = {}) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.failureThresholdMs = options.failureThresholdMs ?? 30_000;
    this.successThresholdMs = options.successThresholdMs ?? 30_000;
    this.kubernetesVersion = options.kubernetesVersion ?? SIM_KUBERNETES_VERSION;
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.resourceSummaries.clear();
  }

  /** One round over all members (public so scenarios can collect status before serving). */
  tick(): void {
    this.resourceSummaries.retain(this.fleet.members);
    for (const [name, member] of this.fleet.members) {
      try {
        this.collect(name, member);
      } catch {
        // One member's failure to collect must not stop the round for the others.
      }
    }
  }

  /** Collects one member now (a member that just joined), instead of at the next round. */
  collectNow(name: string): void {
    const member = this.fleet.members.get(name);
    if (!member) return;
    try {
      this.collect(name, member);
    } catch {
      // The next round tries again.
    }
  }

  private probe(name: string): Probe {
    const faults = this.fleet.faults.get(name);
    if (faults.unreachable) return { status: 'False', reason: 'ClusterNotReachable', message: 'cluster is not reachable' };
    if (faults.unavailable503) return { status: 'False', reason: 'ClusterNotReady', message: 'cluster is reachable but health endpoint responded without ok' };
    return { status: 'True', reason: 'ClusterReady', message: 'cluster is healthy and ready to accept workloads' };
  }

  private ensureCluster(name: string): KubeObject {
    const cp = this.fleet.controlPlane;
    const existing = cp.objects.get(CLUSTERS, undefined, name);
    if (!cp.objects.get('namespaces', undefined, `${EXECUTION_SPACE_PREFIX}${name}`)) {
      cp.objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${EXECUTION_SPACE_PREFIX}${name}` } }, { manager: CONTROLLER_MANAGER });
    }
    if (existing) return existing;
    return cp.objects.create(CLUSTERS, {
      apiVersion: 'cluster.karmada.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name },
      spec: { syncMode: 'Push', apiEndpoint: `https://127.0.0.1/apis/cluster.karmada.io/v1alpha1/clusters/${name}/proxy` },
    }, { manager: CONTROLLER_MANAGER });
  }

  private collect(name: string, member: SimCluster): void {
    const cp = this.fleet.controlPlane;
    const cluster = this.ensureCluster(name);
    const observed = this.probe(name);
    const conditions = ((cluster.status as { conditions?: Condition[] } | undefined)?.conditions) ?? [];
    const current = conditions.find((c) => c.type === 'Ready');
    const now = Date.now();
    let ready: Probe = observed;
    if (current && current.status !== observed.status) {
      const since = this.disagreeSince.get(name) ?? now;
      this.disagreeSince.set(name, since);
      const threshold = observed.status === 'True' ? this.successThresholdMs : this.failureThresholdMs;
      if (now - since < threshold) ready = { status: current.status as 'True' | 'False', reason: current.reason as Probe['reason'], message: current.message };
      else this.disagreeSince.delete(name);
    } else {
      this.disagreeSince.delete(name);
    }
    const reachable = observed.reason === 'ClusterReady';
    cp.objects.mutate(CLUSTERS, undefined, name, (copy) => {
      const before = (copy.status ?? {}) as Record<string, unknown>;
      const st: Record<string, unknown> = { ...before };
      let conds = setCondition(before.conditions as Condition[] | undefined, { type: 'Ready', ...ready });
      // Only a member that answers is read: an unreachable one keeps its last collected summary.
      if (reachable) {
        const enablements = apiEnablementsOf(member);
        st.kubernetesVersion = this.kubernetesVersion;
        st.apiEnablements = enablements;
        st.nodeSummary = nodeSummaryOf(member);
        // A copy: the cached summary must not become part of a stored object someone could mutate.
        st.resourceSummary = structuredClone(this.resourceSummaries.get(name, member));
        conds = setCondition(conds, {
          type: 'CompleteAPIEnablements', status: 'True', reason: 'Complete', message: 'collected complete APIs from member cluster',
        });
      }
      st.conditions = conds;
      if (JSON.stringify(st) === JSON.stringify(before)) return undefined;
      copy.status = st;
      return copy;
    }, { manager: CONTROLLER_MANAGER, subresource: 'status' });
    this.syncTaints(name, ready);
  }

  /** The cluster controller's NoSchedule taints for a not-ready / unreachable cluster. */
  private syncTaints(name: string, ready: Probe): void {
    const wanted: Taint | undefined =
      ready.status === 'True' ? undefined
      : ready.reason === 'ClusterNotReachable' ? { key: TAINT_UNREACHABLE, effect: 'NoSchedule' }
      : { key: TAINT_NOT_READY, effect: 'NoSchedule' };
    this.fleet.controlPlane.objects.mutate(CLUSTERS, undefined, name, (copy) => {
      const spec = (copy.spec ?? {}) as { taints?: Array<Taint & { timeAdded?: string }> };
      const others = (spec.taints ?? []).filter((t) => t.key !== TAINT_NOT_READY && t.key !== TAINT_UNREACHABLE);
      const ours = (spec.taints ?? []).filter((t) => t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE);
      if ((wanted ? [wanted.key] : []).join() === ours.map((t) => t.key).join()) return undefined;
      const next = wanted ? [...others, { ...wanted, timeAdded: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }] : others;
      copy.spec = { ...spec, taints: next };
      if (next.length === 0) delete (copy.spec as { taints?: unknown }).taints;
      return copy;
    }, { manager: CONTROLLER_MANAGER });
  }
}

function apiEnablementsOf(member: SimCluster): Array<{ groupVersion: string; resources: Array<{ name: string; kind: string }> }> {
  const byGv = new Map<string, Array<{ name: string; kind: string }>>();
  for (const t of member.resources.values()) {
    const gv = t.group ? `${t.group}/${t.version}` : t.version;
    if (!byGv.has(gv)) byGv.set(gv, []);
    byGv.get(gv)!.push({ name: t.resource, kind: t.kind });
  }
  return [...byGv]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([groupVersion, resources]) => ({ groupVersion, resources: resources.sort((a, b) => (a.name < b.name ? -1 : 1)) }));
}

function nodeSummaryOf(member: SimCluster): { totalNum: number; readyNum: number } {
  const nodes = member.objects.list('nodes');
  const ready = nodes.filter((n) =>
    ((n.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
  ).length;
  return { totalNum: nodes.length, readyNum: ready };
}

interface PodLike {
  spec?: { nodeName?: string; containers?: Array<{ resources?: { requests?: Record<string, string> } }> };
  status?: { phase?: string };
}

function resourceSummaryOf(member: SimCluster): Record<string, Record<string, string>> {
  const allocatable = { cpu: 0, memory: 0, pods: 0, 'ephemeral-storage': 0 };
  for (const n of member.objects.list('nodes')) {
    const a = ((n.status as { allocatable?: Record<string, string> } | undefined)?.allocatable) ?? {};
    allocatable.cpu += parseQuantity(a.cpu) || 0;
    allocatable.memory += parseQuantity(a.memory) || 0;
    allocatable.pods += parseQuantity(a.pods) || 0;
    allocatable['ephemeral-storage'] += parseQuantity(a['ephemeral-storage']) || 0;
  }
  const allocated = { cpu: 0, memory: 0, pods: 0 };
  const allocating = { cpu: 0, memory: 0, pods: 0 };
  for (const p of member.objects.list('pods') as unknown as PodLike[]) {
    const phase = p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const target = p.spec?.nodeName ? allocated : allocating;
    target.pods += 1;
    for (const c of p.spec?.containers ?? []) {
      target.cpu += parseQuantity(c.resources?.requests?.cpu) || 0;
      target.memory += parseQuantity(c.resources?.requests?.memory) || 0;
    }
  }
  const fmt = (r: { cpu: number; memory: number; pods: number }) => ({ cpu: formatCpu(r.cpu), memory: formatMemory(r.memory), pods: String(r.pods) });
  return {
    allocatable: { ...fmt(allocatable), 'ephemeral-storage': formatMemory(allocatable['ephemeral-storage']) },
    allocating: fmt(allocating),
    allocated: fmt(allocated),
  };
}
