/**
 * The simulator end to end in a few requests: both servers answer, a registered custom kind is
 * discovered, served and printed with its own columns, a v1beta1 Eviction body is accepted, and a
 * token file adds users.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, simRequest, startTestSimulator } from './support/simServer.js';
import type { TestSimulator } from './support/simServer.js';
import { startSimulator } from '../src/sim/index.js';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(async () => {
  await sim?.stop();
});

const MEMBER = '/apis/cluster.karmada.io/v1alpha1/clusters/member1/proxy';

describe('simulator', () => {
  it('serves the control plane and a member', async () => {
    const v = await simRequest(sim, '/version');
    expect(v.json.gitVersion).toBe('v1.26.5');
    const c = await simRequest(sim, '/apis/cluster.karmada.io/v1alpha1/clusters');
    expect(c.json.items.map((i: any) => i.metadata.name)).toEqual([...sim.fleet.members.keys()]);
    expect(c.json.items[0].spec).toMatchObject({ apiEndpoint: `${sim.url}${MEMBER}`, syncMode: 'Push' });
    expect(c.json.items[0].status.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'True' })]);
    const n = await simRequest(sim, `${MEMBER}/api/v1/nodes`);
    expect(n.status).toBe(200);
    expect(n.json.items.map((x: any) => x.metadata.name)).toEqual(sim.fleet.members.get('member1')!.objects.list('nodes').map((x) => x.metadata.name));
  });

  it('serves a registered kind with discovery and its table columns', async () => {
    const member = sim.fleet.members.get('member1')!;
    member.registerResource({
      key: 'demo.example.com/widgets',
      group: 'demo.example.com',
      version: 'v1',
      resource: 'widgets',
      kind: 'Widget',
      listKind: 'WidgetList',
      namespaced: true,
      singularName: 'widget',
      shortNames: ['wdg'],
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      subresources: ['status'],
      hasGeneration: true,
      columns: [
        { name: 'Name', type: 'string', format: 'name', cell: (o) => o.metadata.name },
        { name: 'Size', type: 'integer', description: 'Custom resource definition column (in JSONPath format): .spec.size', cell: (o) => (o as any).spec?.size ?? null },
      ],
    });
    const groups = await simRequest(sim, `${MEMBER}/apis`);
    expect(groups.json.groups.map((g: any) => g.name)).toContain('demo.example.com');
    const gv = await simRequest(sim, `${MEMBER}/apis/demo.example.com/v1`);
    expect(gv.json.resources.map((r: any) => r.name)).toEqual(['widgets', 'widgets/status']);
    expect(gv.json.resources[0]).toMatchObject({ singularName: 'widget', kind: 'Widget', shortNames: ['wdg'] });
    const created = await simRequest(sim, `${MEMBER}/apis/demo.example.com/v1/namespaces/default/widgets`, { method: 'POST', body: { apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 } } });
    expect(created.status).toBe(201);
    expect(created.json.metadata.generation).toBe(1);
    const table = await simRequest(sim, `${MEMBER}/apis/demo.example.com/v1/namespaces/default/widgets`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    expect(table.json.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Size']);
    expect(table.json.rows.map((r: any) => r.cells)).toEqual([['w1', 3]]);
  });

  it('accepts policy/v1beta1 Eviction bodies', async () => {
    const member = sim.fleet.members.get('member1')!;
    member.objects.create('pods', { metadata: { name: 'ev', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
    await eventually(() => (member.objects.get('pods', 'default', 'ev') as any)?.status?.phase === 'Running');
    const r = await simRequest(sim, `${MEMBER}/api/v1/namespaces/default/pods/ev/eviction`, {
      method: 'POST',
      body: { apiVersion: 'policy/v1beta1', kind: 'Eviction', metadata: { name: 'ev', namespace: 'default' } },
    });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    await eventually(() => {
      const p = member.objects.get('pods', 'default', 'ev');
      return !p || p.metadata.deletionTimestamp !== undefined;
    });
  });

  it('pages through a namespace of a member with limit and continue', async () => {
    const member = sim.fleet.members.get('member1')!;
    member.objects.create('namespaces', { metadata: { name: 'paging' } });
    for (const n of ['e', 'a', 'd', 'b', 'c']) member.objects.create('configmaps', { metadata: { name: n, namespace: 'paging' } });
    const base = `${MEMBER}/api/v1/namespaces/paging/configmaps`;
    const all = (await simRequest(sim, base)).json;
    const listed: string[] = all.items.map((p: any) => p.metadata.name);
    expect(listed).toEqual(expect.arrayContaining(['a', 'b', 'c', 'd', 'e']));
    expect(listed).toEqual([...listed].sort());
    const names: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const page = (await simRequest(sim, `${base}?limit=2${cont ? `&continue=${cont}` : ''}`)).json;
      names.push(...page.items.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`));
      if (page.metadata.continue) expect(page.metadata.remainingItemCount).toBe(all.items.length - names.length);
      cont = page.metadata.continue ?? '';
      pages++;
    } while (cont && pages < 100);
    expect(names).toEqual(all.items.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`));
    expect(pages).toBe(Math.ceil(all.items.length / 2));
  });

  it('adds users from a token file', async () => {
    const file = join(sim.dir, 'tokens.yaml');
    writeFileSync(file, '- token: file-token\n  user: bob\n  groups: [dev]\n');
    const other = await startSimulator({ scenario: 'empty', tokens: file });
    try {
      // A file user gets only what RBAC grants: nothing until an admin binds bob to `view`.
      const before = await simRequest(other, '/api/v1/namespaces', { token: 'file-token' });
      expect(before.status).toBe(403);
      expect(before.json.message).toBe('namespaces is forbidden: User "bob" cannot list resource "namespaces" in API group "" at the cluster scope');
      const binding = {
        metadata: { name: 'bob-view' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' }],
      };
      expect((await simRequest(other, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { method: 'POST', body: binding })).status).toBe(201);
      expect((await simRequest(other, '/api/v1/namespaces', { token: 'file-token' })).status).toBe(200);
      expect((await simRequest(other, '/api/v1/namespaces', { token: 'other' })).status).toBe(401);
      expect(other.server.stats.recent().some((r) => r.user === 'bob')).toBe(true);
    } finally {
      await other.stop();
    }
  });
});
