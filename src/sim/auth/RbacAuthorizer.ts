/**
 * kube-apiserver's authorizer chain for `--authorization-mode=Node,RBAC` on one simulated cluster:
 * the privileged group `system:masters` is allowed everything; then RBAC: ClusterRoleBindings apply
 * everywhere, RoleBindings in their namespace (to a Role of that namespace or to a ClusterRole). The
 * first allowing rule names its binding in the reason, as kube words it. Bindings come from the
 * BindingIndex by the caller's name and groups, so a decision costs a few map lookups.
 */
import type { BindingIndex, IndexedBinding } from './BindingIndex.js';
import { PRIVILEGED_GROUP } from './rbacKeys.js';
import { ruleAllows } from './ruleMatching.js';
import { UserBindings } from './UserBindings.js';
import type { Authorizer, Decision, NonResourceRuleInfo, PolicyRule, RequestAttributes, ResourceRuleInfo, RulesForUser, UserInfo } from './types.js';

function roleNotFound(b: IndexedBinding): string {
  return `${b.roleRef.kind === 'ClusterRole' ? 'clusterrole' : 'role'}.rbac.authorization.k8s.io ${JSON.stringify(b.roleRef.name)} not found`;
}

/** Node authorizer stand-in: a node identity reading node-scoped objects gets kube's no-opinion reason. */
const NODE_SCOPED = new Set(['secrets', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes', 'resourceclaims']);
function nodeReason(a: RequestAttributes): string {
  if (!a.user.groups.includes('system:nodes') || !a.user.name.startsWith('system:node:')) return '';
  if (!a.resourceRequest || a.apiGroup !== '' || !NODE_SCOPED.has(a.resource) || a.verb !== 'get') return '';
  return `no relationship found between node '${a.user.name.slice('system:node:'.length)}' and this object`;
}

export class RbacAuthorizer implements Authorizer {
  /** Which bindings apply to whom, memoized per user until the next RBAC change. */
  private readonly users: UserBindings;

  constructor(private readonly index: BindingIndex) {
    this.users = new UserBindings(index);
  }

  authorize(a: RequestAttributes): Decision {
    if (a.user.groups.includes(PRIVILEGED_GROUP)) return { allowed: true, reason: '' };
    const applying = this.users.of(a.user);
    const errors: string[] = [];
    const visit = (bindings: IndexedBinding[]): string | undefined => {
      for (const b of bindings) {
        const rules = this.index.rulesOf(b.roleRef, b.namespace);
        if (!rules) {
          errors.push(roleNotFound(b));
          continue;
        }
        for (const rule of rules) if (ruleAllows(a, rule)) return applying.allowedBy(b);
      }
      return undefined;
    };
    const byCluster = visit(applying.clusterBindings());
    if (byCluster !== undefined) return { allowed: true, reason: byCluster };
    const namespace = a.resourceRequest ? a.namespace : undefined;
    if (namespace) {
      const byRole = visit(applying.roleBindings(namespace));
      if (byRole !== undefined) return { allowed: true, reason: byRole };
    }
    // The union authorizer joins the no-opinion reasons of Node and RBAC.
    const reasons = [nodeReason(a), errors.length ? `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}` : ''].filter(Boolean);
    return { allowed: false, reason: reasons.join('\n') };
  }

  /** Every rule granted to `user` in `namespace`, unmerged, per granting role (ClusterRoleBindings first). */
  rulesFor(user: UserInfo, namespace: string): RulesForUser {
    const rules = this.policyRulesFor(user, namespace);
    const resourceRules: ResourceRuleInfo[] = [];
    const nonResourceRules: NonResourceRuleInfo[] = [];
    for (const r of rules.rules) {
      if ((r.resources ?? []).length > 0) {
        const info: ResourceRuleInfo = { verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [] };
        if (r.resourceNames?.length) info.resourceNames = r.resourceNames;
        resourceRules.push(info);
      }
      if ((r.nonResourceURLs ?? []).length > 0) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs ?? [] });
    }
    const out: RulesForUser = { resourceRules, nonResourceRules, incomplete: rules.errors.length > 0 };
    if (rules.errors.length) out.evaluationError = rules.errors.length === 1 ? rules.errors[0]! : `[${rules.errors.join(', ')}]`;
    return out;
  }

  /** The raw PolicyRules that apply to `user` in `namespace` (kube's RuleResolver.RulesFor), and missing roles. */
  policyRulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const applying = this.users.of(user);
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    const bindings = applying.clusterBindings();
    const all = namespace ? bindings.concat(applying.roleBindings(namespace)) : bindings;
    for (const b of all) {
      const granted = this.index.rulesOf(b.roleRef, b.namespace);
      if (!granted) errors.push(roleNotFound(b));
      else rules.push(...granted);
    }
    return { rules, errors };
  }

  /** The rules a role reference grants (for the escalation check of a binding), or undefined when it is missing. */
  roleRefRules(ref: IndexedBinding['roleRef'], namespace: string): PolicyRule[] | undefined {
    return this.index.rulesOf(ref, namespace);
  }
}
