/**
 * DaemonSet -> one Pod per eligible node, as the daemonset controller does: a node is eligible when it
 * matches the pod's nodeSelector/affinity and its taints are tolerated, counting the tolerations every
 * DaemonSet pod gets automatically (not-ready, unreachable, pressure conditions, and
 * node.kubernetes.io/unschedulable, which is why a cordon does not evict daemons). Pods are pinned to
 * their node with a matchFields node affinity and bound by the scheduler. RollingUpdate replaces
 * out-of-date pods within maxUnavailable. Status counters as `kubectl get ds` shows them.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { Controller } from '../SimFleet.js';
import type { KubeObject } from '../store/Store.js';
import type { Random } from '../random.js';
import { WorkloadWatch, writeStatusIfChanged } from './WorkloadWatch.js';
import { WorkQueue, splitKey } from './WorkQueue.js';
import { createPod, newPodFromTemplate, type PodTemplate } from './podFromTemplate.js';
import { isPodActive, isPodAvailable, isPodReady } from './podState.js';
import { recordEvent } from './recordEvent.js';
import { CurrentRevisions } from './controllerRevisions.js';
import { effectiveTaints, nodeMatchesPod, tolerates } from './Scheduler.js';
import { resolveIntOrPercent } from './intOrPercent.js';

const RESOURCE = 'apps/daemonsets';
const MANAGER = 'kube-controller-manager';
const SOURCE = { component: 'daemonset-controller' };

/** Added to every DaemonSet pod (pkg/controller/daemon/util.AddOrUpdateDaemonPodTolerations). */
const DAEMON_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

interface DaemonSetSpec {
  template?: PodTemplate;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { maxUnavailable?: number | string } };
}

export interface DaemonSetControllerOptions {
  random: Random;
}

/** The node a DaemonSet pod is meant for: its nodeName, or the matchFields affinity it was created with. */
function targetNodeOf(pod: KubeObject): string | undefined {
  const spec = (pod.spec ?? {}) as {
    nodeName?: string;
    affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: Array<{ matchFields?: Array<{ key: string; values?: string[] }> }> } } };
  };
  if (spec.nodeName) return spec.nodeName;
  for (const term of spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    const field = term.matchFields?.find((f) => f.key === 'metadata.name');
    if (field?.values?.[0]) return field.values[0];
  }
  return undefined;
}

export class DaemonSetController implements Controller {
  readonly name: string;
  private readonly queue = new WorkQueue((key) => this.sync(key));
  private readonly revisions: CurrentRevisions;
  private readonly pods: WorkloadWatch;
  private unsubscribeNodes: (() => void) | undefined;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: DaemonSetControllerOptions,
  ) {
    this.name = `daemonset/${cluster.name}`;
    this.revisions = new CurrentRevisions(cluster, 'DaemonSet');
    this.pods = new WorkloadWatch(cluster, { resource: RESOURCE, dependentResource: 'pods', queue: this.queue, onDeleted: (uid) => this.revisions.forget(uid) });
  }

  start(): void {
    // New nodes, label or taint changes: every DaemonSet looks again (there are few per member).
    this.unsubscribeNodes = this.cluster.onChange('nodes', () => {
      for (const key of this.pods.keys()) this.queue.add(key);
    });
    this.pods.start();
  }

  stop(): void {
    this.unsubscribeNodes?.();
    this.unsubscribeNodes = undefined;
    this.pods.stop();
    this.queue.stop();
  }

  private sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const ds = this.cluster.objects.get(RESOURCE, namespace, name);
    if (!ds || ds.metadata.deletionTimestamp) return;
    const spec = (ds.spec ?? {}) as DaemonSetSpec;
    const revision = this.revisions.of(ds, spec.revisionHistoryLimit ?? 10);
    const template = spec.template ?? {};
    const tolerations = [...((template.spec?.tolerations as Array<{ key?: string }> | undefined) ?? [])];
    for (const t of DAEMON_TOLERATIONS) if (!tolerations.some((x) => x.key === t.key && (x as { effect?: string }).effect === t.effect)) tolerations.push(t);
    const probe: KubeObject = { metadata: {}, spec: { ...(template.spec ?? {}), tolerations } };

    const podsByNode = new Map<string, KubeObject[]>();
    for (const pod of this.pods.dependents(ds.metadata.uid!)) {
      if (!isPodActive(pod)) continue;
      const node = targetNodeOf(pod) ?? '';
      const list = podsByNode.get(node) ?? [];
      list.push(pod);
      podsByNode.set(node, list);
    }

    const nodes = this.cluster.objects.list('nodes').filter((n) => !n.metadata.deletionTimestamp);
    const eligible = new Set<string>();
    for (const node of nodes) {
      const runs =
        nodeMatchesPod(probe, node) &&
        effectiveTaints(node).every((t) => (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') || tolerates(tolerations as never, t));
      if (runs) eligible.add(node.metadata.name!);
    }

    let misscheduled = 0;
    for (const [node, pods] of podsByNode) {
      if (!eligible.has(node)) {
        misscheduled += pods.length;
        for (const pod of pods) this.deletePod(ds, pod);
      } else if (pods.length > 1) {
        for (const pod of pods.slice(1)) this.deletePod(ds, pod);
      }
    }
    for (const node of eligible) {
      if ((podsByNode.get(node) ?? []).length > 0) continue;
      const created = this.createFor(ds, template, tolerations, node, revision.hash);
      if (created) podsByNode.set(node, [created]);
    }

    // Rolling update: replace out-of-date pods while no more than maxUnavailable are unavailable.
    const placed = [...eligible].map((node) => podsByNode.get(node)?.[0]).filter((p): p is KubeObject => !!p);
    const minReady = spec.minReadySeconds ?? 0;
    if (spec.updateStrategy?.type !== 'OnDelete') {
      const maxUnavailable = Math.max(1, resolveIntOrPercent(spec.updateStrategy?.rollingUpdate?.maxUnavailable, '1', eligible.size, false));
      let unavailable = placed.filter((p) => !isPodAvailable(p, minReady)).length + (eligible.size - placed.length);
      const stale = placed.filter((p) => p.metadata.labels?.['controller-revision-hash'] !== revision.hash);
      // Unavailable stale pods go first: replacing them costs nothing.
      stale.sort((a, b) => Number(isPodAvailable(a, minReady)) - Number(isPodAvailable(b, minReady)));
      for (const pod of stale) {
        const available = isPodAvailable(pod, minReady);
        if (available && unavailable >= maxUnavailable) break;
        this.deletePod(ds, pod);
        if (available) unavailable++;
      }
    }

    const scheduled = placed.filter((p) => (p.spec as { nodeName?: string }).nodeName);
    const available = placed.filter((p) => isPodAvailable(p, minReady)).length;
    const status: Record<string, unknown> = {
      currentNumberScheduled: scheduled.length,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: eligible.size,
      numberReady: placed.filter(isPodReady).length,
      observedGeneration: ds.metadata.generation ?? 1,
      updatedNumberScheduled: placed.filter((p) => p.metadata.labels?.['controller-revision-hash'] === revision.hash).length,
      numberAvailable: available,
      numberUnavailable: eligible.size - available,
    };
    for (const field of ['numberAvailable', 'numberUnavailable', 'updatedNumberScheduled']) if (status[field] === 0) delete status[field];
    writeStatusIfChanged(this.cluster, RESOURCE, ds, status, MANAGER);
  }

  private createFor(ds: KubeObject, template: PodTemplate, tolerations: unknown[], node: string, hash: string): KubeObject | undefined {
    const affinity = {
      ...((template.spec?.affinity as Record<string, unknown> | undefined) ?? {}),
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
        },
      },
    };
    const pod = newPodFromTemplate(
      template,
      ds,
      'DaemonSet',
      { generateName: `${ds.metadata.name}-`, extraLabels: { 'controller-revision-hash': hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) }, extraSpec: { affinity, tolerations } },
      this.options.random,
    );
    try {
      const created = createPod(this.cluster, pod, MANAGER, this.options.random);
      if (created) recordEvent(this.cluster, 'DaemonSet', ds, { reason: 'SuccessfulCreate', message: `Created pod: ${created.metadata.name}`, source: SOURCE });
      return created;
    } catch {
      return undefined;
    }
  }

  private deletePod(ds: KubeObject, pod: KubeObject): void {
    try {
      this.cluster.objects.delete('pods', pod.metadata.namespace, pod.metadata.name!);
      recordEvent(this.cluster, 'DaemonSet', ds, { reason: 'SuccessfulDelete', message: `Deleted pod: ${pod.metadata.name}`, source: SOURCE });
    } catch {
      // Gone already.
    }
  }
}

export function createDaemonSetController(cluster: SimCluster, options: DaemonSetControllerOptions): Controller {
  return new DaemonSetController(cluster, options);
}
