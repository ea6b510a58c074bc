/**
 * StatefulSet -> Pods with stable ordinal names (`<name>-0`, `<name>-1`, ...), as the statefulset
 * controller does: OrderedReady (one pod at a time, each waiting for the previous to be Running and
 * Ready) or Parallel, scale-down from the highest ordinal, rolling updates from the highest ordinal
 * down to the partition, ControllerRevisions, and status (replicas, ready/current/updated/available,
 * current/update revision).
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { Controller } from '../SimFleet.js';
import type { KubeObject } from '../store/Store.js';
import type { Random } from '../random.js';
import { WorkloadWatch, writeStatusIfChanged } from './WorkloadWatch.js';
import { WorkQueue, splitKey } from './WorkQueue.js';
import { createPod, newPodFromTemplate, type PodTemplate } from './podFromTemplate.js';
import { isPodAvailable, isPodReady, podPhase } from './podState.js';
import { recordEvent } from './recordEvent.js';
import { CurrentRevisions } from './controllerRevisions.js';

const RESOURCE = 'apps/statefulsets';
const MANAGER = 'kube-controller-manager';
const SOURCE = { component: 'statefulset-controller' };

interface StatefulSetSpec {
  replicas?: number;
  serviceName?: string;
  template?: PodTemplate;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number } };
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  volumeClaimTemplates?: Array<{ metadata?: { name?: string } }>;
}

export interface StatefulSetControllerOptions {
  random: Random;
}

export class StatefulSetController implements Controller {
  readonly name: string;
  private readonly queue = new WorkQueue((key) => this.sync(key));
  private readonly revisions: CurrentRevisions;
  private readonly pods: WorkloadWatch;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: StatefulSetControllerOptions,
  ) {
    this.name = `statefulset/${cluster.name}`;
    this.revisions = new CurrentRevisions(cluster, 'StatefulSet');
    this.pods = new WorkloadWatch(cluster, { resource: RESOURCE, dependentResource: 'pods', queue: this.queue, onDeleted: (uid) => this.revisions.forget(uid) });
  }

  start(): void {
    this.pods.start();
  }

  stop(): void {
    this.pods.stop();
    this.queue.stop();
  }

  private sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const sts = this.cluster.objects.get(RESOURCE, namespace, name);
    if (!sts || sts.metadata.deletionTimestamp) return;
    const spec = (sts.spec ?? {}) as StatefulSetSpec;
    const replicas = spec.replicas ?? 1;
    const ordered = spec.podManagementPolicy !== 'Parallel';
    const update = this.revisions.of(sts, spec.revisionHistoryLimit ?? 10);
    const previousStatus = (sts.status ?? {}) as { currentRevision?: string };

    const byOrdinal = new Map<number, KubeObject>();
    for (const pod of this.pods.dependents(sts.metadata.uid!)) {
      const match = new RegExp(`^${escape(name)}-(\\d+)$`).exec(pod.metadata.name!);
      if (match) byOrdinal.set(Number(match[1]), pod);
    }
    const healthy = (pod: KubeObject) => !pod.metadata.deletionTimestamp && podPhase(pod) === 'Running' && isPodReady(pod);

    // Create missing ordinals below replicas (in order, one at a time, for OrderedReady).
    let blocked = false;
    for (let i = 0; i < replicas && !blocked; i++) {
      const pod = byOrdinal.get(i);
      if (!pod) {
        const created = this.createOrdinal(sts, spec, i, update.name);
        if (created) byOrdinal.set(i, created);
        if (ordered) blocked = true;
      } else if (ordered && !healthy(pod)) blocked = true;
    }

    // Scale down from the highest ordinal.
    const surplus = [...byOrdinal.keys()].filter((i) => i >= replicas).sort((a, b) => b - a);
    for (const ordinal of surplus) {
      const pod = byOrdinal.get(ordinal)!;
      if (pod.metadata.deletionTimestamp) {
        if (ordered) break;
        continue;
      }
      if (ordered && blocked) break;
      this.deletePod(sts, pod);
      if (ordered) break;
    }

    // Rolling update: replace the highest out-of-date ordinal (at or above the partition) once all are healthy.
    if (spec.updateStrategy?.type !== 'OnDelete' && surplus.length === 0) {
      const partition = spec.updateStrategy?.rollingUpdate?.partition ?? 0;
      const inRange = [...byOrdinal.entries()].filter(([i]) => i < replicas);
      const allHealthy = inRange.length === replicas && inRange.every(([, p]) => healthy(p));
      if (allHealthy) {
        const stale = inRange
          .filter(([i, p]) => i >= partition && p.metadata.labels?.['controller-revision-hash'] !== update.name)
          .sort(([a], [b]) => b - a)[0];
        if (stale) this.deletePod(sts, stale[1]);
      }
    }

    const active = [...byOrdinal.values()];
    const current = previousStatus.currentRevision ?? update.name;
    const live = active.filter((p) => !p.metadata.deletionTimestamp);
    const updated = live.filter((p) => p.metadata.labels?.['controller-revision-hash'] === update.name).length;
    const ready = live.filter(isPodReady).length;
    const done = updated === replicas && ready === replicas;
    const status: Record<string, unknown> = {
      observedGeneration: sts.metadata.generation ?? 1,
      replicas: active.length,
      readyReplicas: ready,
      currentReplicas: done ? updated : live.filter((p) => p.metadata.labels?.['controller-revision-hash'] === current).length,
      updatedReplicas: updated,
      currentRevision: done ? update.name : current,
      updateRevision: update.name,
      collisionCount: 0,
      availableReplicas: live.filter((p) => isPodAvailable(p, spec.minReadySeconds ?? 0)).length,
    };
    for (const field of ['readyReplicas', 'currentReplicas', 'updatedReplicas']) if (status[field] === 0) delete status[field];
    writeStatusIfChanged(this.cluster, RESOURCE, sts, status, MANAGER);
  }

  private createOrdinal(sts: KubeObject, spec: StatefulSetSpec, ordinal: number, revisionName: string): KubeObject | undefined {
    const podName = `${sts.metadata.name}-${ordinal}`;
    const volumes = ((spec.template?.spec?.volumes as unknown[] | undefined) ?? []).slice();
    for (const claim of spec.volumeClaimTemplates ?? []) {
      const claimName = claim.metadata?.name ?? 'data';
      volumes.push({ name: claimName, persistentVolumeClaim: { claimName: `${claimName}-${podName}` } });
    }
    const extraSpec: Record<string, unknown> = { hostname: podName };
    if (spec.serviceName) extraSpec.subdomain = spec.serviceName;
    if (volumes.length > 0) extraSpec.volumes = volumes;
    const pod = newPodFromTemplate(
      spec.template ?? {},
      sts,
      'StatefulSet',
      {
        name: podName,
        extraLabels: { 'controller-revision-hash': revisionName, 'statefulset.kubernetes.io/pod-name': podName },
        extraSpec,
      },
      this.options.random,
    );
    try {
      const created = createPod(this.cluster, pod, MANAGER, this.options.random);
      if (created) recordEvent(this.cluster, 'StatefulSet', sts, { reason: 'SuccessfulCreate', message: `create Pod ${podName} in StatefulSet ${sts.metadata.name} successful`, source: SOURCE });
      return created;
    } catch {
      // The previous pod of that ordinal is still being removed: the next sync retries.
      return undefined;
    }
  }

  private deletePod(sts: KubeObject, pod: KubeObject): void {
    try {
      this.cluster.objects.delete('pods', pod.metadata.namespace, pod.metadata.name!);
      recordEvent(this.cluster, 'StatefulSet', sts, { reason: 'SuccessfulDelete', message: `delete Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} successful`, source: SOURCE });
    } catch {
      // Gone already.
    }
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function createStatefulSetController(cluster: SimCluster, options: StatefulSetControllerOptions): Controller {
  return new StatefulSetController(cluster, options);
}
