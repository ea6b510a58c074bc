/**
 * The report as text: a header (who was checked, under which settings), a table with one row per check
 * (CLUSTER, CHECK, STATUS, DETAIL), then the RBAC rules to add, merged per side, each with the clusters
 * that lack it, and a one-line verdict.
 */
import { exitStatusOf, type DoctorReport } from './report.js';
import { mergedRules } from './rbacRules.js';

const HEADERS = ['CLUSTER', 'CHECK', 'STATUS', 'DETAIL'] as const;

export function renderReport(report: DoctorReport): string {
  const cells = report.rows.map((r) => [r.cluster, r.check, r.status, r.detail]);
  const widths = [0, 1, 2].map((i) => Math.max(HEADERS[i]!.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => [...c.slice(0, 3).map((v, i) => v.padEnd(widths[i]!)), c[3]].join('  ').trimEnd();
  const out = [
    `fleetgraph doctor: ${report.identity}; needs for ${report.settings}`,
    '',
    line(HEADERS),
    ...cells.map(line),
  ];

  const rules = mergedRules(report.rows);
  for (const side of ['controlPlane', 'member'] as const) {
    const mine = rules.filter((r) => r.side === side && !r.namespace);
    if (!mine.length) continue;
    out.push('', side === 'controlPlane'
      ? 'Rules to add to the ClusterRole bound to this identity on the Karmada control plane:'
      : 'Rules to add to the ClusterRole bound to this identity on the members (missing on the members named):');
    for (const r of mine) out.push(`  ${r.line}${side === 'member' || r.optional ? `  # ${[side === 'member' ? r.clusters.join(', ') : '', r.optional ? 'optional' : ''].filter(Boolean).join('; ')}` : ''}`);
  }

  // Rules of a namespace's Role (shared Operations), one block per namespace.
  for (const namespace of new Set(rules.flatMap((r) => (r.namespace ? [r.namespace] : [])))) {
    out.push('', `Rules to add to a Role bound to this identity in namespace ${namespace} on the Karmada control plane:`);
    for (const r of rules.filter((x) => x.namespace === namespace)) out.push(`  ${r.line}${r.optional ? '  # optional' : ''}`);
  }

  const counts = { MISSING: 0, FAIL: 0, warn: 0 };
  for (const r of report.rows) if (r.status !== 'ok') counts[r.status]++;
  out.push('', exitStatusOf(report) === 0
    ? `OK: everything required is in place${counts.warn ? ` (${counts.warn} warning${counts.warn > 1 ? 's' : ''})` : ''}.`
    : `NOT READY: ${counts.MISSING} missing, ${counts.FAIL} failed, ${counts.warn} warning${counts.warn === 1 ? '' : 's'}.`);
  return out.join('\n');
}
