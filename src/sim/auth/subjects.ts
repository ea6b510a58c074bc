/**
 * How an RBAC Subject is keyed in the binding index, and which keys a user answers to: a user is
 * `u:<name>`, each of its groups `g:<group>`. A ServiceAccount subject is the user
 * `system:serviceaccount:<ns>:<name>` (its namespace defaulting to the binding's), as kube's
 * `appliesToUser` compares them.
 */
import type { Subject, UserInfo } from './types.js';

export const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/** The index key of a binding's subject; undefined when it can never apply (an SA without namespace). */
export function subjectKey(subject: Subject, bindingNamespace: string): string | undefined {
  switch (subject.kind) {
    case 'User':
      return `u:${subject.name}`;
    case 'Group':
      return `g:${subject.name}`;
    case 'ServiceAccount': {
      const ns = subject.namespace || bindingNamespace;
      return ns ? `u:${SERVICE_ACCOUNT_PREFIX}${ns}:${subject.name}` : undefined;
    }
    default:
      return undefined;
  }
}

/** The keys under which bindings that apply to `user` are found. */
export function userKeys(user: UserInfo): string[] {
  const keys = [`u:${user.name}`];
  for (const g of user.groups) keys.push(`g:${g}`);
  return keys;
}

/** Whether a subject applies to a user (kube's appliesToUser). */
export function appliesToUser(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  const key = subjectKey(subject, bindingNamespace);
  if (key === undefined) return false;
  return key.startsWith('u:') ? key.slice(2) === user.name : user.groups.includes(key.slice(2));
}

/** `User "shop-dev"`, `ServiceAccount "builder/shop"`: as kube's describeSubject names a subject in reasons. */
export function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') return `${subject.kind} ${JSON.stringify(`${subject.name}/${subject.namespace || bindingNamespace}`)}`;
  return `${subject.kind} ${JSON.stringify(subject.name)}`;
}
