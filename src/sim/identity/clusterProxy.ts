/**
 * The Karmada cluster proxy's two identity steps (karmada-aggregated-apiserver, pkg/util/proxy):
 *
 * 1. On the control plane, the caller (after its own impersonation headers were applied there) must
 *    hold `clusters/proxy` in `cluster.karmada.io` on the member's Cluster: the subresource request
 *    `/apis/cluster.karmada.io/v1alpha1/clusters/<member>/proxy/...` is authorized as kube's
 *    RequestInfoFactory reads it, the verb from the HTTP method (GET → get, POST → create, PUT →
 *    update, PATCH → patch, DELETE → delete), whatever the member path asks. Karmada's documented
 *    grant is `verbs: ['*']` on `clusters/proxy` with the members as resourceNames.
 * 2. Towards the member, Karmada authenticates as its own impersonator and sets `Impersonate-User` to
 *    the caller's name and `Impersonate-Group` to the caller's groups without `system:authenticated` /
 *    `system:unauthenticated`; uid and extra are not passed. The member's impersonation filter then
 *    adds `system:authenticated` (or `system:unauthenticated` for `system:anonymous`) back, and the
 *    member's own RBAC decides.
 */
import { forbiddenError } from '../auth/forbidden.js';
import type { Authorizer, RequestAttributes, UserInfo } from '../auth/types.js';
import { ANONYMOUS_USER, AUTHENTICATED_GROUP, UNAUTHENTICATED_GROUP } from './wellKnownNames.js';

const METHOD_VERBS: Record<string, string> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** The control plane's check of the proxy subresource; throws kube's Forbidden when refused. */
export function authorizeClusterProxy(controlPlane: Authorizer, user: UserInfo, method: string, member: string): void {
  const attributes: RequestAttributes = {
    user,
    resourceRequest: true,
    verb: METHOD_VERBS[method] ?? method.toLowerCase(),
    apiGroup: 'cluster.karmada.io',
    apiVersion: 'v1alpha1',
    resource: 'clusters',
    subresource: 'proxy',
    name: member,
  };
  const decision = controlPlane.authorize(attributes);
  if (!decision.allowed) throw forbiddenError(attributes, decision.reason);
}

/** Who the member sees: the caller as Karmada impersonates it. */
export function identityOnMember(caller: UserInfo): UserInfo {
  const groups = caller.groups.filter((g) => g !== AUTHENTICATED_GROUP && g !== UNAUTHENTICATED_GROUP);
  groups.push(caller.name === ANONYMOUS_USER ? UNAUTHENTICATED_GROUP : AUTHENTICATED_GROUP);
  return { name: caller.name, groups };
}

/** The `Impersonate-Group` values Karmada sends for a caller (recorded in `/_sim/requests`). */
export function forwardedGroups(caller: UserInfo): string[] {
  return caller.groups.filter((g) => g !== AUTHENTICATED_GROUP && g !== UNAUTHENTICATED_GROUP);
}
