/**
 * The `can` fields (issue 17), end to end through HTTP: for callers with different rights the answers equal
 * what the mutation itself does when tried (allowed: an Operation; refused: FORBIDDEN), under `--auth
 * kubernetes` with the demo users' tokens; a page of nodes asks no upstream review (access sets); read-only
 * mode and a switched-off feature answer false as the mutations refuse; `--auth none` answers true.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openClient, record, settle } from './support/subscriptionsClient.js';

const NODE_CAN = `query($cluster: String!, $name: String!) { node(cluster: $cluster, name: $name) { name unschedulable can { cordon uncordon drain setLabels setTaints } } }`;
const WORKLOAD_CAN = `query($ns: String!, $name: String!) { workload(kind: DEPLOYMENT, namespace: $ns, name: $name) { name can { scale restart rollback } } }`;
const CORDON = `mutation($cluster: String!, $name: String!) { cordonNode(cluster: $cluster, name: $name) { id phase requestedBy } }`;
const SCALE = `mutation($ns: String!, $name: String!, $replicas: Int!) { scaleWorkload(kind: DEPLOYMENT, namespace: $ns, name: $name, replicas: $replicas) { id requestedBy } }`;

async function waitTerminal(fx: GatewayFixture, id: string, headers: Record<string, string>): Promise<any> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await fx.query(`query($id: ID!) { operation(id: $id) { id phase steps { name phase message } } }`, { id }, headers);
    const op = r.body.data?.operation;
    if (!op) throw new Error(`operation ${id}: ${JSON.stringify(r.body)}`);
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(op.phase)) return op;
    if (Date.now() > deadline) throw new Error(`operation ${id} still ${op.phase}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('--auth kubernetes: the answers are the mutations\' own', () => {
  let fx: GatewayFixture;
  let tokens: Record<string, string>;
  const as = (user: string) => ({ authorization: `Bearer ${tokens[user]}` });

  beforeAll(async () => {
    fx = await startGatewayFixture({ args: ['--auth', 'kubernetes'] });
    const kc = new KubeConfig();
    kc.loadFromFile(fx.kubeconfig);
    tokens = Object.fromEntries(kc.getUsers().map((u) => [u.name, u.token ?? '']));
    // shop-dev edits the templates of namespace web on the control plane (the demo grants it shop on members only), so that
    // one demo user may scale a template and another (platform-viewer, view) may only read it.
    const cp = fx.sim.fleet.controlPlane;
    cp.objects.create('rbac.authorization.k8s.io/rolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'shop-dev-edit-templates', namespace: 'web' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'shop-dev' }],
    } as never, { manager: 'test' });
    // platform-viewer (ClusterRole view: no nodes) reads the nodes of member1, so that it sees a node it may not cordon.
    const m1 = fx.sim.fleet.members.get('member1')!;
    m1.objects.create('rbac.authorization.k8s.io/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'node-reader' },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }],
    } as never, { manager: 'test' });
    m1.objects.create('rbac.authorization.k8s.io/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'platform-viewer-node-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'node-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'platform-viewer' }],
    } as never, { manager: 'test' });
  }, 120_000);

  afterAll(async () => {
    await fx?.stop();
  });

  it('node: ops-oncall may cordon (and does: an Operation that succeeds), platform-viewer may not (and is refused FORBIDDEN)', async () => {
    const vars = { cluster: 'member1', name: 'member1-worker-0' };
    const oncall = await fx.query(NODE_CAN, vars, as('ops-oncall'));
    expect(oncall.body.errors).toBeUndefined();
    expect(oncall.body.data.node.can).toEqual({ cordon: true, uncordon: true, drain: true, setLabels: true, setTaints: true });
    // The ClusterRoleBinding made above reaches the gateway's copy of member1's RBAC through its watch.
    const viewer = await eventually(async () => {
      const r = await fx.query(NODE_CAN, vars, as('platform-viewer'));
      expect(r.body.errors).toBeUndefined();
      return r;
    }, 40, 250);
    expect(viewer.body.data.node.can).toEqual({ cordon: false, uncordon: false, drain: false, setLabels: false, setTaints: false });

    const refused = await fx.query(CORDON, vars, as('platform-viewer'));
    expect(refused.body.data).toBeNull();
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const allowed = await fx.query(CORDON, vars, as('ops-oncall'));
    expect(allowed.body.errors).toBeUndefined();
    expect(allowed.body.data.cordonNode.requestedBy).toBe('ops-oncall');
    const done = await waitTerminal(fx, allowed.body.data.cordonNode.id, as('ops-oncall'));
    expect(done.phase, JSON.stringify(done.steps)).toBe('SUCCEEDED');
    expect((fx.sim.fleet.members.get('member1')!.objects.get('nodes', undefined, 'member1-worker-0') as any).spec.unschedulable).toBe(true);
  });

  it('workload: shop-dev may scale web/storefront (and does), platform-viewer may not (FORBIDDEN)', async () => {
    const vars = { ns: 'web', name: 'storefront' };
    // The RoleBinding made above reaches the gateway's copy of the control plane's RBAC through its watch.
    const dev = await eventually(async () => {
      const r = await fx.query(WORKLOAD_CAN, vars, as('shop-dev'));
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.workload.can.scale).toBe(true);
      return r.body.data.workload.can;
    }, 40, 250);
    // `edit` patches and updates deployments: restart (patch) and rollback (update) too.
    expect(dev).toEqual({ scale: true, restart: true, rollback: true });
    const viewer = await fx.query(WORKLOAD_CAN, vars, as('platform-viewer'));
    expect(viewer.body.errors).toBeUndefined();
    expect(viewer.body.data.workload.can).toEqual({ scale: false, restart: false, rollback: false });

    const refused = await fx.query(SCALE, { ...vars, replicas: 4 }, as('platform-viewer'));
    expect(refused.body.data).toBeNull();
    expect(refused.body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', cluster: 'karmada', permission: 'patch deployments.apps web/storefront' });

    const allowed = await fx.query(SCALE, { ...vars, replicas: 4 }, as('shop-dev'));
    expect(allowed.body.errors).toBeUndefined();
    expect(allowed.body.data.scaleWorkload.requestedBy).toBe('shop-dev');
    const done = await waitTerminal(fx, allowed.body.data.scaleWorkload.id, as('shop-dev'));
    expect(done.phase, JSON.stringify(done.steps)).toBe('SUCCEEDED');
    expect((fx.sim.fleet.controlPlane.objects.get('apps/deployments', 'web', 'storefront') as any).spec.replicas).toBe(4);
  });

  it('pod: shop-dev may delete a pod of shop on member1, the same answer deletePod gives; platform-viewer may not', async () => {
    const pod = ([...fx.sim.fleet.members.get('member1')!.objects.list('pods', { namespace: 'shop' })] as any[])[0]!;
    const vars = { cluster: 'member1', ns: 'shop', name: pod.metadata.name };
    const q = `query($cluster: String!, $ns: String!, $name: String!) { pod(cluster: $cluster, namespace: $ns, name: $name) { can { delete } } }`;
    expect((await fx.query(q, vars, as('shop-dev'))).body.data.pod.can.delete).toBe(true);
    expect((await fx.query(q, vars, as('platform-viewer'))).body.data.pod.can.delete).toBe(false);
    const refused = await fx.query(`mutation($cluster: String!, $ns: String!, $name: String!) { deletePod(cluster: $cluster, namespace: $ns, name: $name) { id } }`, vars, as('platform-viewer'));
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('cluster: platform-viewer may not label, taint or unjoin a member (setClusterLabels answers FORBIDDEN)', async () => {
    const r = await fx.query('{ cluster(name: "member2") { can { setLabels setTaints unjoin } } }', undefined, as('platform-viewer'));
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.cluster.can).toEqual({ setLabels: false, setTaints: false, unjoin: false });
    const refused = await fx.query('mutation { setClusterLabels(name: "member2", labels: [{ key: "tier", value: "gold" }]) { id } }', undefined, as('platform-viewer'));
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('over graphql-ws, each event of a subscription answers `can` from the RBAC of its time', async () => {
    const target = { cluster: 'member1', name: 'member1-gpu-0' };
    const client = openClient(fx.gateway.url, { authorization: `Bearer ${tokens['platform-viewer']}` });
    try {
      const rec = record<any>(client, 'subscription($cluster: String!, $name: String!) { nodeChanged(cluster: $cluster, name: $name) { type node { name unschedulable can { cordon } } } }', target);
      await settle(500);
      const cordon = await fx.query(CORDON, target, as('ops-oncall'));
      expect(cordon.body.errors).toBeUndefined();
      await rec.waitFor((events) => events.some((e) => e.nodeChanged.node?.unschedulable === true), 20_000, 'the cordon event');
      const first = rec.events.find((e) => e.nodeChanged.node?.unschedulable === true);
      expect(first.nodeChanged.node.can).toEqual({ cordon: false });

      // platform-viewer is now granted patch on member1's nodes: the next event says so.
      const m1 = fx.sim.fleet.members.get('member1')!;
      m1.objects.create('rbac.authorization.k8s.io/clusterroles', {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'node-patcher' },
        rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['patch'] }],
      } as never, { manager: 'test' });
      m1.objects.create('rbac.authorization.k8s.io/clusterrolebindings', {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'platform-viewer-node-patcher' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'node-patcher' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'platform-viewer' }],
      } as never, { manager: 'test' });
      await eventually(async () => {
        expect((await fx.query(NODE_CAN, target, as('platform-viewer'))).body.data.node.can.cordon).toBe(true);
      }, 40, 250);
      const uncordon = await fx.query('mutation($cluster: String!, $name: String!) { uncordonNode(cluster: $cluster, name: $name) { id } }', target, as('ops-oncall'));
      expect(uncordon.body.errors).toBeUndefined();
      const later = await rec.waitFor((events) => events.some((e) => e !== first && e.nodeChanged.node?.unschedulable === false), 20_000, 'the uncordon event');
      expect(later.filter((e) => e.nodeChanged.node?.unschedulable === false).at(-1).nodeChanged.node.can).toEqual({ cordon: true });
    } finally {
      await client.dispose();
    }
  });

  it('a fleet-wide page of nodes with `can` asks the members no SubjectAccessReview (decided from the access sets)', async () => {
    const reviews = () => fx.countRequests((r) => r.resource.includes('subjectaccessreviews'));
    const before = await reviews();
    const r = await fx.query('{ nodes(first: 100) { totalCount edges { node { cluster name can { cordon drain } } } } }', undefined, as('ops-oncall'));
    expect(r.body.errors).toBeUndefined();
    const nodes = (r.body.data.nodes.edges as Array<{ node: { can: { cordon: boolean; drain: boolean } } }>).map((e) => e.node);
    expect(nodes.length).toBeGreaterThan(5);
    expect(nodes.every((n) => n.can.cordon && n.can.drain)).toBe(true);
    expect(await reviews()).toBe(before);
  });
});

describe('--auth none, read-only mode and a switched-off feature', () => {
  const fixtures: GatewayFixture[] = [];
  afterAll(async () => {
    for (const fx of fixtures) await fx.stop();
  });

  const ask = async (fx: GatewayFixture) => {
    const r = await fx.query(`{
      node(cluster: "member1", name: "member1-worker-0") { can { cordon uncordon drain setLabels setTaints } }
      workload(kind: DEPLOYMENT, namespace: "web", name: "storefront") { can { scale restart rollback } }
      cluster(name: "member2") { can { setLabels setTaints unjoin } }
    }`);
    expect(r.body.errors).toBeUndefined();
    return r.body.data;
  };

  it('auth none: everything is true, and the gateway does it', async () => {
    const fx = await startGatewayFixture({ args: ['--auth', 'none'] });
    fixtures.push(fx);
    const data = await ask(fx);
    expect(data.node.can).toEqual({ cordon: true, uncordon: true, drain: true, setLabels: true, setTaints: true });
    expect(data.workload.can).toEqual({ scale: true, restart: true, rollback: true });
    expect(data.cluster.can).toEqual({ setLabels: true, setTaints: true, unjoin: true });
    const r = await fx.query(SCALE, { ns: 'web', name: 'storefront', replicas: 3 });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.scaleWorkload.id).toMatch(/\S/);
  }, 120_000);

  it('read-only: everything is false, and the mutations answer FORBIDDEN', async () => {
    const fx = await startGatewayFixture({ args: ['--auth', 'none', '--read-only'] });
    fixtures.push(fx);
    const data = await ask(fx);
    expect(data.node.can).toEqual({ cordon: false, uncordon: false, drain: false, setLabels: false, setTaints: false });
    expect(data.workload.can).toEqual({ scale: false, restart: false, rollback: false });
    expect(data.cluster.can).toEqual({ setLabels: false, setTaints: false, unjoin: false });
    for (const [q, v] of [[CORDON, { cluster: 'member1', name: 'member1-worker-0' }], [SCALE, { ns: 'web', name: 'storefront', replicas: 3 }]] as const) {
      const r = await fx.query(q, v);
      expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  }, 120_000);

  it('resource edit switched off: cordon and drain stay true, scale and labels turn false, as the mutations decide', async () => {
    const fx = await startGatewayFixture({ args: ['--auth', 'none', '--feature', 'resourceEdit=off'] });
    fixtures.push(fx);
    const data = await ask(fx);
    expect(data.node.can).toEqual({ cordon: true, uncordon: true, drain: true, setLabels: false, setTaints: false });
    expect(data.workload.can).toEqual({ scale: false, restart: false, rollback: false });
    expect(data.cluster.can).toEqual({ setLabels: false, setTaints: false, unjoin: false });
    const scale = await fx.query(SCALE, { ns: 'web', name: 'storefront', replicas: 3 });
    expect(scale.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const cordon = await fx.query(CORDON, { cluster: 'member1', name: 'member1-worker-0' });
    expect(cordon.body.errors).toBeUndefined();
    expect(cordon.body.data.cordonNode.id).toMatch(/\S/);
  }, 120_000);
});
