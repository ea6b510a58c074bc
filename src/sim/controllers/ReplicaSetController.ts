/**
 * ReplicaSet -> Pods, as kube-controller-manager's replicaset controller does: creates or deletes
 * pods until the active ones match spec.replicas, and keeps status (replicas, fullyLabeledReplicas,
 * readyReplicas, availableReplicas, observedGeneration) current.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { Controller } from '../SimFleet.js';
import type { KubeObject } from '../store/Store.js';
import type { Random } from '../random.js';
import { WorkloadWatch, writeStatusIfChanged } from './WorkloadWatch.js';
import { WorkQueue, splitKey } from './WorkQueue.js';
import { createPod, newPodFromTemplate, type PodTemplate } from './podFromTemplate.js';
import { getCondition, isPodActive, isPodAvailable, isPodReady, podPhase } from './podState.js';
import { recordEvent } from './recordEvent.js';
import { selectorMatches, type LabelSelector } from './labelSelector.js';

const RESOURCE = 'apps/replicasets';
const MANAGER = 'kube-controller-manager';
const SOURCE = { component: 'replicaset-controller' };
/** Pods created or deleted per sync, like the controller's burst limit; the rest follow next sync. */
const BURST = 500;

export interface ReplicaSetControllerOptions {
  /** Draws generated pod names. */
  random: Random;
}

export class ReplicaSetController implements Controller {
  readonly name: string;
  private readonly queue = new WorkQueue((key) => this.sync(key));
  private readonly pods: WorkloadWatch;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: ReplicaSetControllerOptions,
  ) {
    this.name = `replicaset/${cluster.name}`;
    this.pods = new WorkloadWatch(cluster, { resource: RESOURCE, dependentResource: 'pods', queue: this.queue });
  }

  start(): void {
    this.pods.start();
  }

  stop(): void {
    this.pods.stop();
    this.queue.stop();
  }

  private sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const rs = this.cluster.objects.get(RESOURCE, namespace, name);
    if (!rs) return;
    const spec = (rs.spec ?? {}) as { replicas?: number; minReadySeconds?: number; selector?: LabelSelector; template?: PodTemplate };
    const wanted = spec.replicas ?? 1;
    let active = this.pods.dependents(rs.metadata.uid!).filter(isPodActive);

    // A ReplicaSet being deleted no longer manages pods: the garbage collector removes them.
    if (!rs.metadata.deletionTimestamp) {
      const diff = wanted - active.length;
      if (diff > 0) {
        for (let i = 0; i < Math.min(diff, BURST); i++) {
          const pod = newPodFromTemplate(spec.template ?? {}, rs, 'ReplicaSet', { generateName: `${name}-` }, this.options.random);
          const created = createPod(this.cluster, pod, MANAGER, this.options.random);
          if (!created) continue;
          active.push(created);
          recordEvent(this.cluster, 'ReplicaSet', rs, { reason: 'SuccessfulCreate', message: `Created pod: ${created.metadata.name}`, source: SOURCE });
        }
        if (diff > BURST) this.queue.add(key);
      } else if (diff < 0) {
        const victims = active.slice().sort(deletionOrder).slice(0, Math.min(-diff, BURST));
        for (const pod of victims) {
          this.cluster.objects.delete('pods', namespace, pod.metadata.name!);
          recordEvent(this.cluster, 'ReplicaSet', rs, { reason: 'SuccessfulDelete', message: `Deleted pod: ${pod.metadata.name}`, source: SOURCE });
        }
        const gone = new Set(victims.map((p) => p.metadata.name));
        active = active.filter((p) => !gone.has(p.metadata.name));
      }
    }

    const minReadySeconds = spec.minReadySeconds ?? 0;
    const now = Date.now();
    const templateLabels = spec.template?.metadata?.labels ?? {};
    const status = {
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) => selectorMatches({ matchLabels: templateLabels }, p.metadata.labels)).length,
      readyReplicas: active.filter(isPodReady).length,
      availableReplicas: active.filter((p) => isPodAvailable(p, minReadySeconds, now)).length,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    this.writeStatus(rs, status);

    // Pods that are ready but not yet for minReadySeconds become available by time alone: look again then.
    if (minReadySeconds > 0 && status.readyReplicas > status.availableReplicas) {
      this.queue.addAfter(key, minReadySeconds * 1000);
    }
  }

  private writeStatus(rs: KubeObject, status: Record<string, number>): void {
    const current = (rs.status ?? {}) as Record<string, unknown>;
    // Real status omits zero counters; compare on that shape so an unchanged status is never rewritten.
    const next: Record<string, unknown> = { replicas: status.replicas };
    for (const field of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'] as const) {
      if (status[field]) next[field] = status[field];
    }
    next.observedGeneration = status.observedGeneration;
    if (current.conditions) next.conditions = current.conditions;
    writeStatusIfChanged(this.cluster, RESOURCE, rs, next, MANAGER);
  }
}

/**
 * Which pods go first when scaling down (controller.ActivePods ordering): unscheduled before
 * scheduled, Pending before Running, not ready before ready, recently ready before long ready,
 * more restarts first, newer before older.
 */
function deletionOrder(a: KubeObject, b: KubeObject): number {
  const boundA = a.spec && (a.spec as { nodeName?: string }).nodeName ? 1 : 0;
  const boundB = b.spec && (b.spec as { nodeName?: string }).nodeName ? 1 : 0;
  if (boundA !== boundB) return boundA - boundB;
  const rank = (p: KubeObject) => ({ Pending: 0, Unknown: 1, Running: 2 })[podPhase(p)] ?? 0;
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  const readyA = isPodReady(a) ? 1 : 0;
  const readyB = isPodReady(b) ? 1 : 0;
  if (readyA !== readyB) return readyA - readyB;
  if (readyA) {
    const since = (p: KubeObject) => Date.parse(getCondition(p, 'Ready')?.lastTransitionTime ?? '') || 0;
    if (since(a) !== since(b)) return since(b) - since(a);
  }
  const restarts = (p: KubeObject) =>
    (((p.status as { containerStatuses?: Array<{ restartCount?: number }> } | undefined)?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0));
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const created = (p: KubeObject) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
  return created(b) - created(a);
}

export function createReplicaSetController(cluster: SimCluster, options: ReplicaSetControllerOptions): Controller {
  return new ReplicaSetController(cluster, options);
}
