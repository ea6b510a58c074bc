import { describe, expect, it } from 'vitest';
import { ruleAllows } from './ruleMatching.js';
import type { PolicyRule, RequestAttributes } from './types.js';

const user = { name: 'u', groups: ['system:authenticated'] };
const res = (verb: string, resource: string, extra: Partial<Extract<RequestAttributes, { resourceRequest: true }>> = {}): RequestAttributes => ({
  user,
  resourceRequest: true,
  verb,
  apiGroup: '',
  apiVersion: 'v1',
  resource,
  namespace: 'shop',
  ...extra,
});
const path = (p: string, verb = 'get'): RequestAttributes => ({ user, resourceRequest: false, verb, path: p });

describe('RBAC rule matching (kube RuleAllows)', () => {
  it('matches verbs exactly: list does not grant watch or get', () => {
    const rule: PolicyRule = { verbs: ['list'], apiGroups: [''], resources: ['pods'] };
    expect(ruleAllows(res('list', 'pods'), rule)).toBe(true);
    expect(ruleAllows(res('watch', 'pods'), rule)).toBe(false);
    expect(ruleAllows(res('get', 'pods', { name: 'p' }), rule)).toBe(false);
    expect(ruleAllows(res('deletecollection', 'pods'), { verbs: ['delete'], apiGroups: [''], resources: ['pods'] })).toBe(false);
  });

  it('honours * for verbs, groups and resources, and the API group', () => {
    expect(ruleAllows(res('patch', 'deployments', { apiGroup: 'apps' }), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] })).toBe(true);
    expect(ruleAllows(res('get', 'deployments', { apiGroup: 'apps' }), { verbs: ['get'], apiGroups: [''], resources: ['deployments'] })).toBe(false);
  });

  it('names subresources as resource/subresource; */sub matches any resource; pods/* is literal', () => {
    const log = res('get', 'pods', { subresource: 'log', name: 'p' });
    expect(ruleAllows(log, { verbs: ['get'], apiGroups: [''], resources: ['pods'] })).toBe(false);
    expect(ruleAllows(log, { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] })).toBe(true);
    const scale = res('update', 'deployments', { apiGroup: 'apps', subresource: 'scale', name: 'd' });
    expect(ruleAllows(scale, { verbs: ['update'], apiGroups: ['apps'], resources: ['*/scale'] })).toBe(true);
    expect(ruleAllows(scale, { verbs: ['update'], apiGroups: ['apps'], resources: ['deployments/*'] })).toBe(false);
    expect(ruleAllows(res('create', 'pods', { subresource: 'eviction', name: 'p' }), { verbs: ['create'], apiGroups: [''], resources: ['pods/eviction'] })).toBe(true);
  });

  it('restricts to resourceNames, which never grant a collection', () => {
    const rule: PolicyRule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] };
    expect(ruleAllows(res('get', 'configmaps', { name: 'a' }), rule)).toBe(true);
    expect(ruleAllows(res('get', 'configmaps', { name: 'b' }), rule)).toBe(false);
    expect(ruleAllows(res('list', 'configmaps'), rule)).toBe(false);
  });

  it('matches non-resource URLs exactly or by a trailing *', () => {
    const rule: PolicyRule = { verbs: ['get'], nonResourceURLs: ['/api', '/apis/*', '/healthz'] };
    expect(ruleAllows(path('/api'), rule)).toBe(true);
    expect(ruleAllows(path('/api/v1'), rule)).toBe(false);
    expect(ruleAllows(path('/apis/apps/v1'), rule)).toBe(true);
    expect(ruleAllows(path('/healthz', 'post'), rule)).toBe(false);
    expect(ruleAllows(path('/metrics'), { verbs: ['get'], nonResourceURLs: ['*'] })).toBe(true);
    // A resource rule never matches a path, nor a path rule a resource.
    expect(ruleAllows(path('/api'), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] })).toBe(false);
    expect(ruleAllows(res('get', 'pods', { name: 'p' }), { verbs: ['*'], nonResourceURLs: ['*'] })).toBe(false);
  });
});
