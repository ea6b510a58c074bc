/**
 * The Karmada scheduler's decision for one binding, as a pure function: which clusters fit the placement
 * (affinity, taints, API enablement, spread constraints) and how many replicas each gets (Duplicated,
 * Divided by static weights, by dynamic weights on available replicas, or Aggregated).
 *
 * Pure so that the arithmetic (1:2:3 of 12 is 2/4/6) is unit-testable apart from controllers.
 */
import { clusterMatches } from './clusterAffinityMatch.js';
import type { ClusterView, Placement, SpreadConstraint, TargetCluster, Taint, Toleration } from './karmadaShapes.js';
import { parseQuantity } from '../controllers/quantity.js';

export interface ScheduleInput {
  placement: Placement | undefined;
  /** spec.replicas of the binding; 0/undefined for kinds without replicas (ConfigMap, Service...). */
  replicas: number | undefined;
  /** Per-replica resource request (binding spec.replicaRequirements.resourceRequest). */
  resourceRequest?: Record<string, string>;
  /** `apps/v1`, `v1`: the template's apiVersion, which the cluster must serve. */
  apiVersion: string;
  clusters: ClusterView[];
  /**
   * Clusters the binding already targets (spec.clusters): taints do not filter them out, as Karmada's
   * TaintToleration plugin skips clusters already in the result (a NoSchedule taint keeps new placements
   * off, a NoExecute one is the taint manager's to evict, ClusterTaintManager.ts).
   */
  currentTargets?: readonly string[];
}

export type ScheduleResult =
  | { ok: true; clusters: TargetCluster[] }
  | { ok: false; reason: 'NoClusterFit' | 'SchedulerError'; message: string };

export function scheduleReplicas(input: ScheduleInput): ScheduleResult {
  const placement = input.placement ?? {};
  const reasons = new Map<string, number>();
  const note = (why: string) => reasons.set(why, (reasons.get(why) ?? 0) + 1);
  const feasible = input.clusters.filter((c) => {
    if (!clusterMatches(c, placement.clusterAffinity)) return note('cluster(s) did not match the placement cluster affinity constraint'), false;
    if (!input.currentTargets?.includes(c.name) && untoleratedTaint(c.taints, placement.clusterTolerations ?? [])) return note("cluster(s) had untolerated taint"), false;
    if (c.apiEnablements && !c.apiEnablements.has(input.apiVersion)) return note('cluster(s) did not have the API resource'), false;
    return true;
  });
  if (feasible.length === 0) {
    const detail = [...reasons].map(([why, n]) => `${n} ${why}`).join(', ');
    return { ok: false, reason: 'NoClusterFit', message: `0/${input.clusters.length} clusters are available: ${detail || 'no cluster exists'}.` };
  }
  const available = new Map(feasible.map((c) => [c.name, availableReplicas(c, input.resourceRequest)]));
  const spread = applySpreadConstraints(feasible, placement.spreadConstraints ?? [], available);
  if (!spread.ok) return spread;
  const chosen = spread.clusters;
  const replicas = input.replicas ?? 0;
  const strategy = placement.replicaScheduling;
  const byName = (a: TargetCluster, b: TargetCluster) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

  // Kinds without replicas, and Duplicated: every chosen cluster gets the whole object.
  if (replicas === 0) return { ok: true, clusters: chosen.map((c) => ({ name: c.name })).sort(byName) };
  if (!strategy || (strategy.replicaSchedulingType ?? 'Divided') === 'Duplicated') {
    return { ok: true, clusters: chosen.map((c) => ({ name: c.name, replicas })).sort(byName) };
  }

  if (strategy.replicaDivisionPreference === 'Aggregated') {
    const ranked = [...chosen].sort((a, b) => available.get(b.name)! - available.get(a.name)! || cmp(a.name, b.name));
    const total = ranked.reduce((s, c) => s + available.get(c.name)!, 0);
    if (total < replicas) return notEnough(total, replicas);
    const picked: ClusterView[] = [];
    let sum = 0;
    for (const c of ranked) {
      if (sum >= replicas) break;
      picked.push(c);
      sum += available.get(c.name)!;
    }
    return { ok: true, clusters: dispense(replicas, picked.map((c) => ({ name: c.name, weight: available.get(c.name)! }))).sort(byName) };
  }

  // Weighted (the default preference of Divided).
  const pref = strategy.weightPreference;
  if (pref?.dynamicWeight === 'AvailableReplicas') {
    const total = chosen.reduce((s, c) => s + available.get(c.name)!, 0);
    if (total < replicas) return notEnough(total, replicas);
    return { ok: true, clusters: dispense(replicas, chosen.map((c) => ({ name: c.name, weight: available.get(c.name)! }))).sort(byName) };
  }
  // Static weights: a cluster's weight is the highest of the rules it matches; clusters matching no rule
  // get nothing; when no cluster has a weight, all weigh 1 (Karmada's getStaticWeightInfoList).
  let weights = chosen.map((c) => ({
    name: c.name,
    weight: Math.max(0, ...(pref?.staticWeightList ?? []).filter((r) => clusterMatches(c, r.targetCluster)).map((r) => r.weight)),
  }));
  if (weights.every((w) => w.weight === 0)) weights = weights.map((w) => ({ ...w, weight: 1 }));
  return { ok: true, clusters: dispense(replicas, weights.filter((w) => w.weight > 0)).sort(byName) };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function notEnough(total: number, replicas: number): ScheduleResult {
  return {
    ok: false,
    reason: 'SchedulerError',
    message: `failed to scheduling: clusters resources are not enough to schedule, max ${total} replicas are support, ${replicas} replicas wanted`,
  };
}

/**
 * Karmada's Dispenser.TakeByWeight: each cluster gets floor(replicas × weight / sum); the remainder goes
 * one by one to the heaviest clusters (ties by name). Zero-replica targets are dropped.
 */
export function dispense(replicas: number, weights: Array<{ name: string; weight: number }>): TargetCluster[] {
  const sum = weights.reduce((s, w) => s + w.weight, 0);
  if (sum <= 0) return [];
  const sorted = [...weights].sort((a, b) => b.weight - a.weight || cmp(a.name, b.name));
  const out = sorted.map((w) => ({ name: w.name, replicas: Math.floor((w.weight * replicas) / sum) }));
  let remain = replicas - out.reduce((s, t) => s + t.replicas, 0);
  for (let i = 0; remain > 0; i = (i + 1) % out.length, remain--) out[i]!.replicas++;
  return out.filter((t) => t.replicas > 0);
}

/** How many more replicas of the given request fit in the cluster's free resources. */
export function availableReplicas(cluster: ClusterView, request: Record<string, string> | undefined): number {
  let n = Math.max(0, Math.floor(cluster.free.pods));
  const cpu = parseQuantity(request?.cpu);
  const memory = parseQuantity(request?.memory);
  if (cpu > 0) n = Math.min(n, Math.floor(cluster.free.cpu / cpu));
  if (memory > 0) n = Math.min(n, Math.floor(cluster.free.memory / memory));
  return Math.max(0, n);
}

export function untoleratedTaint(taints: Taint[], tolerations: Toleration[]): boolean {
  return taints.some(
    (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerations.some((tol) => tolerates(tol, t)),
  );
}

function tolerates(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (!tol.key) return tol.operator === 'Exists';
  if (tol.key !== taint.key) return false;
  return tol.operator === 'Exists' || (tol.value ?? '') === (taint.value ?? '');
}

function groupKeyOf(c: ClusterView, constraint: SpreadConstraint): string[] {
  if (constraint.spreadByLabel) return c.labels[constraint.spreadByLabel] !== undefined ? [c.labels[constraint.spreadByLabel]!] : [];
  switch (constraint.spreadByField) {
    case 'region': return c.region ? [c.region] : [];
    case 'provider': return c.provider ? [c.provider] : [];
    case 'zone': return c.zones.slice(0, 1);
    default: return [c.name];
  }
}

/**
 * Spread constraints: for region/zone/provider/label, keep clusters of at most maxGroups groups (the groups
 * with most available replicas) and fail when fewer than minGroups groups exist; for `cluster`, keep at
 * most maxGroups clusters. Clusters lacking the field cannot take part in a spread by it.
 */
function applySpreadConstraints(
  clusters: ClusterView[],
  constraints: SpreadConstraint[],
  available: Map<string, number>,
): { ok: true; clusters: ClusterView[] } | { ok: false; reason: 'NoClusterFit'; message: string } {
  let current = clusters;
  const ordered = [...constraints].sort((a, b) => (a.spreadByField === 'cluster' ? 1 : 0) - (b.spreadByField === 'cluster' ? 1 : 0));
  for (const constraint of ordered) {
    const field = constraint.spreadByLabel ?? constraint.spreadByField ?? 'cluster';
    const groups = new Map<string, ClusterView[]>();
    for (const c of current) {
      for (const key of groupKeyOf(c, constraint)) {
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key)!.push(c);
      }
    }
    const min = constraint.minGroups ?? 1;
    if (groups.size < min) {
      return { ok: false, reason: 'NoClusterFit', message: `the number of feasible ${field} groups (${groups.size}) is less than spreadConstraint.minGroups (${min})` };
    }
    const score = (members: ClusterView[]) => members.reduce((s, c) => s + (available.get(c.name) ?? 0), 0);
    const ranked = [...groups].sort((a, b) => score(b[1]) - score(a[1]) || cmp(a[0], b[0]));
    const keep = ranked.slice(0, constraint.maxGroups && constraint.maxGroups > 0 ? constraint.maxGroups : ranked.length);
    const names = new Set(keep.flatMap(([, members]) => members.map((c) => c.name)));
    current = current.filter((c) => names.has(c.name));
  }
  return { ok: true, clusters: current };
}
