/**
 * Keeps PodDisruptionBudget status current, as kube-controller-manager's disruption controller does:
 * expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed, the DisruptionAllowed condition,
 * and `disruptedPods` (pods an eviction just let go, which count as unhealthy until they are gone, so
 * two quick evictions cannot both pass on the same allowance).
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { Controller } from '../SimFleet.js';
import type { KubeObject } from '../store/Store.js';
import { WorkQueue, objectKey, splitKey } from './WorkQueue.js';
import { selectorMatches, type LabelSelector } from './labelSelector.js';
import { controllerOf, isPodReady, nowTime } from './podState.js';
import { PodSelectorIndex } from './PodSelectorIndex.js';
import { writeStatusIfChanged } from './WorkloadWatch.js';
import { resolveIntOrPercent } from './intOrPercent.js';

const RESOURCE = 'policy/poddisruptionbudgets';
const MANAGER = 'kube-controller-manager';
/** How long an evicted pod stays in disruptedPods if it never starts terminating (the real DeletionTimeout). */
const DISRUPTED_TIMEOUT_MS = 2 * 60 * 1000;

interface PdbSpec {
  selector?: LabelSelector;
  minAvailable?: number | string;
  maxUnavailable?: number | string;
}

export class DisruptionController implements Controller {
  readonly name: string;
  private readonly queue = new WorkQueue((key) => this.sync(key));
  /** The budgets by selector, to route pod changes to the budgets that select the pod. */
  private readonly budgets = new PodSelectorIndex();
  private unsubscribes: Array<() => void> = [];

  constructor(private readonly cluster: SimCluster) {
    this.name = `disruption/${cluster.name}`;
  }

  start(): void {
    this.unsubscribes.push(
      this.cluster.onChange(RESOURCE, (event) => {
        const meta = event.object.metadata;
        const key = objectKey(meta.namespace, meta.name!);
        if (event.type === 'DELETED') this.budgets.delete(meta.namespace!, key);
        else {
          this.budgets.set(meta.namespace!, key, (event.object.spec as PdbSpec | undefined)?.selector);
          this.queue.add(key);
        }
      }),
      this.cluster.onChange('pods', (event) => {
        // Only the budgets selecting this pod care (a relabelled pod leaves its old budget stale until
        // that budget's next change; the real controller has the same blind spot until resync).
        for (const key of this.budgets.selecting(event.object.metadata.namespace!, event.object.metadata.labels)) this.queue.add(key);
      }),
    );
    for (const pdb of this.cluster.objects.list(RESOURCE)) {
      const key = objectKey(pdb.metadata.namespace, pdb.metadata.name!);
      this.budgets.set(pdb.metadata.namespace!, key, (pdb.spec as PdbSpec | undefined)?.selector);
      this.queue.add(key);
    }
  }

  stop(): void {
    for (const off of this.unsubscribes) off();
    this.unsubscribes = [];
    this.queue.stop();
  }

  private sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const pdb = this.cluster.objects.get(RESOURCE, namespace, name);
    if (!pdb || pdb.metadata.deletionTimestamp) return;
    const spec = (pdb.spec ?? {}) as PdbSpec;
    const pods = this.cluster.objects.list('pods', { namespace }).filter((p) => selectorMatches(spec.selector, p.metadata.labels));
    const previous = (pdb.status ?? {}) as { disruptedPods?: Record<string, string>; conditions?: Array<Record<string, unknown>> };

    // Forget disrupted pods that are gone, terminating, or timed out; they no longer need holding back.
    const now = Date.now();
    const disrupted: Record<string, string> = {};
    let nextExpiry = Infinity;
    for (const [podName, since] of Object.entries(previous.disruptedPods ?? {})) {
      const pod = pods.find((p) => p.metadata.name === podName);
      const expires = Date.parse(since) + DISRUPTED_TIMEOUT_MS;
      if (!pod || pod.metadata.deletionTimestamp || expires <= now) continue;
      disrupted[podName] = since;
      nextExpiry = Math.min(nextExpiry, expires);
    }

    const healthy = pods.filter((p) => !p.metadata.deletionTimestamp && isPodReady(p) && !disrupted[p.metadata.name!]).length;
    let expected: number;
    let desired: number;
    if (spec.maxUnavailable !== undefined) {
      expected = this.expectedScale(pods);
      desired = Math.max(0, expected - resolveIntOrPercent(spec.maxUnavailable, '0', expected, true));
    } else if (typeof spec.minAvailable === 'string' && spec.minAvailable.endsWith('%')) {
      expected = this.expectedScale(pods);
      desired = resolveIntOrPercent(spec.minAvailable, '0', expected, true);
    } else {
      // An integer minAvailable counts the pods themselves, as the real controller does.
      expected = pods.length;
      desired = typeof spec.minAvailable === 'number' ? spec.minAvailable : Number(spec.minAvailable ?? 1) || 0;
    }
    const allowed = Math.max(0, healthy - desired);
    const conditionStatus = allowed > 0 ? 'True' : 'False';
    const oldCondition = previous.conditions?.find((c) => c.type === 'DisruptionAllowed');
    const condition = {
      type: 'DisruptionAllowed',
      status: conditionStatus,
      observedGeneration: pdb.metadata.generation ?? 1,
      lastTransitionTime: oldCondition && oldCondition.status === conditionStatus ? oldCondition.lastTransitionTime : nowTime(),
      reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods',
      message: '',
    };
    const status: Record<string, unknown> = { observedGeneration: pdb.metadata.generation ?? 1 };
    if (Object.keys(disrupted).length > 0) status.disruptedPods = disrupted;
    Object.assign(status, { disruptionsAllowed: allowed, currentHealthy: healthy, desiredHealthy: desired, expectedPods: expected, conditions: [condition] });
    writeStatusIfChanged(this.cluster, RESOURCE, pdb, status, MANAGER);
    if (nextExpiry !== Infinity) this.queue.addAfter(key, nextExpiry - now + 10);
  }

  /** The pods the budget's controllers want (Deployment/ReplicaSet/StatefulSet scale), counted once per controller. */
  private expectedScale(pods: KubeObject[]): number {
    const seen = new Set<string>();
    let total = 0;
    for (const pod of pods) {
      const ref = controllerOf(pod);
      if (!ref) {
        total += 1;
        continue;
      }
      if (seen.has(ref.uid)) continue;
      seen.add(ref.uid);
      const namespace = pod.metadata.namespace;
      let replicas: number | undefined;
      if (ref.kind === 'ReplicaSet') {
        const rs = this.cluster.objects.get('apps/replicasets', namespace, ref.name);
        const owner = rs && controllerOf(rs);
        if (owner?.kind === 'Deployment') {
          const deployment = this.cluster.objects.get('apps/deployments', namespace, owner.name);
          replicas = (deployment?.spec as { replicas?: number } | undefined)?.replicas ?? 1;
          // Several ReplicaSets of one Deployment (a rollout) must count the Deployment once.
          if (seen.has(owner.uid)) continue;
          seen.add(owner.uid);
        } else replicas = (rs?.spec as { replicas?: number } | undefined)?.replicas;
      } else if (ref.kind === 'StatefulSet') {
        replicas = (this.cluster.objects.get('apps/statefulsets', namespace, ref.name)?.spec as { replicas?: number } | undefined)?.replicas;
      }
      total += replicas ?? pods.filter((p) => controllerOf(p)?.uid === ref.uid).length;
    }
    return total;
  }
}

export function createDisruptionController(cluster: SimCluster): Controller {
  return new DisruptionController(cluster);
}
