/**
 * PodDisruptionBudget arithmetic for the eviction subresource: which budgets select a pod, and the
 * budget's status when the disruption controller has not observed its current generation yet.
 */
import type { KubeObject } from '../store/Store.js';
import type { ObjectApi } from './SimCluster.js';
import { labelSelectorFromObject, matchLabels } from './selectors.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface ClusterLike {
  objects: ObjectApi;
}

export interface PdbStatus {
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
}

export function isHealthyPod(pod: Obj): boolean {
  if (pod['metadata']?.['deletionTimestamp']) return false;
  if (pod['status']?.['phase'] !== 'Running') return false;
  return ((pod['status']?.['conditions'] ?? []) as Obj[]).some((c) => c['type'] === 'Ready' && c['status'] === 'True');
}

export function matchingPdbs(cluster: ClusterLike, pod: KubeObject): KubeObject[] {
  return cluster.objects
    .list('policy/poddisruptionbudgets', { namespace: pod.metadata.namespace })
    .filter((pdb) => {
      const sel = (pdb as Obj)['spec']?.['selector'];
      if (!sel) return false;
      const reqs = labelSelectorFromObject(sel);
      return reqs.length > 0 && matchLabels(reqs, pod.metadata.labels);
    });
}

function resolve(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.endsWith('%')) {
    const pct = Number(value.slice(0, -1)) / 100;
    return roundUp ? Math.ceil(pct * total) : Math.floor(pct * total);
  }
  return Number(value) || 0;
}

/** The stored status when the disruption controller has observed this generation, else computed now. */
export function pdbStatusFor(cluster: ClusterLike, pdb: KubeObject): PdbStatus {
  const s = (pdb as Obj)['status'];
  if (s && s['observedGeneration'] === pdb.metadata.generation && typeof s['disruptionsAllowed'] === 'number') {
    return { disruptionsAllowed: s['disruptionsAllowed'], currentHealthy: s['currentHealthy'] ?? 0, desiredHealthy: s['desiredHealthy'] ?? 0, expectedPods: s['expectedPods'] ?? 0 };
  }
  return computePdbStatus(cluster, pdb);
}

export function computePdbStatus(cluster: ClusterLike, pdb: KubeObject): PdbStatus {
  const spec = ((pdb as Obj)['spec'] ?? {}) as Obj;
  const reqs = labelSelectorFromObject(spec['selector']);
  const pods = reqs.length ? cluster.objects.list('pods', { namespace: pdb.metadata.namespace }).filter((p) => matchLabels(reqs, p.metadata.labels)) : [];
  const expectedPods = pods.length;
  const currentHealthy = pods.filter((p) => isHealthyPod(p as Obj)).length;
  let desiredHealthy = 0;
  if (spec['minAvailable'] !== undefined) desiredHealthy = resolve(spec['minAvailable'], expectedPods, true);
  else if (spec['maxUnavailable'] !== undefined) desiredHealthy = Math.max(0, expectedPods - resolve(spec['maxUnavailable'], expectedPods, true));
  const disruptionsAllowed = Math.max(0, currentHealthy - desiredHealthy);
  return { disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods };
}
