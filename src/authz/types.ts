/**
 * Public shapes of the gateway's RBAC evaluation (issue 12): slim projections of the four
 * `rbac.authorization.k8s.io/v1` kinds (only what evaluation needs: no metadata beyond identity, no
 * aggregationRule, no labels), the caller as the authorizer sees it, and the attributes of one check.
 *
 * This room shares no code with the simulator's authorizer (src/sim/auth): the simulator is the yardstick
 * the gateway is tested against, so a shared bug would hide itself.
 */

/** One PolicyRule, as served (empty lists stay empty: `resourceNames: []` means "any name"). */
export interface SlimPolicyRule {
  verbs: readonly string[];
  apiGroups: readonly string[];
  resources: readonly string[];
  resourceNames: readonly string[];
  nonResourceURLs: readonly string[];
}

/**
 * A Role (namespaced) or ClusterRole. An aggregated ClusterRole is held with the `rules` its cluster's
 * aggregation controller wrote into it: kube's authorizer reads those too, never the aggregationRule.
 */
export interface SlimRole {
  kind: 'Role' | 'ClusterRole';
  /** Only for a Role. */
  namespace?: string;
  name: string;
  resourceVersion: string;
  rules: readonly SlimPolicyRule[];
}

export interface SlimSubject {
  kind: 'User' | 'Group' | 'ServiceAccount' | string;
  name: string;
  /** ServiceAccount only; defaults to the binding's namespace. */
  namespace?: string;
}

/** A RoleBinding (namespaced) or ClusterRoleBinding. */
export interface SlimBinding {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  /** Only for a RoleBinding. */
  namespace?: string;
  name: string;
  resourceVersion: string;
  roleRef: { kind: 'Role' | 'ClusterRole' | string; name: string };
  subjects: readonly SlimSubject[];
}

export type SlimRbacObject = SlimRole | SlimBinding;

/** The caller, as authenticated (kube's user.Info without uid/extra, which RBAC does not read). */
export interface Subject {
  user: string;
  groups: readonly string[];
}

/** The attributes of a resource request (kube's authorizer.Attributes with ResourceRequest true). */
export interface ResourceCheck {
  verb: string;
  /** '' for the core group. */
  apiGroup: string;
  /** Plural, e.g. `pods`. */
  resource: string;
  /** e.g. `log`, `eviction`, `scale`. */
  subresource?: string;
  /** Absent (or '') for a cluster-scoped object or an all-namespaces request. */
  namespace?: string;
  /** Absent (or '') for collection requests (list, watch, create without a name). */
  name?: string;
}

/** Where a caller may list a kind in one cluster. */
export interface ListScope {
  /** Cluster-wide (every namespace, and cluster-scoped kinds). */
  all: boolean;
  /** Namespaces where the caller may list (empty when `all`: everything is allowed anyway). */
  namespaces: ReadonlySet<string>;
}
