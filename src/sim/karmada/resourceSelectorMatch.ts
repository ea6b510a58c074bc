/**
 * Matching resource templates to PropagationPolicies / OverridePolicies by their resourceSelectors, and
 * choosing the one policy that claims a template, as karmada-controller-manager's detector does:
 * explicit priority first, then how specific the best matching selector is (name > labelSelector >
 * kind only), then the policy name, alphabetically.
 */
import type { KubeObject } from '../store/Store.js';
import type { ResourceSelector } from './karmadaShapes.js';
import { selectorMatches } from '../controllers/labelSelector.js';

/** How specific a matching selector is; higher wins on equal priority (Karmada's ImplicitPriority). */
export enum SelectorSpecificity {
  None = 0,
  KindOnly = 1,
  LabelSelector = 2,
  Name = 3,
}

export function selectorSpecificity(selector: ResourceSelector, template: KubeObject): SelectorSpecificity {
  if (selector.apiVersion !== template.apiVersion || selector.kind !== template.kind) return SelectorSpecificity.None;
  const meta = template.metadata;
  if (selector.namespace && selector.namespace !== meta.namespace) return SelectorSpecificity.None;
  if (selector.name) {
    return selector.name === meta.name ? SelectorSpecificity.Name : SelectorSpecificity.None;
  }
  if (selector.labelSelector) {
    return selectorMatches(selector.labelSelector, meta.labels) ? SelectorSpecificity.LabelSelector : SelectorSpecificity.None;
  }
  return SelectorSpecificity.KindOnly;
}

/** The highest specificity among a policy's selectors (None when none matches). */
export function bestSpecificity(selectors: ResourceSelector[] | undefined, template: KubeObject): SelectorSpecificity {
  let best = SelectorSpecificity.None;
  for (const s of selectors ?? []) best = Math.max(best, selectorSpecificity(s, template));
  return best;
}

export interface PolicyCandidate<P> {
  policy: P;
  name: string;
  priority: number;
  selectors: ResourceSelector[];
}

/** The policy that claims `template`, or undefined. */
export function choosePolicy<P>(candidates: PolicyCandidate<P>[], template: KubeObject): P | undefined {
  let winner: { c: PolicyCandidate<P>; spec: SelectorSpecificity } | undefined;
  for (const c of candidates) {
    const spec = bestSpecificity(c.selectors, template);
    if (spec === SelectorSpecificity.None) continue;
    if (
      !winner ||
      c.priority > winner.c.priority ||
      (c.priority === winner.c.priority && spec > winner.spec) ||
      (c.priority === winner.c.priority && spec === winner.spec && c.name < winner.c.name)
    ) {
      winner = { c, spec };
    }
  }
  return winner?.c.policy;
}
