/**
 * kube-controller-manager's `clusterrole-aggregation` controller: a ClusterRole with an
 * `aggregationRule` gets as its rules the union (first occurrence kept, selected roles by name) of the
 * rules of every other ClusterRole its selectors pick, so `admin`, `edit` and `view` grow as
 * `rbac.authorization.k8s.io/aggregate-to-*` labelled roles come and go. Changes only enqueue the
 * aggregating roles (on a WorkQueue), as the controller never writes inside another write.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import { WorkQueue } from '../controllers/WorkQueue.js';
import { selectorMatches } from '../controllers/labelSelector.js';
import type { LabelSelector } from '../controllers/labelSelector.js';
import type { KubeObject } from '../store/Store.js';
import { jsonEqual } from '../cluster/jsonEqual.js';
import { CLUSTER_ROLES } from './rbacKeys.js';
import type { PolicyRule } from './types.js';

const MANAGER = 'clusterrole-aggregation-controller';

function selectorsOf(role: KubeObject): LabelSelector[] | undefined {
  return (role['aggregationRule'] as { clusterRoleSelectors?: LabelSelector[] } | undefined)?.clusterRoleSelectors;
}

export class ClusterRoleAggregator {
  readonly name: string;
  private readonly queue = new WorkQueue((name) => this.sync(name));
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly cluster: SimCluster) {
    this.name = `clusterrole-aggregation/${cluster.name}`;
  }

  start(): void {
    this.unsubscribe = this.cluster.onChange(CLUSTER_ROLES, (ev) => {
      // Any aggregating role may select the changed one (its labels before the change are not in the event: recompute all).
      for (const role of this.cluster.objects.list(CLUSTER_ROLES)) if (selectorsOf(role)) this.queue.add(role.metadata.name!);
      if (selectorsOf(ev.object) && ev.type !== 'DELETED') this.queue.add(ev.object.metadata.name!);
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue.stop();
  }

  /** Brings every aggregated role up to date now (at cluster creation, before anyone asks). */
  syncAll(): void {
    // Aggregated roles may aggregate each other (view → edit → admin): repeat until nothing changes.
    for (let round = 0; round < 5; round++) {
      let changed = false;
      for (const role of this.cluster.objects.list(CLUSTER_ROLES)) if (selectorsOf(role) && this.sync(role.metadata.name!)) changed = true;
      if (!changed) return;
    }
  }

  /** Recomputes one aggregated role's rules; true when they changed. */
  private sync(name: string): boolean {
    const role = this.cluster.objects.get(CLUSTER_ROLES, undefined, name);
    const selectors = role && selectorsOf(role);
    if (!role || !selectors || role.metadata.deletionTimestamp) return false;
    const rules: PolicyRule[] = [];
    const seen = new Set<string>();
    const all = this.cluster.objects.list(CLUSTER_ROLES).sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    for (const selector of selectors) {
      for (const other of all) {
        if (other.metadata.name === name || !selectorMatches(selector, other.metadata.labels)) continue;
        for (const rule of (other['rules'] as PolicyRule[] | null | undefined) ?? []) {
          const key = JSON.stringify(rule);
          if (seen.has(key)) continue;
          seen.add(key);
          rules.push(rule);
        }
      }
    }
    if (jsonEqual(rules, (role['rules'] as unknown) ?? [])) return false;
    this.cluster.objects.mutate(CLUSTER_ROLES, undefined, name, (copy) => ({ ...copy, rules: structuredClone(rules) }), { manager: MANAGER });
    return true;
  }
}
