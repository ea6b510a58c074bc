/**
 * The exact RBAC rule for a gap, as one line of YAML (flow style, so it pastes as it is under a
 * ClusterRole's `rules:`), and the gaps of a whole report merged into one rule per (side, group, resource)
 * with the clusters that lack it.
 */
import type { AccessSide } from './requiredAccess.js';
import type { CheckRow, RuleGap } from './report.js';

const q = (s: string) => JSON.stringify(s);

/** Verbs in kubectl's order (reads, then writes), so that rules and rows read the same everywhere. */
const VERB_ORDER = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'impersonate'];

export function sortVerbs(verbs: Iterable<string>): string[] {
  const rank = (v: string) => (VERB_ORDER.includes(v) ? VERB_ORDER.indexOf(v) : VERB_ORDER.length);
  return [...new Set(verbs)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** `- {apiGroups: [""], resources: ["nodes"], verbs: ["patch"]}` */
export function ruleLine(gap: Pick<RuleGap, 'apiGroup' | 'resource' | 'verbs'>): string {
  return `- {apiGroups: [${q(gap.apiGroup)}], resources: [${q(gap.resource)}], verbs: [${gap.verbs.map(q).join(', ')}]}`;
}

export interface MergedRule {
  side: AccessSide;
  /** A Role's rule in this namespace, not a ClusterRole's. */
  namespace?: string;
  line: string;
  /** The clusters where it is missing. */
  clusters: string[];
  /** Only optional permissions are missing under this rule. */
  optional: boolean;
}

/** One rule per side, group and resource (the verbs of every cluster together), in the rows' order. */
export function mergedRules(rows: readonly CheckRow[]): MergedRule[] {
  const byKey = new Map<string, { side: AccessSide; namespace?: string; apiGroup: string; resource: string; verbs: Set<string>; clusters: string[]; optional: boolean }>();
  for (const row of rows) {
    const gap = row.gap;
    if (!gap || row.status === 'ok') continue;
    const key = `${gap.side}\u0000${gap.namespace ?? ''}\u0000${gap.apiGroup}\u0000${gap.resource}`;
    let m = byKey.get(key);
    if (!m) {
      m = { side: gap.side, ...(gap.namespace ? { namespace: gap.namespace } : {}), apiGroup: gap.apiGroup, resource: gap.resource, verbs: new Set(), clusters: [], optional: true };
      byKey.set(key, m);
    }
    for (const v of gap.verbs) m.verbs.add(v);
    if (!m.clusters.includes(row.cluster)) m.clusters.push(row.cluster);
    if (row.status === 'MISSING') m.optional = false;
  }
  return [...byKey.values()].map((m) => ({
    side: m.side,
    ...(m.namespace ? { namespace: m.namespace } : {}),
    line: ruleLine({ apiGroup: m.apiGroup, resource: m.resource, verbs: sortVerbs(m.verbs) }),
    clusters: m.clusters,
    optional: m.optional,
  }));
}
