import { describe, expect, it } from 'vitest';
import { ApiError } from '../cluster/ApiError.js';
import type { Authorizer, RequestAttributes, UserInfo } from '../auth/types.js';
import { impersonate } from './impersonation.js';
import { authorizeClusterProxy, forwardedGroups, identityOnMember } from './clusterProxy.js';

const admin: UserInfo = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
const dev: UserInfo = { name: 'shop-dev', groups: ['dev', 'system:authenticated'] };

/** Allows everything to `admin`, nothing to others; records what it was asked. */
function recorder() {
  const asked: RequestAttributes[] = [];
  const authorize = (a: RequestAttributes) => {
    asked.push(a);
    return { allowed: a.user.name === 'admin', reason: '' };
  };
  return { asked, authorize };
}

function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('impersonation headers', () => {
  it('leaves a request without them alone', () => {
    expect(impersonate({}, admin, recorder().authorize, '/api')).toEqual({ kind: 'none' });
  });

  it('impersonates a user, checking impersonate on users, and adds system:authenticated', () => {
    const r = recorder();
    expect(impersonate({ 'impersonate-user': 'shop-dev' }, admin, r.authorize, '/api')).toEqual({ kind: 'impersonated', user: { name: 'shop-dev', groups: ['system:authenticated'] } });
    expect(r.asked).toEqual([{ user: admin, resourceRequest: true, verb: 'impersonate', name: 'shop-dev', apiGroup: '', apiVersion: 'v1', resource: 'users' }]);
  });

  it('gives an impersonated service account its groups, unless groups are asked for', () => {
    const r = recorder();
    const sa = impersonate({ 'impersonate-user': 'system:serviceaccount:shop:builder' }, admin, r.authorize, '/api');
    expect(sa).toEqual({ kind: 'impersonated', user: { name: 'system:serviceaccount:shop:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'] } });
    expect(r.asked[0]).toMatchObject({ resource: 'serviceaccounts', namespace: 'shop', name: 'builder' });
    const withGroup = impersonate({ 'impersonate-user': 'system:serviceaccount:shop:builder', 'impersonate-group': 'x' }, admin, r.authorize, '/api');
    expect(withGroup).toMatchObject({ user: { groups: ['x', 'system:authenticated'] } });
  });

  it('checks groups, uid and extra (userextras/<key>) and carries them', () => {
    const r = recorder();
    const out = impersonate({ 'impersonate-user': 'jane', 'impersonate-group': ['a', 'b'], 'impersonate-uid': 'u-1', 'impersonate-extra-scopes': ['read', 'write'] }, admin, r.authorize, '/api');
    expect(out).toEqual({ kind: 'impersonated', user: { name: 'jane', uid: 'u-1', groups: ['a', 'b', 'system:authenticated'], extra: { scopes: ['read', 'write'] } } });
    expect(r.asked.map((a) => (a.resourceRequest ? `${a.resource}${a.subresource ? `/${a.subresource}` : ''}:${a.name}` : ''))).toEqual([
      'users:jane', 'groups:a', 'groups:b', 'userextras/scopes:read', 'userextras/scopes:write', 'uids:u-1',
    ]);
    expect(impersonate({ 'impersonate-user': 'system:anonymous' }, admin, r.authorize, '/api')).toMatchObject({ user: { groups: ['system:unauthenticated'] } });
  });

  it('refuses with the recorded Forbidden naming the impersonated object', () => {
    const err = thrown(() => impersonate({ 'impersonate-user': 'admin' }, dev, recorder().authorize, '/api/v1/namespaces/shop/pods'));
    expect(err.code).toBe(403);
    expect(err.message).toBe('users "admin" is forbidden: User "shop-dev" cannot impersonate resource "users" in API group "" at the cluster scope');
    expect(err.details).toEqual({ name: 'admin', kind: 'users' });
  });

  it('answers groups, uid or extra without a user with the recorded 500 text', () => {
    expect(impersonate({ 'impersonate-group': 'dev' }, admin, recorder().authorize, '/api/v1/namespaces/shop/pods')).toEqual({
      kind: 'misuse',
      message: 'Internal Server Error: "/api/v1/namespaces/shop/pods": requested [{Group  dev    }] without impersonating a user',
    });
    expect(impersonate({ 'impersonate-uid': 'u' }, admin, recorder().authorize, '/x')).toMatchObject({ message: 'Internal Server Error: "/x": requested [{UID  u  authentication.k8s.io/v1  }] without impersonating a user' });
  });
});

describe('the Karmada cluster proxy', () => {
  it('checks clusters/proxy on the member with the verb of the HTTP method', () => {
    const asked: RequestAttributes[] = [];
    const authorizer = { authorize: (a: RequestAttributes) => (asked.push(a), { allowed: a.verb === 'get', reason: '' }) } as unknown as Authorizer;
    authorizeClusterProxy(authorizer, dev, 'GET', 'member1');
    expect(asked[0]).toEqual({ user: dev, resourceRequest: true, verb: 'get', apiGroup: 'cluster.karmada.io', apiVersion: 'v1alpha1', resource: 'clusters', subresource: 'proxy', name: 'member1' });
    const err = thrown(() => authorizeClusterProxy(authorizer, dev, 'POST', 'member1'));
    expect(err.message).toBe('clusters.cluster.karmada.io "member1" is forbidden: User "shop-dev" cannot create resource "clusters/proxy" in API group "cluster.karmada.io" at the cluster scope');
  });

  it('passes the name and groups on without uid, extra or the system:(un)authenticated groups, which the member adds back', () => {
    const sa: UserInfo = { name: 'system:serviceaccount:shop:b', uid: 'x', groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'], extra: { k: ['v'] } };
    expect(forwardedGroups(sa)).toEqual(['system:serviceaccounts', 'system:serviceaccounts:shop']);
    expect(identityOnMember(sa)).toEqual({ name: sa.name, groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'] });
    expect(identityOnMember({ name: 'system:anonymous', groups: ['system:unauthenticated'] })).toEqual({ name: 'system:anonymous', groups: ['system:unauthenticated'] });
  });
});
