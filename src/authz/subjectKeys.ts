/**
 * How bindings are found by who they name: a binding's subject becomes one key, a caller answers to a few
 * keys (its user name and each group), so the bindings that apply to a caller are a few map lookups and
 * never a scan. Kube's `appliesToUser`: a User subject by name, a Group by membership, a ServiceAccount as
 * the user `system:serviceaccount:<namespace>:<name>` (its namespace defaulting to the binding's).
 */
import type { SlimSubject, Subject } from './types.js';

export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';

/** The group kube's authorizer chain allows everything (before RBAC is asked). */
export const PRIVILEGED_GROUP = 'system:masters';

/** The key of a subject; undefined when it can never apply (unknown kind, ServiceAccount without namespace). */
export function keyOfSubject(s: SlimSubject, bindingNamespace: string | undefined): string | undefined {
  switch (s.kind) {
    case 'User':
      return `u:${s.name}`;
    case 'Group':
      return `g:${s.name}`;
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return ns ? `u:${SERVICE_ACCOUNT_USER_PREFIX}${ns}:${s.name}` : undefined;
    }
    default:
      return undefined;
  }
}

/** The keys a caller answers to. */
export function keysOfCaller(caller: Subject): string[] {
  const keys = [`u:${caller.user}`];
  for (const g of caller.groups) keys.push(`g:${g}`);
  return keys;
}
