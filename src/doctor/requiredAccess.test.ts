import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ALL_KINDS, kindTable } from '../fleet/kinds.js';
import { mergedRules, ruleLine } from './rbacRules.js';
import { requiredAccess, ruleResource, selectAccess, type AccessSettings, type RequiredAccess } from './requiredAccess.js';

const MW = { group: 'middleware.example.io', version: 'v1' };
const ALL = requiredAccess(MW);
const PROXY = { proxy: true, direct: false };
const grants = (list: RequiredAccess[], side: string, group: string, resource: string) =>
  new Set(list.filter((n) => n.side === side && n.apiGroup === group && ruleResource(n) === resource).flatMap((n) => n.verbs));

describe('requiredAccess', () => {
  it('lists and watches every kind of the fleet\'s kind table on its side (events: list only), in the configured middleware group', () => {
    const table = kindTable(MW);
    const reads = selectAccess(ALL, { auth: 'none', readOnly: true }, PROXY);
    for (const name of ALL_KINDS) {
      const k = table.get(name)!;
      for (const side of k.side === 'both' ? ['controlPlane', 'member'] : [k.side]) {
        expect([...grants(reads, side, k.group, k.plural)].sort(), `${side} ${name}`).toEqual(k.fetchOnly ? ['list'] : ['list', 'watch']);
      }
    }
    expect(grants(reads, 'member', MW.group, 'applications')).toEqual(new Set(['list', 'watch']));
  });

  it('follows the settings: writes only as the gateway, impersonation and reviews only for callers, nothing written when read-only', () => {
    const pick = (s: AccessSettings, routes = PROXY) => selectAccess(ALL, s, routes);
    const asItself = pick({ auth: 'none', readOnly: false });
    expect(grants(asItself, 'member', '', 'nodes')).toEqual(new Set(['list', 'watch', 'get', 'patch']));
    expect(grants(asItself, 'controlPlane', 'cluster.karmada.io', 'clusters/proxy')).toEqual(new Set(['get', 'create', 'patch', 'update', 'delete']));
    expect(grants(asItself, 'controlPlane', '', 'users').size).toBe(0);

    const callers = pick({ auth: 'kubernetes', readOnly: false });
    expect(grants(callers, 'member', '', 'nodes')).toEqual(new Set(['list', 'watch', 'get']));
    expect(grants(callers, 'controlPlane', '', 'users')).toEqual(new Set(['impersonate']));
    expect(grants(callers, 'controlPlane', 'authentication.k8s.io', 'tokenreviews')).toEqual(new Set(['create']));
    expect(grants(callers, 'controlPlane', 'cluster.karmada.io', 'clusters/proxy')).toEqual(new Set(['get', 'create']));
    expect(callers.filter((n) => n.apiGroup === 'rbac.authorization.k8s.io').every((n) => n.optional)).toBe(true);
    expect(pick({ auth: 'oidc', authz: 'sar', readOnly: false }).some((n) => n.apiGroup === 'rbac.authorization.k8s.io')).toBe(false);
    expect(grants(pick({ auth: 'oidc', readOnly: false }), 'controlPlane', 'authentication.k8s.io', 'tokenreviews').size).toBe(0);

    const readOnly = pick({ auth: 'none', readOnly: true });
    expect(grants(readOnly, 'member', '', 'nodes')).toEqual(new Set(['list', 'watch']));
    expect(readOnly.some((n) => n.verbs.some((v) => ['create', 'update', 'patch', 'delete'].includes(v)))).toBe(false);
  });

  it('asks for the proxy only when a member goes through it, and for impersonation on members reached directly', () => {
    const direct = selectAccess(ALL, { auth: 'token', readOnly: false }, { proxy: false, direct: true });
    expect(direct.some((n) => n.resource === 'clusters' && n.subresource === 'proxy')).toBe(false);
    const memberImpersonation = direct.filter((n) => n.side === 'member' && n.verbs.includes('impersonate'));
    expect(memberImpersonation.map((n) => n.route)).toEqual(['direct', 'direct']);
  });

  it('says why for every entry', () => {
    for (const n of ALL) expect(n.why.length, ruleResource(n)).toBeGreaterThan(5);
  });
});

describe('rules', () => {
  it('prints a rule as one YAML line a ClusterRole accepts', () => {
    const line = ruleLine({ apiGroup: '', resource: 'pods/eviction', verbs: ['create'] });
    expect(line).toBe('- {apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"]}');
    expect(yaml.load(line)).toEqual([{ apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] }]);
  });

  it('merges the gaps of several clusters into one rule per resource, verbs in kubectl order, naming the clusters', () => {
    const merged = mergedRules([
      { cluster: 'm1', check: 'access pods', status: 'MISSING', detail: '', gap: { side: 'member', apiGroup: '', resource: 'pods', verbs: ['delete'] } },
      { cluster: 'm2', check: 'access pods', status: 'MISSING', detail: '', gap: { side: 'member', apiGroup: '', resource: 'pods', verbs: ['list', 'watch', 'delete'] } },
      { cluster: 'm2', check: 'access roles', status: 'warn', detail: '', gap: { side: 'member', apiGroup: 'rbac.authorization.k8s.io', resource: 'roles', verbs: ['watch', 'list'] } },
    ]);
    expect(merged).toEqual([
      { side: 'member', line: '- {apiGroups: [""], resources: ["pods"], verbs: ["list", "watch", "delete"]}', clusters: ['m1', 'm2'], optional: false },
      { side: 'member', line: '- {apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["list", "watch"]}', clusters: ['m2'], optional: true },
    ]);
  });
});
