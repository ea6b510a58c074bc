/**
 * kube's RBAC rule matching (`RuleAllows` and helpers of pkg/apis/rbac/v1/evaluation_helpers.go), on rules
 * compiled once into sets:
 *  - `*` matches any verb, API group, resource (subresources included) or non-resource URL;
 *  - a resource rule names `pods/log` for a subresource; `*\/scale` matches the `scale` subresource of every
 *    resource (but `pods/*` is no wildcard: it matches only a subresource literally named `*`);
 *  - resourceNames restrict a rule to named objects, so such a rule never allows a request without a name
 *    (list, watch, create of a collection);
 *  - a nonResourceURL ending in `*` matches every path it prefixes.
 * A compiled rule is kept per served rule object (WeakMap): the bootstrap roles bound to every user are
 * compiled once, however many access sets hold them.
 */
import type { ResourceCheck, SlimPolicyRule } from './types.js';

export interface CompiledRule {
  readonly anyVerb: boolean;
  readonly verbs: ReadonlySet<string>;
  readonly anyGroup: boolean;
  readonly groups: ReadonlySet<string>;
  readonly anyResource: boolean;
  /** `pods`, `pods/log`, `*\/scale` as written. */
  readonly resources: ReadonlySet<string>;
  /** null: any name. */
  readonly names: ReadonlySet<string> | null;
  readonly anyUrl: boolean;
  /** Exact URLs. */
  readonly urls: ReadonlySet<string>;
  /** Prefixes of URLs written with a trailing `*`. */
  readonly urlPrefixes: readonly string[];
  readonly isResourceRule: boolean;
}

const compiled = new WeakMap<SlimPolicyRule, CompiledRule>();

export function compileRule(rule: SlimPolicyRule): CompiledRule {
  let c = compiled.get(rule);
  if (c) return c;
  const urlPrefixes: string[] = [];
  const urls = new Set<string>();
  for (const u of rule.nonResourceURLs) {
    if (u !== '*' && u.endsWith('*')) urlPrefixes.push(u.replace(/\*+$/, ''));
    else urls.add(u);
  }
  c = {
    anyVerb: rule.verbs.includes('*'),
    verbs: new Set(rule.verbs),
    anyGroup: rule.apiGroups.includes('*'),
    groups: new Set(rule.apiGroups),
    anyResource: rule.resources.includes('*'),
    resources: new Set(rule.resources),
    names: rule.resourceNames.length ? new Set(rule.resourceNames) : null,
    anyUrl: rule.nonResourceURLs.includes('*'),
    urls,
    urlPrefixes,
    isResourceRule: rule.resources.length > 0,
  };
  compiled.set(rule, c);
  return c;
}

export function verbMatches(c: CompiledRule, verb: string): boolean {
  return c.anyVerb || c.verbs.has(verb);
}

export function apiGroupMatches(c: CompiledRule, group: string): boolean {
  return c.anyGroup || c.groups.has(group);
}

/** kube's ResourceMatches: `combined` is `resource` or `resource/subresource`. */
export function resourceMatches(c: CompiledRule, resource: string, subresource: string | undefined): boolean {
  if (c.anyResource) return true;
  if (!subresource) return c.resources.has(resource);
  return c.resources.has(`${resource}/${subresource}`) || c.resources.has(`*/${subresource}`);
}

export function resourceNameMatches(c: CompiledRule, name: string | undefined): boolean {
  if (c.names === null) return true;
  return !!name && c.names.has(name);
}

export function nonResourceURLMatches(c: CompiledRule, path: string): boolean {
  if (c.anyUrl || c.urls.has(path)) return true;
  for (const p of c.urlPrefixes) if (path.startsWith(p)) return true;
  return false;
}

/** Whether one compiled rule allows a resource request. */
export function ruleAllowsResource(c: CompiledRule, a: ResourceCheck): boolean {
  return verbMatches(c, a.verb) && apiGroupMatches(c, a.apiGroup) && resourceMatches(c, a.resource, a.subresource || undefined) && resourceNameMatches(c, a.name || undefined);
}

/** Whether one compiled rule allows a non-resource request (`GET /healthz`). */
export function ruleAllowsPath(c: CompiledRule, verb: string, path: string): boolean {
  return verbMatches(c, verb) && nonResourceURLMatches(c, path);
}
