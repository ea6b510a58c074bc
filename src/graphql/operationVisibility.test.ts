import { describe, expect, it } from 'vitest';
import { FleetAuthorizer } from '../authz/FleetAuthorizer.js';
import { projectRbacObject } from '../authz/rbacProjection.js';
import { RbacStore } from '../authz/RbacStore.js';
import { SubjectAccessReviewAuthorizer } from '../authz/SubjectAccessReviewAuthorizer.js';
import type { ResourceCheck } from '../authz/types.js';
import { CONTROL_PLANE } from '../fleet/types.js';
import type { OperationRecord, OperationTarget } from '../operations/OperationRecord.js';
import { RequestAccess, type Identity } from './authorize.js';
import { mayReadOperation, readsEveryonesAudit, visibleOperations } from './operationVisibility.js';

const RBAC = 'rbac.authorization.k8s.io';
const MW = 'middleware.fleetgraph.io';

/**
 * member1 and the control plane known locally: `ops` may get nodes on member1; `dev` may get pods and the
 * middleware Operation CRs in namespace shop of member1, and PropagationPolicies in shop on the control plane.
 * member2 is known only by review, which `reviewed` answers (and records).
 */
function accessOf(identity: Identity, reviewed: (check: ResourceCheck) => boolean = () => false) {
  const store = new RbacStore();
  const m1 = store.snapshot('member1');
  const role = (name: string, rules: unknown[]) => projectRbacObject('ClusterRole', { metadata: { name, resourceVersion: '1' }, rules });
  m1.apply('ADDED', role('node-reader', [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]));
  m1.apply('ADDED', role('shop-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }, { apiGroups: [MW], resources: ['operations'], verbs: ['get'] }]));
  m1.apply('ADDED', projectRbacObject('ClusterRoleBinding', { metadata: { name: 'ops', resourceVersion: '1' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'node-reader' }, subjects: [{ kind: 'User', apiGroup: RBAC, name: 'ops' }] }));
  m1.apply('ADDED', projectRbacObject('RoleBinding', { metadata: { name: 'dev', namespace: 'shop', resourceVersion: '1' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'shop-reader' }, subjects: [{ kind: 'User', apiGroup: RBAC, name: 'dev' }] }));
  const cp = store.snapshot(CONTROL_PLANE);
  cp.apply('ADDED', role('policies', [{ apiGroups: ['policy.karmada.io'], resources: ['propagationpolicies'], verbs: ['get'] }]));
  cp.apply('ADDED', projectRbacObject('RoleBinding', { metadata: { name: 'dev', namespace: 'shop', resourceVersion: '1' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'policies' }, subjects: [{ kind: 'User', apiGroup: RBAC, name: 'dev' }] }));
  store.setMode('member1', 'local');
  store.setMode(CONTROL_PLANE, 'local');
  store.setMode('member2', 'review');
  const asked: ResourceCheck[] = [];
  const reviews = new SubjectAccessReviewAuthorizer({
    review: async (_cluster, _who, check) => {
      asked.push(check);
      return { allowed: reviewed(check), denied: false, reason: '' };
    },
  });
  return { ctx: { access: new RequestAccess(identity, new FleetAuthorizer({ store, reviews }), undefined) }, asked };
}

const target = (cluster: string | null, apiVersion: string, kind: string, namespace: string | null, name: string): OperationTarget =>
  ({ cluster, apiVersion, kind, namespace, name, uid: null });

function op(id: string, requestedBy: string, t: OperationTarget, resource: OperationTarget | null = null): OperationRecord {
  return {
    id, type: 't', target: t, parameters: {}, phase: 'SUCCEEDED', steps: [], currentStep: -1, requestedBy,
    createdAt: '2026-01-01T00:00:00.000Z', startedAt: null, completedAt: null, error: null, reason: null,
    executor: resource ? 'MIDDLEWARE_CONTROLLER' : 'GATEWAY', resource,
  };
}

const user = (name: string, groups: string[] = []): Identity => ({ user: name, groups, anonymous: false });

const cordon = op('a', 'alice', target('member1', 'v1', 'Node', null, 'n1'));
const cordonElsewhere = op('b', 'alice', target('member2', 'v1', 'Node', null, 'n1'));
const shopPod = op('c', 'alice', target('member1', 'v1', 'Pod', 'shop', 'web-0'));
const webPod = op('d', 'alice', target('member1', 'v1', 'Pod', 'web', 'web-0'));
const policy = op('e', 'alice', target(null, 'policy.karmada.io/v1alpha1', 'PropagationPolicy', 'shop', 'p'));
const middleware = op('f', 'alice', target('member1', `${MW}/v1alpha1`, 'Application', 'shop', 'redis-a'), target('member1', `${MW}/v1alpha1`, 'Operation', 'shop', 'fg-1'));
const unknownKind = op('g', 'alice', target('member1', 'example.com/v1', 'Widget', 'shop', 'w'));

describe('mayReadOperation', () => {
  it('shows every Operation in auth mode none', async () => {
    const { ctx } = accessOf({ user: 'anonymous', groups: [], anonymous: true });
    for (const o of [cordon, cordonElsewhere, webPod, unknownKind]) expect(await mayReadOperation(ctx, o)).toBe(true);
  });

  it('shows a caller the Operations it started, whatever it may read', async () => {
    const { ctx } = accessOf(user('alice'));
    for (const o of [cordon, cordonElsewhere, webPod, unknownKind]) expect(await mayReadOperation(ctx, o), o.id).toBe(true);
  });

  it('shows others\' Operations whose target the caller may get, in the target\'s cluster', async () => {
    const ops = accessOf(user('ops')).ctx;
    expect(await mayReadOperation(ops, cordon)).toBe(true);
    expect(await mayReadOperation(ops, shopPod)).toBe(false);
    const dev = accessOf(user('dev')).ctx;
    expect(await mayReadOperation(dev, cordon)).toBe(false);
    expect(await mayReadOperation(dev, shopPod)).toBe(true);
    expect(await mayReadOperation(dev, webPod)).toBe(false);
    // A control-plane target (cluster null) is decided by the control plane's RBAC.
    expect(await mayReadOperation(dev, policy)).toBe(true);
    expect(await mayReadOperation(ops, policy)).toBe(false);
    // A kind the gateway does not know is its requester's only.
    expect(await mayReadOperation(dev, unknownKind)).toBe(false);
  });

  it('shows a middleware Operation to whoever may get its Operation custom resource', async () => {
    const dev = accessOf(user('dev')).ctx;
    expect(await mayReadOperation(dev, middleware)).toBe(true);
    expect(await mayReadOperation(accessOf(user('ops')).ctx, middleware)).toBe(false);
  });

  it('asks a reviewed cluster once per target for a list, and fails closed when the review fails', async () => {
    const { ctx, asked } = accessOf(user('ops'), (c) => c.resource === 'nodes');
    const visible = await visibleOperations(ctx, [cordonElsewhere, { ...cordonElsewhere, id: 'b2' }, cordon, webPod]);
    expect(visible.map((o) => o.id)).toEqual(['b', 'b2', 'a']);
    expect(asked).toEqual([{ verb: 'get', apiGroup: '', resource: 'nodes', name: 'n1' }]);
    const failing = accessOf(user('ops'), () => {
      throw new Error('review failed');
    }).ctx;
    expect(await mayReadOperation(failing, cordonElsewhere)).toBe(false);
  });
});

describe('readsEveryonesAudit', () => {
  it('is true in auth mode none and for members of an --audit-readers group (system:authenticated included)', () => {
    expect(readsEveryonesAudit({ ...accessOf({ user: 'anonymous', groups: [], anonymous: true }).ctx })).toBe(true);
    expect(readsEveryonesAudit({ ...accessOf(user('alice', ['auditors'])).ctx, auditReaders: ['auditors'] })).toBe(true);
    expect(readsEveryonesAudit({ ...accessOf(user('alice', ['devs'])).ctx, auditReaders: ['auditors'] })).toBe(false);
    expect(readsEveryonesAudit({ ...accessOf(user('alice', ['devs'])).ctx })).toBe(false);
    expect(readsEveryonesAudit({ ...accessOf(user('alice')).ctx, auditReaders: ['system:authenticated'] })).toBe(true);
  });
});
