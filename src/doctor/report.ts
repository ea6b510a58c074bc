/**
 * doctor's findings as data: one row per check (cluster, check, status, detail), the RBAC rule that would
 * close each access gap, and the exit status they add up to. Rendering is renderReport.ts.
 */
import type { AccessSide } from './requiredAccess.js';

/**
 * `ok`; `warn`: the gateway works without it, in a lesser way, or doctor could not tell; `MISSING`: a
 * permission or API the gateway needs; `FAIL`: the cluster could not be reached.
 */
export type CheckStatus = 'ok' | 'warn' | 'MISSING' | 'FAIL';

/** An RBAC rule to add: verbs on one (sub)resource of one group, in a ClusterRole (or a namespace's Role) on `side`. */
export interface RuleGap {
  side: AccessSide;
  apiGroup: string;
  /** As RBAC rules name it: `pods/eviction`. */
  resource: string;
  verbs: string[];
  /** Granted by a Role in this namespace (the Operations namespace), not a ClusterRole. */
  namespace?: string;
}

export interface CheckRow {
  /** `karmada` for the control plane, else the member's name. */
  cluster: string;
  check: string;
  status: CheckStatus;
  detail: string;
  /** For a MISSING (or optional, warn) permission: the rule that grants it. */
  gap?: RuleGap;
}

export interface DoctorReport {
  /** Who was checked: the kubeconfig's context and user. */
  identity: string;
  /** The settings the list of needs followed (`--auth none, writes enabled`). */
  settings: string;
  rows: CheckRow[];
}

/** 1 when something required is missing or a cluster could not be reached, else 0. */
export function exitStatusOf(report: DoctorReport): 0 | 1 {
  return report.rows.some((r) => r.status === 'MISSING' || r.status === 'FAIL') ? 1 : 0;
}
