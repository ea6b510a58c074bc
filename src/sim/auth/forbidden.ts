/**
 * The 403 a kube-apiserver answers when authorization denies a request, worded exactly as recorded
 * (../shared/fixtures/kube-apiserver-1.26-rbac, 206-226):
 * `pods "web-1" is forbidden: User "shop-dev" cannot create resource "pods/exec" in API group "" in the namespace "shop"`,
 * details `{name?, group?, kind}`; a path: `forbidden: User "nobody" cannot get path "/metrics"`, details `{}`.
 */
import { ApiError } from '../cluster/ApiError.js';
import type { StatusDetails } from '../cluster/ApiError.js';
import type { RequestAttributes } from './types.js';

/** The Forbidden ApiError for denied attributes; `reason` (the authorizer's, when not '') is appended as kube does. */
export function forbiddenError(a: RequestAttributes, reason = ''): ApiError {
  const suffix = reason ? `: ${reason}` : '';
  const user = a.user.name;
  if (!a.resourceRequest) {
    return new ApiError(403, 'Forbidden', `forbidden: User "${user}" cannot ${a.verb} path "${a.path}"${suffix}`, {});
  }
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  // Field order as the server writes details: name, group, kind.
  const details: StatusDetails = {};
  if (a.name) details.name = a.name;
  if (a.apiGroup) details.group = a.apiGroup;
  details.kind = a.resource;
  return new ApiError(403, 'Forbidden', `${subject} is forbidden: User "${user}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${scope}${suffix}`, details);
}
