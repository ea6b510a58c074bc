/**
 * Per-user reads from the shared cache (issue 12), against the demo simulator with `--auth kubernetes`:
 * the demo users' tokens (from the kubeconfig the simulator wrote) are reviewed by the control plane, and
 * each read is cut to what that user's RBAC on each cluster allows — compared with what kubectl, as the same
 * user, lists through the Karmada proxy. Over HTTP and WebSocket alike.
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { kubectl, type TestSimulator } from './support/simServer.js';
import { openClient, pollAsync, record } from './support/subscriptionsClient.js';

let fx: GatewayFixture;
let tokens: Record<string, string>;
let sim: Pick<TestSimulator, 'kubeconfigPath'>;

const PODS = '{ pods(first: 5000) { totalCount edges { node { cluster namespace name } } } }';

function bearer(user: string): Record<string, string> {
  return { authorization: `Bearer ${tokens[user]}` };
}

/** `cluster/namespace/name` of every pod in a pods connection. */
function podKeys(body: any): string[] {
  return body.data.pods.edges.map((e: any) => `${e.node.cluster}/${e.node.namespace}/${e.node.name}`).sort();
}

/** What kubectl lists as `user` in `namespace` of `member` (through the Karmada proxy, as that user). */
async function kubectlPods(user: string, member: string, namespace: string): Promise<string[]> {
  const r = await kubectl(sim as TestSimulator, ['--context', member, '--token', tokens[user]!, '-n', namespace, 'get', 'pods', '-o', 'name']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout.split('\n').filter(Boolean).map((l) => `${member}/${namespace}/${l.replace(/^pod\//, '')}`);
}

beforeAll(async () => {
  fx = await startGatewayFixture({ scenario: 'demo', args: ['--auth', 'kubernetes'] });
  sim = { kubeconfigPath: fx.kubeconfig };
  const kc = yaml.load(readFileSync(fx.kubeconfig, 'utf8')) as { users: Array<{ name: string; user: { token?: string } }> };
  tokens = Object.fromEntries(kc.users.filter((u) => u.user.token).map((u) => [u.name, u.user.token!]));
  for (const u of ['shop-dev', 'platform-viewer', 'ops-oncall']) expect(tokens[u], u).toBeTruthy();
  // Every cluster's RBAC is listed before the first answer counts.
  await pollAsync(async () => ((await fx.query('{ pods(first: 1) { totalCount } }', undefined, bearer('platform-viewer'))).body.data?.pods.totalCount > 0 ? true : undefined), 20_000, 'platform-viewer sees pods');
}, 60_000);

afterAll(async () => {
  await fx?.stop();
});

describe('reads cut to the caller\'s RBAC', () => {
  it('shop-dev\'s fleet pods are exactly what kubectl lists as shop-dev in shop on member1 and member2', async () => {
    const r = await fx.query(PODS, undefined, bearer('shop-dev'));
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    const expected = [...await kubectlPods('shop-dev', 'member1', 'shop'), ...await kubectlPods('shop-dev', 'member2', 'shop')].sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(podKeys(r.body)).toEqual(expected);
    expect(r.body.data.pods.totalCount).toBe(expected.length);
    // The admin's view of the same fleet holds more, in other namespaces and members.
    const all = await fx.query(PODS, undefined, bearer('platform-viewer'));
    expect(all.body.data.pods.totalCount).toBeGreaterThan(expected.length);
    expect(new Set(podKeys(all.body).map((k) => k.split('/')[1])).size).toBeGreaterThan(1);
  });

  it('sorted (orderBy), shop-dev sees the same pods, in order, whether the members\' ordered indexes or a sort serve them', async () => {
    const plain = await fx.query(PODS, undefined, bearer('shop-dev'));
    for (const field of ['CPU_REQUEST', 'NAME']) {
      const r = await fx.query(`{ pods(first: 5000, orderBy: { field: ${field}, direction: DESC }) { totalCount edges { node { cluster namespace name requests { cpuCores } } } } }`, undefined, bearer('shop-dev'));
      expect(r.body.errors).toBeUndefined();
      expect(podKeys(r.body)).toEqual(podKeys(plain.body));
      expect(r.body.data.pods.totalCount).toBe(plain.body.data.pods.totalCount);
      const values = r.body.data.pods.edges.map((e: any) => (field === 'NAME' ? e.node.name : e.node.requests.cpuCores ?? 0));
      for (let i = 1; i < values.length; i++) expect(values[i - 1] >= values[i]).toBe(true);
    }
  });

  it('answers the same over WebSocket', async () => {
    const http = await fx.query(PODS, undefined, bearer('shop-dev'));
    const client = openClient(fx.gateway.url, { authorization: `Bearer ${tokens['shop-dev']}` });
    try {
      const rec = record(client, `query ${PODS}`);
      await rec.waitForEnd();
      expect(rec.errors).toEqual([]);
      expect(rec.events[0]).toEqual(http.body.data);
    } finally {
      await client.dispose();
    }
  });

  it('a list filtered to a namespace shop-dev may not list is FORBIDDEN for that field alone', async () => {
    const r = await fx.query(
      '{ web: pods(filter: { cluster: "member1", namespace: "web" }) { totalCount } shop: pods(filter: { cluster: "member1", namespace: "shop" }) { totalCount } clusters { totalCount } }',
      undefined, bearer('shop-dev'),
    );
    expect(r.status).toBe(200);
    expect(r.body.data.web.totalCount).toBe(0);
    expect(r.body.data.shop.totalCount).toBe((await kubectlPods('shop-dev', 'member1', 'shop')).length);
    expect(r.body.data.clusters.totalCount).toBeGreaterThan(1);
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors![0]).toMatchObject({ path: ['web'], extensions: { code: 'FORBIDDEN', cluster: 'member1' } });
    expect(r.body.errors![0]!.message).toContain('list pods in namespace web');
  });

  it('one object the caller may not read is FORBIDDEN; logs need pods/log', async () => {
    const viewer = await fx.query('{ pods(first: 1, filter: { cluster: "member1", namespace: "web" }) { edges { node { name } } } }', undefined, bearer('platform-viewer'));
    const name = viewer.body.data.pods.edges[0].node.name as string;
    const r = await fx.query(`{ pod(cluster: "member1", namespace: "web", name: "${name}") { name } clusters { totalCount } }`, undefined, bearer('shop-dev'));
    expect(r.body.data.pod).toBeNull();
    expect(r.body.data.clusters.totalCount).toBeGreaterThan(1);
    expect(r.body.errors![0]).toMatchObject({ path: ['pod'], extensions: { code: 'FORBIDDEN', cluster: 'member1' } });
    // ops-oncall may get pods (drain needs it) but holds no pods/log: the pod, not its logs.
    const logs = await fx.query(`{ pod(cluster: "member1", namespace: "web", name: "${name}") { name logs(tailLines: 1) } }`, undefined, bearer('ops-oncall'));
    expect(logs.body.data.pod.name).toBe(name);
    expect(logs.body.data.pod.logs).toBeNull();
    expect(logs.body.errors![0]).toMatchObject({ path: ['pod', 'logs'], extensions: { code: 'FORBIDDEN' } });
    expect(logs.body.errors![0]!.message).toContain(`get pods/log web/${name}`);
    // view does hold pods/log; the log is read as platform-viewer (impersonated), so the member decides too.
    const viewerLogs = await fx.query(`{ pod(cluster: "member1", namespace: "web", name: "${name}") { logs(tailLines: 1) } }`, undefined, bearer('platform-viewer'));
    expect(viewerLogs.body.errors).toBeUndefined();
    expect(typeof viewerLogs.body.data.pod.logs).toBe('string');
    // The only log reads of this pod are platform-viewer's (ops-oncall's was refused before any upstream call); one
    // per execution of the query: the test gateway runs it compiled and interpreted (--execution differential).
    const requests = (await fx.admin<{ requests: Array<{ path: string; impersonateUser?: string }> }>('GET', '/_sim/requests')).requests;
    const logReads = requests.filter((q) => q.path === `/api/v1/namespaces/web/pods/${name}/log`);
    expect([...new Set(logReads.map((q) => q.impersonateUser))]).toEqual(['platform-viewer']);
  });

  it('platform-viewer sees no Secret (view holds no secrets); shop-dev sees shop\'s with their keys', async () => {
    const viewer = await fx.query('{ secrets(first: 100) { totalCount edges { node { keys } } } }', undefined, bearer('platform-viewer'));
    expect(viewer.body.errors).toBeUndefined();
    expect(viewer.body.data.secrets.totalCount).toBe(0);
    const dev = await fx.query('{ secrets(first: 100) { totalCount edges { node { cluster namespace keys } } } }', undefined, bearer('shop-dev'));
    expect(dev.body.errors).toBeUndefined();
    for (const e of dev.body.data.secrets.edges) expect(e.node.namespace).toBe('shop');
  });

  it('cluster-scoped kinds need a cluster-wide list: shop-dev sees no nodes, ops-oncall sees them all', async () => {
    const dev = await fx.query('{ nodes(first: 500) { totalCount } }', undefined, bearer('shop-dev'));
    expect(dev.body.errors).toBeUndefined();
    expect(dev.body.data.nodes.totalCount).toBe(0);
    const ops = await fx.query('{ nodes(first: 500) { totalCount } }', undefined, bearer('ops-oncall'));
    expect(ops.body.data.nodes.totalCount).toBeGreaterThan(0);
    const fleet = await fx.query('{ fleet { nodes { total } pods { total } } }', undefined, bearer('shop-dev'));
    expect(fleet.body.data.fleet.nodes.total).toBe(0);
    expect(fleet.body.data.fleet.pods.total).toBe((await fx.query(PODS, undefined, bearer('shop-dev'))).body.data.pods.totalCount);
  });

  it('a RoleBinding added with kubectl gives shop-dev namespace web within 5 s, and removing it takes it away', async () => {
    const webPods = async () => (await fx.query('{ pods(filter: { cluster: "member1", namespace: "web" }) { totalCount } }', undefined, bearer('shop-dev'))).body;
    expect((await webPods()).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const expected = (await kubectl(sim as TestSimulator, ['--context', 'member1', '-n', 'web', 'get', 'pods', '-o', 'name'])).stdout.split('\n').filter(Boolean).length;
    expect(expected).toBeGreaterThan(0);
    const add = await kubectl(sim as TestSimulator, ['--context', 'member1', '-n', 'web', 'create', 'rolebinding', 'shop-dev-web-view', '--clusterrole=view', '--user=shop-dev']);
    expect(add.code, add.stderr).toBe(0);
    const started = Date.now();
    await pollAsync(async () => {
      const b = await webPods();
      return !b.errors && b.data.pods.totalCount === expected ? true : undefined;
    }, 5_000, 'web visible to shop-dev');
    expect(Date.now() - started).toBeLessThan(5_000);
    // The fleet-wide list now holds web's pods on member1 too.
    const fleetWide = podKeys((await fx.query(PODS, undefined, bearer('shop-dev'))).body);
    expect(fleetWide.filter((k) => k.startsWith('member1/web/'))).toHaveLength(expected);
    const del = await kubectl(sim as TestSimulator, ['--context', 'member1', '-n', 'web', 'delete', 'rolebinding', 'shop-dev-web-view']);
    expect(del.code, del.stderr).toBe(0);
    await pollAsync(async () => ((await webPods()).errors?.[0]?.extensions?.code === 'FORBIDDEN' ? true : undefined), 5_000, 'web hidden again');
    expect(podKeys((await fx.query(PODS, undefined, bearer('shop-dev'))).body).filter((k) => k.startsWith('member1/web/'))).toEqual([]);
  });
});
