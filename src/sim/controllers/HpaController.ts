/**
 * HorizontalPodAutoscaler status, as the HPA controller reports it: every 15 s and whenever its target
 * changes, status.currentReplicas is the target's status.replicas and desiredReplicas its
 * spec.replicas (the simulator's HPA reports, it does not scale: Karmada or the user owns replicas),
 * with currentMetrics for Resource metrics of Utilization type computed from the kubelet's usage
 * samples over the pods' requests, and the AbleToScale / ScalingActive conditions.
 *
 * Cost: nothing on members without HPAs beyond one map look-up per workload change.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { Controller } from '../SimFleet.js';
import type { KubeObject } from '../store/Store.js';
import { WorkQueue, objectKey, splitKey } from './WorkQueue.js';
import { writeStatusIfChanged } from './WorkloadWatch.js';
import { isPodActive, nowTime } from './podState.js';
import { selectorToString, type LabelSelector } from './labelSelector.js';
import { parseQuantity } from './quantity.js';

const RESOURCE = 'autoscaling/horizontalpodautoscalers';
const MANAGER = 'kube-controller-manager';
const RESYNC_MS = 15_000;
const TARGETS: Record<string, string> = { Deployment: 'apps/deployments', StatefulSet: 'apps/statefulsets', ReplicaSet: 'apps/replicasets' };

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Condition {
  type: string;
  status: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export class HpaController implements Controller {
  readonly name: string;
  private readonly queue = new WorkQueue((key) => this.sync(key));
  /** `<resource>/<namespace>/<name>` of a target -> the HPA keys that point at it. */
  private readonly byTarget = new Map<string, Set<string>>();
  private readonly targetOf = new Map<string, string>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly cluster: SimCluster) {
    this.name = `hpa/${cluster.name}`;
  }

  start(): void {
    this.unsubscribe.push(
      this.cluster.onChange(RESOURCE, (event) => {
        const key = objectKey(event.object.metadata.namespace, event.object.metadata.name!);
        this.index(key, event.type === 'DELETED' ? undefined : event.object);
        if (event.type !== 'DELETED') this.queue.add(key);
      }),
    );
    for (const resource of Object.values(TARGETS)) {
      this.unsubscribe.push(
        this.cluster.onChange(resource, (event) => {
          if (this.byTarget.size === 0) return;
          const keys = this.byTarget.get(`${resource}/${event.object.metadata.namespace}/${event.object.metadata.name}`);
          for (const key of keys ?? []) this.queue.add(key);
        }),
      );
    }
    for (const hpa of this.cluster.objects.list(RESOURCE)) {
      const key = objectKey(hpa.metadata.namespace, hpa.metadata.name!);
      this.index(key, hpa);
      this.queue.add(key);
    }
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.queue.stop();
  }

  private index(key: string, hpa: KubeObject | undefined): void {
    const before = this.targetOf.get(key);
    const ref = (hpa?.spec as Obj | undefined)?.['scaleTargetRef'] as Obj | undefined;
    const resource = ref ? TARGETS[ref['kind']] : undefined;
    const after = hpa && resource ? `${resource}/${hpa.metadata.namespace}/${ref!['name']}` : undefined;
    if (before === after) return;
    if (before) {
      const set = this.byTarget.get(before);
      set?.delete(key);
      if (set?.size === 0) this.byTarget.delete(before);
      this.targetOf.delete(key);
    }
    if (after) {
      let set = this.byTarget.get(after);
      if (!set) this.byTarget.set(after, (set = new Set()));
      set.add(key);
      this.targetOf.set(key, after);
    }
  }

  private sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const hpa = this.cluster.objects.get(RESOURCE, namespace, name);
    if (!hpa || hpa.metadata.deletionTimestamp) return;
    this.queue.addAfter(key, RESYNC_MS);
    const spec = (hpa.spec ?? {}) as Obj;
    const before = (hpa.status ?? {}) as Obj;
    const ref = (spec['scaleTargetRef'] ?? {}) as Obj;
    const resource = TARGETS[ref['kind']];
    const target = resource ? this.cluster.objects.get(resource, namespace, String(ref['name'] ?? '')) : undefined;
    const now = nowTime();
    const previous = (before['conditions'] ?? []) as Condition[];
    const condition = (type: string, status: string, reason: string, message: string): Condition => {
      const old = previous.find((c) => c.type === type);
      return { type, status, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now, reason, message };
    };
    const next: Obj = { observedGeneration: hpa.metadata.generation ?? 1 };
    if (!target) {
      next['currentReplicas'] = before['currentReplicas'] ?? 0;
      next['desiredReplicas'] = before['desiredReplicas'] ?? 0;
      next['conditions'] = [
        condition('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${resource ?? ref['kind']} "${ref['name']}" not found`),
      ];
    } else {
      const current = Number((target.status as Obj | undefined)?.['replicas'] ?? 0);
      const desired = Number((target.spec as Obj | undefined)?.['replicas'] ?? current);
      if (current) next['currentReplicas'] = current;
      next['desiredReplicas'] = desired;
      const metrics = this.currentMetrics(spec, target, namespace);
      if (metrics.values.length) next['currentMetrics'] = metrics.values;
      next['conditions'] = [
        condition('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size'),
        metrics.problem
          ? condition('ScalingActive', 'False', 'FailedGetResourceMetric', metrics.problem)
          : condition('ScalingActive', 'True', 'ValidMetricFound', 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)'),
        condition('ScalingLimited', 'False', 'DesiredWithinRange', 'the desired count is within the acceptable range'),
      ];
    }
    if (JSON.stringify(next) !== JSON.stringify(before)) writeStatusIfChanged(this.cluster, RESOURCE, hpa, next, MANAGER);
  }

  /** Utilization of Resource metrics: usage samples of the target's pods over their requests. */
  private currentMetrics(spec: Obj, target: KubeObject, namespace: string | undefined): { values: Obj[]; problem?: string } {
    const specs = ((spec['metrics'] ?? []) as Obj[]).filter((m) => m['type'] === 'Resource' && m['resource']?.['target']?.['type'] === 'Utilization');
    if (specs.length === 0) return { values: [] };
    const selector = (target.spec as Obj | undefined)?.['selector'] as LabelSelector | undefined;
    const pods = this.cluster.objects.list('pods', { namespace, labelSelector: selectorToString(selector) }).filter(isPodActive);
    const values: Obj[] = [];
    for (const m of specs) {
      const resourceName = String(m['resource']['name']);
      let usage = 0;
      let requested = 0;
      let sampled = 0;
      for (const pod of pods) {
        const sample = this.cluster.metrics.pods.get(`${pod.metadata.namespace}/${pod.metadata.name}`);
        const containers = ((pod.spec as Obj | undefined)?.['containers'] ?? []) as Obj[];
        const request = containers.reduce((n, c) => n + parseQuantity(String(c['resources']?.['requests']?.[resourceName] ?? '0')), 0);
        if (request === 0) return { values, problem: `failed to get ${resourceName} utilization: missing request for ${resourceName} in container ${containers[0]?.['name'] ?? ''} of Pod ${pod.metadata.name}` };
        if (!sample) continue;
        sampled++;
        requested += request;
        usage += sample.containers.reduce((n, c) => n + parseQuantity(resourceName === 'cpu' ? c.cpu : c.memory), 0);
      }
      if (sampled === 0) return { values, problem: `failed to get ${resourceName} utilization: unable to get metrics for resource ${resourceName}: no metrics returned from resource metrics API` };
      const avg = usage / sampled;
      values.push({
        type: 'Resource',
        resource: {
          name: resourceName,
          current: {
            averageValue: resourceName === 'cpu' ? `${Math.round(avg * 1000)}m` : `${Math.round(avg / 1024)}Ki`,
            averageUtilization: Math.round((usage / requested) * 100),
          },
        },
      });
    }
    return { values };
  }
}

export function createHpaController(cluster: SimCluster): Controller {
  return new HpaController(cluster);
}
