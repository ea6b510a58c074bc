/**
 * drainNode, as `kubectl drain` does it: cordon, list the node's pods, refuse up front when a pod would be
 * lost without the matching option (no controller without `force`, emptyDir without `deleteEmptyDirData`),
 * skip DaemonSet pods (their controller would put them back) and mirror pods (the kubelet owns them), then
 * evict the others through the Eviction API, concurrently, one step per pod. An eviction a
 * PodDisruptionBudget refuses (429) is retried until the pod timeout; then that pod's step fails with reason
 * PDB_TIMEOUT and the drain goes on with the others, ending FAILED. A step succeeds once its pod is gone.
 * A cancelled drain (cancelOperation) makes no eviction after the cancel: every retry loop checks the signal.
 */
import type { KubeObject } from './ClusterWriter.js';
import { StepFailure, type OperationPlan } from './GatewayExecutor.js';
import { nodeRef, readNodeOrFail } from './nodeOperations.js';
import { OperationCancelled, throwIfCancelled, type PlanContext } from './PlanContext.js';

export interface DrainSettings {
  force: boolean;
  deleteEmptyDirData: boolean;
  gracePeriodSeconds?: number | undefined;
  /** How long PDB refusals are retried per pod, ms. */
  podTimeoutMs: number;
  /** How long an evicted pod may take to disappear, ms. */
  deletionTimeoutMs: number;
}

type PodClass = { evict: true } | { evict: false; skip: string } | { evict: false; refuse: string };

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export function classifyPod(pod: KubeObject, settings: DrainSettings): PodClass {
  const phase = pod.status?.phase;
  const finished = phase === 'Succeeded' || phase === 'Failed';
  if (pod.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined) return { evict: false, skip: 'mirror pod (managed by the kubelet)' };
  const controller = (pod.metadata?.ownerReferences ?? []).find((o: { controller?: boolean }) => o.controller);
  if (controller?.kind === 'DaemonSet') return { evict: false, skip: 'DaemonSet pod (its controller ignores unschedulable)' };
  if (!controller && !finished && !settings.force) return { evict: false, refuse: 'not managed by a controller (use force)' };
  const emptyDir = (pod.spec?.volumes ?? []).some((v: { emptyDir?: unknown }) => v.emptyDir !== undefined);
  if (emptyDir && !finished && !settings.deleteEmptyDirData) return { evict: false, refuse: 'uses emptyDir volumes whose data would be lost (use deleteEmptyDirData)' };
  return { evict: true };
}

export function drainPlan(ctx: PlanContext, cluster: string, name: string, settings: DrainSettings): OperationPlan {
  return async (run) => {
    const w = ctx.writer(cluster);
    await run.step('cordon', async () => {
      const node = await readNodeOrFail(ctx, cluster, name);
      if (!node.spec?.unschedulable) await w.mergePatch(nodeRef(name), { spec: { unschedulable: true } }, node);
    });

    const pods = (await run.step('list pods', async (progress) => {
      const all = await w.list('v1', 'Pod', undefined, { fieldSelector: `spec.nodeName=${name}` });
      const refused = all
        .map((p) => ({ p, c: classifyPod(p, settings) }))
        .filter((x): x is { p: KubeObject; c: { evict: false; refuse: string } } => !x.c.evict && 'refuse' in x.c);
      if (refused.length > 0) {
        throw new StepFailure(
          `cannot drain: ${refused.map((r) => `${r.p.metadata!.namespace}/${r.p.metadata!.name} ${r.c.refuse}`).join('; ')}`,
          'UNEVICTABLE_PODS',
        );
      }
      progress(`${all.length} pod(s) on the node`);
      return all;
    }))!;

    const stepName = (p: KubeObject) => `evict ${p.metadata!.namespace}/${p.metadata!.name}`;
    const toEvict: KubeObject[] = [];
    for (const p of pods) {
      const c = classifyPod(p, settings);
      if (c.evict) toEvict.push(p);
      else if ('skip' in c) run.skip(`skip ${p.metadata!.namespace}/${p.metadata!.name}`, c.skip);
    }
    run.declare(toEvict.map(stepName));

    // Taken over from another replica: a pod whose eviction was under way there and that is no longer on the
    // node is gone, so its step is done (evicted once, by the other replica).
    const listed = new Set(pods.map(stepName));
    for (const st of run.steps()) {
      if (!st.name.startsWith('evict ') || listed.has(st.name) || (st.phase !== 'RUNNING' && st.phase !== 'PENDING')) continue;
      await run.step(st.name, async (progress) => progress('gone from the node when the drain was taken over (evicted before)'));
    }

    await Promise.all(
      toEvict.map((pod) =>
        run.step(stepName(pod), (progress) => evictUntilGone(ctx, cluster, pod, settings, progress), { continueOnError: true }),
      ),
    );
  };
}

async function evictUntilGone(ctx: PlanContext, cluster: string, pod: KubeObject, settings: DrainSettings, progress: (m: string) => void): Promise<void> {
  const w = ctx.writer(cluster);
  const ref = { apiVersion: 'v1', kind: 'Pod', namespace: pod.metadata!.namespace!, name: pod.metadata!.name! };
  const deadline = Date.now() + settings.podTimeoutMs;
  let refusals = 0;
  // Already terminating (evicted by the replica this drain was taken over from): waited for, not evicted again.
  for (;;) {
    if (pod.metadata?.deletionTimestamp) break;
    // A cancelled drain makes no further eviction (checked before every attempt, after every wait).
    throwIfCancelled(ctx);
    const result = await w.evict(pod, settings.gracePeriodSeconds);
    if (result.evicted) break;
    refusals++;
    progress(`eviction refused ${refusals} time(s): ${result.blockedBy}`);
    throwIfCancelled(ctx);
    if (Date.now() + ctx.timings.evictionRetryMs > deadline || ctx.stopping()) {
      throw new StepFailure(
        `eviction still refused after ${Math.round(settings.podTimeoutMs / 1000)} s (${refusals} attempts): ${result.blockedBy}`,
        'PDB_TIMEOUT',
      );
    }
    await ctx.sleep(ctx.timings.evictionRetryMs);
  }
  // Evicted: wait until this pod (same UID) is gone, as kubectl does, so "drained" means the node is empty.
  const goneBy = Date.now() + settings.deletionTimeoutMs;
  for (;;) {
    const now = await w.read(ref);
    if (!now || now.metadata?.uid !== pod.metadata!.uid) {
      progress(refusals ? `evicted after ${refusals} refusal(s)` : 'evicted');
      return;
    }
    if (ctx.signal?.aborted) throw new OperationCancelled('evicted, but the Operation was cancelled before the pod was gone');
    if (Date.now() >= goneBy || ctx.stopping()) {
      throw new StepFailure(`evicted but still present after ${Math.round(settings.deletionTimeoutMs / 1000)} s`, 'DELETION_TIMEOUT');
    }
    await ctx.sleep(ctx.timings.pollMs);
  }
}
