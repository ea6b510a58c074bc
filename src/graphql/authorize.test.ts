import { describe, expect, it } from 'vitest';
import { FleetAuthorizer } from '../authz/FleetAuthorizer.js';
import { projectRbacObject } from '../authz/rbacProjection.js';
import { RbacStore } from '../authz/RbacStore.js';
import { SubjectAccessReviewAuthorizer } from '../authz/SubjectAccessReviewAuthorizer.js';
import type { ResourceCheck, Subject } from '../authz/types.js';
import { describeCheck, RequestAccess, type Identity } from './authorize.js';

const RBAC = 'rbac.authorization.k8s.io';

/** member1's RBAC known locally; member2 only by review (answered by `reviewed`). */
function setup(reviewed: (who: Subject, check: ResourceCheck) => boolean) {
  const store = new RbacStore();
  const s = store.snapshot('member1');
  s.apply('ADDED', projectRbacObject('ClusterRole', { metadata: { name: 'pods', resourceVersion: '1' }, rules: [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list'] }] }));
  s.apply('ADDED', projectRbacObject('ClusterRole', { metadata: { name: 'discovery', resourceVersion: '1' }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['list'] }] }));
  s.apply('ADDED', projectRbacObject('RoleBinding', { metadata: { name: 'dev', namespace: 'shop', resourceVersion: '1' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'pods' }, subjects: [{ kind: 'User', apiGroup: RBAC, name: 'dev' }] }));
  s.apply('ADDED', projectRbacObject('ClusterRoleBinding', { metadata: { name: 'all', resourceVersion: '1' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'discovery' }, subjects: [{ kind: 'Group', apiGroup: RBAC, name: 'system:authenticated' }] }));
  store.setMode('member1', 'local');
  store.setMode('member2', 'review');
  const asked: Array<{ cluster: string; who: Subject; check: ResourceCheck }> = [];
  const reviews = new SubjectAccessReviewAuthorizer({
    review: async (cluster, who, check) => {
      asked.push({ cluster, who, check });
      const allowed = reviewed(who, check);
      return { allowed, denied: false, reason: '' };
    },
  });
  return { authorizer: new FleetAuthorizer({ store, reviews }), asked };
}

const dev: Identity = { user: 'dev', groups: ['devs'], anonymous: false };

describe('RequestAccess', () => {
  it('refuses nothing to the anonymous caller of auth none, nor without an authorizer', async () => {
    const { authorizer } = setup(() => false);
    const anonymous = new RequestAccess({ user: 'anonymous', groups: [], anonymous: true }, authorizer, undefined);
    expect(anonymous.unrestricted).toBe(true);
    expect(await anonymous.allows('member1', anonymous.checkOf('delete', 'nodes', null, 'n1'))).toBe(true);
    expect((await anonymous.listScope('member1', 'secrets', () => [])).all).toBe(true);
    const noAuthorizer = new RequestAccess(dev, undefined, undefined);
    expect(noAuthorizer.unrestricted).toBe(true);
  });

  it('decides locally from the cluster\'s RBAC, with system:authenticated added as kube does', async () => {
    const { authorizer, asked } = setup(() => false);
    const access = new RequestAccess(dev, authorizer, undefined);
    expect(access.subject.groups).toEqual(['devs', 'system:authenticated']);
    expect(access.decideLocally('member1', access.checkOf('get', 'pods', 'shop', 'web-0', 'log'))).toBe(true);
    expect(access.decideLocally('member1', access.checkOf('get', 'pods', 'web', 'web-0'))).toBe(false);
    // Bound to system:authenticated only.
    expect(access.decideLocally('member1', access.checkOf('list', 'namespaces'))).toBe(true);
    const scope = await access.listScope('member1', 'pods', () => ['shop', 'web']);
    expect(scope.all).toBe(false);
    expect([...scope.namespaces]).toEqual(['shop']);
    // Cluster-scoped kinds: all or nothing.
    expect(await access.listScope('member1', 'nodes', () => [])).toEqual({ all: false, namespaces: new Set() });
    expect(asked).toEqual([]);
  });

  it('asks the cluster where its RBAC is not known, and names the missing permission in FORBIDDEN', async () => {
    const { authorizer, asked } = setup((_who, check) => check.verb === 'list' && check.namespace === 'shop');
    const access = new RequestAccess(dev, authorizer, undefined);
    expect(access.decideLocally('member2', access.checkOf('list', 'pods', 'shop'))).toBeUndefined();
    expect(await access.allows('member2', access.checkOf('list', 'pods', 'shop'))).toBe(true);
    const scope = await access.listScope('member2', 'pods', () => ['shop', 'web', 'shop']);
    expect([...scope.namespaces]).toEqual(['shop']);
    expect(asked.every((a) => a.cluster === 'member2' && a.who.user === 'dev')).toBe(true);
    const check = access.checkOf('patch', 'nodes', 'ignored-for-cluster-scope', 'node-1');
    expect(check).toEqual({ verb: 'patch', apiGroup: '', resource: 'nodes', name: 'node-1' });
    await expect(access.require('member2', check)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN', cluster: 'member2', permission: 'patch nodes node-1' },
    });
    expect(await access.firstMissing('member2', [access.checkOf('list', 'pods', 'shop'), check])).toEqual(check);
  });

  it('describes checks as kubectl auth can-i would name them', () => {
    expect(describeCheck({ verb: 'list', apiGroup: '', resource: 'pods', namespace: 'web' })).toBe('list pods in namespace web');
    expect(describeCheck({ verb: 'create', apiGroup: '', resource: 'pods', subresource: 'eviction', namespace: 'shop', name: 'a' })).toBe('create pods/eviction shop/a');
    expect(describeCheck({ verb: 'patch', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'web', name: 'x' })).toBe('patch deployments.apps/scale web/x');
  });
});
