/**
 * Evaluates a structured `LabelSelector` (matchLabels + matchExpressions), as workloads, PDBs and
 * services carry it. The matching itself is the API layer's (cluster/selectors.ts, which also parses the
 * string syntax of `?labelSelector=`); this module adds the object form's rules for absent selectors and
 * unknown operators.
 */
import { labelSelectorFromObject, matchLabels } from '../cluster/selectors.js';

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

const OPERATORS: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/**
 * Whether `labels` satisfy `selector`. An absent selector selects nothing and an empty one selects
 * everything, as in metav1.LabelSelectorAsSelector; a selector with an operator it does not know
 * selects nothing (LabelSelectorAsSelector fails on it, and the controllers then match no pods), where
 * labelSelectorFromObject alone would drop that requirement.
 */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  if (selector.matchExpressions?.some((req) => !OPERATORS.has(req.operator))) return false;
  return matchLabels(labelSelectorFromObject(selector), labels);
}

/** `app=web,tier=front`: the string form kubectl shows and the scale subresource reports. */
export function selectorToString(selector: LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const req of selector?.matchExpressions ?? []) {
    if (req.operator === 'In') parts.push(`${req.key} in (${(req.values ?? []).join(',')})`);
    else if (req.operator === 'NotIn') parts.push(`${req.key} notin (${(req.values ?? []).join(',')})`);
    else if (req.operator === 'Exists') parts.push(req.key);
    else parts.push(`!${req.key}`);
  }
  return parts.join(',');
}
