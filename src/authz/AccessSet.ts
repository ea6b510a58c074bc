/**
 * What one caller (user and groups) may do in one cluster, computed once from that cluster's RbacSnapshot:
 * the rules of the roles its ClusterRoleBindings grant (valid everywhere) and, per namespace, those of its
 * RoleBindings there. A check then looks at this caller's rules only, never at other bindings: O(rules of
 * the caller), and after the first check of a resource, O(the caller's rules for that resource). `listScope` answers where the caller may list a kind, which the cache reads use to filter
 * a list without a check per object; it is memoised per (verb, group, resource).
 *
 * Kube's order is kept: `system:masters` is allowed everything before RBAC is asked; then any rule of a
 * ClusterRoleBinding; then, for a namespaced request, any rule of a RoleBinding of that namespace. A binding
 * to a role that does not exist grants nothing (and is counted in `missingRoles`). Non-resource URLs are
 * granted by ClusterRoleBindings only (a RoleBinding's namespace never applies to them).
 */
import { apiGroupMatches, compileRule, resourceMatches, resourceNameMatches, ruleAllowsPath, ruleAllowsResource, verbMatches, type CompiledRule } from './ruleMatching.js';
import type { RbacSnapshot } from './RbacSnapshot.js';
import { keysOfCaller, PRIVILEGED_GROUP } from './subjectKeys.js';
import type { ListScope, ResourceCheck, Subject } from './types.js';

/** Distinct listScope questions memoised per access set (the gateway asks about a few dozen kinds). */
const LIST_SCOPE_MEMO = 256;

/** Distinct (group, resource, subresource) triples memoised per access set. */
const RESOURCE_MEMO = 512;

interface Candidates {
  cluster: readonly CompiledRule[];
  byNamespace: ReadonlyMap<string, readonly CompiledRule[]>;
}

const EVERYWHERE: ListScope = Object.freeze({ all: true, namespaces: new Set<string>() });

export class AccessSet {
  /** The snapshot generation this set was built from. */
  readonly generation: number;
  readonly cluster: string;
  readonly privileged: boolean;
  /** Bindings of this caller whose role does not exist (they grant nothing until it appears). */
  readonly missingRoles: number;
  private readonly clusterRules: readonly CompiledRule[];
  private readonly namespaceRules: ReadonlyMap<string, readonly CompiledRule[]>;
  private readonly scopes = new Map<string, ListScope>();
  private readonly byResource = new Map<string, Candidates>();

  constructor(snapshot: RbacSnapshot, caller: Subject) {
    this.generation = snapshot.generation;
    this.cluster = snapshot.cluster;
    this.privileged = caller.groups.includes(PRIVILEGED_GROUP);
    let missing = 0;
    const clusterRules = new Set<CompiledRule>();
    const namespaceRules = new Map<string, Set<CompiledRule>>();
    if (!this.privileged) {
      const keys = keysOfCaller(caller);
      for (const b of snapshot.clusterBindingsFor(keys)) {
        const rules = snapshot.rulesOf(b);
        if (!rules) missing++;
        else for (const r of rules) clusterRules.add(compileRule(r));
      }
      for (const b of snapshot.roleBindingsFor(keys)) {
        const rules = snapshot.rulesOf(b);
        if (!rules) {
          missing++;
          continue;
        }
        const ns = b.namespace ?? '';
        let set = namespaceRules.get(ns);
        if (!set) namespaceRules.set(ns, (set = new Set()));
        // A rule the caller holds cluster-wide adds nothing in a namespace.
        for (const r of rules) {
          const c = compileRule(r);
          if (!clusterRules.has(c)) set.add(c);
        }
      }
    }
    this.missingRoles = missing;
    this.clusterRules = [...clusterRules];
    this.namespaceRules = new Map([...namespaceRules].map(([ns, set]) => [ns, [...set]]));
  }

  /** Rules held (cluster-wide plus per namespace): the cost of one check is at most this. */
  get ruleCount(): number {
    let n = this.clusterRules.length;
    for (const rules of this.namespaceRules.values()) n += rules.length;
    return n;
  }

  /** Whether the caller may `verb` the resource; `namespace`/`name` absent for collections or cluster scope. */
  can(verb: string, apiGroup: string, resource: string, subresource?: string, namespace?: string, name?: string): boolean {
    return this.check({ verb, apiGroup, resource, subresource, namespace, name });
  }

  /** `can` with the attributes as one object. */
  check(a: ResourceCheck): boolean {
    if (this.privileged) return true;
    const c = this.candidates(a.apiGroup, a.resource, a.subresource || undefined);
    const name = a.name || undefined;
    for (const r of c.cluster) if (verbMatches(r, a.verb) && resourceNameMatches(r, name)) return true;
    if (!a.namespace) return false;
    const rules = c.byNamespace.get(a.namespace);
    if (rules) for (const r of rules) if (verbMatches(r, a.verb) && resourceNameMatches(r, name)) return true;
    return false;
  }

  /**
   * The caller's rules that match a (group, resource, subresource), cluster-wide and per namespace, memoised:
   * a check then only tests verb and name on those few, whatever the number of rules the caller holds.
   */
  private candidates(apiGroup: string, resource: string, subresource: string | undefined): Candidates {
    const key = subresource ? `${apiGroup}\0${resource}\0${subresource}` : `${apiGroup}\0${resource}`;
    let c = this.byResource.get(key);
    if (c) return c;
    const matches = (r: CompiledRule) => apiGroupMatches(r, apiGroup) && resourceMatches(r, resource, subresource);
    const byNamespace = new Map<string, CompiledRule[]>();
    for (const [ns, rules] of this.namespaceRules) {
      const hit = rules.filter(matches);
      if (hit.length) byNamespace.set(ns, hit);
    }
    c = { cluster: this.clusterRules.filter(matches), byNamespace };
    if (this.byResource.size >= RESOURCE_MEMO) this.byResource.clear();
    this.byResource.set(key, c);
    return c;
  }

  /** A non-resource request (`get /healthz`, `get /metrics`). */
  canPath(verb: string, path: string): boolean {
    if (this.privileged) return true;
    for (const r of this.clusterRules) if (ruleAllowsPath(r, verb, path)) return true;
    return false;
  }

  /**
   * Where the caller may `verb` (list by default) the collection `apiGroup`/`resource`: `all` when a
   * cluster-wide grant allows it (every namespace, and cluster-scoped kinds), else the namespaces where a
   * RoleBinding does. A rule restricted by resourceNames never allows a collection.
   */
  listScope(apiGroup: string, resource: string, verb = 'list'): ListScope {
    if (this.privileged) return EVERYWHERE;
    const key = `${verb} ${apiGroup} ${resource}`;
    let scope = this.scopes.get(key);
    if (scope) return scope;
    const a: ResourceCheck = { verb, apiGroup, resource };
    if (this.clusterRules.some((r) => ruleAllowsResource(r, a))) scope = EVERYWHERE;
    else {
      const namespaces = new Set<string>();
      for (const [ns, rules] of this.namespaceRules) if (rules.some((r) => ruleAllowsResource(r, a))) namespaces.add(ns);
      scope = Object.freeze({ all: false, namespaces });
    }
    if (this.scopes.size >= LIST_SCOPE_MEMO) this.scopes.clear();
    this.scopes.set(key, scope);
    return scope;
  }
}
