/**
 * Whether the gateway can keep its Operations on the control plane: the FleetOperation CRD is served there
 * and the gateway may list and create FleetOperations, write their status and manage Leases in its
 * Operations namespace. Reads only (one list, a few SelfSubjectAccessReviews). When it cannot, the gateway
 * runs Operations in process, as a single replica would, and says why (startOperations, /readyz, doctor).
 */
import { AuthorizationV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { toWriteError } from '../ClusterWriter.js';
import { FLEET_OPERATION_GROUP, FLEET_OPERATION_PLURAL, FLEET_OPERATION_VERSION } from './fleetOperationResource.js';

export type SharedStoreVerdict = { usable: true } | { usable: false; reason: string };

/** The access the shared store needs, in the Operations namespace (deploy/rbac grants it with a Role). */
export const SHARED_STORE_ACCESS: ReadonlyArray<{ verb: string; group: string; resource: string; subresource?: string }> = [
  { verb: 'list', group: FLEET_OPERATION_GROUP, resource: FLEET_OPERATION_PLURAL },
  { verb: 'watch', group: FLEET_OPERATION_GROUP, resource: FLEET_OPERATION_PLURAL },
  { verb: 'create', group: FLEET_OPERATION_GROUP, resource: FLEET_OPERATION_PLURAL },
  { verb: 'patch', group: FLEET_OPERATION_GROUP, resource: FLEET_OPERATION_PLURAL },
  { verb: 'delete', group: FLEET_OPERATION_GROUP, resource: FLEET_OPERATION_PLURAL },
  { verb: 'patch', group: FLEET_OPERATION_GROUP, resource: FLEET_OPERATION_PLURAL, subresource: 'status' },
  { verb: 'list', group: 'coordination.k8s.io', resource: 'leases' },
  { verb: 'create', group: 'coordination.k8s.io', resource: 'leases' },
  { verb: 'update', group: 'coordination.k8s.io', resource: 'leases' },
  { verb: 'delete', group: 'coordination.k8s.io', resource: 'leases' },
];

/**
 * Asks the control plane. A control plane that cannot be reached at all is reported as not usable too (the
 * gateway starts anyway and says so; the in-process store needs nothing upstream).
 */
export async function detectSharedStore(kc: KubeConfig, namespace: string): Promise<SharedStoreVerdict> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) return { usable: false, reason: 'the kubeconfig has no current cluster' };
  const path = `/apis/${FLEET_OPERATION_GROUP}/${FLEET_OPERATION_VERSION}/namespaces/${encodeURIComponent(namespace)}/${FLEET_OPERATION_PLURAL}?limit=1`;
  try {
    await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: FLEET_OPERATION_GROUP, version: FLEET_OPERATION_VERSION, namespace, plural: FLEET_OPERATION_PLURAL, limit: 1 });
  } catch (err) {
    const e = toWriteError(err, `list ${path}`);
    if (e.status === 404) return { usable: false, reason: `the FleetOperation CRD (${FLEET_OPERATION_PLURAL}.${FLEET_OPERATION_GROUP}) is not installed on the control plane (deploy/crds)` };
    if (e.status === 403) return { usable: false, reason: `the gateway may not list ${FLEET_OPERATION_PLURAL}.${FLEET_OPERATION_GROUP} in namespace ${namespace} (deploy/rbac/common)` };
    return { usable: false, reason: `the control plane could not be asked: ${e.message}` };
  }
  const api = kc.makeApiClient(AuthorizationV1Api);
  try {
    const answers = await Promise.all(
      SHARED_STORE_ACCESS.map((q) =>
        api.createSelfSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { namespace, verb: q.verb, group: q.group, resource: q.resource, ...(q.subresource ? { subresource: q.subresource } : {}) } },
          },
        }),
      ),
    );
    const missing = SHARED_STORE_ACCESS.filter((_, i) => answers[i]?.status?.allowed !== true);
    if (missing.length > 0) {
      const what = missing.map((q) => `${q.verb} ${q.resource}${q.subresource ? `/${q.subresource}` : ''}`).join(', ');
      return { usable: false, reason: `the gateway lacks ${what} in namespace ${namespace} on the control plane (deploy/rbac/common)` };
    }
  } catch (err) {
    return { usable: false, reason: `the gateway's access could not be reviewed: ${toWriteError(err, 'SelfSubjectAccessReview').message}` };
  }
  return { usable: true };
}
