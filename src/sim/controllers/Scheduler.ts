/**
 * The default scheduler of one member: binds pods that have no node to a node that passes the same
 * filters kube-scheduler applies (cordoned nodes, untolerated NoSchedule/NoExecute taints, nodeSelector
 * and required node affinity, cpu/memory/pods/extended-resource capacity), preferring the least
 * loaded node and spreading a workload's pods across nodes. A pod that fits nowhere gets
 * PodScheduled=False and a FailedScheduling event, and is retried when nodes or pods change.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { Controller } from '../SimFleet.js';
import type { KubeObject } from '../store/Store.js';
import type { Random } from '../random.js';
import { WorkQueue, objectKey, splitKey } from './WorkQueue.js';
import { recordEvent } from './recordEvent.js';
import { controllerOf, getCondition, nowTime, podPhase, setCondition, type PodCondition } from './podState.js';
import { parseQuantity } from './quantity.js';

const MANAGER = 'kube-scheduler';
const SOURCE = { component: 'default-scheduler' };
/** How long an unschedulable pod waits before a retry when nothing in the cluster changed. */
const UNSCHEDULABLE_RETRY_MS = 30_000;

export interface SchedulerOptions {
  /** Breaks ties between equally good nodes. */
  random: Random;
}

interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
}
interface Taint {
  key: string;
  value?: string;
  effect: string;
}
interface NodeSelectorTerm {
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
  matchFields?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** What a bound, not finished pod takes from its node. */
interface Placement {
  node: string;
  requests: Map<string, number>;
  owner: string | undefined;
}

/** Sum of container requests (max with init containers, as the scheduler computes), plus a pod slot. */
export function podRequests(pod: KubeObject): Map<string, number> {
  const spec = (pod.spec ?? {}) as { containers?: Array<{ resources?: { requests?: Record<string, string> } }>; initContainers?: Array<{ resources?: { requests?: Record<string, string> } }> };
  const total = new Map<string, number>();
  for (const container of spec.containers ?? []) {
    for (const [resource, quantity] of Object.entries(container.resources?.requests ?? {})) {
      total.set(resource, (total.get(resource) ?? 0) + parseQuantity(quantity));
    }
  }
  for (const container of spec.initContainers ?? []) {
    for (const [resource, quantity] of Object.entries(container.resources?.requests ?? {})) {
      total.set(resource, Math.max(total.get(resource) ?? 0, parseQuantity(quantity)));
    }
  }
  return total;
}

export function tolerates(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
  });
}

function termMatches(term: NodeSelectorTerm, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  const check = (have: string | undefined, operator: string, values: string[] = []) => {
    switch (operator) {
      case 'In':
        return have !== undefined && values.includes(have);
      case 'NotIn':
        return have === undefined || !values.includes(have);
      case 'Exists':
        return have !== undefined;
      case 'DoesNotExist':
        return have === undefined;
      case 'Gt':
        return have !== undefined && Number(have) > Number(values[0]);
      case 'Lt':
        return have !== undefined && Number(have) < Number(values[0]);
      default:
        return false;
    }
  };
  for (const e of term.matchExpressions ?? []) if (!check(labels[e.key], e.operator, e.values)) return false;
  for (const f of term.matchFields ?? []) if (!check(f.key === 'metadata.name' ? node.metadata.name : undefined, f.operator, f.values)) return false;
  return true;
}

/** nodeSelector plus requiredDuringSchedulingIgnoredDuringExecution node affinity. */
export function nodeMatchesPod(pod: KubeObject, node: KubeObject): boolean {
  const spec = (pod.spec ?? {}) as {
    nodeSelector?: Record<string, string>;
    affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } };
  };
  const labels = node.metadata.labels ?? {};
  for (const [key, value] of Object.entries(spec.nodeSelector ?? {})) if (labels[key] !== value) return false;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && terms.length > 0 && !terms.some((term) => termMatches(term, node))) return false;
  return true;
}

/** The taints a node effectively has: its own, plus what the node lifecycle controller would add. */
export function effectiveTaints(node: KubeObject): Taint[] {
  const spec = (node.spec ?? {}) as { taints?: Taint[]; unschedulable?: boolean };
  const taints = [...(spec.taints ?? [])];
  if (spec.unschedulable && !taints.some((t) => t.key === 'node.kubernetes.io/unschedulable')) {
    taints.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
  }
  const ready = getCondition(node, 'Ready');
  if (ready?.status !== 'True' && !taints.some((t) => t.key === 'node.kubernetes.io/not-ready')) {
    taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' });
  }
  return taints;
}

export class Scheduler implements Controller {
  readonly name: string;
  private readonly queue = new WorkQueue((key) => this.schedule(key));
  private readonly placements = new Map<string, Placement>();
  /** node -> resource -> requested total. */
  private readonly requested = new Map<string, Map<string, number>>();
  /** node -> owner uid -> pods of that owner on the node (for spreading). */
  private readonly ownerCounts = new Map<string, Map<string, number>>();
  private readonly unschedulable = new Set<string>();
  private readonly allocatable = new Map<string, { version: string | undefined; values: Map<string, number> }>();
  private unsubscribes: Array<() => void> = [];
  /** Set while the scheduler writes, so its own writes do not queue the pod again. */
  private writing = false;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: SchedulerOptions,
  ) {
    this.name = `scheduler/${cluster.name}`;
  }

  start(): void {
    this.unsubscribes.push(
      this.cluster.onChange('pods', (event) => {
        const pod = event.object;
        const key = objectKey(pod.metadata.namespace, pod.metadata.name!);
        this.account(key, event.type === 'DELETED' ? undefined : pod);
        if (event.type === 'DELETED') {
          this.unschedulable.delete(key);
          this.retryUnschedulable();
          return;
        }
        if (this.writing) return;
        if (this.wantsScheduling(pod)) this.queue.add(key);
      }),
      // A node change (uncordon, taints, labels, capacity, a new node) may make room: retry the waiting pods.
      this.cluster.onChange('nodes', () => this.retryUnschedulable()),
    );
    for (const pod of this.cluster.objects.list('pods')) {
      const key = objectKey(pod.metadata.namespace, pod.metadata.name!);
      this.account(key, pod);
      if (this.wantsScheduling(pod)) this.queue.add(key);
    }
  }

  stop(): void {
    for (const off of this.unsubscribes) off();
    this.unsubscribes = [];
    this.queue.stop();
  }

  private wantsScheduling(pod: KubeObject): boolean {
    const spec = (pod.spec ?? {}) as { nodeName?: string; schedulerName?: string };
    if (spec.nodeName || pod.metadata.deletionTimestamp) return false;
    if (spec.schedulerName && spec.schedulerName !== 'default-scheduler') return false;
    const phase = podPhase(pod);
    return phase !== 'Succeeded' && phase !== 'Failed';
  }

  private retryUnschedulable(): void {
    for (const key of this.unschedulable) this.queue.addAfter(key, 500);
  }

  /** Keeps per-node requested totals current from pod changes. */
  private account(key: string, pod: KubeObject | undefined): void {
    const previous = this.placements.get(key);
    if (previous) {
      const totals = this.requested.get(previous.node);
      for (const [resource, amount] of previous.requests) totals?.set(resource, (totals.get(resource) ?? 0) - amount);
      totals?.set('pods', (totals.get('pods') ?? 0) - 1);
      if (previous.owner) {
        const counts = this.ownerCounts.get(previous.node);
        counts?.set(previous.owner, (counts.get(previous.owner) ?? 1) - 1);
      }
      this.placements.delete(key);
    }
    const node = (pod?.spec as { nodeName?: string } | undefined)?.nodeName;
    if (!pod || !node) return;
    const phase = podPhase(pod);
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const placement: Placement = { node, requests: podRequests(pod), owner: controllerOf(pod)?.uid };
    this.placements.set(key, placement);
    let totals = this.requested.get(node);
    if (!totals) this.requested.set(node, (totals = new Map()));
    for (const [resource, amount] of placement.requests) totals.set(resource, (totals.get(resource) ?? 0) + amount);
    totals.set('pods', (totals.get('pods') ?? 0) + 1);
    if (placement.owner) {
      let counts = this.ownerCounts.get(node);
      if (!counts) this.ownerCounts.set(node, (counts = new Map()));
      counts.set(placement.owner, (counts.get(placement.owner) ?? 0) + 1);
    }
  }

  private schedule(key: string): void {
    const { namespace, name } = splitKey(key);
    const pod = this.cluster.objects.get('pods', namespace, name);
    if (!pod || !this.wantsScheduling(pod)) {
      this.unschedulable.delete(key);
      return;
    }
    const nodes = this.cluster.objects.list('nodes');
    const requests = podRequests(pod);
    const tolerations = (pod.spec as { tolerations?: Toleration[] }).tolerations;
    const owner = controllerOf(pod)?.uid;
    const reasons = new Map<string, number>();
    const fail = (reason: string) => reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    let best: { node: KubeObject; score: number } | undefined;

    for (const node of nodes) {
      if (node.metadata.deletionTimestamp) continue;
      const untolerated = effectiveTaints(node).find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(tolerations, t));
      if (untolerated) {
        if (untolerated.key === 'node.kubernetes.io/unschedulable') fail('node(s) were unschedulable');
        else fail(`node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}`);
        continue;
      }
      if (!nodeMatchesPod(pod, node)) {
        fail("node(s) didn't match Pod's node affinity/selector");
        continue;
      }
      const allocatable = this.allocatableOf(node);
      const used = this.requested.get(node.metadata.name!) ?? new Map<string, number>();
      const maxPods = allocatable.get('pods') ?? 110;
      if ((used.get('pods') ?? 0) + 1 > maxPods) {
        fail('Too many pods');
        continue;
      }
      let fits = true;
      for (const [resource, amount] of requests) {
        if (amount <= 0) continue;
        if ((used.get(resource) ?? 0) + amount > (allocatable.get(resource) ?? 0)) {
          fail(`Insufficient ${resource}`);
          fits = false;
          break;
        }
      }
      if (!fits) continue;
      // Least allocated (after placing this pod) plus a strong preference for nodes without a sibling.
      const fraction = (resource: string) => {
        const capacity = allocatable.get(resource) ?? 0;
        return capacity > 0 ? ((used.get(resource) ?? 0) + (requests.get(resource) ?? 0)) / capacity : 1;
      };
      const free = 1 - (fraction('cpu') + fraction('memory')) / 2;
      const siblings = owner ? (this.ownerCounts.get(node.metadata.name!)?.get(owner) ?? 0) : 0;
      const score = free * 100 - siblings * 60 + this.options.random.next();
      if (!best || score > best.score) best = { node, score };
    }

    this.writing = true;
    try {
      if (best) this.bind(pod, best.node);
      else this.markUnschedulable(key, pod, nodes.length, reasons);
    } finally {
      this.writing = false;
    }
  }

  /** A node's allocatable as numbers, parsed once per node version (nodes are read for every pod). */
  private allocatableOf(node: KubeObject): Map<string, number> {
    const name = node.metadata.name!;
    const cached = this.allocatable.get(name);
    if (cached && cached.version === node.metadata.resourceVersion) return cached.values;
    const values = new Map<string, number>();
    for (const [resource, quantity] of Object.entries((node.status as { allocatable?: Record<string, string> } | undefined)?.allocatable ?? {})) {
      values.set(resource, parseQuantity(quantity));
    }
    this.allocatable.set(name, { version: node.metadata.resourceVersion, values });
    return values;
  }

  private bind(pod: KubeObject, node: KubeObject): void {
    const nodeName = node.metadata.name!;
    const key = objectKey(pod.metadata.namespace, pod.metadata.name!);
    this.unschedulable.delete(key);
    const now = nowTime();
    // One write, like the binding subresource: nodeName plus the PodScheduled condition.
    const bound = this.cluster.objects.mutate('pods', pod.metadata.namespace, pod.metadata.name!, (copy) => {
      const spec = (copy.spec ??= {}) as { nodeName?: string };
      if (spec.nodeName || copy.metadata.deletionTimestamp) return undefined;
      spec.nodeName = nodeName;
      const status = (copy.status ??= {}) as { conditions?: PodCondition[]; phase?: string };
      status.phase ??= 'Pending';
      status.conditions = setCondition(status.conditions ?? [], { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now });
      for (const c of status.conditions) if (c.type === 'PodScheduled') { delete c.reason; delete c.message; }
      return copy;
    }, { manager: MANAGER });
    if (bound) {
      recordEvent(this.cluster, 'Pod', bound, { reason: 'Scheduled', message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`, source: SOURCE });
    }
  }

  private markUnschedulable(key: string, pod: KubeObject, nodeCount: number, reasons: Map<string, number>): void {
    this.unschedulable.add(key);
    const detail = [...reasons.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([reason, count]) => `${count} ${reason}`)
      .join(', ');
    const message =
      nodeCount === 0
        ? 'no nodes available to schedule pods'
        : `0/${nodeCount} nodes are available: ${detail}. preemption: 0/${nodeCount} nodes are available: ${nodeCount} Preemption is not helpful for scheduling.`;
    const previous = getCondition(pod, 'PodScheduled');
    if (previous?.status !== 'False' || previous.message !== message) {
      this.cluster.objects.mutate('pods', pod.metadata.namespace, pod.metadata.name!, (copy) => {
        const status = (copy.status ??= {}) as { conditions?: PodCondition[]; phase?: string };
        status.phase ??= 'Pending';
        status.conditions = setCondition(status.conditions ?? [], {
          type: 'PodScheduled',
          status: 'False',
          lastProbeTime: null,
          lastTransitionTime: nowTime(),
          reason: 'Unschedulable',
          message,
        });
        return copy;
      }, { manager: MANAGER, subresource: 'status' });
      recordEvent(this.cluster, 'Pod', pod, { type: 'Warning', reason: 'FailedScheduling', message, source: SOURCE });
    }
    this.queue.addAfter(key, UNSCHEDULABLE_RETRY_MS);
  }
}

export function createScheduler(cluster: SimCluster, options: SchedulerOptions): Controller {
  return new Scheduler(cluster, options);
}
