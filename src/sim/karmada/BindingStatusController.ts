/**
 * karmada-controller-manager's binding status aggregation: collects each target cluster's Work status
 * into the binding's status.aggregatedStatus (applied, appliedMessage, health, reflected status), sets the
 * `FullyApplied` condition, and writes the template's status summed over members (replicas,
 * readyReplicas, ...) as the resource interpreter's AggregateStatus does.
 */
import type { Controller } from '../SimFleet.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject, StoreEvent } from '../store/Store.js';
import { ControlPlaneLoop } from './ControlPlaneLoop.js';
import { setCondition } from './conditions.js';
import type { AggregatedStatusItem, BindingSpec, BindingStatus, Condition } from './karmadaShapes.js';
import { CLUSTER_RESOURCE_BINDINGS, RESOURCE_BINDINGS, WORKS } from './karmadaResourceTypes.js';
import { CONTROLLER_MANAGER, CRB_NAME, RB_NAME, RB_NAMESPACE } from './karmadaLabels.js';
import { executionSpaceOf, workNameOf } from './BindingController.js';
import { aggregateStatus } from './workloadInterpreter.js';

interface WorkStatus {
  conditions?: Condition[];
  manifestStatuses?: Array<{ status?: Record<string, unknown>; health?: 'Healthy' | 'Unhealthy' | 'Unknown' }>;
}

export class BindingStatusController implements Controller {
  readonly name = 'karmada-binding-status-controller';
  private readonly loop: ControlPlaneLoop;

  constructor(private readonly cp: SimCluster) {
    this.loop = new ControlPlaneLoop(cp, { onEvent: (event) => this.onEvent(event), reconcile: (r, ns, n) => this.reconcile(r, ns, n) });
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  private onEvent(event: StoreEvent): void {
    const o = event.object;
    if (event.resource === WORKS) {
      const ns = o.metadata.annotations?.[RB_NAMESPACE];
      const rb = o.metadata.annotations?.[RB_NAME];
      const crb = o.metadata.annotations?.[CRB_NAME];
      if (rb && ns) this.loop.add(RESOURCE_BINDINGS, ns, rb);
      else if (crb) this.loop.add(CLUSTER_RESOURCE_BINDINGS, undefined, crb);
    } else if ((event.resource === RESOURCE_BINDINGS || event.resource === CLUSTER_RESOURCE_BINDINGS) && event.type !== 'DELETED') {
      this.loop.add(event.resource, o.metadata.namespace, o.metadata.name!);
    }
  }

  private reconcile(resource: string, namespace: string | undefined, name: string): void {
    const binding = this.cp.objects.get(resource, namespace, name);
    if (!binding || binding.metadata.deletionTimestamp) return;
    const spec = binding.spec as BindingSpec;
    const targets = spec.clusters ?? [];
    if (targets.length === 0) return;
    const workName = workNameOf(spec.resource.kind, spec.resource.namespace, spec.resource.name);
    const items: AggregatedStatusItem[] = [];
    const memberStatuses: Array<Record<string, unknown> | undefined> = [];
    let allApplied = true;
    for (const target of [...targets].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const work = this.cp.objects.get(WORKS, executionSpaceOf(target.name), workName);
      const ws = (work?.status ?? {}) as WorkStatus;
      const applied = ws.conditions?.find((c) => c.type === 'Applied');
      const manifest = ws.manifestStatuses?.[0];
      const ok = applied?.status === 'True';
      if (!ok) allApplied = false;
      items.push({
        clusterName: target.name,
        ...(manifest?.status ? { status: manifest.status } : {}),
        applied: ok,
        ...(!ok ? { appliedMessage: applied?.message ?? 'Work has not been applied yet' } : {}),
        health: manifest?.health ?? 'Unknown',
      });
      memberStatuses.push(manifest?.status);
    }
    this.cp.objects.mutate(resource, namespace, name, (copy) => {
      const before = (copy.status ?? {}) as BindingStatus;
      const st: BindingStatus = { ...before, aggregatedStatus: items };
      st.conditions = setCondition(st.conditions, allApplied
        ? { type: 'FullyApplied', status: 'True', reason: 'FullyAppliedSuccess', message: 'All works have been successfully applied' }
        : { type: 'FullyApplied', status: 'False', reason: 'FullyAppliedFailed', message: 'Failed to apply all works, see status.aggregatedStatus for details' });
      if (JSON.stringify(st) === JSON.stringify(before)) return undefined;
      copy.status = st;
      return copy;
    }, { manager: CONTROLLER_MANAGER, subresource: 'status' });
    this.writeTemplateStatus(spec, memberStatuses);
  }

  private writeTemplateStatus(spec: BindingSpec, memberStatuses: Array<Record<string, unknown> | undefined>): void {
    const group = spec.resource.apiVersion.includes('/') ? spec.resource.apiVersion.split('/')[0] : '';
    const type = [...this.cp.resources.values()].find((t) => t.group === group && t.kind === spec.resource.kind);
    if (!type) return;
    this.cp.objects.mutate(type.key, spec.resource.namespace, spec.resource.name, (copy: KubeObject) => {
      const next = aggregateStatus(copy, memberStatuses);
      if (!next || JSON.stringify(next) === JSON.stringify(copy.status ?? {})) return undefined;
      copy.status = next;
      return copy;
    }, { manager: CONTROLLER_MANAGER, subresource: 'status' });
  }
}
