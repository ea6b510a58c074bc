import { describe, expect, it } from 'vitest';
import { createSimCluster } from '../cluster/createSimCluster.js';
import { CLUSTER_ROLES } from './rbacKeys.js';
import type { PolicyRule } from './types.js';

const rulesOf = (cluster: ReturnType<typeof createSimCluster>, name: string): PolicyRule[] => (cluster.objects.get(CLUSTER_ROLES, undefined, name)?.['rules'] as PolicyRule[]) ?? [];
const hasCronTabs = (rules: PolicyRule[]): boolean => rules.some((r) => r.resources?.includes('crontabs'));
/** Polls until the controller's queue has brought `check` about (bounded). */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

describe('clusterrole aggregation', () => {
  it('fills admin, edit and view from the aggregate-to-* roles at creation (view ⊂ edit ⊂ admin)', () => {
    const cluster = createSimCluster('m', { controlPlane: false });
    try {
      const view = rulesOf(cluster, 'view');
      expect(view.length).toBeGreaterThan(5);
      expect(view.some((r) => r.resources?.includes('pods') && r.verbs.includes('list'))).toBe(true);
      expect(view.some((r) => r.resources?.includes('secrets'))).toBe(false);
      const edit = JSON.stringify(rulesOf(cluster, 'edit'));
      for (const r of view) expect(edit).toContain(JSON.stringify(r));
      expect(rulesOf(cluster, 'edit').some((r) => r.resources?.includes('secrets') && r.verbs.includes('create'))).toBe(true);
      expect(rulesOf(cluster, 'admin').some((r) => r.resources?.includes('rolebindings'))).toBe(true);
    } finally {
      cluster.close();
    }
  });

  it('adds and removes the rules of a labelled role as it comes and goes', async () => {
    const cluster = createSimCluster('m', { controlPlane: false });
    try {
      cluster.objects.create(CLUSTER_ROLES, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'crontab-reader', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
        rules: [{ verbs: ['get', 'list'], apiGroups: ['stable.example.com'], resources: ['crontabs'] }],
      });
      await until(() => hasCronTabs(rulesOf(cluster, 'admin')));
      // view picks it up, and through view's own aggregate-to-edit label, edit and then admin too.
      for (const name of ['view', 'edit', 'admin']) expect(hasCronTabs(rulesOf(cluster, name)), name).toBe(true);
      cluster.objects.delete(CLUSTER_ROLES, undefined, 'crontab-reader');
      await until(() => !hasCronTabs(rulesOf(cluster, 'admin')));
      for (const name of ['view', 'edit', 'admin']) expect(hasCronTabs(rulesOf(cluster, name)), name).toBe(false);
    } finally {
      cluster.close();
    }
  });
});
