/**
 * Authentication (admin token, listed users, anonymous 403, bad token 401, the cluster proxy's check), the /_sim admin API
 * (stats, reset, faults) and each member fault: latency, unreachable (Karmada's dial error, open
 * watches end), unavailable503, hangLists (released by clearing the fault), drop-watches, compact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, simRequest, simStream, startTestSimulator } from './support/simServer.js';
import type { TestSimulator } from './support/simServer.js';

let sim: TestSimulator;
const NODES = '/apis/cluster.karmada.io/v1alpha1/clusters/member1/proxy/api/v1/nodes';

describe('auth, admin API and member faults', () => {
  beforeAll(async () => {
    sim = await startTestSimulator({ scenario: 'mini', tokens: [{ token: 'viewer-token', user: 'alice', groups: ['viewers'] }] });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('authenticates bearer tokens as the recordings show', async () => {
    expect((await simRequest(sim, NODES)).status).toBe(200);
    // alice may read nodes on member1 only once member1's RBAC grants it to her group.
    expect((await simRequest(sim, NODES, { token: 'viewer-token' })).status).toBe(403);
    const rbac = '/apis/cluster.karmada.io/v1alpha1/clusters/member1/proxy/apis/rbac.authorization.k8s.io/v1';
    const role = { metadata: { name: 'node-reader' }, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }] };
    expect((await simRequest(sim, `${rbac}/clusterroles`, { method: 'POST', body: role })).status).toBe(201);
    const binding = {
      metadata: { name: 'viewers-node-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'node-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'viewers' }],
    };
    expect((await simRequest(sim, `${rbac}/clusterrolebindings`, { method: 'POST', body: binding })).status).toBe(201);
    // Karmada also wants clusters/proxy on the control plane before it passes the request on.
    const refused = await simRequest(sim, NODES, { token: 'viewer-token' });
    expect(refused.json.message).toBe('clusters.cluster.karmada.io "member1" is forbidden: User "alice" cannot get resource "clusters/proxy" in API group "cluster.karmada.io" at the cluster scope');
    const cpRbac = '/apis/rbac.authorization.k8s.io/v1';
    const proxyRole = { metadata: { name: 'member1-proxy' }, rules: [{ apiGroups: ['cluster.karmada.io'], resources: ['clusters/proxy'], resourceNames: ['member1'], verbs: ['get'] }] };
    expect((await simRequest(sim, `${cpRbac}/clusterroles`, { method: 'POST', body: proxyRole })).status).toBe(201);
    const proxyBinding = { ...binding, metadata: { name: 'viewers-member1-proxy' }, roleRef: { ...binding.roleRef, name: 'member1-proxy' } };
    expect((await simRequest(sim, `${cpRbac}/clusterrolebindings`, { method: 'POST', body: proxyBinding })).status).toBe(201);
    const alice = await simRequest(sim, NODES, { token: 'viewer-token' });
    expect(alice.status).toBe(200);
    // What Karmada sends the member: the caller's name and groups without system:authenticated.
    const seen = sim.server.stats.recent().filter((r) => r.user === 'alice').at(-1)!;
    expect(seen.impersonateUser).toBe('alice');
    expect(seen.impersonateGroups).toEqual(['viewers']);
    // Impersonating a group needs a user too (kube's 500 text/plain).
    const groupOnly = await simRequest(sim, NODES, { token: 'viewer-token', headers: { 'Impersonate-Group': 'team-a' } });
    expect(groupOnly.status).toBe(500);
    expect(groupOnly.text).toContain('without impersonating a user');
    const anon = await simRequest(sim, '/api/v1/namespaces/default/pods', { token: null });
    expect(anon.status).toBe(403);
    expect(anon.json.message).toBe('pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"');
    expect(anon.json.details).toEqual({ kind: 'pods' });
    const bad = await simRequest(sim, '/api/v1/namespaces/default/pods', { token: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized', message: 'Unauthorized', code: 401 });
    // The admin API wants the admin token.
    expect((await simRequest(sim, '/_sim/stats', { token: 'viewer-token' })).status).toBe(403);
    expect((await simRequest(sim, '/_sim/stats', { token: null })).status).toBe(403);
  });

  it('counts requests per cluster, verb and resource, and resets', async () => {
    expect((await simRequest(sim, '/_sim/stats/reset', { method: 'POST' })).status).toBe(200);
    for (let i = 0; i < 3; i++) await simRequest(sim, NODES);
    await simRequest(sim, `${NODES}/does-not-exist`);
    await simRequest(sim, '/apis/cluster.karmada.io/v1alpha1/clusters');
    const stats = (await simRequest(sim, '/_sim/stats')).json;
    const find = (cluster: string, verb: string, resource: string) =>
      stats.requests.filter((r: any) => r.cluster === cluster && r.verb === verb && r.resource === resource).reduce((n: number, r: any) => n + r.count, 0);
    expect(find('member1', 'list', 'nodes')).toBe(3);
    expect(find('member1', 'get', 'nodes')).toBe(1);
    expect(find('karmada', 'list', 'cluster.karmada.io/clusters')).toBe(1);
    expect(stats.total).toBe(stats.requests.reduce((n: number, r: any) => n + r.count, 0));
    expect(stats.requests.find((r: any) => r.verb === 'list' && r.resource === 'nodes').path).toBe('/api/v1/nodes');
  });

  it('unreachable: 503 as Karmada answers for a dead member, and open watches end', async () => {
    const watch = simStream(sim, `${NODES}?watch=1`);
    expect(await watch.status).toBe(200);
    await watch.waitFor((lines) => lines.length >= 1);
    const set = await simRequest(sim, '/_sim/faults/member1', { method: 'POST', body: { unreachable: true } });
    expect(set.json).toEqual({ latencyMs: 0, unreachable: true, unavailable503: false, hangLists: false });
    await watch.ended;
    const r = await simRequest(sim, NODES);
    expect(r.status).toBe(503);
    expect(r.json.reason).toBe('ServiceUnavailable');
    expect(r.json.message).toMatch(/^error trying to reach service: dial tcp 10\.0\.0\.\d+:6443: connect: connection refused$/);
    // The control plane still answers.
    expect((await simRequest(sim, '/apis/cluster.karmada.io/v1alpha1/clusters')).status).toBe(200);
    await simRequest(sim, '/_sim/faults/member1', { method: 'POST', body: { unreachable: false } });
    expect((await simRequest(sim, NODES)).status).toBe(200);
  });

  it('unavailable503 and latency', async () => {
    await simRequest(sim, '/_sim/faults/member1', { method: 'POST', body: { unavailable503: true } });
    const r = await simRequest(sim, NODES);
    expect(r.status).toBe(503);
    expect(r.json).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
    await simRequest(sim, '/_sim/faults/member1', { method: 'POST', body: { unavailable503: false, latencyMs: 1000 } });
    // Latency delays the answer without changing it (asserted through ordering, not timing):
    // a delayed member request is overtaken by a control plane request sent after it.
    const order: string[] = [];
    const slow = simRequest(sim, NODES).then((x) => order.push(`member:${x.status}`));
    await new Promise((r) => setTimeout(r, 20));
    await simRequest(sim, '/version').then((x) => order.push(`cp:${x.status}`));
    await slow;
    expect(order).toEqual(['cp:200', 'member:200']);
    await simRequest(sim, '/_sim/faults/member1', { method: 'POST', body: { latencyMs: 0 } });
    expect((await simRequest(sim, '/_sim/faults/member1', { method: 'POST', body: { bogus: 1 } })).status).toBe(400);
    expect((await simRequest(sim, '/_sim/faults/nope', { method: 'POST', body: {} })).status).toBe(404);
  });

  it('hangLists holds lists (not gets) until the fault is cleared', async () => {
    await simRequest(sim, '/_sim/faults/member1', { method: 'POST', body: { hangLists: true } });
    await simRequest(sim, '/_sim/stats/reset', { method: 'POST' });
    let answered = false;
    const list = simRequest(sim, NODES).then((r) => {
      answered = true;
      return r;
    });
    // The list has reached the server (it is counted) and stays unanswered while gets still answer.
    await eventually(() => sim.server.stats.recent().some((r) => r.cluster === 'member1' && r.verb === 'list' && r.path === '/api/v1/nodes'));
    const name = sim.fleet.members.get('member1')!.objects.list('nodes')[0]!.metadata.name!;
    expect((await simRequest(sim, `${NODES}/${name}`)).status).toBe(200);
    expect(answered).toBe(false);
    await simRequest(sim, '/_sim/faults/member1', { method: 'POST', body: { hangLists: false } });
    const r = await list;
    expect(r.status).toBe(200);
    expect(r.json.kind).toBe('NodeList');
  });

  it('drop-watches ends streams; compact makes older versions expire', async () => {
    const rv = (await simRequest(sim, NODES)).json.metadata.resourceVersion;
    const w = simStream(sim, `${NODES}?watch=1&resourceVersion=${rv}`);
    expect(await w.status).toBe(200);
    await eventually(() => sim.server.stats.recent().some((r) => r.verb === 'watch' && r.path === '/api/v1/nodes' && r.cluster === 'member1'));
    expect((await simRequest(sim, '/_sim/faults/member1/drop-watches', { method: 'POST' })).status).toBe(200);
    await w.ended;
    // Make a change so that the compaction point moves past `rv`.
    const member = sim.fleet.members.get('member1')!;
    member.objects.create('configmaps', { metadata: { name: 'bump', namespace: 'default' } });
    expect((await simRequest(sim, '/_sim/faults/member1/compact', { method: 'POST' })).status).toBe(200);
    const old = simStream(sim, `${NODES}?watch=1&resourceVersion=${rv}`);
    await old.ended;
    expect(old.lines).toHaveLength(1);
    expect(old.lines[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', reason: 'Expired', code: 410 } });
  });
});
