/**
 * Workload plans. Scale and restart act on the Karmada resource template (the control plane), so Karmada
 * redistributes and the members follow; a change made on a member's copy would be reverted by Karmada at its
 * next sync. Rollback reads the revision history of one member (Karmada has no ReplicaSets of its own),
 * writes that revision's pod template back to the resource template when there is one, and ends SUCCEEDED
 * only once every member the workload is placed on runs that revision, rolled out (rolloutState.ts).
 */
import { CONTROL_PLANE } from '../fleet/types.js';
import { UpstreamWriteError, type KubeObject, type ObjectRef } from './ClusterWriter.js';
import { StepFailure, type OperationPlan } from './GatewayExecutor.js';
import { OperationCancelled, waitFor, type PlanContext } from './PlanContext.js';
import { memberRollout, type MemberRollout, type RolloutTarget } from './rolloutState.js';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export const workloadRef = (kind: WorkloadKind, namespace: string, name: string): ObjectRef => ({ apiVersion: 'apps/v1', kind, namespace, name });

async function readOrFail(ctx: PlanContext, cluster: string, ref: ObjectRef): Promise<KubeObject> {
  const obj = await ctx.writer(cluster).read(ref);
  if (!obj) {
    const where = cluster === CONTROL_PLANE ? 'the Karmada control plane' : `cluster ${cluster}`;
    throw new StepFailure(`${ref.kind} ${ref.namespace}/${ref.name} not found in ${where}`, 'NOT_FOUND');
  }
  return obj;
}

export function scalePlan(ctx: PlanContext, kind: WorkloadKind, namespace: string, name: string, replicas: number): OperationPlan {
  return async (run) => {
    run.declare(['scale template', 'wait for placements']);
    const ref = workloadRef(kind, namespace, name);
    await run.step('scale template', async (progress) => {
      const template = await readOrFail(ctx, CONTROL_PLANE, ref);
      progress(`replicas ${template.spec?.replicas ?? 1} → ${replicas}`);
      await ctx.writer(CONTROL_PLANE).mergePatch(ref, { spec: { replicas } }, template);
    });
    await run.step('wait for placements', async (progress) => {
      const bindingRef: ObjectRef = { apiVersion: 'work.karmada.io/v1alpha2', kind: 'ResourceBinding', namespace, name: `${name}-${kind.toLowerCase()}` };
      let last = 'no ResourceBinding yet';
      await waitFor(
        ctx,
        ctx.timings.readyTimeoutMs,
        async () => {
          const binding = await ctx.writer(CONTROL_PLANE).read(bindingRef);
          const state = placementState(binding, replicas);
          if (state.message !== last) progress((last = state.message));
          return state.ready ? true : undefined;
        },
        () => new StepFailure(`placements not ready within ${Math.round(ctx.timings.readyTimeoutMs / 1000)} s: ${last}`, 'PLACEMENT_TIMEOUT'),
      );
    });
  };
}

/** Whether every target cluster of the binding runs its share of `replicas`, ready. */
export function placementState(binding: KubeObject | null, replicas: number): { ready: boolean; message: string } {
  if (!binding) return { ready: false, message: 'no ResourceBinding yet' };
  if ((binding.spec?.replicas ?? replicas) !== replicas) return { ready: false, message: `binding still asks for ${binding.spec?.replicas} replicas` };
  const targets: Array<{ name: string; replicas?: number }> = binding.spec?.clusters ?? [];
  if (targets.length === 0) return { ready: false, message: 'not scheduled to any cluster yet' };
  const items: Array<{ clusterName: string; applied?: boolean; status?: { replicas?: number; readyReplicas?: number; updatedReplicas?: number } }> =
    binding.status?.aggregatedStatus ?? [];
  const waiting: string[] = [];
  for (const t of targets) {
    const want = t.replicas ?? replicas;
    const item = items.find((i) => i.clusterName === t.name);
    const ready = item?.status?.readyReplicas ?? 0;
    const total = item?.status?.replicas ?? 0;
    if (!item?.applied || ready < want || total > want) waiting.push(`${t.name} ${ready}/${want}`);
  }
  const shares = targets.map((t) => `${t.name}=${t.replicas ?? replicas}`).join(', ');
  return waiting.length === 0 ? { ready: true, message: `ready: ${shares}` } : { ready: false, message: `waiting for ${waiting.join(', ')}` };
}

export function restartPlan(ctx: PlanContext, kind: WorkloadKind, namespace: string, name: string, cluster: string | null): OperationPlan {
  return async (run) => {
    const where = cluster ?? CONTROL_PLANE;
    const ref = workloadRef(kind, namespace, name);
    await run.step(cluster ? `restart in ${cluster}` : 'restart template', async (progress) => {
      const obj = await readOrFail(ctx, where, ref);
      const at = new Date().toISOString();
      // The annotation `kubectl rollout restart` sets: a pod template change, hence a rolling replacement.
      await ctx.writer(where).mergePatch(ref, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } }, obj);
      progress(`restartedAt ${at}`);
    });
  };
}

export function rollbackPlan(ctx: PlanContext, kind: WorkloadKind, namespace: string, name: string, cluster: string, revision: number): OperationPlan {
  return async (run) => {
    run.declare(['find revision', 'write pod template', 'wait for rollout']);
    const ref = workloadRef(kind, namespace, name);
    const found = (await run.step('find revision', async (progress) => {
      const member = await readOrFail(ctx, cluster, ref);
      const revisionFound = await findRevisionTemplate(ctx, cluster, member, kind, revision);
      if (!revisionFound) throw new StepFailure(`revision ${revision} of ${kind} ${namespace}/${name} not found in cluster ${cluster}`, 'NOT_FOUND');
      progress(`revision ${revision} found in ${cluster} (${kind === 'Deployment' ? 'ReplicaSet' : 'ControllerRevision'} ${revisionFound.name})`);
      return revisionFound;
    }))!;
    const written = (await run.step('write pod template', async (progress) => {
      const onTemplate = await ctx.writer(CONTROL_PLANE).read(ref);
      const target = onTemplate ? CONTROL_PLANE : cluster;
      const current = onTemplate ?? (await readOrFail(ctx, cluster, ref));
      const after = await ctx.writer(target).replace({ ...current, spec: { ...current.spec, template: found.template } }, current);
      progress(onTemplate ? `written to the Karmada resource template (generation ${after.metadata?.generation ?? '?'})` : `written to the workload in ${cluster}`);
      return { onTemplate: onTemplate !== null, generation: onTemplate ? (after.metadata?.generation ?? null) : null };
    }))!;
    await run.step('wait for rollout', async (progress) => {
      const target: RolloutTarget = { kind, revision, template: found.template, reference: cluster, revisionName: found.name, templateGeneration: written.generation };
      let last = new Map<string, MemberRollout>();
      let lastMessage = '';
      const seconds = Math.round(ctx.timings.readyTimeoutMs / 1000);
      await waitFor(
        ctx,
        ctx.timings.readyTimeoutMs,
        async () => {
          const members = written.onTemplate ? await placedMembers(ctx, kind, namespace, name, cluster) : [cluster];
          last = new Map(await Promise.all(members.map(async (m) => [m, await readMemberRollout(ctx, m, ref, target)] as const)));
          const message = [...last].map(([m, r]) => `${m}: ${r.ready ? 'at the revision' : 'waiting'}, ${r.message}`).join('; ');
          if (message !== lastMessage) progress((lastMessage = message));
          return [...last.values()].every((r) => r.ready) ? true : undefined;
        },
        () => {
          const behind = [...last].filter(([, r]) => !r.ready).map(([m, r]) => `${m} (${r.message})`);
          return new StepFailure(`not every member reached revision ${revision} within ${seconds} s: ${behind.join('; ') || 'no member to check'}`, 'ROLLOUT_TIMEOUT');
        },
      );
    });
  };
}

/** The members Karmada placed the workload on (its ResourceBinding); the reference member when there is no binding. */
async function placedMembers(ctx: PlanContext, kind: WorkloadKind, namespace: string, name: string, reference: string): Promise<string[]> {
  const binding = await ctx.writer(CONTROL_PLANE).read({ apiVersion: 'work.karmada.io/v1alpha2', kind: 'ResourceBinding', namespace, name: `${name}-${kind.toLowerCase()}` });
  const clusters: Array<{ name?: string }> = binding?.spec?.clusters ?? [];
  const names = clusters.map((c) => c.name).filter((n): n is string => !!n);
  return names.length ? names : [reference];
}

/** What one member reports about the rollout; a member that cannot be read says so (HTTP status and reason, not the upstream text). */
async function readMemberRollout(ctx: PlanContext, member: string, ref: ObjectRef, target: RolloutTarget): Promise<MemberRollout> {
  try {
    const workload = await ctx.writer(member).read(ref);
    // Listed, not read by name: the gateway lists ReplicaSets to find revisions and needs no other verb for it.
    const revisionSet = member === target.reference && target.kind === 'Deployment' && workload
      ? (await ctx.writer(member).list('apps/v1', 'ReplicaSet', ref.namespace ?? undefined)).find((rs) => rs.metadata?.name === target.revisionName) ?? null
      : undefined;
    return memberRollout(member, target, { workload, ...(revisionSet !== undefined ? { revisionSet } : {}) });
  } catch (err) {
    if (err instanceof OperationCancelled) throw err;
    const e = err instanceof UpstreamWriteError ? err : null;
    const why = e && e.status ? `HTTP ${e.status}${e.reason ? ` ${e.reason}` : ''}` : 'no answer';
    return { ready: false, message: `cannot be read (${why})` };
  }
}

async function findRevisionTemplate(ctx: PlanContext, cluster: string, workload: KubeObject, kind: WorkloadKind, revision: number): Promise<{ template: Record<string, any>; name: string } | null> {
  const w = ctx.writer(cluster);
  const ns = workload.metadata!.namespace!;
  const owned = (o: KubeObject) => (o.metadata?.ownerReferences ?? []).some((r: { uid?: string }) => r.uid === workload.metadata!.uid);
  if (kind === 'Deployment') {
    const sets = (await w.list('apps/v1', 'ReplicaSet', ns)).filter(owned);
    const rs = sets.find((s) => s.metadata?.annotations?.['deployment.kubernetes.io/revision'] === String(revision));
    if (!rs) return null;
    const template = structuredClone(rs.spec.template);
    // The hash label belongs to the ReplicaSet; the Deployment controller adds it back.
    if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
    return { template, name: rs.metadata!.name! };
  }
  const revisions = (await w.list('apps/v1', 'ControllerRevision', ns)).filter(owned);
  const cr = revisions.find((r) => Number(r.revision) === revision);
  return cr?.data?.spec?.template ? { template: cr.data.spec.template, name: cr.metadata!.name! } : null;
}
