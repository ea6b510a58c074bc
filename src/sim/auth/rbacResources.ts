/**
 * The kinds the authorization room serves on every cluster: `rbac.authorization.k8s.io/v1` Role,
 * ClusterRole, RoleBinding, ClusterRoleBinding (stored, full CRUD and watch, kubectl's tables), and the
 * create-only `authorization.k8s.io/v1` access reviews (answered, never stored), named and described as
 * kube-apiserver 1.26's discovery lists them.
 */
import type { ResourceType } from '../cluster/SimCluster.js';
import { grouped } from '../resources/builtinResources.js';
import { clusterRoleBindingColumns, roleBindingColumns } from '../resources/printColumns.js';
import { AUTHORIZATION_GROUP, RBAC_GROUP } from './rbacKeys.js';

function type(group: string, resource: string, kind: string, namespaced: boolean, extra: Partial<ResourceType> = {}): ResourceType {
  return grouped(group, 'v1', resource, kind, namespaced, extra);
}

export function rbacResources(): ResourceType[] {
  return [
    type(RBAC_GROUP, 'clusterrolebindings', 'ClusterRoleBinding', false, { columns: clusterRoleBindingColumns }),
    type(RBAC_GROUP, 'clusterroles', 'ClusterRole', false),
    type(RBAC_GROUP, 'rolebindings', 'RoleBinding', true, { columns: roleBindingColumns }),
    type(RBAC_GROUP, 'roles', 'Role', true),
    type(AUTHORIZATION_GROUP, 'localsubjectaccessreviews', 'LocalSubjectAccessReview', true, { verbs: ['create'] }),
    type(AUTHORIZATION_GROUP, 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, { verbs: ['create'] }),
    type(AUTHORIZATION_GROUP, 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', false, { verbs: ['create'] }),
    type(AUTHORIZATION_GROUP, 'subjectaccessreviews', 'SubjectAccessReview', false, { verbs: ['create'] }),
  ];
}

/** Kinds answered on create and never stored. */
export function isReviewType(t: ResourceType): boolean {
  return t.group === AUTHORIZATION_GROUP;
}
