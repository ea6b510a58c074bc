/**
 * Node administration plans: cordon, uncordon, labels, taints — each one JSON merge patch on the Node of a
 * member, after checking the node exists (so a wrong name fails with NOT_FOUND naming the step).
 */
import type { KubeObject } from './ClusterWriter.js';
import { StepFailure, type OperationPlan } from './GatewayExecutor.js';
import type { PlanContext } from './PlanContext.js';

export const nodeRef = (name: string) => ({ apiVersion: 'v1', kind: 'Node', name });

export async function readNodeOrFail(ctx: PlanContext, cluster: string, name: string): Promise<KubeObject> {
  const node = await ctx.writer(cluster).read(nodeRef(name));
  if (!node) throw new StepFailure(`node ${name} not found in cluster ${cluster}`, 'NOT_FOUND');
  return node;
}

export function cordonPlan(ctx: PlanContext, cluster: string, name: string, unschedulable: boolean): OperationPlan {
  return async (run) => {
    await run.step(unschedulable ? 'cordon' : 'uncordon', async (progress) => {
      const node = await readNodeOrFail(ctx, cluster, name);
      if (Boolean(node.spec?.unschedulable) === unschedulable) {
        progress(`node ${name} was already ${unschedulable ? 'unschedulable' : 'schedulable'}`);
        return;
      }
      // `null` removes the field, as `kubectl uncordon` leaves it.
      await ctx.writer(cluster).mergePatch(nodeRef(name), { spec: { unschedulable: unschedulable ? true : null } }, node);
    });
  };
}

export function setNodeLabelsPlan(ctx: PlanContext, cluster: string, name: string, labels: Array<{ key: string; value: string }>, remove: string[]): OperationPlan {
  return async (run) => {
    await run.step('set labels', async (progress) => {
      const node = await readNodeOrFail(ctx, cluster, name);
      const patch: Record<string, string | null> = {};
      for (const k of remove) patch[k] = null;
      for (const l of labels) patch[l.key] = l.value;
      await ctx.writer(cluster).mergePatch(nodeRef(name), { metadata: { labels: patch } }, node);
      progress(`set ${labels.length} label(s), removed ${remove.length}`);
    });
  };
}

export function setNodeTaintsPlan(ctx: PlanContext, cluster: string, name: string, taints: Array<{ key: string; value?: string | null; effect: string }>): OperationPlan {
  return async (run) => {
    await run.step('set taints', async (progress) => {
      const node = await readNodeOrFail(ctx, cluster, name);
      // A merge patch replaces lists whole: the node ends with exactly `taints`.
      const list = taints.map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect }));
      await ctx.writer(cluster).mergePatch(nodeRef(name), { spec: { taints: list.length ? list : null } }, node);
      progress(`node has ${list.length} taint(s)`);
    });
  };
}
