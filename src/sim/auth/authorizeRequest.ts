/**
 * The authorization step of every API request, as kube-apiserver's WithAuthorization filter: derive
 * the request's attributes, ask the cluster's authorizer, and refuse with kube's 403 Forbidden Status.
 */
import type { ParsedPath } from '../api/resourcePath.js';
import type { SimClusterInternals } from '../cluster/createSimCluster.js';
import { forbiddenError } from './forbidden.js';
import { requestAttributes } from './requestAttributes.js';
import type { RequestAttributes, UserInfo } from './types.js';

/** The identity of a request without credentials (anonymous auth on, as kube's default). */
export const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

/**
 * Throws the Forbidden ApiError unless `user` may make this request on `cluster`; returns the
 * attributes it authorized. `path` is the path as the cluster sees it.
 */
export function authorizeRequest(cluster: SimClusterInternals, user: UserInfo, method: string, path: string, parsed: ParsedPath, query: URLSearchParams): RequestAttributes {
  const attributes = requestAttributes(user, method, path, parsed, query);
  const decision = cluster.rbac.authorizer.authorize(attributes);
  if (!decision.allowed) throw forbiddenError(attributes, decision.reason);
  return attributes;
}
