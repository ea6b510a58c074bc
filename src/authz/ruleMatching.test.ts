import { describe, expect, it } from 'vitest';
import { projectRbacObject } from './rbacProjection.js';
import { compileRule, ruleAllowsPath, ruleAllowsResource } from './ruleMatching.js';
import type { ResourceCheck, SlimPolicyRule, SlimRole } from './types.js';

function rule(r: Partial<Record<keyof SlimPolicyRule, string[]>>): SlimPolicyRule {
  return (projectRbacObject('ClusterRole', { metadata: { name: 'x' }, rules: [r] }) as SlimRole).rules[0]!;
}

const podsGet = { verb: 'get', apiGroup: '', resource: 'pods', namespace: 'a', name: 'p' };

// [rule, attributes, allowed] — kube's RuleAllows (pkg/apis/rbac/v1/evaluation_helpers.go).
const table: Array<[string, Partial<Record<keyof SlimPolicyRule, string[]>>, ResourceCheck, boolean]> = [
  ['exact', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, podsGet, true],
  ['other verb', { verbs: ['list'], apiGroups: [''], resources: ['pods'] }, podsGet, false],
  ['verb *', { verbs: ['*'], apiGroups: [''], resources: ['pods'] }, podsGet, true],
  ['group differs', { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }, podsGet, false],
  ['group *', { verbs: ['get'], apiGroups: ['*'], resources: ['pods'] }, podsGet, true],
  ['no apiGroups', { verbs: ['get'], resources: ['pods'] }, podsGet, false],
  ['resource *', { verbs: ['get'], apiGroups: [''], resources: ['*'] }, podsGet, true],
  ['resource * covers subresources', { verbs: ['get'], apiGroups: [''], resources: ['*'] }, { ...podsGet, subresource: 'log' }, true],
  ['pods does not cover pods/log', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { ...podsGet, subresource: 'log' }, false],
  ['pods/log', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, { ...podsGet, subresource: 'log' }, true],
  ['pods/log does not cover pods', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, podsGet, false],
  ['*/scale', { verbs: ['get'], apiGroups: ['apps'], resources: ['*/scale'] }, { verb: 'get', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'a' }, true],
  ['*/scale is not */status', { verbs: ['get'], apiGroups: ['apps'], resources: ['*/scale'] }, { verb: 'get', apiGroup: 'apps', resource: 'deployments', subresource: 'status' }, false],
  ['pods/* is no wildcard', { verbs: ['get'], apiGroups: [''], resources: ['pods/*'] }, { ...podsGet, subresource: 'log' }, false],
  ['pods/* matches a subresource named *', { verbs: ['get'], apiGroups: [''], resources: ['pods/*'] }, { ...podsGet, subresource: '*' }, true],
  ['resourceNames match', { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['p'] }, podsGet, true],
  ['resourceNames other', { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['q'] }, podsGet, false],
  ['resourceNames never allow a list', { verbs: ['list'], apiGroups: [''], resources: ['pods'], resourceNames: ['p'] }, { verb: 'list', apiGroup: '', resource: 'pods', namespace: 'a' }, false],
  ['empty name is no name', { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: [''] }, { ...podsGet, name: '' }, false],
  ['nonResourceURLs do not grant resources', { verbs: ['get'], nonResourceURLs: ['*'] }, podsGet, false],
];

describe('rule matching (kube RuleAllows)', () => {
  for (const [name, r, a, allowed] of table) {
    it(name, () => expect(ruleAllowsResource(compileRule(rule(r)), a)).toBe(allowed));
  }

  it('non-resource URLs: exact, *, and trailing-* prefixes', () => {
    const c = compileRule(rule({ verbs: ['get'], nonResourceURLs: ['/healthz', '/api/*'] }));
    expect(ruleAllowsPath(c, 'get', '/healthz')).toBe(true);
    expect(ruleAllowsPath(c, 'get', '/healthz/etcd')).toBe(false);
    expect(ruleAllowsPath(c, 'get', '/api/v1')).toBe(true);
    expect(ruleAllowsPath(c, 'get', '/api')).toBe(false);
    expect(ruleAllowsPath(c, 'post', '/healthz')).toBe(false);
    expect(ruleAllowsPath(compileRule(rule({ verbs: ['*'], nonResourceURLs: ['*'] })), 'post', '/anything')).toBe(true);
    // A resource rule grants no path.
    expect(ruleAllowsPath(compileRule(rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] })), 'get', '/healthz')).toBe(false);
  });

  it('compiles a served rule once', () => {
    const r = rule({ verbs: ['get'], apiGroups: [''], resources: ['pods'] });
    expect(compileRule(r)).toBe(compileRule(r));
  });
});
