/**
 * The four RBAC kinds the gateway watches on every cluster, as KindInformer descriptors. They are not in the
 * fleet's kind registry (src/fleet/kinds.ts) on purpose: that registry is what the GraphQL schema serves and
 * what the caches' readiness reports, while these are read for the authorizer only.
 */
import type { KindDescriptor, KindName } from '../fleet/kinds.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export type RbacKindName = 'roles' | 'clusterroles' | 'rolebindings' | 'clusterrolebindings';

export const RBAC_KIND_NAMES: readonly RbacKindName[] = ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings'];

const KIND_OF: Record<RbacKindName, string> = {
  roles: 'Role',
  clusterroles: 'ClusterRole',
  rolebindings: 'RoleBinding',
  clusterrolebindings: 'ClusterRoleBinding',
};

/**
 * A KindInformer descriptor for an RBAC kind. KindDescriptor's `name` is typed by the served kinds; the
 * informer only uses it as a label (request counters, change events), so the RBAC plural stands in for it.
 */
export function rbacKindDescriptor(name: RbacKindName): KindDescriptor {
  return {
    name: name as unknown as KindName,
    group: RBAC_GROUP,
    version: 'v1',
    plural: name,
    kind: KIND_OF[name],
    namespaced: name === 'roles' || name === 'rolebindings',
    side: 'both',
  };
}
