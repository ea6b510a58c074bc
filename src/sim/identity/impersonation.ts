/**
 * kube-apiserver's impersonation filter (k8s.io/apiserver WithImpersonation, 1.26): the
 * `Impersonate-User`, `Impersonate-Group`, `Impersonate-Uid` and `Impersonate-Extra-<key>` headers
 * become one request each, every one authorized as verb `impersonate` on `users`, `serviceaccounts`
 * (in its namespace), `groups`, `uids` or `userextras/<key>`; the first refusal is the 403 naming the
 * impersonated object, and the request then runs as the impersonated identity. An impersonated service
 * account gets its groups unless groups were asked for; `system:authenticated` is added unless a
 * group says otherwise. Groups, uid or extra without a user is kube's 500 text/plain answer.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { forbiddenError } from '../auth/forbidden.js';
import type { Decision, RequestAttributes, UserInfo } from '../auth/types.js';
import { ANONYMOUS_USER, AUTHENTICATED_GROUP, UNAUTHENTICATED_GROUP, parseServiceAccountUsername, serviceAccountGroups, serviceAccountUsername } from './wellKnownNames.js';

const EXTRA_PREFIX = 'impersonate-extra-';
const AUTHENTICATION_V1 = 'authentication.k8s.io/v1';

/** One impersonation request, as Go's v1.ObjectReference the server builds (its %v is the 500's text). */
interface ImpersonationRequest {
  kind: 'User' | 'ServiceAccount' | 'Group' | 'UserExtra' | 'UID';
  namespace: string;
  name: string;
  apiVersion: string;
  /** The extra key (kube keeps it in FieldPath). */
  fieldPath: string;
}

export type ImpersonationOutcome =
  | { kind: 'none' }
  | { kind: 'impersonated'; user: UserInfo }
  /** Groups, uid or extra without a user: kube answers 500 with this text/plain body. */
  | { kind: 'misuse'; message: string };

const NONE: ImpersonationOutcome = Object.freeze({ kind: 'none' });

function values(headers: IncomingHttpHeaders, name: string): string[] {
  const v = headers[name];
  if (v === undefined) return [];
  // Node joins repeated headers with ", " except a few; Impersonate-Group may be sent several times.
  return (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

/** Go's %v of an ObjectReference: fields in declaration order, space-separated, in braces. */
function goValue(r: ImpersonationRequest): string {
  return `{${[r.kind, r.namespace, r.name, '', r.apiVersion, '', r.fieldPath].join(' ')}}`;
}

function requestsOf(headers: IncomingHttpHeaders): { requests: ImpersonationRequest[]; hasUser: boolean; groupsSpecified: boolean } {
  const requests: ImpersonationRequest[] = [];
  const none = { namespace: '', apiVersion: '', fieldPath: '' };
  const requestedUser = typeof headers['impersonate-user'] === 'string' ? headers['impersonate-user'] : '';
  if (requestedUser) {
    const sa = parseServiceAccountUsername(requestedUser);
    requests.push(sa ? { ...none, kind: 'ServiceAccount', namespace: sa.namespace, name: sa.name } : { ...none, kind: 'User', name: requestedUser });
  }
  const groups = values(headers, 'impersonate-group');
  for (const g of groups) requests.push({ ...none, kind: 'Group', name: g });
  for (const [header, value] of Object.entries(headers)) {
    if (!header.startsWith(EXTRA_PREFIX) || value === undefined) continue;
    const key = decodeURIComponent(header.slice(EXTRA_PREFIX.length).toLowerCase());
    for (const v of values(headers, header)) requests.push({ ...none, kind: 'UserExtra', name: v, apiVersion: AUTHENTICATION_V1, fieldPath: key });
  }
  const uid = typeof headers['impersonate-uid'] === 'string' ? headers['impersonate-uid'] : '';
  if (uid) requests.push({ ...none, kind: 'UID', name: uid, apiVersion: AUTHENTICATION_V1 });
  return { requests, hasUser: requestedUser !== '', groupsSpecified: groups.length > 0 };
}

/**
 * Applies the impersonation headers of a request made by `requestor`, asking `authorize` (the
 * control plane's authorizer) for each. Throws kube's Forbidden for a refused one.
 */
export function impersonate(headers: IncomingHttpHeaders, requestor: UserInfo, authorize: (attributes: RequestAttributes) => Decision, path: string): ImpersonationOutcome {
  // Nearly every request has no impersonation header: find that out without building anything.
  let any = false;
  for (const name in headers) {
    if (name.startsWith('impersonate-')) {
      any = true;
      break;
    }
  }
  if (!any) return NONE;
  const { requests, hasUser, groupsSpecified } = requestsOf(headers);
  if (requests.length === 0) return NONE;
  if (!hasUser) return { kind: 'misuse', message: `Internal Server Error: ${JSON.stringify(path)}: requested [${requests.map(goValue).join(' ')}] without impersonating a user` };
  let username = '';
  let uid: string | undefined;
  let groups: string[] = [];
  const extra: Record<string, string[]> = {};
  for (const r of requests) {
    const base = { user: requestor, resourceRequest: true as const, verb: 'impersonate', name: r.name };
    let attributes: RequestAttributes;
    switch (r.kind) {
      case 'ServiceAccount':
        attributes = { ...base, apiGroup: '', apiVersion: 'v1', resource: 'serviceaccounts', namespace: r.namespace };
        username = serviceAccountUsername(r.namespace, r.name);
        if (!groupsSpecified) groups = serviceAccountGroups(r.namespace);
        break;
      case 'User':
        attributes = { ...base, apiGroup: '', apiVersion: 'v1', resource: 'users' };
        username = r.name;
        break;
      case 'Group':
        attributes = { ...base, apiGroup: '', apiVersion: 'v1', resource: 'groups' };
        groups.push(r.name);
        break;
      case 'UserExtra':
        attributes = { ...base, apiGroup: 'authentication.k8s.io', apiVersion: 'v1', resource: 'userextras', subresource: r.fieldPath };
        (extra[r.fieldPath] ??= []).push(r.name);
        break;
      case 'UID':
        attributes = { ...base, apiGroup: 'authentication.k8s.io', apiVersion: 'v1', resource: 'uids' };
        uid = r.name;
        break;
    }
    const decision = authorize(attributes);
    if (!decision.allowed) throw forbiddenError(attributes, decision.reason);
  }
  if (username !== ANONYMOUS_USER) {
    if (!groups.includes(AUTHENTICATED_GROUP) && !groups.includes(UNAUTHENTICATED_GROUP)) groups.push(AUTHENTICATED_GROUP);
  } else if (!groups.includes(UNAUTHENTICATED_GROUP)) groups.push(UNAUTHENTICATED_GROUP);
  const user: UserInfo = { name: username, groups };
  if (uid !== undefined) user.uid = uid;
  if (Object.keys(extra).length > 0) user.extra = extra;
  return { kind: 'impersonated', user };
}
