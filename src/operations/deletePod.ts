/**
 * deletePod: deletes one pod of a member and waits until it is gone (a pod with a grace period lingers while
 * terminating), so SUCCEEDED means the pod no longer exists.
 */
import { StepFailure, type OperationPlan } from './GatewayExecutor.js';
import { waitFor, type PlanContext } from './PlanContext.js';

export function deletePodPlan(ctx: PlanContext, cluster: string, namespace: string, name: string, gracePeriodSeconds: number | undefined): OperationPlan {
  return async (run) => {
    const ref = { apiVersion: 'v1', kind: 'Pod', namespace, name };
    const uid = (await run.step('delete pod', async () => {
      const w = ctx.writer(cluster);
      const pod = await w.read(ref);
      if (!pod) throw new StepFailure(`pod ${namespace}/${name} not found in cluster ${cluster}`, 'NOT_FOUND');
      await w.delete(ref, gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {});
      return pod.metadata!.uid as string;
    }))!;
    await run.step('wait until gone', async () => {
      await waitFor(
        ctx,
        ctx.timings.podDeletionTimeoutMs,
        async () => {
          const now = await ctx.writer(cluster).read(ref);
          return !now || now.metadata?.uid !== uid ? true : undefined;
        },
        () => new StepFailure(`pod still present after ${Math.round(ctx.timings.podDeletionTimeoutMs / 1000)} s`, 'DELETION_TIMEOUT'),
      );
    });
  };
}
