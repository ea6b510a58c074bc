/**
 * The contract of the simulator's authorization room (src/sim/auth): who asks (UserInfo), what is asked
 * (RequestAttributes, as kube-apiserver's RequestInfoFactory derives them from the HTTP request), and the
 * answer (Decision). The identity half (authentication, impersonation, TokenReview) produces UserInfo and
 * calls an Authorizer; the RBAC half implements it per simulated cluster.
 */

/** An authenticated (or anonymous) caller, as kube's `user.Info`. */
export interface UserInfo {
  /** `karmada-admin`, `system:serviceaccount:<ns>:<name>`, `system:anonymous`. */
  name: string;
  uid?: string;
  /** Every group, including the ones the server adds (`system:authenticated`, `system:unauthenticated`). */
  groups: string[];
  extra?: Record<string, string[]>;
}

/** A request against a resource (`/api/...`, `/apis/...` below a group version). */
export interface ResourceAttributes {
  resourceRequest: true;
  /** get, list, watch, create, update, patch, delete, deletecollection, or a custom verb (impersonate, bind, escalate). */
  verb: string;
  /** '' for the core group. */
  apiGroup: string;
  apiVersion: string;
  /** Plural name, e.g. `pods`. */
  resource: string;
  /** `log`, `status`, `eviction`, `scale`, `exec`, `proxy`... */
  subresource?: string;
  name?: string;
  /** Absent for cluster-scoped resources and for requests across all namespaces. */
  namespace?: string;
}

/** A request to a path outside the resource tree (`/version`, `/healthz`, `/metrics`, `/api`, `/apis`). */
export interface NonResourceAttributes {
  resourceRequest: false;
  /** The lower-case HTTP method (`get`, `post`...). */
  verb: string;
  path: string;
}

export type RequestAttributes = { user: UserInfo } & (ResourceAttributes | NonResourceAttributes);

export interface Decision {
  allowed: boolean;
  /**
   * As kube's RBAC authorizer words it: when allowed,
   * `RBAC: allowed by RoleBinding "x/ns" of Role "y" to User "z"`; when denied, '' unless a binding
   * names a missing role (`RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`). The privileged
   * group `system:masters` is allowed with ''.
   */
  reason: string;
}

/** `rbac.authorization.k8s.io/v1` PolicyRule. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** `rbac.authorization.k8s.io/v1` Subject. */
export interface Subject {
  kind: 'User' | 'Group' | 'ServiceAccount' | string;
  apiGroup?: string;
  name: string;
  namespace?: string;
}

export interface RoleRef {
  apiGroup: string;
  kind: 'Role' | 'ClusterRole' | string;
  name: string;
}

/** A SelfSubjectRulesReview's `status.resourceRules` entry. */
export interface ResourceRuleInfo {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

/** A SelfSubjectRulesReview's `status.nonResourceRules` entry. */
export interface NonResourceRuleInfo {
  verbs: string[];
  nonResourceURLs?: string[];
}

export interface RulesForUser {
  resourceRules: ResourceRuleInfo[];
  nonResourceRules: NonResourceRuleInfo[];
  /** Whether some rules could not be evaluated (a binding to a missing role). */
  incomplete: boolean;
  /** Why it is incomplete (`clusterrole.rbac.authorization.k8s.io "x" not found`). */
  evaluationError?: string;
}

/** One simulated cluster's authorizer (the control plane and each member have their own). */
export interface Authorizer {
  authorize(attributes: RequestAttributes): Decision;
  /**
   * The rules that apply to `user` in `namespace` ('' for cluster-wide only), one entry per granting
   * rule, unmerged, ClusterRoleBindings first (as SelfSubjectRulesReview lists them).
   */
  rulesFor(user: UserInfo, namespace: string): RulesForUser;
}
