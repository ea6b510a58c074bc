/**
 * karmada-scheduler: decides spec.clusters of every ResourceBinding / ClusterResourceBinding whose
 * generation it has not yet observed, and records the outcome as the `Scheduled` condition (reason
 * `Success`, or `NoClusterFit` / `SchedulerError` with the scheduler's message). Bindings that failed are
 * retried when clusters change (a cluster coming back, joining, a label or taint edited), as the real scheduler
 * requeues unschedulable bindings on cluster events; and, as Karmada's doScheduleBinding ("Duplicated resources
 * should always be scheduled"), bindings without replicas to divide (Duplicated, or kinds without replicas) are
 * scheduled again on those events, so a member that joins gets them and one that no longer matches the affinity
 * loses them. Divided bindings keep their placement until their generation or replicas change.
 */
import type { Controller } from '../SimFleet.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject, StoreEvent } from '../store/Store.js';
import { ControlPlaneLoop } from './ControlPlaneLoop.js';
import { clusterViewOf } from './clusterView.js';
import { findCondition, setCondition } from './conditions.js';
import type { BindingSpec, BindingStatus } from './karmadaShapes.js';
import { CLUSTER_RESOURCE_BINDINGS, CLUSTERS, RESOURCE_BINDINGS } from './karmadaResourceTypes.js';
import { SCHEDULER } from './karmadaLabels.js';
import { scheduleReplicas } from './replicaScheduler.js';
import { recordEvent } from '../controllers/recordEvent.js';

export class BindingScheduler implements Controller {
  readonly name = 'karmada-scheduler';
  private readonly loop: ControlPlaneLoop;

  constructor(private readonly cp: SimCluster) {
    this.loop = new ControlPlaneLoop(cp, { onEvent: (event) => this.onEvent(event), reconcile: (r, ns, n) => this.reconcile(r, ns, n) });
  }

  start(): void {
    this.loop.start();
    for (const r of [RESOURCE_BINDINGS, CLUSTER_RESOURCE_BINDINGS]) {
      if (!this.cp.resources.has(r)) continue;
      for (const b of this.cp.objects.list(r)) this.loop.add(r, b.metadata.namespace, b.metadata.name!);
    }
  }

  stop(): void {
    this.loop.stop();
  }

  private onEvent(event: StoreEvent): void {
    if (event.resource === RESOURCE_BINDINGS || event.resource === CLUSTER_RESOURCE_BINDINGS) {
      if (event.type !== 'DELETED') this.loop.add(event.resource, event.object.metadata.namespace, event.object.metadata.name!);
    } else if (event.resource === CLUSTERS && this.clusterChangeMatters(event)) {
      this.requeueUnscheduled();
    }
  }

  /** Only spec/label changes and readiness flips matter; the 10 s status refresh does not. */
  private readonly lastClusterShape = new Map<string, string>();
  private clusterChangeMatters(event: { type: string; object: KubeObject }): boolean {
    const v = clusterViewOf(event.object);
    const shape = event.type === 'DELETED' ? '' : JSON.stringify([v.labels, v.provider, v.region, v.zones, v.taints, v.ready, v.apiEnablements ? [...v.apiEnablements] : null]);
    if (this.lastClusterShape.get(v.name) === shape) return false;
    this.lastClusterShape.set(v.name, shape);
    return true;
  }

  /** Bindings queued by a cluster event to be scheduled again although decided (Duplicated ones). */
  private readonly forced = new Set<string>();

  private requeueUnscheduled(): void {
    for (const r of [RESOURCE_BINDINGS, CLUSTER_RESOURCE_BINDINGS]) {
      if (!this.cp.resources.has(r)) continue;
      for (const b of this.cp.objects.list(r)) {
        const scheduled = findCondition((b.status as BindingStatus | undefined)?.conditions, 'Scheduled');
        if (scheduled?.status === 'True' && !alwaysRescheduled(b.spec as BindingSpec)) continue;
        // A scheduled Duplicated binding is looked at again because of this cluster event only, not on its own
        // status updates (which come often and change nothing the scheduler decides on).
        if (scheduled?.status === 'True') this.forced.add(`${r}|${b.metadata.namespace ?? ''}/${b.metadata.name}`);
        this.loop.add(r, b.metadata.namespace, b.metadata.name!);
      }
    }
  }

  private reconcile(resource: string, namespace: string | undefined, name: string): void {
    const binding = this.cp.objects.get(resource, namespace, name);
    if (!binding || binding.metadata.deletionTimestamp) return;
    const status = (binding.status ?? {}) as BindingStatus;
    const scheduled = findCondition(status.conditions, 'Scheduled');
    // Already decided for this generation, and it worked: nothing to do. A failed decision is retried
    // when the queue brings the binding back (cluster events).
    const spec = binding.spec as BindingSpec;
    const forced = this.forced.delete(`${resource}|${namespace ?? ''}/${name}`);
    if (status.schedulerObservedGeneration === binding.metadata.generation && scheduled?.status === 'True' && !forced) return;
    const clusters = this.cp.resources.has(CLUSTERS) ? this.cp.objects.list(CLUSTERS).map(clusterViewOf) : [];
    const result = scheduleReplicas({
      placement: spec.placement,
      replicas: spec.replicas,
      ...(spec.replicaRequirements?.resourceRequest ? { resourceRequest: spec.replicaRequirements.resourceRequest } : {}),
      apiVersion: spec.resource.apiVersion,
      clusters,
      currentTargets: (spec.clusters ?? []).map((t) => t.name),
    });
    let generation = binding.metadata.generation;
    let moved = false;
    if (result.ok && JSON.stringify(result.clusters) !== JSON.stringify(spec.clusters ?? [])) {
      const written = this.cp.objects.mutate(resource, namespace, name, (copy) => {
        (copy.spec as BindingSpec).clusters = result.clusters;
        return copy;
      }, { manager: SCHEDULER });
      generation = written?.metadata.generation;
      moved = true;
    }
    let outcomeChanged = false;
    this.cp.objects.mutate(resource, namespace, name, (copy) => {
      const before = (copy.status ?? {}) as BindingStatus;
      const st = { ...before };
      st.conditions = setCondition(st.conditions, result.ok
        ? { type: 'Scheduled', status: 'True', reason: 'Success', message: 'Binding has been scheduled successfully.' }
        : { type: 'Scheduled', status: 'False', reason: result.reason, message: result.message });
      st.schedulerObservedGeneration = generation;
      if (result.ok && (moved || !st.lastScheduledTime)) st.lastScheduledTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      // An unchanged failure must not be written again: the write would bring the binding back here.
      if (JSON.stringify(st) === JSON.stringify(before)) return undefined;
      const prev = findCondition(before.conditions, 'Scheduled');
      outcomeChanged = moved || prev?.status !== (result.ok ? 'True' : 'False') || (!result.ok && prev?.message !== result.message);
      copy.status = st;
      return copy;
    }, { manager: SCHEDULER, subresource: 'status' });
    if (outcomeChanged) {
      // As karmada-scheduler does, the decision is reported as an Event on the binding.
      const kind = resource === RESOURCE_BINDINGS ? 'ResourceBinding' : 'ClusterResourceBinding';
      const fresh = this.cp.objects.get(resource, namespace, name) ?? binding;
      recordEvent(this.cp, kind, fresh, result.ok
        ? { type: 'Normal', reason: 'ScheduleBindingSucceed', message: `Binding has been scheduled successfully. Result: {${result.clusters.map((c) => `${c.name}:${c.replicas ?? 0}`).join(', ')}}`, source: { component: SCHEDULER } }
        : { type: 'Warning', reason: 'ScheduleBindingFailed', message: result.message, source: { component: SCHEDULER } });
    }
  }
}

/** Karmada schedules these again whenever it looks at them: nothing to divide, every fitting cluster gets the whole. */
function alwaysRescheduled(spec: BindingSpec): boolean {
  return !spec.replicas || (spec.placement?.replicaScheduling?.replicaSchedulingType ?? 'Divided') === 'Duplicated' || !spec.placement?.replicaScheduling;
}
