/**
 * Deployment -> ReplicaSets, as kube-controller-manager's deployment controller does: one ReplicaSet
 * per pod template (named `<deployment>-<pod-template-hash>`, revision in
 * `deployment.kubernetes.io/revision`), RollingUpdate within maxSurge/maxUnavailable or Recreate when
 * the template changes, scaling, revision history pruning, and the Deployment status with its
 * Available/Progressing conditions.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { Controller } from '../SimFleet.js';
import type { KubeObject } from '../store/Store.js';
import { WorkloadWatch, writeStatusIfChanged } from './WorkloadWatch.js';
import { WorkQueue, objectKey, splitKey } from './WorkQueue.js';
import { recordEvent } from './recordEvent.js';
import { templateHash } from './templateHash.js';
import { resolveIntOrPercent } from './intOrPercent.js';
import { nowTime, setCondition, type PodCondition } from './podState.js';
import type { LabelSelector } from './labelSelector.js';
import type { PodTemplate } from './podFromTemplate.js';

const RESOURCE = 'apps/deployments';
const RS_RESOURCE = 'apps/replicasets';
const MANAGER = 'kube-controller-manager';
const SOURCE = { component: 'deployment-controller' };
const REVISION = 'deployment.kubernetes.io/revision';
const DESIRED = 'deployment.kubernetes.io/desired-replicas';
const MAX = 'deployment.kubernetes.io/max-replicas';

interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  strategy?: { type?: 'RollingUpdate' | 'Recreate'; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
}

interface RsStatus {
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
}

function rsReplicas(rs: KubeObject): number {
  return ((rs.spec as { replicas?: number } | undefined)?.replicas ?? 0);
}
function rsStatus(rs: KubeObject): RsStatus {
  return (rs.status as RsStatus | undefined) ?? {};
}
function revisionOf(rs: KubeObject): number {
  return Number(rs.metadata.annotations?.[REVISION] ?? 0) || 0;
}

export class DeploymentController implements Controller {
  readonly name: string;
  private readonly queue = new WorkQueue((key) => this.sync(key));
  private readonly hashes = new Map<string, { stamp: string; hash: string }>();
  private readonly replicaSets: WorkloadWatch;

  constructor(private readonly cluster: SimCluster) {
    this.name = `deployment/${cluster.name}`;
    this.replicaSets = new WorkloadWatch(cluster, { resource: RESOURCE, dependentResource: RS_RESOURCE, queue: this.queue, onDeleted: (uid) => this.hashes.delete(uid) });
  }

  start(): void {
    this.replicaSets.start();
  }

  stop(): void {
    this.replicaSets.stop();
    this.queue.stop();
  }

  private sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const deployment = this.cluster.objects.get(RESOURCE, namespace, name);
    if (!deployment) return;
    const spec = (deployment.spec ?? {}) as DeploymentSpec;
    const replicas = spec.replicas ?? 1;
    const all = () => this.replicaSets.dependents(deployment.metadata.uid!).filter((rs) => !rs.metadata.deletionTimestamp);
    const rolling = spec.strategy?.type !== 'Recreate';
    const maxSurge = rolling ? resolveIntOrPercent(spec.strategy?.rollingUpdate?.maxSurge, '25%', replicas, true) : 0;
    let maxUnavailable = rolling ? resolveIntOrPercent(spec.strategy?.rollingUpdate?.maxUnavailable, '25%', replicas, false) : 0;
    if (rolling && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;

    if (deployment.metadata.deletionTimestamp) return;

    const hash = this.hashOf(deployment, spec);
    let replicaSets = all();
    let newRS = replicaSets.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    const maxRevision = replicaSets.reduce((max, rs) => Math.max(max, revisionOf(rs)), 0);
    let createdNew = false;

    if (spec.paused) {
      // A paused Deployment still scales, but never starts a rollout.
      if (newRS && rsReplicas(newRS) !== replicas && replicaSets.length === 1) this.scale(deployment, newRS, replicas, replicas + maxSurge);
      this.writeStatus(deployment, all(), newRS, replicas, maxUnavailable, false);
      return;
    }

    if (!newRS) {
      const olds = replicaSets;
      const oldActive = olds.reduce((n, rs) => n + rsReplicas(rs), 0);
      let initial = replicas;
      if (!rolling) initial = oldActive > 0 ? 0 : replicas;
      else if (oldActive > 0) initial = Math.max(0, Math.min(replicas, replicas + maxSurge - oldActive));
      newRS = this.createReplicaSet(deployment, spec, hash, maxRevision + 1, initial, replicas + maxSurge);
      if (!newRS) return;
      createdNew = true;
      replicaSets = all();
    } else if (revisionOf(newRS) < maxRevision || !newRS.metadata.annotations?.[REVISION]) {
      // A rollback to an old template: that ReplicaSet becomes the newest revision again.
      const revision = String(revisionOf(newRS) < maxRevision ? maxRevision + 1 : Math.max(1, maxRevision));
      newRS = this.cluster.objects.mutate(RS_RESOURCE, newRS.metadata.namespace, newRS.metadata.name!, (copy) => {
        copy.metadata.annotations = { ...(copy.metadata.annotations ?? {}), [REVISION]: revision };
        return copy;
      }, { manager: MANAGER }) ?? newRS;
    }

    const olds = replicaSets.filter((rs) => rs.metadata.uid !== newRS!.metadata.uid).sort((a, b) => revisionOf(a) - revisionOf(b));
    if (rolling) this.rollingUpdate(deployment, newRS, olds, replicas, maxSurge, maxUnavailable);
    else this.recreate(deployment, newRS, olds, replicas);

    this.pruneHistory(deployment, spec.revisionHistoryLimit ?? 10, newRS);
    this.syncRevisionAnnotation(deployment, newRS);
    this.writeStatus(deployment, all(), this.cluster.objects.get(RS_RESOURCE, namespace, newRS.metadata.name!), replicas, maxUnavailable, createdNew);
  }

  /** The pod-template-hash, computed once per generation (hashing a template on every sync showed in profiles). */
  private hashOf(deployment: KubeObject, spec: DeploymentSpec): string {
    const collisions = (deployment.status as { collisionCount?: number } | undefined)?.collisionCount ?? 0;
    const stamp = `${deployment.metadata.generation ?? 0}/${collisions}`;
    const cached = this.hashes.get(deployment.metadata.uid!);
    if (cached?.stamp === stamp) return cached.hash;
    const hash = templateHash(spec.template, collisions);
    this.hashes.set(deployment.metadata.uid!, { stamp, hash });
    return hash;
  }

  private rollingUpdate(deployment: KubeObject, newRS: KubeObject, olds: KubeObject[], replicas: number, maxSurge: number, maxUnavailable: number): void {
    const maxTotal = replicas + maxSurge;
    const activeOlds = olds.filter((rs) => rsReplicas(rs) > 0);
    // Scale the new ReplicaSet up (within the surge) or down (a plain scale-down).
    let newCount = rsReplicas(newRS);
    if (activeOlds.length === 0) {
      if (newCount !== replicas) {
        this.scale(deployment, newRS, replicas, maxTotal);
        newCount = replicas;
      }
      return;
    }
    const allCount = () => newCount + olds.reduce((n, rs) => n + rsReplicas(rs), 0);
    if (newCount > replicas) {
      this.scale(deployment, newRS, replicas, maxTotal);
      newCount = replicas;
    } else if (newCount < replicas && allCount() < maxTotal) {
      const up = Math.min(maxTotal - allCount(), replicas - newCount);
      newCount += up;
      this.scale(deployment, newRS, newCount, maxTotal);
    }

    // Scale old ReplicaSets down without going under replicas - maxUnavailable available pods.
    const minAvailable = replicas - maxUnavailable;
    const newAvailable = rsStatus(newRS).availableReplicas ?? 0;
    const newUnavailable = Math.max(0, newCount - newAvailable);
    let budget = allCount() - minAvailable - newUnavailable;
    if (budget <= 0) return;
    // First the old pods that are not available anyway: removing them costs no availability.
    for (const rs of olds) {
      if (budget <= 0) break;
      const unhealthy = rsReplicas(rs) - (rsStatus(rs).availableReplicas ?? 0);
      if (unhealthy <= 0) continue;
      const down = Math.min(unhealthy, budget);
      this.scale(deployment, rs, rsReplicas(rs) - down, maxTotal);
      (rs.spec as { replicas: number }).replicas = rsReplicas(rs) - down;
      budget -= down;
    }
    const available = newAvailable + olds.reduce((n, rs) => n + Math.min(rsStatus(rs).availableReplicas ?? 0, rsReplicas(rs)), 0);
    let scaleDown = Math.min(available - minAvailable, allCount() - minAvailable - newUnavailable);
    // Also shed pods beyond the surge limit (the Deployment was scaled down mid-rollout).
    scaleDown = Math.max(scaleDown, allCount() - maxTotal);
    for (const rs of olds) {
      if (scaleDown <= 0) break;
      const count = rsReplicas(rs);
      if (count === 0) continue;
      const down = Math.min(count, scaleDown);
      this.scale(deployment, rs, count - down, maxTotal);
      (rs.spec as { replicas: number }).replicas = count - down;
      scaleDown -= down;
    }
  }

  private recreate(deployment: KubeObject, newRS: KubeObject, olds: KubeObject[], replicas: number): void {
    for (const rs of olds) if (rsReplicas(rs) > 0) this.scale(deployment, rs, 0, replicas);
    // Recreate waits for every old pod to be gone, terminating ones included (a ReplicaSet's status
    // stops counting a pod as soon as it is terminating, so look at the pods themselves).
    const oldUids = new Set(olds.map((rs) => rs.metadata.uid));
    const oldPods = this.cluster.objects
      .list('pods', { namespace: deployment.metadata.namespace })
      .filter((p) => oldUids.has(p.metadata.ownerReferences?.find((r) => r.controller)?.uid) && !['Succeeded', 'Failed'].includes(String((p.status as { phase?: string } | undefined)?.phase)));
    if (oldPods.length > 0) {
      this.queue.addAfter(objectKey(deployment.metadata.namespace, deployment.metadata.name!), 500);
      return;
    }
    if (rsReplicas(newRS) !== replicas) this.scale(deployment, newRS, replicas, replicas);
  }

  private createReplicaSet(deployment: KubeObject, spec: DeploymentSpec, hash: string, revision: number, replicas: number, maxReplicas: number): KubeObject | undefined {
    const template = structuredClone(spec.template ?? {}) as PodTemplate;
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash } };
    (template.metadata as Record<string, unknown>).creationTimestamp = null;
    const selector = structuredClone(spec.selector ?? {}) as LabelSelector;
    selector.matchLabels = { ...(selector.matchLabels ?? {}), 'pod-template-hash': hash };
    const rsName = `${deployment.metadata.name}-${hash}`;
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: rsName,
        namespace: deployment.metadata.namespace,
        labels: { ...(template.metadata.labels ?? {}) },
        annotations: { [DESIRED]: String(spec.replicas ?? 1), [MAX]: String(maxReplicas), [REVISION]: String(revision) },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name!, uid: deployment.metadata.uid!, controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: { replicas, minReadySeconds: spec.minReadySeconds ?? 0, selector, template },
    };
    if (!spec.minReadySeconds) delete (rs.spec as Record<string, unknown>).minReadySeconds;
    try {
      const created = this.cluster.objects.create(RS_RESOURCE, rs, { manager: MANAGER });
      recordEvent(this.cluster, 'Deployment', deployment, { reason: 'ScalingReplicaSet', message: `Scaled up replica set ${rsName} to ${replicas}`, source: SOURCE });
      return created;
    } catch {
      // A ReplicaSet of that name owned by someone else (a hash collision): real Deployments bump
      // status.collisionCount and try another hash.
      this.cluster.objects.mutate(RESOURCE, deployment.metadata.namespace, deployment.metadata.name!, (copy) => {
        const status = ((copy.status ??= {}) as { collisionCount?: number });
        status.collisionCount = (status.collisionCount ?? 0) + 1;
        return copy;
      }, { manager: MANAGER, subresource: 'status' });
      return undefined;
    }
  }

  private scale(deployment: KubeObject, rs: KubeObject, replicas: number, maxReplicas: number): void {
    const from = rsReplicas(rs);
    const desired = String((deployment.spec as DeploymentSpec).replicas ?? 1);
    const updated = this.cluster.objects.mutate(RS_RESOURCE, rs.metadata.namespace, rs.metadata.name!, (copy) => {
      const copySpec = (copy.spec ??= {}) as { replicas?: number };
      const annotations = copy.metadata.annotations ?? {};
      if (copySpec.replicas === replicas && annotations[DESIRED] === desired && annotations[MAX] === String(maxReplicas)) return undefined;
      copySpec.replicas = replicas;
      copy.metadata.annotations = { ...annotations, [DESIRED]: desired, [MAX]: String(maxReplicas) };
      return copy;
    }, { manager: MANAGER });
    if (updated && from !== replicas) {
      const verb = replicas > from ? 'up' : 'down';
      recordEvent(this.cluster, 'Deployment', deployment, {
        reason: 'ScalingReplicaSet',
        message: `Scaled ${verb} replica set ${rs.metadata.name} to ${replicas}`,
        source: SOURCE,
      });
    }
  }

  /** Deletes the oldest empty ReplicaSets beyond revisionHistoryLimit. */
  private pruneHistory(deployment: KubeObject, limit: number, newRS: KubeObject): void {
    const empty = this.replicaSets
      .dependents(deployment.metadata.uid!)
      .filter((rs) => rs.metadata.uid !== newRS.metadata.uid && !rs.metadata.deletionTimestamp && rsReplicas(rs) === 0 && (rsStatus(rs).replicas ?? 0) === 0)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of empty.slice(0, Math.max(0, empty.length - limit))) {
      try {
        this.cluster.objects.delete(RS_RESOURCE, rs.metadata.namespace, rs.metadata.name!);
      } catch {
        // Already going: nothing to prune.
      }
    }
  }

  private syncRevisionAnnotation(deployment: KubeObject, newRS: KubeObject): void {
    const revision = newRS.metadata.annotations?.[REVISION];
    if (!revision || deployment.metadata.annotations?.[REVISION] === revision) return;
    this.cluster.objects.mutate(RESOURCE, deployment.metadata.namespace, deployment.metadata.name!, (copy) => {
      copy.metadata.annotations = { ...(copy.metadata.annotations ?? {}), [REVISION]: revision };
      return copy;
    }, { manager: MANAGER });
  }

  private writeStatus(deployment: KubeObject, replicaSets: KubeObject[], newRS: KubeObject | undefined, replicas: number, maxUnavailable: number, createdNew: boolean): void {
    const sum = (f: (rs: KubeObject) => number) => replicaSets.reduce((n, rs) => n + f(rs), 0);
    const specTotal = sum(rsReplicas);
    const actual = sum((rs) => rsStatus(rs).replicas ?? 0);
    const ready = sum((rs) => rsStatus(rs).readyReplicas ?? 0);
    const available = sum((rs) => rsStatus(rs).availableReplicas ?? 0);
    const updated = newRS ? rsStatus(newRS).replicas ?? 0 : 0;
    const now = nowTime();
    const previous = (deployment.status ?? {}) as { conditions?: PodCondition[] & Array<{ lastUpdateTime?: string }>; collisionCount?: number };
    let conditions = (previous.conditions ?? []) as Array<PodCondition & { lastUpdateTime?: string }>;
    const put = (next: PodCondition) => {
      const old = conditions.find((c) => c.type === next.type);
      if (old && old.status === next.status && old.reason === next.reason && old.message === next.message) return;
      conditions = setCondition(conditions, { ...next, lastTransitionTime: now }) as typeof conditions;
      const placed = conditions.find((c) => c.type === next.type)!;
      // Deployment conditions carry lastUpdateTime first, as the API serialises them.
      const reordered = { type: placed.type, status: placed.status, lastUpdateTime: now, lastTransitionTime: placed.lastTransitionTime, reason: placed.reason, message: placed.message };
      conditions = conditions.map((c) => (c.type === next.type ? reordered : c)) as typeof conditions;
    };
    const minimum = available >= replicas - maxUnavailable;
    put(
      minimum
        ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
        : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
    );
    const rsName = newRS?.metadata.name ?? '';
    const complete = newRS !== undefined && updated === replicas && actual === replicas && available >= replicas && rsReplicas(newRS) === replicas;
    if (complete) put({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` });
    else if (createdNew) put({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${rsName}"` });
    else if (newRS) {
      // No progress for progressDeadlineSeconds (e.g. pods that cannot be scheduled): the rollout has
      // timed out, as `kubectl rollout status` then reports. Progress is dated by the condition's
      // lastUpdateTime, which moves whenever the reason or message changes.
      const deadline = ((deployment.spec as { progressDeadlineSeconds?: number }).progressDeadlineSeconds ?? 600) * 1000;
      const progressing = conditions.find((c) => c.type === 'Progressing');
      const since = Date.parse(progressing?.lastUpdateTime ?? '') || Date.now();
      if (progressing && progressing.reason !== 'NewReplicaSetAvailable' && since + deadline <= Date.now()) {
        put({ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing.` });
      } else if (progressing?.reason !== 'ProgressDeadlineExceeded') {
        put({ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` });
        const key = objectKey(deployment.metadata.namespace, deployment.metadata.name!);
        this.queue.addAfter(key, Math.max(1000, since + deadline - Date.now() + 100));
      }
    }
    // Order as the controller writes them: Available, then Progressing.
    conditions.sort((a, b) => (a.type === 'Available' ? -1 : b.type === 'Available' ? 1 : 0));

    const status: Record<string, unknown> = { observedGeneration: deployment.metadata.generation ?? 1 };
    if (actual) status.replicas = actual;
    if (updated) status.updatedReplicas = updated;
    if (ready) status.readyReplicas = ready;
    if (available) status.availableReplicas = available;
    const unavailable = Math.max(0, specTotal - available);
    if (unavailable) status.unavailableReplicas = unavailable;
    status.conditions = conditions;
    if (previous.collisionCount) status.collisionCount = previous.collisionCount;
    writeStatusIfChanged(this.cluster, RESOURCE, deployment, status, MANAGER);
  }
}

export function createDeploymentController(cluster: SimCluster): Controller {
  return new DeploymentController(cluster);
}
