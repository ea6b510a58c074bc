/**
 * The lowest layer of the middleware platform (seed 002 §2): a WorkloadSet owns a group of pods with the
 * same image, resources and configuration. This controller creates and removes its pods (`<set>-<n>`),
 * removes them all while the set is stopped, keeps the set's primary (the first ready pod at start; a ready
 * replica when the primary's pod is gone, as Sentinel / Patroni would fail over), and reports members and
 * readiness in status.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import { splitKey } from '../controllers/WorkQueue.js';
import { MemberLoopController } from './MemberReconcileLoop.js';
import type { KubeObject, StoreEvent } from '../store/Store.js';
import type { WorkloadSetSpec, WorkloadSetStatus } from './middlewareShapes.js';
import { APPLICATION_LABEL, COMPONENT_LABEL, MIDDLEWARE_MANAGER, ROLE_ANNOTATION, TYPE_LABEL, WORKLOADSET_LABEL } from './middlewareLabels.js';
import { MIDDLEWARE_API_VERSION, WORKLOADSETS } from './middlewareResourceTypes.js';

export function isPodReady(pod: KubeObject): boolean {
  const st = pod.status as { phase?: string; conditions?: Array<{ type: string; status: string }> } | undefined;
  return st?.phase === 'Running' && (st.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') && !pod.metadata.deletionTimestamp;
}

export function podsOfWorkloadSet(member: SimCluster, namespace: string, name: string): KubeObject[] {
  return member.objects.list('pods', { namespace, labelSelector: `${WORKLOADSET_LABEL}=${name}` });
}

/** For a MemberReconcileLoop over WorkloadSets: the WorkloadSet a changed pod belongs to, by its label. */
export function workloadSetOfPod(event: StoreEvent): string | undefined {
  return event.resource === 'pods' ? event.object.metadata.labels?.[WORKLOADSET_LABEL] : undefined;
}

export class WorkloadSetController extends MemberLoopController {
  readonly name = 'middleware-workloadset-controller';

  constructor(member: SimCluster) {
    super(member, { resource: WORKLOADSETS, relatedName: workloadSetOfPod });
  }

  protected override reconcile(key: string): void {
    const { namespace, name } = splitKey(key);
    const ws = this.member.objects.get(WORKLOADSETS, namespace, name);
    if (!ws || ws.metadata.deletionTimestamp) return;
    const spec = ws.spec as WorkloadSetSpec;
    const want = spec.stopped ? 0 : spec.replicas;
    const pods = podsOfWorkloadSet(this.member, namespace!, name);
    const byName = new Map(pods.map((p) => [p.metadata.name!, p]));
    for (let i = 0; i < want; i++) {
      const podName = `${name}-${i}`;
      if (!byName.has(podName)) this.createPod(ws, podName);
    }
    for (const pod of pods) {
      // A changed image reaches running pods in place (a container image is the one mutable pod field
      // that matters here); the kubelet restarts the container.
      const containers = (pod.spec as { containers?: Array<{ image?: string }> } | undefined)?.containers;
      if (!pod.metadata.deletionTimestamp && containers?.[0] && containers[0].image !== spec.image) {
        this.member.objects.mutate('pods', namespace, pod.metadata.name!, (copy) => {
          (copy.spec as { containers: Array<{ image?: string }> }).containers[0]!.image = spec.image;
          return copy;
        }, { manager: MIDDLEWARE_MANAGER });
      }
      const ordinal = Number(pod.metadata.name!.slice(name.length + 1));
      if ((!Number.isInteger(ordinal) || ordinal >= want) && !pod.metadata.deletionTimestamp) {
        this.member.objects.delete('pods', namespace, pod.metadata.name!);
      }
    }
    this.rollStaleResources(ws, podsOfWorkloadSet(this.member, namespace!, name), want);
    this.writeStatus(ws, podsOfWorkloadSet(this.member, namespace!, name));
  }

  /**
   * Container resources cannot change in place (Kubernetes 1.26), so a vertical scale replaces pods one
   * at a time, replicas before the primary, and only while every other pod is ready: the instance keeps
   * serving throughout, as the platform's rolling update would.
   */
  private rollStaleResources(ws: KubeObject, pods: KubeObject[], want: number): void {
    const spec = ws.spec as WorkloadSetSpec;
    const live = pods.filter((p) => !p.metadata.deletionTimestamp);
    if (live.length !== want || pods.length !== live.length || !live.every(isPodReady)) return;
    const stale = live.filter((p) => hasStaleResources(p, spec));
    if (stale.length === 0) return;
    const primary = (ws.status as WorkloadSetStatus | undefined)?.primary;
    const victim = stale.find((p) => p.metadata.name !== primary) ?? stale[0]!;
    this.member.objects.delete('pods', ws.metadata.namespace, victim.metadata.name!);
  }

  private createPod(ws: KubeObject, podName: string): void {
    const spec = ws.spec as WorkloadSetSpec;
    const labels = {
      [APPLICATION_LABEL]: spec.application,
      [COMPONENT_LABEL]: spec.component,
      [WORKLOADSET_LABEL]: ws.metadata.name!,
      [TYPE_LABEL]: ws.metadata.labels?.[TYPE_LABEL] ?? '',
      'app.kubernetes.io/instance': spec.application,
      'app.kubernetes.io/managed-by': 'fleetgraph-middleware',
    };
    const containers = spec.template.containers.map((c, i) => ({
      ...structuredClone(c),
      // The first container is the multi-process container running the middleware (seed 002 §9).
      ...(i === 0 ? { image: spec.image, ...(spec.resources ? { resources: structuredClone(spec.resources) } : {}) } : {}),
    }));
    this.member.objects.create('pods', {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name: podName, namespace: ws.metadata.namespace, labels,
        annotations: {},
        ownerReferences: [{ apiVersion: MIDDLEWARE_API_VERSION, kind: 'WorkloadSet', name: ws.metadata.name!, uid: ws.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: { containers, restartPolicy: 'Always', terminationGracePeriodSeconds: 10, hostname: podName },
    }, { manager: MIDDLEWARE_MANAGER });
  }

  private writeStatus(ws: KubeObject, pods: KubeObject[]): void {
    const spec = ws.spec as WorkloadSetSpec;
    const live = pods.filter((p) => !p.metadata.deletionTimestamp).sort((a, b) => ordinalOf(a) - ordinalOf(b));
    const ready = live.filter(isPodReady);
    this.member.objects.mutate(WORKLOADSETS, ws.metadata.namespace, ws.metadata.name!, (copy) => {
      const before = (copy.status ?? {}) as WorkloadSetStatus;
      let primary = before.primary;
      if (spec.roles.includes('primary')) {
        // Keep the primary while its pod exists; otherwise promote the first ready pod (automatic failover).
        if (!primary || !live.some((p) => p.metadata.name === primary)) primary = ready[0]?.metadata.name ?? (spec.stopped ? undefined : primary);
      } else {
        primary = undefined;
      }
      const st: WorkloadSetStatus = {
        replicas: live.length,
        readyReplicas: ready.length,
        ...(primary ? { primary } : {}),
        members: live.map((p) => ({ pod: p.metadata.name!, role: p.metadata.annotations?.[ROLE_ANNOTATION] ?? 'unknown', ready: isPodReady(p) })),
        observedGeneration: copy.metadata.generation,
      };
      if (JSON.stringify(st) === JSON.stringify(before)) return undefined;
      copy.status = st;
      return copy;
    }, { manager: MIDDLEWARE_MANAGER, subresource: 'status' });
  }
}

/** Whether the pod's middleware container runs with other resources than its WorkloadSet asks for. */
export function hasStaleResources(pod: KubeObject, spec: WorkloadSetSpec): boolean {
  const container = (pod.spec as { containers?: Array<{ resources?: { requests?: Record<string, string> } }> } | undefined)?.containers?.[0];
  return JSON.stringify(container?.resources?.requests ?? {}) !== JSON.stringify(spec.resources?.requests ?? {});
}

function ordinalOf(pod: KubeObject): number {
  const m = /-(\d+)$/.exec(pod.metadata.name!);
  return m ? Number(m[1]) : 0;
}
