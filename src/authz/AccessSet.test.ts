import { describe, expect, it } from 'vitest';
import { AccessSet } from './AccessSet.js';
import { projectRbacObject } from './rbacProjection.js';
import { RbacSnapshot } from './RbacSnapshot.js';
import { RbacStore } from './RbacStore.js';
import type { SlimRbacObject } from './types.js';

const RBAC = 'rbac.authorization.k8s.io';

function clusterRole(name: string, rules: unknown[]): SlimRbacObject {
  return projectRbacObject('ClusterRole', { metadata: { name, resourceVersion: '1' }, rules });
}
function role(namespace: string, name: string, rules: unknown[]): SlimRbacObject {
  return projectRbacObject('Role', { metadata: { name, namespace, resourceVersion: '1' }, rules });
}
function crb(name: string, roleName: string, subjects: unknown[]): SlimRbacObject {
  return projectRbacObject('ClusterRoleBinding', { metadata: { name, resourceVersion: '1' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: roleName }, subjects });
}
function rb(namespace: string, name: string, kind: 'Role' | 'ClusterRole', roleName: string, subjects: unknown[]): SlimRbacObject {
  return projectRbacObject('RoleBinding', { metadata: { name, namespace, resourceVersion: '1' }, roleRef: { apiGroup: RBAC, kind, name: roleName }, subjects });
}
const user = (name: string) => ({ kind: 'User', apiGroup: RBAC, name });
const group = (name: string) => ({ kind: 'Group', apiGroup: RBAC, name });

function fixture(): RbacSnapshot {
  const s = new RbacSnapshot('member1');
  s.apply('ADDED', clusterRole('view', [{ apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'list', 'watch'] }]));
  s.apply('ADDED', clusterRole('edit', [
    { apiGroups: ['', 'apps'], resources: ['pods', 'deployments', 'secrets'], verbs: ['*'] },
    { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] },
  ]));
  s.apply('ADDED', clusterRole('node-reader', [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }]));
  s.apply('ADDED', clusterRole('health', [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }]));
  s.apply('ADDED', crb('viewers-view', 'view', [group('viewers')]));
  s.apply('ADDED', crb('health', 'health', [group('system:authenticated')]));
  s.apply('ADDED', crb('ops-nodes', 'node-reader', [user('ops')]));
  s.apply('ADDED', rb('shop', 'dev-edit', 'ClusterRole', 'edit', [user('dev')]));
  s.apply('ADDED', role('shop', 'cm-reader', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['settings'] }]));
  s.apply('ADDED', rb('shop', 'dev-cm', 'Role', 'cm-reader', [user('dev')]));
  s.apply('ADDED', rb('ci', 'builder', 'ClusterRole', 'edit', [{ kind: 'ServiceAccount', name: 'builder' }]));
  return s;
}

describe('AccessSet', () => {
  const authed = ['system:authenticated'];

  it('ClusterRoleBindings apply everywhere, by group', () => {
    const a = new AccessSet(fixture(), { user: 'alice', groups: ['viewers', ...authed] });
    expect(a.can('list', '', 'pods')).toBe(true);
    expect(a.can('get', '', 'pods', undefined, 'anywhere', 'p')).toBe(true);
    expect(a.can('delete', '', 'pods', undefined, 'shop', 'p')).toBe(false);
    expect(a.can('get', '', 'secrets', undefined, 'shop', 's')).toBe(false);
    expect(a.canPath('get', '/healthz')).toBe(true);
    expect(a.canPath('get', '/metrics')).toBe(false);
  });

  it('RoleBindings apply in their namespace only, to a ClusterRole or a Role of that namespace', () => {
    const a = new AccessSet(fixture(), { user: 'dev', groups: authed });
    expect(a.can('delete', '', 'pods', undefined, 'shop', 'p')).toBe(true);
    expect(a.can('patch', 'apps', 'deployments', 'scale', 'shop', 'd')).toBe(true);
    expect(a.can('patch', 'apps', 'deployments', 'status', 'shop', 'd')).toBe(false);
    expect(a.can('delete', '', 'pods', undefined, 'web', 'p')).toBe(false);
    expect(a.can('list', '', 'pods')).toBe(false);
    expect(a.can('get', '', 'configmaps', undefined, 'shop', 'settings')).toBe(true);
    expect(a.can('get', '', 'configmaps', undefined, 'shop', 'other')).toBe(false);
    expect(a.can('list', '', 'configmaps', undefined, 'shop')).toBe(false);
    // Non-resource URLs never come from RoleBindings.
    expect(a.canPath('get', '/healthz')).toBe(true);
  });

  it('a ServiceAccount subject is the user system:serviceaccount:<ns>:<name>, its namespace defaulting to the binding\'s', () => {
    const a = new AccessSet(fixture(), { user: 'system:serviceaccount:ci:builder', groups: ['system:serviceaccounts'] });
    expect(a.can('create', 'apps', 'deployments', undefined, 'ci')).toBe(true);
    expect(a.can('create', 'apps', 'deployments', undefined, 'shop')).toBe(false);
    expect(new AccessSet(fixture(), { user: 'builder', groups: [] }).can('create', 'apps', 'deployments', undefined, 'ci')).toBe(false);
  });

  it('system:masters is allowed everything, bindings or not', () => {
    const a = new AccessSet(fixture(), { user: 'root', groups: ['system:masters'] });
    expect(a.can('escalate', RBAC, 'clusterroles')).toBe(true);
    expect(a.listScope('', 'secrets').all).toBe(true);
  });

  it('a binding to a missing role grants nothing until the role appears', () => {
    const s = fixture();
    s.apply('ADDED', rb('web', 'dev-web', 'Role', 'web-admin', [user('dev')]));
    const before = new AccessSet(s, { user: 'dev', groups: authed });
    expect(before.missingRoles).toBe(1);
    expect(before.can('get', '', 'pods', undefined, 'web', 'p')).toBe(false);
    s.apply('ADDED', role('web', 'web-admin', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]));
    expect(new AccessSet(s, { user: 'dev', groups: authed }).can('get', '', 'pods', undefined, 'web', 'p')).toBe(true);
    // A Role of another namespace with that name does not count.
    s.apply('ADDED', rb('other', 'dev-other', 'Role', 'web-admin', [user('dev')]));
    expect(new AccessSet(s, { user: 'dev', groups: authed }).can('get', '', 'pods', undefined, 'other', 'p')).toBe(false);
  });

  it('a ClusterRoleBinding to a Role grants nothing', () => {
    const s = fixture();
    s.apply('ADDED', projectRbacObject('ClusterRoleBinding', { metadata: { name: 'odd' }, roleRef: { kind: 'Role', name: 'cm-reader' }, subjects: [user('zed')] }));
    expect(new AccessSet(s, { user: 'zed', groups: [] }).can('get', '', 'configmaps', undefined, 'shop', 'settings')).toBe(false);
  });

  it('listScope: cluster-wide, per namespace, and never from resourceNames rules', () => {
    const s = fixture();
    s.apply('ADDED', rb('web', 'dev-view', 'ClusterRole', 'view', [user('dev')]));
    const dev = new AccessSet(s, { user: 'dev', groups: authed });
    const pods = dev.listScope('', 'pods');
    expect(pods.all).toBe(false);
    expect([...pods.namespaces].sort()).toEqual(['shop', 'web']);
    expect([...dev.listScope('', 'secrets').namespaces]).toEqual(['shop']);
    expect(dev.listScope('', 'configmaps')).toEqual({ all: false, namespaces: new Set() });
    expect([...dev.listScope('', 'pods', 'delete').namespaces]).toEqual(['shop']);
    expect(dev.listScope('', 'pods')).toBe(pods);
    const viewer = new AccessSet(s, { user: 'alice', groups: ['viewers'] });
    expect(viewer.listScope('', 'pods').all).toBe(true);
    expect(viewer.listScope('', 'nodes').all).toBe(false);
    expect(new AccessSet(s, { user: 'ops', groups: [] }).listScope('', 'nodes').all).toBe(true);
  });

  it('holds only the caller\'s rules', () => {
    expect(new AccessSet(fixture(), { user: 'nobody', groups: [] }).ruleCount).toBe(0);
    expect(new AccessSet(fixture(), { user: 'dev', groups: [] }).ruleCount).toBe(3);
  });
});

describe('RbacSnapshot index', () => {
  it('finds bindings by user, group and service account; updates and deletes re-index', () => {
    const s = fixture();
    expect(s.clusterBindingsFor(['g:viewers']).map((b) => b.name)).toEqual(['viewers-view']);
    expect(s.roleBindingsFor(['u:dev']).map((b) => b.name).sort()).toEqual(['dev-cm', 'dev-edit']);
    expect(s.roleBindingsFor(['u:system:serviceaccount:ci:builder']).map((b) => b.name)).toEqual(['builder']);
    // The binding now names another user: the old key no longer finds it.
    s.apply('MODIFIED', crb('viewers-view', 'view', [user('carol')]));
    expect(s.clusterBindingsFor(['g:viewers'])).toEqual([]);
    expect(s.clusterBindingsFor(['u:carol']).map((b) => b.name)).toEqual(['viewers-view']);
    s.apply('DELETED', crb('viewers-view', 'view', []));
    expect(s.clusterBindingsFor(['u:carol'])).toEqual([]);
    expect(s.counts).toEqual({ roles: 1, clusterRoles: 4, bindings: 5 });
  });

  it('replaceKind removes what a relist no longer has, in one generation step', () => {
    const s = fixture();
    const gen = s.generation;
    s.replaceKind('RoleBinding', [rb('shop', 'dev-edit', 'ClusterRole', 'edit', [user('dev')])]);
    expect(s.generation).toBe(gen + 1);
    expect(s.roleBindingsFor(['u:dev']).map((b) => b.name)).toEqual(['dev-edit']);
    expect(s.roleBindingsFor(['u:system:serviceaccount:ci:builder'])).toEqual([]);
    expect(s.clusterBindingsFor(['g:viewers']).length).toBe(1);
  });
});

describe('RbacStore and its memoised access sets', () => {
  function store(): RbacStore {
    const st = new RbacStore({ maxEntries: 3 });
    const s = st.snapshot('member1');
    for (const o of [clusterRole('view', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]), rb('shop', 'dev-view', 'ClusterRole', 'view', [user('dev')])]) s.apply('ADDED', o);
    st.setMode('member1', 'local');
    return st;
  }

  it('undecidable until the cluster is local; tells listeners of mode and RBAC changes', () => {
    const st = new RbacStore();
    const changed: string[] = [];
    st.onChange((c) => changed.push(c));
    st.snapshot('m');
    expect(st.mode('m')).toBe('syncing');
    expect(st.accessSet('m', { user: 'dev', groups: [] })).toBeUndefined();
    st.setMode('m', 'review');
    expect(st.accessSet('m', { user: 'dev', groups: [] })).toBeUndefined();
    st.setMode('m', 'review');
    st.snapshot('m').apply('ADDED', clusterRole('view', []));
    expect(changed).toEqual(['m', 'm']);
  });

  it('memoises per (cluster, user, groups in any order) and rebuilds after a change', () => {
    const st = store();
    const a = st.accessSet('member1', { user: 'dev', groups: ['x', 'y'] })!;
    expect(st.accessSet('member1', { user: 'dev', groups: ['y', 'x'] })).toBe(a);
    expect(st.accessSets.builds).toBe(1);
    expect([...a.listScope('', 'pods').namespaces]).toEqual(['shop']);
    st.snapshot('member1').apply('ADDED', rb('web', 'dev-web', 'ClusterRole', 'view', [user('dev')]));
    const b = st.accessSet('member1', { user: 'dev', groups: ['x', 'y'] })!;
    expect(b).not.toBe(a);
    expect([...b.listScope('', 'pods').namespaces].sort()).toEqual(['shop', 'web']);
    st.snapshot('member1').apply('DELETED', rb('shop', 'dev-view', 'ClusterRole', 'view', []));
    expect([...st.accessSet('member1', { user: 'dev', groups: ['x', 'y'] })!.listScope('', 'pods').namespaces]).toEqual(['web']);
    expect(st.accessSets.builds).toBe(3);
  });

  it('is bounded, dropping the least recently used', () => {
    const st = store();
    const first = st.accessSet('member1', { user: 'u1', groups: [] });
    st.accessSet('member1', { user: 'u2', groups: [] });
    st.accessSet('member1', { user: 'u3', groups: [] });
    expect(st.accessSet('member1', { user: 'u1', groups: [] })).toBe(first);
    st.accessSet('member1', { user: 'u4', groups: [] });
    expect(st.accessSets.size).toBe(3);
    // u2 was the least recently used: rebuilt.
    const builds = st.accessSets.builds;
    st.accessSet('member1', { user: 'u2', groups: [] });
    expect(st.accessSets.builds).toBe(builds + 1);
    st.accessSet('member1', { user: 'u1', groups: [] });
    expect(st.accessSets.builds).toBe(builds + 1);
  });
});
