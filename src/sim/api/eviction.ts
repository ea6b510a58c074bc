/**
 * The pod `eviction` subresource: a delete that first asks the pod's PodDisruptionBudget.
 * 201 with a bare Success Status when allowed, 429 TooManyRequests with a DisruptionBudget cause when
 * the budget is used up (recorded shapes). Pending pods are always evictable.
 */
import { ApiError } from '../cluster/ApiError.js';
import type { SimClusterInternals } from '../cluster/createSimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { isHealthyPod, matchingPdbs, pdbStatusFor } from '../cluster/disruptionBudgets.js';
import type { DeleteOptions } from '../cluster/SimCluster.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Evicts a pod, or throws the ApiError to answer. `onEvicted` is called with the pod for every eviction
 * answered with success (also for a pod already terminating), for the admin API's eviction log.
 */
export function evictPod(
  cluster: SimClusterInternals,
  namespace: string,
  name: string,
  body: unknown,
  manager: string,
  onEvicted: (pod: KubeObject) => void = () => {},
): Record<string, unknown> {
  const ev = (body ?? {}) as Obj;
  const kind = ev['kind'];
  const apiVersion = ev['apiVersion'];
  if (kind !== undefined && kind !== 'Eviction') throw ApiError.badRequest(`the object provided is unrecognized (must be of type Eviction)`);
  if (apiVersion !== undefined && apiVersion !== 'policy/v1' && apiVersion !== 'policy/v1beta1') {
    throw ApiError.badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (policy/v1)`);
  }
  if (ev['metadata']?.['name'] !== undefined && ev['metadata']['name'] !== name) {
    throw ApiError.badRequest('name in URL does not match name in Eviction object');
  }
  const pod = cluster.objects.get('pods', namespace, name) as (KubeObject & Obj) | undefined;
  if (!pod) throw ApiError.notFound({ group: '', resource: 'pods' }, name);
  const opts = (ev['deleteOptions'] ?? {}) as Obj;
  const deleteOptions: DeleteOptions = {};
  if (typeof opts['gracePeriodSeconds'] === 'number') deleteOptions.gracePeriodSeconds = opts['gracePeriodSeconds'];
  if (opts['preconditions']?.['uid']) deleteOptions.preconditionUid = opts['preconditions']['uid'];

  const success = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  const phase = pod['status']?.['phase'];
  // Terminating, finished and pending pods are evicted without asking any budget.
  if (pod.metadata.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !phase) {
    if (!pod.metadata.deletionTimestamp) cluster.objects.delete('pods', namespace, name, deleteOptions);
    onEvicted(pod);
    return success;
  }
  const pdbs = matchingPdbs(cluster, pod);
  if (pdbs.length > 1) {
    throw new ApiError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  }
  const pdb = pdbs[0];
  if (pdb) {
    const status = pdbStatusFor(cluster, pdb);
    const podHealthy = isHealthyPod(pod);
    const allowed = podHealthy ? status.disruptionsAllowed > 0 : status.currentHealthy >= status.desiredHealthy;
    if (!allowed) {
      throw new ApiError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
        causes: [
          {
            reason: 'DisruptionBudget',
            message: `The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
          },
        ],
      });
    }
    if (podHealthy) {
      // Record the disruption so that concurrent evictions see the budget shrink at once.
      cluster.objects.mutate('policy/poddisruptionbudgets', namespace, pdb.metadata.name!, (c) => {
        const s = { ...status, disruptionsAllowed: status.disruptionsAllowed - 1, disruptedPods: { ...((c as Obj)['status']?.['disruptedPods'] ?? {}), [name]: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } };
        (c as Obj)['status'] = { ...((c as Obj)['status'] ?? {}), ...s };
        return c;
      }, { manager, subresource: 'status' });
    }
  }
  cluster.objects.delete('pods', namespace, name, deleteOptions);
  onEvicted(pod);
  return success;
}
