/**
 * Who a request is on the cluster it asks, in kube-apiserver's filter order: authentication (401 for a
 * bad token), impersonation (checked against the control plane's authorizer: every request enters
 * through the Karmada apiserver, the proxy path included), then for the cluster proxy path the
 * control plane's `clusters/proxy` check and the identity Karmada passes on to the member.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../cluster/ApiError.js';
import type { Authorizer, UserInfo } from '../auth/types.js';
import type { Authentication } from '../identity/Authenticator.js';
import { authorizeClusterProxy, forwardedGroups, identityOnMember } from '../identity/clusterProxy.js';
import { impersonate } from '../identity/impersonation.js';

export type RequestIdentity =
  | {
      kind: 'user';
      /** The identity the asked cluster authorizes: after impersonation, and as Karmada passes it to a member. */
      user: UserInfo;
      /**
       * Whom the request is made as, when that is not the authenticated caller: what Karmada sends a member
       * (`Impersonate-User` / `Impersonate-Group`) for the proxy path; the impersonated user on the control plane.
       */
      forwarded?: { user: string; groups: string[] };
    }
  /** kube's 500 text/plain answer to impersonation headers without a user. */
  | { kind: 'misuse'; message: string };

/**
 * @param path the request's full path (the 500 text quotes it)
 * @param member the member asked through the cluster proxy, if any
 */
export function identifyRequest(req: IncomingMessage, authn: Authentication, controlPlane: Authorizer, path: string, method: string, member: string | undefined): RequestIdentity {
  if (authn.kind === 'invalid') throw new ApiError(401, 'Unauthorized', 'Unauthorized');
  const outcome = impersonate(req.headers, authn.user, (a) => controlPlane.authorize(a), path);
  if (outcome.kind === 'misuse') return outcome;
  const user = outcome.kind === 'impersonated' ? outcome.user : authn.user;
  if (member === undefined) return { kind: 'user', user, ...(outcome.kind === 'impersonated' ? { forwarded: { user: user.name, groups: forwardedGroups(user) } } : {}) };
  authorizeClusterProxy(controlPlane, user, method, member);
  return { kind: 'user', user: identityOnMember(user), forwarded: { user: user.name, groups: forwardedGroups(user) } };
}
