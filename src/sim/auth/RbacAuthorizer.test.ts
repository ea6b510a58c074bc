import { describe, expect, it } from 'vitest';
import type { KubeObject, StoreEvent } from '../store/Store.js';
import { BindingIndex } from './BindingIndex.js';
import { RbacAuthorizer } from './RbacAuthorizer.js';
import { CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS, ROLES, ROLE_BINDINGS } from './rbacKeys.js';
import type { PolicyRule, RequestAttributes, Subject, UserInfo } from './types.js';

const shopDev: UserInfo = { name: 'shop-dev', groups: ['dev', 'system:authenticated'] };

function event(resource: string, object: KubeObject, type: StoreEvent['type'] = 'ADDED'): StoreEvent {
  return { type, resource, object, resourceVersion: 1 };
}
const role = (name: string, rules: PolicyRule[], namespace?: string): KubeObject => ({ metadata: { name, ...(namespace ? { namespace } : {}) }, rules });
const binding = (name: string, kind: 'Role' | 'ClusterRole', roleName: string, subjects: Subject[], namespace?: string): KubeObject => ({
  metadata: { name, ...(namespace ? { namespace } : {}) },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: roleName },
  subjects,
});
const userSubject = (name: string): Subject => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name });
const list = (ns: string | undefined, who: UserInfo = shopDev): RequestAttributes => ({
  user: who, resourceRequest: true, verb: 'list', apiGroup: '', apiVersion: 'v1', resource: 'pods', ...(ns ? { namespace: ns } : {}),
});
const podReader: PolicyRule[] = [
  { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] },
  { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] },
];

function setup(): { index: BindingIndex; authz: RbacAuthorizer } {
  const index = new BindingIndex();
  index.apply(event(ROLES, role('pod-reader', podReader, 'shop')));
  index.apply(event(ROLE_BINDINGS, binding('shop-dev-pod-reader', 'Role', 'pod-reader', [userSubject('shop-dev')], 'shop')));
  return { index, authz: new RbacAuthorizer(index) };
}

describe('RBAC authorizer', () => {
  it('a RoleBinding grants in its namespace only, naming the binding as kube does', () => {
    const { authz } = setup();
    expect(authz.authorize(list('shop'))).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "shop-dev-pod-reader/shop" of Role "pod-reader" to User "shop-dev"' });
    expect(authz.authorize(list('default'))).toEqual({ allowed: false, reason: '' });
    expect(authz.authorize(list(undefined))).toEqual({ allowed: false, reason: '' });
  });

  it('a ClusterRoleBinding grants everywhere, by group; a RoleBinding to a ClusterRole in its namespace', () => {
    const { index, authz } = setup();
    const viewer: UserInfo = { name: 'v', groups: ['viewers'] };
    expect(authz.authorize(list('web', viewer)).allowed).toBe(false);
    index.apply(event(CLUSTER_ROLES, role('pods-any', podReader)));
    index.apply(event(CLUSTER_ROLE_BINDINGS, binding('viewers-pods', 'ClusterRole', 'pods-any', [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'viewers' }])));
    expect(authz.authorize(list('web', viewer))).toEqual({ allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "viewers-pods" of ClusterRole "pods-any" to Group "viewers"' });
    expect(authz.authorize(list(undefined, viewer)).allowed).toBe(true);
    const ops: UserInfo = { name: 'ops', groups: [] };
    index.apply(event(ROLE_BINDINGS, binding('ops-pods', 'ClusterRole', 'pods-any', [userSubject('ops')], 'web')));
    expect(authz.authorize(list('web', ops)).allowed).toBe(true);
    expect(authz.authorize(list('shop', ops)).allowed).toBe(false);
    expect(authz.authorize(list(undefined, ops)).allowed).toBe(false);
  });

  it('follows binding changes and deletions from events (the index, not a scan)', () => {
    const { index, authz } = setup();
    const b = binding('shop-dev-pod-reader', 'Role', 'pod-reader', [userSubject('someone-else')], 'shop');
    index.apply(event(ROLE_BINDINGS, b, 'MODIFIED'));
    expect(authz.authorize(list('shop')).allowed).toBe(false);
    index.apply(event(ROLE_BINDINGS, binding('shop-dev-pod-reader', 'Role', 'pod-reader', [userSubject('shop-dev')], 'shop'), 'MODIFIED'));
    expect(authz.authorize(list('shop')).allowed).toBe(true);
    index.apply(event(ROLES, role('pod-reader', [], 'shop'), 'MODIFIED'));
    expect(authz.authorize(list('shop')).allowed).toBe(false);
    index.apply(event(ROLES, role('pod-reader', podReader, 'shop'), 'MODIFIED'));
    index.apply(event(ROLE_BINDINGS, binding('shop-dev-pod-reader', 'Role', 'pod-reader', [], 'shop'), 'DELETED'));
    expect(authz.authorize(list('shop')).allowed).toBe(false);
  });

  it('service account subjects apply to system:serviceaccount:<ns>:<name>, defaulting to the binding namespace', () => {
    const { index, authz } = setup();
    index.apply(event(ROLE_BINDINGS, binding('builder-pod-reader', 'Role', 'pod-reader', [{ kind: 'ServiceAccount', name: 'builder' }], 'shop')));
    const sa: UserInfo = { name: 'system:serviceaccount:shop:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'] };
    expect(authz.authorize(list('shop', sa))).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "builder-pod-reader/shop" of Role "pod-reader" to ServiceAccount "builder/shop"' });
  });

  it('allows system:masters everything; a missing role makes the denial reason name it', () => {
    const { index, authz } = setup();
    const admin: UserInfo = { name: 'admin', groups: ['system:masters'] };
    expect(authz.authorize({ user: admin, resourceRequest: false, verb: 'delete', path: '/anything' })).toEqual({ allowed: true, reason: '' });
    index.apply(event(ROLE_BINDINGS, binding('dangling', 'Role', 'gone', [userSubject('shop-dev')], 'web')));
    expect(authz.authorize(list('web'))).toEqual({ allowed: false, reason: 'RBAC: role.rbac.authorization.k8s.io "gone" not found' });
  });

  it('lists rules per granting role, unmerged, cluster bindings first', () => {
    const { index, authz } = setup();
    index.apply(event(CLUSTER_ROLES, role('system:basic-user', [{ verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] }])));
    index.apply(event(CLUSTER_ROLES, role('system:public-info-viewer', [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/version'] }])));
    for (const n of ['system:basic-user', 'system:public-info-viewer']) {
      index.apply(event(CLUSTER_ROLE_BINDINGS, binding(n, 'ClusterRole', n, [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:authenticated' }])));
    }
    const rules = authz.rulesFor(shopDev, 'shop');
    expect(rules.resourceRules.map((r) => r.resources)).toEqual([['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['pods'], ['pods/log']]);
    expect(rules.nonResourceRules).toEqual([{ verbs: ['get'], nonResourceURLs: ['/healthz', '/version'] }]);
    expect(rules.incomplete).toBe(false);
    expect(authz.rulesFor(shopDev, 'default').resourceRules).toHaveLength(1);
  });

  it('remembers per user which bindings apply, and any RBAC change takes effect on the next decision', () => {
    const { index, authz } = setup();
    const viewer: UserInfo = { name: 'v', groups: ['viewers', 'system:authenticated'] };
    const group = (name: string): Subject => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name });
    index.apply(event(CLUSTER_ROLES, role('pods-any', podReader)));
    index.apply(event(CLUSTER_ROLE_BINDINGS, binding('viewers-pods', 'ClusterRole', 'pods-any', [group('viewers')])));
    expect(authz.authorize(list('web', viewer)).reason).toBe('RBAC: allowed by ClusterRoleBinding "viewers-pods" of ClusterRole "pods-any" to Group "viewers"');
    // A binding sorting first, to another of the user's subjects: the reason names it at once.
    index.apply(event(CLUSTER_ROLE_BINDINGS, binding('all-pods', 'ClusterRole', 'pods-any', [group('system:authenticated')])));
    expect(authz.authorize(list('web', viewer)).reason).toBe('RBAC: allowed by ClusterRoleBinding "all-pods" of ClusterRole "pods-any" to Group "system:authenticated"');
    index.apply(event(CLUSTER_ROLE_BINDINGS, binding('all-pods', 'ClusterRole', 'pods-any', [group('system:authenticated')]), 'DELETED'));
    index.apply(event(CLUSTER_ROLE_BINDINGS, binding('viewers-pods', 'ClusterRole', 'pods-any', [group('viewers')]), 'DELETED'));
    expect(authz.authorize(list('web', viewer))).toEqual({ allowed: false, reason: '' });
    // A namespace asked before it held a binding for the user, then after.
    index.apply(event(ROLE_BINDINGS, binding('v-pods', 'ClusterRole', 'pods-any', [userSubject('v')], 'web')));
    expect(authz.authorize(list('web', viewer)).reason).toBe('RBAC: allowed by RoleBinding "v-pods/web" of ClusterRole "pods-any" to User "v"');
    // The role's rules are read per decision: emptied, it grants nothing; deleted, the reason names it.
    index.apply(event(CLUSTER_ROLES, role('pods-any', []), 'MODIFIED'));
    expect(authz.authorize(list('web', viewer))).toEqual({ allowed: false, reason: '' });
    index.apply(event(CLUSTER_ROLES, role('pods-any', []), 'DELETED'));
    expect(authz.authorize(list('web', viewer))).toEqual({ allowed: false, reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "pods-any" not found' });
    expect(authz.rulesFor(viewer, 'web')).toMatchObject({ incomplete: true, evaluationError: 'clusterrole.rbac.authorization.k8s.io "pods-any" not found' });
  });

  it('tells users apart by name and groups, however many there are', () => {
    const { index, authz } = setup();
    index.apply(event(CLUSTER_ROLES, role('pods-any', podReader)));
    index.apply(event(CLUSTER_ROLE_BINDINGS, binding('b-pods', 'ClusterRole', 'pods-any', [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'b' }])));
    expect(authz.authorize(list('web', { name: 'a', groups: ['b'] })).allowed).toBe(true);
    // Same name, other groups; and names or groups that would collide if joined into one string.
    expect(authz.authorize(list('web', { name: 'a', groups: [] })).allowed).toBe(false);
    expect(authz.authorize(list('web', { name: 'a\u0000b', groups: [] })).allowed).toBe(false);
    expect(authz.authorize(list('web', { name: 'a', groups: ['b\u0000c'] })).allowed).toBe(false);
    // A caller changing its own groups array afterwards does not change what others are answered.
    const mutable: UserInfo = { name: 'm', groups: ['b'] };
    expect(authz.authorize(list('web', mutable)).allowed).toBe(true);
    mutable.groups.splice(0, 1, 'x');
    expect(authz.authorize(list('web', { name: 'm', groups: ['b'] })).allowed).toBe(true);
    expect(authz.authorize(list('web', mutable)).allowed).toBe(false);
    // More users than the memo keeps: it starts over and keeps answering right.
    for (let i = 0; i < 5000; i++) {
      const granted = i % 2 === 0;
      const who: UserInfo = { name: `user-${i}`, groups: granted ? ['b'] : ['c'] };
      expect(authz.authorize(list('web', who)).allowed).toBe(granted);
    }
    expect(authz.authorize(list('web', { name: 'a', groups: ['b'] })).reason).toBe('RBAC: allowed by ClusterRoleBinding "b-pods" of ClusterRole "pods-any" to Group "b"');
  });
});
