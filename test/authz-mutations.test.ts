/**
 * Mutations under per-user authorization (issue 12), end to end: the demo simulator and a gateway with
 * `--auth kubernetes`, callers signed in with the demo users' tokens from the kubeconfig the simulator wrote.
 *
 * - The permission preflight: a caller the cluster's RBAC refuses gets FORBIDDEN naming the cluster and the
 *   missing permission, no Operation exists (the gateway's OperationStore and `operations` agree), nothing
 *   is written upstream, the node is unchanged, and the refusal is audited as a denied mutation; over HTTP
 *   and over graphql-ws alike.
 * - Impersonated writes: an allowed drain's writes reach the member as the caller (the simulator's request
 *   log: authenticated as the gateway, `Impersonate-User` ops-oncall), and the member's RBAC decides them.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterKubeConfigs } from '../src/operations/ClusterKubeConfigs.js';
import { ClusterWriter, UpstreamWriteError } from '../src/operations/ClusterWriter.js';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openClient, record } from './support/subscriptionsClient.js';

let fx: GatewayFixture;
let tokens: Record<string, string>;
/** The gateway's own identity on the simulator (the admin kubeconfig's user, or the ServiceAccount deploy/ ships). */
let gatewayUser: string;

const CORDON_TARGET = 'member1-worker-0';
const DRAIN_TARGET = 'member1-worker-1';

beforeAll(async () => {
  fx = await startGatewayFixture({ args: ['--auth', 'kubernetes'] });
  const kc = new KubeConfig();
  kc.loadFromFile(fx.kubeconfig);
  tokens = Object.fromEntries(kc.getUsers().map((u) => [u.name, u.token ?? '']));
  gatewayUser = fx.gatewayUser;
  for (const u of ['platform-viewer', 'shop-dev', 'ops-oncall']) expect(tokens[u], u).toMatch(/^\S+$/);
}, 120_000);

afterAll(async () => {
  await fx?.stop();
});

const as = (user: string) => ({ authorization: `Bearer ${tokens[user]}` });

interface RecordedRequest {
  cluster: string;
  method: string;
  verb: string;
  resource: string;
  path: string;
  user: string;
  impersonateUser?: string;
  impersonateGroups?: string[];
}

async function simRequests(): Promise<RecordedRequest[]> {
  return (await fx.admin<{ requests: RecordedRequest[] }>('GET', '/_sim/requests')).requests;
}

async function simWrites(): Promise<number> {
  return fx.countRequests((r) => ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(r.verb));
}

/** The node as the simulator holds it (read with the simulator's admin identity, never through the gateway). */
function simNode(member: string, name: string): any {
  return fx.sim.fleet.members.get(member)!.objects.get('nodes', undefined, name);
}

const storedOperations = () => fx.gateway.operations.service!.store.list({});

async function waitTerminal(id: string, user: string, timeoutMs = 90_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await fx.query(`query($id: ID!) { operation(id: $id) { id phase error requestedBy steps { name phase message } } }`, { id }, as(user));
    const op = r.body.data?.operation;
    if (!op) throw new Error(`operation ${id}: ${JSON.stringify(r.body)}`);
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(op.phase)) return op;
    if (Date.now() > deadline) throw new Error(`operation ${id} still ${op.phase}: ${JSON.stringify(op.steps)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const CORDON = `mutation($cluster: String!, $name: String!) { cordonNode(cluster: $cluster, name: $name) { id phase requestedBy } }`;

describe('the permission preflight', () => {
  it.each([
    ['platform-viewer', 'view everywhere'],
    ['shop-dev', 'edit in namespace shop only'],
  ])('%s (%s) cannot cordon a node: FORBIDDEN naming the permission, no Operation, nothing written, audited as denied', async (user) => {
    const opsBefore = storedOperations().length;
    const listedBefore = (await fx.query('{ operations { totalCount } }', undefined, as(user))).body.data?.operations.totalCount;
    const writesBefore = await simWrites();
    const nodeBefore = simNode('member1', CORDON_TARGET);
    expect(nodeBefore.spec?.unschedulable ?? false).toBe(false);

    const r = await fx.query(CORDON, { cluster: 'member1', name: CORDON_TARGET }, as(user));
    expect(r.status).toBe(200);
    expect(r.body.data).toBeNull();
    expect(r.body.errors).toHaveLength(1);
    const error = r.body.errors![0]!;
    expect(error.extensions).toEqual({ code: 'FORBIDDEN', cluster: 'member1', permission: `patch nodes ${CORDON_TARGET}` });
    expect(error.message).toBe(`${user} may not patch nodes ${CORDON_TARGET} in cluster member1`);

    expect(storedOperations()).toHaveLength(opsBefore);
    expect((await fx.query('{ operations { totalCount } }', undefined, as(user))).body.data?.operations.totalCount).toBe(listedBefore);
    expect(await simWrites()).toBe(writesBefore);
    const nodeAfter = simNode('member1', CORDON_TARGET);
    expect(nodeAfter.metadata.resourceVersion).toBe(nodeBefore.metadata.resourceVersion);
    expect(nodeAfter.spec?.unschedulable ?? false).toBe(false);

    const audit = fx.gateway.operations.audit;
    await audit.flush();
    const denied = await audit.entries({ user, action: 'cordonNode' });
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({
      user, action: 'cordonNode', targetKind: 'Node', targetName: CORDON_TARGET, cluster: 'member1',
      success: false, errorCode: 'FORBIDDEN', error: error.message, operationId: null,
    });
  });

  it('refuses a control-plane write by the permission of the write the plan sends (patch of the Deployment)', async () => {
    const opsBefore = storedOperations().length;
    const writesBefore = await simWrites();
    const r = await fx.query('mutation { scaleWorkload(kind: DEPLOYMENT, namespace: "web", name: "storefront", replicas: 3) { id } }', undefined, as('ops-oncall'));
    expect(r.body.data).toBeNull();
    expect(r.body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', cluster: 'karmada', permission: 'patch deployments.apps web/storefront' });
    expect(storedOperations()).toHaveLength(opsBefore);
    expect(await simWrites()).toBe(writesBefore);
  });

  it('answers the same refusal over graphql-ws as over HTTP', async () => {
    const opsBefore = storedOperations().length;
    const http = await fx.query(CORDON, { cluster: 'member1', name: CORDON_TARGET }, as('platform-viewer'));
    const client = openClient(fx.gateway.url, { authorization: `Bearer ${tokens['platform-viewer']}` });
    try {
      const rec = record(client, CORDON, { cluster: 'member1', name: CORDON_TARGET });
      await rec.waitForEnd();
      // The execution result's errors, as graphql-ws delivers them (data null: no event).
      expect(rec.events).toEqual([]);
      const wsErrors = rec.errors as Array<{ message: string; extensions?: unknown }>;
      expect(wsErrors.map((e) => [e.message, e.extensions])).toEqual(http.body.errors!.map((e) => [e.message, e.extensions]));
      expect(http.body.errors![0]!.extensions?.code).toBe('FORBIDDEN');
    } finally {
      await client.dispose();
    }
    expect(storedOperations()).toHaveLength(opsBefore);
    expect(simNode('member1', CORDON_TARGET).spec?.unschedulable ?? false).toBe(false);
  });
});

describe('impersonated writes', () => {
  it('ops-oncall drains a node: the Operation succeeds and the member sees the cordon and every eviction made by ops-oncall', async () => {
    const onNode = [...fx.sim.fleet.members.get('member1')!.objects.list('pods')].filter((p: any) => p.spec?.nodeName === DRAIN_TARGET);
    expect(onNode.length).toBeGreaterThan(0);
    const seenBefore = (await simRequests()).length;

    const r = await fx.query(
      `mutation { drainNode(cluster: "member1", name: "${DRAIN_TARGET}", options: { force: true, deleteEmptyDirData: true }) { id requestedBy } }`,
      undefined,
      as('ops-oncall'),
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.drainNode.requestedBy).toBe('ops-oncall');
    const done = await waitTerminal(r.body.data.drainNode.id, 'ops-oncall');
    expect(done.phase, JSON.stringify(done.steps)).toBe('SUCCEEDED');
    const evictSteps = done.steps.filter((s: any) => s.name.startsWith('evict '));
    expect(evictSteps.length).toBeGreaterThan(0);
    expect(simNode('member1', DRAIN_TARGET).spec?.unschedulable).toBe(true);

    const requests = (await simRequests()).slice(seenBefore).filter((q) => q.cluster === 'member1');
    const evictions = requests.filter((q) => q.resource === 'pods/eviction' && q.verb === 'create');
    const cordons = requests.filter((q) => q.resource === 'nodes' && q.verb === 'patch' && q.path === `/api/v1/nodes/${DRAIN_TARGET}`);
    // One eviction request per evicted pod at least (a budget may refuse one first; those are retried).
    expect(new Set(evictions.map((q) => q.path)).size).toBe(evictSteps.length);
    expect(cordons).toHaveLength(1);
    for (const q of [...evictions, ...cordons]) {
      // Authenticated as the gateway, made as the caller: the member authorized ops-oncall.
      expect(q.user).toBe(gatewayUser);
      expect(q.impersonateUser).toBe('ops-oncall');
      expect(q.impersonateUser).not.toBe(gatewayUser);
    }
  });

  it('shop-dev deletes a pod in its namespace as itself, and is refused one elsewhere naming the namespaced permission', async () => {
    const pods = [...fx.sim.fleet.members.get('member1')!.objects.list('pods')] as any[];
    const own = pods.find((p) => p.metadata.namespace === 'shop' && p.metadata.ownerReferences?.length)!;
    const other = pods.find((p) => p.metadata.namespace !== 'shop')!;
    expect(own).toBeDefined();
    expect(other).toBeDefined();
    const del = (p: any) => fx.query(`mutation { deletePod(cluster: "member1", namespace: "${p.metadata.namespace}", name: "${p.metadata.name}") { id } }`, undefined, as('shop-dev'));

    const opsBefore = storedOperations().length;
    const refused = await del(other);
    expect(refused.body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', cluster: 'member1', permission: `delete pods ${other.metadata.namespace}/${other.metadata.name}` });
    expect(storedOperations()).toHaveLength(opsBefore);

    const seenBefore = (await simRequests()).length;
    const r = await del(own);
    expect(r.body.errors).toBeUndefined();
    const done = await waitTerminal(r.body.data.deletePod.id, 'shop-dev');
    expect(done.phase, JSON.stringify(done.steps)).toBe('SUCCEEDED');
    const deletes = (await simRequests()).slice(seenBefore).filter((q) => q.cluster === 'member1' && q.verb === 'delete');
    expect(deletes.map((q) => [q.path, q.user, q.impersonateUser])).toEqual([[`/api/v1/namespaces/shop/pods/${own.metadata.name}`, gatewayUser, 'shop-dev']]);
  });

  it('the member decides an impersonated write by the caller\'s own RBAC (not the gateway\'s): the same writer as platform-viewer is refused 403', async () => {
    // The gateway's own write route to member1 (the Karmada cluster proxy), made as platform-viewer without any preflight.
    const writer = new ClusterWriter({
      cluster: 'member1',
      kubeConfig: new ClusterKubeConfigs({ kubeconfig: fx.gatewayKubeconfig, memberContexts: {} }).kubeConfig('member1'),
      onChange: () => undefined,
      impersonate: { user: 'platform-viewer', groups: ['system:authenticated'] },
    });
    const before = simNode('member1', CORDON_TARGET);
    const seenBefore = (await simRequests()).length;
    const error = await writer.mergePatch({ apiVersion: 'v1', kind: 'Node', name: CORDON_TARGET }, { spec: { unschedulable: true } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamWriteError);
    expect((error as UpstreamWriteError).status).toBe(403);
    expect((error as UpstreamWriteError).reason).toBe('Forbidden');
    expect(simNode('member1', CORDON_TARGET).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    const patch = (await simRequests()).slice(seenBefore).find((q) => q.cluster === 'member1' && q.verb === 'patch')!;
    expect(patch).toMatchObject({ user: gatewayUser, impersonateUser: 'platform-viewer' });
  });
});
