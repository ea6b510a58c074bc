import { describe, expect, it } from 'vitest';
import { covers, escalationMessage } from './escalation.js';
import type { PolicyRule } from './types.js';

const shopDev = { name: 'shop-dev', groups: ['dev', 'system:authenticated'] };
const held: PolicyRule[] = [
  { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] },
  { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] },
  { verbs: ['create', 'get', 'list', 'delete'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings', 'roles'] },
  { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] },
];

describe('escalation check (kube ConfirmNoEscalation / Covers)', () => {
  it('covers what is held, rule by broken-down rule', () => {
    expect(covers(held, [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }]).covered).toBe(true);
    expect(covers(held, [{ verbs: ['get'], nonResourceURLs: ['/apis/apps/v1'] }]).covered).toBe(true);
    expect(covers(held, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['web-1'] }]).covered).toBe(true);
    expect(covers([{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['web-1'] }], [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]).covered).toBe(false);
    expect(covers([{ verbs: ['*'], apiGroups: ['apps'], resources: ['*/scale'] }], [{ verbs: ['update'], apiGroups: ['apps'], resources: ['deployments/scale'] }]).covered).toBe(true);
    expect(covers(held, [{ verbs: ['watch'], apiGroups: [''], resources: ['pods/log'] }]).missing).toEqual([{ verbs: ['watch'], apiGroups: [''], resources: ['pods/log'] }]);
  });

  it('words the refusal of cluster-admin as recording 260', () => {
    const clusterAdmin: PolicyRule[] = [
      { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
      { verbs: ['*'], nonResourceURLs: ['*'] },
    ];
    expect(escalationMessage(shopDev, held, clusterAdmin)).toBe(
      'user "shop-dev" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
    );
  });

  it('compacts verbs per resource as recording 262, and is silent when covered', () => {
    expect(escalationMessage(shopDev, held, [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }])).toBe(
      'user "shop-dev" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
    );
    expect(escalationMessage(shopDev, held, held)).toBeUndefined();
  });
});
