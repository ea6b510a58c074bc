/**
 * The RBAC registry's guard on writes of roles and bindings (kube's policy-based storage): a user
 * outside `system:masters` may create or update a Role/ClusterRole only with the `escalate` verb on it
 * or when it grants nothing the user lacks, and a RoleBinding/ClusterRoleBinding only with the `bind`
 * verb on the referenced role or when the user holds every permission of that role in the binding's
 * namespace. Refusals are 403 Forbidden worded as recordings 260 and 262.
 */
import { ApiError } from '../cluster/ApiError.js';
import type { SimClusterInternals } from '../cluster/createSimCluster.js';
import type { ResourceType } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { escalationMessage } from './escalation.js';
import { PRIVILEGED_GROUP, RBAC_GROUP } from './rbacKeys.js';
import type { PolicyRule, RoleRef, UserInfo } from './types.js';

/** What `*` on everything is: needed to write an aggregationRule (it can gather any rule). */
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

function forbidden(t: ResourceType, name: string, why: string): ApiError {
  return new ApiError(403, 'Forbidden', `${t.resource}.${RBAC_GROUP} ${JSON.stringify(name)} is forbidden: ${why}`, { name, group: RBAC_GROUP, kind: t.resource });
}

/** Throws when `user` may not write `object` (a role or binding about to be created or updated). */
export function admitRbacWrite(cluster: SimClusterInternals, user: UserInfo, t: ResourceType, object: KubeObject): void {
  if (t.group !== RBAC_GROUP || user.groups.includes(PRIVILEGED_GROUP)) return;
  const authorizer = cluster.rbac.authorizer;
  const name = object.metadata.name ?? '';
  const namespace = t.namespaced ? object.metadata.namespace ?? '' : '';
  const allowedTo = (verb: string, resource: string, resourceName: string): boolean =>
    authorizer.authorize({ user, resourceRequest: true, verb, apiGroup: RBAC_GROUP, apiVersion: 'v1', resource, name: resourceName, ...(namespace ? { namespace } : {}) }).allowed;
  const held = authorizer.policyRulesFor(user, namespace);

  if (t.resource === 'roles' || t.resource === 'clusterroles') {
    if (allowedTo('escalate', t.resource, name)) return;
    const rules = (object['rules'] as PolicyRule[] | null | undefined) ?? [];
    const msg = escalationMessage(user, held.rules, rules, held.errors);
    if (msg) throw forbidden(t, name, msg);
    if (t.resource === 'clusterroles' && object['aggregationRule'] && escalationMessage(user, held.rules, FULL_AUTHORITY)) {
      throw forbidden(t, name, 'must have cluster-admin privileges to use the aggregationRule');
    }
    return;
  }
  if (t.resource === 'rolebindings' || t.resource === 'clusterrolebindings') {
    const ref = (object['roleRef'] ?? {}) as RoleRef;
    const refResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
    if (allowedTo('bind', refResource, ref.name)) return;
    const rules = authorizer.roleRefRules(ref, namespace);
    if (!rules) {
      // The role resolver's own NotFound (singular resource name, as its lister names it).
      const singular = ref.kind === 'Role' ? 'role' : 'clusterrole';
      throw new ApiError(404, 'NotFound', `${singular}.${RBAC_GROUP} ${JSON.stringify(ref.name)} not found`, { name: ref.name, group: RBAC_GROUP, kind: singular });
    }
    const msg = escalationMessage(user, held.rules, rules, held.errors);
    if (msg) throw forbidden(t, name, msg);
  }
}
