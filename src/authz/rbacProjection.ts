/**
 * Projects a served RBAC object (list item or watch event) to its slim form: identity, resourceVersion,
 * rules or roleRef and subjects. Strings that repeat across clusters and users (verbs, groups, resources,
 * role names) are pooled, so a hundred members with the same bootstrap roles cost little more than one.
 */
import { internString } from '../cache/projection/interning.js';
import type { SlimBinding, SlimPolicyRule, SlimRbacObject, SlimRole, SlimSubject } from './types.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const EMPTY: readonly string[] = Object.freeze([]);

function strings(v: unknown): readonly string[] {
  if (!Array.isArray(v) || v.length === 0) return EMPTY;
  return Object.freeze(v.map((s) => internString(String(s))));
}

function rule(r: Raw): SlimPolicyRule {
  return Object.freeze({
    verbs: strings(r['verbs']),
    apiGroups: strings(r['apiGroups']),
    resources: strings(r['resources']),
    resourceNames: strings(r['resourceNames']),
    nonResourceURLs: strings(r['nonResourceURLs']),
  });
}

function subject(s: Raw): SlimSubject {
  const out: SlimSubject = { kind: internString(String(s['kind'] ?? '')), name: internString(String(s['name'] ?? '')) };
  if (s['namespace']) out.namespace = internString(String(s['namespace']));
  return out;
}

/** `kind` is the object's kind (list items carry none: the caller passes the collection's). */
export function projectRbacObject(kind: string, raw: Raw): SlimRbacObject {
  const meta = (raw['metadata'] ?? {}) as Raw;
  const name = internString(String(meta['name'] ?? ''));
  const resourceVersion = String(meta['resourceVersion'] ?? '');
  const namespace = meta['namespace'] ? internString(String(meta['namespace'])) : undefined;
  if (kind === 'Role' || kind === 'ClusterRole') {
    const role: SlimRole = {
      kind,
      name,
      resourceVersion,
      rules: Array.isArray(raw['rules']) ? Object.freeze((raw['rules'] as Raw[]).map(rule)) : [],
    };
    if (kind === 'Role' && namespace) role.namespace = namespace;
    return role;
  }
  if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') {
    const ref = (raw['roleRef'] ?? {}) as Raw;
    const binding: SlimBinding = {
      kind,
      name,
      resourceVersion,
      roleRef: { kind: internString(String(ref['kind'] ?? '')), name: internString(String(ref['name'] ?? '')) },
      subjects: Array.isArray(raw['subjects']) ? (raw['subjects'] as Raw[]).map(subject) : [],
    };
    if (kind === 'RoleBinding' && namespace) binding.namespace = namespace;
    return binding;
  }
  throw new TypeError(`not an RBAC kind: ${kind}`);
}
