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
import { appliesToUser, describeSubject, userKeys } from './subjects.js';
import type { Authorizer, Decision, NonResourceRuleInfo, PolicyRule, RequestAttributes, ResourceRuleInfo, RulesForUser, UserInfo } from './types.js';

function roleNotFound(b: IndexedBinding): string {
  return `${b.roleRef.kind === 'ClusterRole' ? 'clusterrole' : 'role'}.rbac.authorization.k8s.io ${JSON.stringify(b.roleRef.name)} not found`;
}

/** `ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"`. */
function describeBinding(b: IndexedBinding, user: UserInfo): string {
  const subject = b.subjects.find((s) => appliesToUser(user, s, b.namespace));
  const who = subject ? describeSubject(subject, b.namespace) : '';
  const name = b.kind === 'RoleBinding' ? `${b.name}/${b.namespace}` : b.name;
  return `${b.kind} ${JSON.stringify(name)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${who}`;
}

/** Node authorizer stand-in: a node identity reading node-scoped objects gets kube's no-opinion reason. */
const NODE_SCOPED = new Set(['secrets', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes', 'resourceclaims']);
function nodeReason(a: RequestAttributes): string {
  if (!a.user.groups.includes('system:nodes') || !a.user.name.startsWith('system:node:')) return '';
  if (!a.resourceRequest || a.apiGroup !== '' || !NODE_SCOPED.has(a.resource) || a.verb !== 'get') return '';
  return `no relationship found between node '${a.user.name.slice('system:node:'.length)}' and this object`;
}

export class RbacAuthorizer implements Authorizer {
  constructor(private readonly index: BindingIndex) {}

  authorize(a: RequestAttributes): Decision {
    if (a.user.groups.includes(PRIVILEGED_GROUP)) return { allowed: true, reason: '' };
    const keys = userKeys(a.user);
    const errors: string[] = [];
    const visit = (bindings: IndexedBinding[]): string | undefined => {
      for (const b of bindings) {
        const rules = this.index.rulesOf(b.roleRef, b.namespace);
        if (!rules) {
          errors.push(roleNotFound(b));
          continue;
        }
        for (const rule of rules) if (ruleAllows(a, rule)) return `RBAC: allowed by ${describeBinding(b, a.user)}`;
      }
      return undefined;
    };
    const byCluster = visit(this.index.clusterBindingsFor(keys));
    if (byCluster !== undefined) return { allowed: true, reason: byCluster };
    const namespace = a.resourceRequest ? a.namespace : undefined;
    if (namespace) {
      const byRole = visit(this.index.roleBindingsFor(namespace, keys));
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
    const keys = userKeys(user);
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    const bindings = this.index.clusterBindingsFor(keys);
    const all = namespace ? bindings.concat(this.index.roleBindingsFor(namespace, keys)) : bindings;
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
