/**
 * The `scale` subresource of Deployments, ReplicaSets and StatefulSets: an `autoscaling/v1 Scale` view
 * (status.selector as a string, as recorded) whose spec.replicas writes through to the workload.
 */
import { ApiError } from '../cluster/ApiError.js';
import type { KubeObject } from '../store/Store.js';
import { formatLabelSelector, labelSelectorFromObject } from '../cluster/selectors.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function scaleOf(o: KubeObject): Record<string, unknown> {
  const m = o.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: (o as Obj)['spec']?.['replicas'] ?? 0 },
    status: {
      replicas: (o as Obj)['status']?.['replicas'] ?? 0,
      selector: formatLabelSelector(labelSelectorFromObject((o as Obj)['spec']?.['selector'])),
    },
  };
}

/** Applies a (patched or PUT) Scale to the workload: returns the workload with the new replicas. */
export function applyScale(workload: KubeObject, scale: unknown): KubeObject {
  const s = (scale ?? {}) as Obj;
  const replicas = s['spec']?.['replicas'];
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
    throw ApiError.invalid('Scale', 'autoscaling', workload.metadata.name!, [
      { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, field: 'spec.replicas' },
    ]);
  }
  const next = structuredClone(workload) as Obj;
  next['spec'] = { ...(next['spec'] ?? {}), replicas: replicas ?? 0 };
  const rv = s['metadata']?.['resourceVersion'];
  next['metadata']['resourceVersion'] = rv || undefined;
  return next as KubeObject;
}
