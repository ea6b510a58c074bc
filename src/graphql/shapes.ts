/**
 * Small conversions from Kubernetes shapes to schema shapes: labels, conditions, taints, tolerations,
 * enum spellings. Pure functions, shared by every domain's resolvers.
 */
import type { SlimCondition, SlimNode, SlimTaint } from '../cache/types.js';

export function labelsOf(map: Record<string, string> | undefined | null): Array<{ key: string; value: string }> {
  return Object.entries(map ?? {})
    .map(([key, value]) => ({ key, value: String(value) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function conditionStatus(status: string | undefined): 'TRUE' | 'FALSE' | 'UNKNOWN' {
  return status === 'True' ? 'TRUE' : status === 'False' ? 'FALSE' : 'UNKNOWN';
}

export interface ConditionModel {
  type: string;
  status: 'TRUE' | 'FALSE' | 'UNKNOWN';
  reason: string | null;
  message: string | null;
  lastTransitionTime: string | null;
}

export function conditionsOf(list: readonly SlimCondition[] | undefined | null): ConditionModel[] {
  return (list ?? []).map((c) => ({
    type: c.type,
    status: conditionStatus(c.status),
    reason: c.reason ?? null,
    message: c.message ?? null,
    lastTransitionTime: c.lastTransitionTime ?? null,
  }));
}

export function taintEffect(effect: string | undefined): 'NO_SCHEDULE' | 'PREFER_NO_SCHEDULE' | 'NO_EXECUTE' {
  return effect === 'NoExecute' ? 'NO_EXECUTE' : effect === 'PreferNoSchedule' ? 'PREFER_NO_SCHEDULE' : 'NO_SCHEDULE';
}

export function taintsOf(list: readonly SlimTaint[] | undefined | null) {
  return (list ?? []).map((t) => ({ key: t.key, value: t.value ?? null, effect: taintEffect(t.effect) }));
}

interface RawToleration { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }

export function tolerationsOf(list: unknown) {
  return (Array.isArray(list) ? (list as RawToleration[]) : []).map((t) => ({
    key: t.key ?? null,
    operator: t.operator ?? null,
    value: t.value ?? null,
    effect: t.effect ? taintEffect(t.effect) : null,
    tolerationSeconds: t.tolerationSeconds ?? null,
  }));
}

/** Node.ready: its Ready condition is True. */
export function isNodeReady(n: SlimNode): boolean {
  return (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Pod phase as the schema enum. */
export function podPhase(phase: string | undefined): 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'UNKNOWN' {
  switch (phase) {
    case 'Pending': return 'PENDING';
    case 'Running': return 'RUNNING';
    case 'Succeeded': return 'SUCCEEDED';
    case 'Failed': return 'FAILED';
    default: return 'UNKNOWN';
  }
}

/** The schema enum back to the Kubernetes spelling (for filters). */
export const POD_PHASE_K8S: Record<string, string> = {
  PENDING: 'Pending', RUNNING: 'Running', SUCCEEDED: 'Succeeded', FAILED: 'Failed', UNKNOWN: 'Unknown',
};

/** Kubernetes label selector object ({matchLabels, matchExpressions}) rendered in selector syntax. */
export function selectorText(selector: unknown): string | null {
  if (!selector || typeof selector !== 'object') return null;
  const s = selector as { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };
  const parts: string[] = [];
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    switch (e.operator) {
      case 'In': parts.push(`${e.key} in (${values})`); break;
      case 'NotIn': parts.push(`${e.key} notin (${values})`); break;
      case 'Exists': parts.push(e.key); break;
      case 'DoesNotExist': parts.push(`!${e.key}`); break;
      default: break;
    }
  }
  return parts.length ? parts.join(',') : null;
}

/** A value from labels or annotations (Karmada moved several keys from one to the other over versions). */
export function metaValue(meta: { labels?: Record<string, string>; annotations?: Record<string, string> }, key: string): string | undefined {
  return meta.annotations?.[key] ?? meta.labels?.[key];
}
