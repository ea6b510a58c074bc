/** The Store resource keys of the RBAC kinds and the review kinds (one place, no string drift). */
export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const ROLES = `${RBAC_GROUP}/roles`;
export const CLUSTER_ROLES = `${RBAC_GROUP}/clusterroles`;
export const ROLE_BINDINGS = `${RBAC_GROUP}/rolebindings`;
export const CLUSTER_ROLE_BINDINGS = `${RBAC_GROUP}/clusterrolebindings`;

export const AUTHORIZATION_GROUP = 'authorization.k8s.io';

/** The group every cluster treats as privileged: allowed everything before RBAC is asked (kube's `system:masters`). */
export const PRIVILEGED_GROUP = 'system:masters';
