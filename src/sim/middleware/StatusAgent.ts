/**
 * The simulated status agent (seed 002 §3, "状态 Agent"): the sidecar in every middleware pod that probes
 * its process (`redis-cli role`, `pg_isready`) and reports the pod's role in the pod's annotation. Here the
 * "process" is the WorkloadSet's status.primary: a running pod reports `primary` when it is that pod and
 * `replica` otherwise; a pod not yet running reports nothing, as an agent that is not up cannot.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import { splitKey } from '../controllers/WorkQueue.js';
import { MemberLoopController } from './MemberReconcileLoop.js';
import type { WorkloadSetSpec, WorkloadSetStatus } from './middlewareShapes.js';
import { ROLE_ANNOTATION } from './middlewareLabels.js';
import { WORKLOADSETS } from './middlewareResourceTypes.js';
import { podsOfWorkloadSet, workloadSetOfPod } from './WorkloadSetController.js';

export class StatusAgent extends MemberLoopController {
  readonly name = 'middleware-status-agent';

  constructor(member: SimCluster) {
    super(member, { resource: WORKLOADSETS, relatedName: workloadSetOfPod });
  }

  protected override reconcile(key: string): void {
    const { namespace, name } = splitKey(key);
    const ws = this.member.objects.get(WORKLOADSETS, namespace, name);
    if (!ws) return;
    const spec = ws.spec as WorkloadSetSpec;
    const primary = (ws.status as WorkloadSetStatus | undefined)?.primary;
    for (const pod of podsOfWorkloadSet(this.member, namespace!, name)) {
      if (pod.metadata.deletionTimestamp) continue;
      const running = (pod.status as { phase?: string } | undefined)?.phase === 'Running';
      if (!running) continue;
      const role = !spec.roles.includes('primary') ? (spec.roles[0] ?? 'member') : pod.metadata.name === primary ? 'primary' : 'replica';
      if (pod.metadata.annotations?.[ROLE_ANNOTATION] === role) continue;
      this.member.objects.mutate('pods', namespace, pod.metadata.name!, (copy) => {
        copy.metadata.annotations = { ...(copy.metadata.annotations ?? {}), [ROLE_ANNOTATION]: role };
        return copy;
      }, { manager: 'status-agent' });
    }
  }
}
