/**
 * Karmada's taint manager (karmada-controller-manager `--enable-taint-manager`, on by default in recent
 * releases, and part of its failover feature): a cluster tainted `NoExecute` loses the placements of
 * every binding whose policy does not tolerate that taint (`placement.clusterTolerations`); the
 * scheduler then places those replicas on the remaining clusters (the binding's generation changed).
 * The simulator always runs it, and evicts at once: `tolerationSeconds` and graceful eviction tasks
 * (Karmada keeps the old placement until the new one is healthy) are not modelled.
 *
 * `NoSchedule` taints are the scheduler's business (replicaScheduler.ts): they keep new placements off
 * and leave existing ones alone, as in Karmada.
 */
import type { Controller } from '../SimFleet.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { StoreEvent } from '../store/Store.js';
import { ControlPlaneLoop } from './ControlPlaneLoop.js';
import { clusterViewOf } from './clusterView.js';
import type { BindingSpec, Taint } from './karmadaShapes.js';
import { CLUSTER_RESOURCE_BINDINGS, CLUSTERS, RESOURCE_BINDINGS } from './karmadaResourceTypes.js';
import { CONTROLLER_MANAGER } from './karmadaLabels.js';
import { untoleratedTaint } from './replicaScheduler.js';

/** Takes `cluster` out of every binding's spec.clusters (an unjoined member). Returns how many bindings changed. */
export function evictClusterFromBindings(cp: SimCluster, cluster: string): number {
  let changed = 0;
  for (const r of [RESOURCE_BINDINGS, CLUSTER_RESOURCE_BINDINGS]) {
    if (!cp.resources.has(r)) continue;
    for (const b of cp.objects.list(r)) {
      if (!((b.spec as BindingSpec | undefined)?.clusters ?? []).some((t) => t.name === cluster)) continue;
      const written = cp.objects.mutate(r, b.metadata.namespace, b.metadata.name!, (copy) => {
        const spec = copy.spec as BindingSpec;
        spec.clusters = (spec.clusters ?? []).filter((t) => t.name !== cluster);
        return copy;
      }, { manager: CONTROLLER_MANAGER });
      if (written) changed++;
    }
  }
  return changed;
}

export class ClusterTaintManager implements Controller {
  readonly name = 'karmada-taint-manager';
  private readonly loop: ControlPlaneLoop;
  /** The NoExecute taints of each cluster that has any: only their changes send every binding through the loop. */
  private readonly noExecute = new Map<string, Taint[]>();

  constructor(private readonly cp: SimCluster) {
    this.loop = new ControlPlaneLoop(cp, { onEvent: (event) => this.onEvent(event), reconcile: (r, ns, n) => this.reconcile(r, ns, n) });
  }

  start(): void {
    this.loop.start();
    if (this.cp.resources.has(CLUSTERS)) for (const c of this.cp.objects.list(CLUSTERS)) this.noteTaints(c.metadata.name!, clusterViewOf(c).taints);
    this.enqueueAll();
  }

  /** Records a cluster's NoExecute taints; whether they changed. */
  private noteTaints(name: string, taints: Taint[]): boolean {
    const now = taints.filter((t) => t.effect === 'NoExecute');
    const before = this.noExecute.get(name) ?? [];
    if (now.length > 0) this.noExecute.set(name, now);
    else this.noExecute.delete(name);
    return JSON.stringify(before) !== JSON.stringify(now);
  }

  stop(): void {
    this.loop.stop();
  }

  private enqueueAll(): void {
    for (const r of [RESOURCE_BINDINGS, CLUSTER_RESOURCE_BINDINGS]) {
      if (!this.cp.resources.has(r)) continue;
      for (const b of this.cp.objects.list(r)) this.loop.add(r, b.metadata.namespace, b.metadata.name!);
    }
  }

  private onEvent(event: StoreEvent): void {
    if (event.resource === CLUSTERS) {
      const name = event.object.metadata.name!;
      const changed = this.noteTaints(name, event.type === 'DELETED' ? [] : clusterViewOf(event.object).taints);
      if (changed && this.noExecute.has(name)) this.enqueueAll();
    } else if ((event.resource === RESOURCE_BINDINGS || event.resource === CLUSTER_RESOURCE_BINDINGS) && event.type !== 'DELETED') {
      this.loop.add(event.resource, event.object.metadata.namespace, event.object.metadata.name!);
    }
  }

  private reconcile(resource: string, namespace: string | undefined, name: string): void {
    const binding = this.cp.objects.get(resource, namespace, name);
    if (!binding || binding.metadata.deletionTimestamp) return;
    const spec = binding.spec as BindingSpec;
    // Most of the time no cluster has a NoExecute taint: nothing to look at.
    if (!spec.clusters?.length || this.noExecute.size === 0) return;
    const tolerations = spec.placement?.clusterTolerations ?? [];
    const evicted = new Set(spec.clusters.filter((t) => {
      const taints = this.noExecute.get(t.name);
      return taints !== undefined && untoleratedTaint(taints, tolerations);
    }).map((t) => t.name));
    if (evicted.size === 0) return;
    this.cp.objects.mutate(resource, namespace, name, (copy) => {
      const s = copy.spec as BindingSpec;
      s.clusters = (s.clusters ?? []).filter((t) => !evicted.has(t.name));
      return copy;
    }, { manager: CONTROLLER_MANAGER });
  }
}
