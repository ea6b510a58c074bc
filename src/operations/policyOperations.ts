/**
 * Karmada policy plans on the control plane: apply (create, or replace the spec of the existing one, keeping
 * its metadata and resourceVersion so a concurrent edit is a conflict, not a silent overwrite) and delete, for
 * PropagationPolicy, ClusterPropagationPolicy, OverridePolicy and ClusterOverridePolicy.
 */
import { CONTROL_PLANE } from '../fleet/types.js';
import type { ObjectRef } from './ClusterWriter.js';
import { StepFailure, type OperationPlan } from './GatewayExecutor.js';
import type { PlanContext } from './PlanContext.js';

export type PolicyKind = 'PropagationPolicy' | 'ClusterPropagationPolicy' | 'OverridePolicy' | 'ClusterOverridePolicy';

export const policyRef = (kind: PolicyKind, namespace: string | null, name: string): ObjectRef => ({
  apiVersion: 'policy.karmada.io/v1alpha1',
  kind,
  namespace: kind.startsWith('Cluster') ? null : namespace,
  name,
});

export function applyPolicyPlan(ctx: PlanContext, ref: ObjectRef, spec: Record<string, unknown>): OperationPlan {
  return async (run) => {
    await run.step(`apply ${ref.kind}`, async (progress) => {
      const w = ctx.writer(CONTROL_PLANE);
      const existing = await w.read(ref);
      if (existing) {
        await w.replace({ ...existing, spec }, existing);
        progress('replaced the spec of the existing policy');
      } else {
        await w.create({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) }, spec });
        progress('created');
      }
    });
  };
}

export function deletePolicyPlan(ctx: PlanContext, ref: ObjectRef): OperationPlan {
  return async (run) => {
    await run.step(`delete ${ref.kind}`, async () => {
      const gone = await ctx.writer(CONTROL_PLANE).delete(ref);
      if (!gone) throw new StepFailure(`${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} not found`, 'NOT_FOUND');
    });
  };
}
