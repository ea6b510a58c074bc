/**
 * The defaults the real API server fills in from the PropagationPolicy / ClusterPropagationPolicy CRD's
 * openAPIV3Schema (`default:`): conflictResolution Abort, preemption Never, priority 0, schedulerName
 * default-scheduler, and replicaSchedulingType Divided when replicaScheduling is given. The simulated
 * API server does not evaluate CRD schemas, so this controller writes them right after a policy is
 * stored, under the field manager of the API server, so that readers see the same policy a real
 * control plane would hold.
 */
import type { Controller } from '../SimFleet.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject, StoreEvent } from '../store/Store.js';
import { ControlPlaneLoop } from './ControlPlaneLoop.js';
import type { PropagationSpec } from './karmadaShapes.js';
import { CLUSTER_PROPAGATION_POLICIES, PROPAGATION_POLICIES } from './karmadaResourceTypes.js';

/** Fills the CRD defaults in place; returns whether anything was missing. */
export function applyPropagationDefaults(policy: KubeObject): boolean {
  const spec = (policy.spec ?? {}) as PropagationSpec & Record<string, unknown>;
  let changed = false;
  const fill = (target: Record<string, unknown>, key: string, value: unknown) => {
    if (target[key] === undefined) {
      target[key] = value;
      changed = true;
    }
  };
  fill(spec, 'conflictResolution', 'Abort');
  fill(spec, 'preemption', 'Never');
  fill(spec, 'priority', 0);
  fill(spec, 'schedulerName', 'default-scheduler');
  const scheduling = spec.placement?.replicaScheduling as Record<string, unknown> | undefined;
  if (scheduling) fill(scheduling, 'replicaSchedulingType', 'Divided');
  policy.spec = spec;
  return changed;
}

export class PolicyDefaulter implements Controller {
  readonly name = 'karmada-policy-defaulter';
  private readonly loop: ControlPlaneLoop;

  constructor(private readonly cp: SimCluster) {
    this.loop = new ControlPlaneLoop(cp, { onEvent: (event) => this.onEvent(event), reconcile: (r, ns, n) => this.reconcile(r, ns, n) });
  }

  start(): void {
    this.loop.start();
    for (const r of [PROPAGATION_POLICIES, CLUSTER_PROPAGATION_POLICIES]) {
      for (const p of this.cp.objects.list(r)) this.loop.add(r, p.metadata.namespace, p.metadata.name!);
    }
  }

  stop(): void {
    this.loop.stop();
  }

  private onEvent(event: StoreEvent): void {
    if (event.type === 'DELETED') return;
    if (event.resource !== PROPAGATION_POLICIES && event.resource !== CLUSTER_PROPAGATION_POLICIES) return;
    this.loop.add(event.resource, event.object.metadata.namespace, event.object.metadata.name!);
  }

  private reconcile(resource: string, namespace: string | undefined, name: string): void {
    this.cp.objects.mutate(resource, namespace, name, (copy) => (applyPropagationDefaults(copy) ? copy : undefined), { manager: 'kube-apiserver' });
  }
}
