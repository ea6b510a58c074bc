/**
 * Facts about pods that several controllers need to agree on (the same helpers as
 * k8s.io/kubernetes/pkg/api/v1/pod and pkg/controller): which pods count, which are ready, which are
 * available, and who controls an object.
 */
import type { KubeObject, OwnerReference } from '../store/Store.js';

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export function podStatus(pod: KubeObject): Record<string, unknown> {
  return (pod.status as Record<string, unknown> | undefined) ?? {};
}

export function podSpec(pod: KubeObject): Record<string, unknown> {
  return (pod.spec as Record<string, unknown> | undefined) ?? {};
}

export function podPhase(pod: KubeObject): string {
  return (podStatus(pod).phase as string | undefined) ?? 'Pending';
}

export function getCondition(object: KubeObject, type: string): PodCondition | undefined {
  const conditions = (podStatus(object).conditions as PodCondition[] | undefined) ?? [];
  return conditions.find((c) => c.type === type);
}

/** Not being deleted and not finished: what a ReplicaSet counts towards its replicas. */
export function isPodActive(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

export function isPodReady(pod: KubeObject): boolean {
  return getCondition(pod, 'Ready')?.status === 'True';
}

/** Ready for at least `minReadySeconds` (the definition of "available" in apps controllers). */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now = Date.now()): boolean {
  const ready = getCondition(pod, 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : 0;
  return since + minReadySeconds * 1000 <= now;
}

export function controllerOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

/** RFC 3339 to the second, as Kubernetes serialises metav1.Time. */
export function nowTime(now = Date.now()): string {
  return new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Sets (or replaces) a condition, keeping lastTransitionTime when the status did not change. */
export function setCondition(conditions: PodCondition[], next: PodCondition): PodCondition[] {
  const index = conditions.findIndex((c) => c.type === next.type);
  const previous = index >= 0 ? conditions[index] : undefined;
  const merged: PodCondition = {
    ...next,
    lastTransitionTime: previous && previous.status === next.status ? previous.lastTransitionTime : next.lastTransitionTime,
  };
  if (index >= 0) {
    const copy = conditions.slice();
    copy[index] = merged;
    return copy;
  }
  return [...conditions, merged];
}
