/**
 * Subscriptions e2e, routing: a running simulator (demo fleet) and gateway, graphql-ws clients over real
 * WebSockets. A node cordoned with kubectl through the simulator's HTTPS API reaches the nodeChanged
 * subscriber of its cluster with `unschedulable: true`, while subscribers filtered to another cluster or
 * to a namespace receive nothing; resourceChanged and podChanged filters route the same way.
 */
import { execFile } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import WebSocket from 'ws';
import { openClient, poll, record, settle, waitForOpen, wsUrlOf } from './support/subscriptionsClient.js';
import { createIn, deleteIn, simCall } from './support/subscriptionsSim.js';

let fx: GatewayFixture;
/** Open subscriptions on the gateway (each test closes its own before the next starts). */
const open = () => fx.gateway.subscriptions.engine.stats().subscriptions;

function kubectl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('kubectl', ['--kubeconfig', fx.sim.kubeconfigPath!, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

beforeAll(async () => {
  // Short keep-alive so the ping test below sees pings within its bound; real clients answer them.
  fx = await startGatewayFixture({ args: ['--ws-keepalive', '500ms'] });
});

afterEach(async () => {
  // Subscriptions end asynchronously after a client stops them: the next test counts from zero.
  await waitForOpen(open, 0);
});

afterAll(async () => {
  await fx?.stop();
});

const NODE_CHANGED = `subscription($cluster: String) {
  nodeChanged(cluster: $cluster) { type cluster node { cluster name unschedulable } }
}`;

describe('nodeChanged', () => {
  it('delivers a kubectl cordon to the subscriber of that cluster only', async () => {
    const [member, other] = [...fx.sim.fleet.members.keys()];
    expect(member).toMatch(/^member\d+$/);
    expect(other).toMatch(/^member\d+$/);
    expect(other).not.toBe(member);
    const node = (await kubectl(['--context', member!, 'get', 'nodes', '-o', 'name'])).trim().split('\n')[0]!.replace('node/', '');

    const client = openClient(fx.gateway.url);
    const mine = record(client, NODE_CHANGED, { cluster: member });
    const otherCluster = record(client, NODE_CHANGED, { cluster: other });
    const pods = record(client, `subscription { resourceChanged(filter: { kinds: ["Node"], namespaces: ["default"] }) { type name } }`);
    const anyNode = record(client, `subscription { nodeChanged { type cluster node { name unschedulable } } }`);
    try {
      await waitForOpen(open, 4);
      await kubectl(['--context', member!, 'cordon', node]);

      const events = await mine.waitFor((es) => es.some((e) => e.nodeChanged.node?.name === node && e.nodeChanged.node.unschedulable === true), 20_000, 'cordon event');
      const ev = events.find((e) => e.nodeChanged.node?.name === node)!.nodeChanged;
      expect(ev).toMatchObject({ type: 'MODIFIED', cluster: member, node: { cluster: member, name: node, unschedulable: true } });
      await anyNode.waitFor((es) => es.some((e) => e.nodeChanged.node?.name === node && e.nodeChanged.cluster === member), 20_000, 'unfiltered');

      // Events that should not arrive get the time the matching one needed, and more.
      await settle(500);
      expect(otherCluster.events.filter((e) => e.nodeChanged.node?.name === node)).toEqual([]);
      expect(otherCluster.events.every((e) => e.nodeChanged.cluster === other)).toBe(true);
      expect(pods.events).toEqual([]);
      expect([mine.errors, otherCluster.errors, pods.errors, anyNode.errors]).toEqual([[], [], [], []]);
    } finally {
      await kubectl(['--context', member!, 'uncordon', node]).catch(() => undefined);
      mine.stop();
      otherCluster.stop();
      pods.stop();
      anyNode.stop();
      await client.dispose();
    }
  });
});

describe('resourceChanged and podChanged', () => {
  it('routes a labelled pod change by kind, cluster, namespace and label selector', async () => {
    const [member, other] = [...fx.sim.fleet.members.keys()];
    const client = openClient(fx.gateway.url);
    const query = `subscription($f: ResourceChangeFilter!) { resourceChanged(filter: $f) { type cluster kind namespace name resource { __typename name ... on Pod { phase } } } }`;
    const match = record(client, query, { f: { kinds: ['Pod'], clusters: [member], namespaces: ['subs-test'], labelSelector: 'app=subs' } });
    const wrongLabel = record(client, query, { f: { kinds: ['Pod'], clusters: [member], labelSelector: 'app=other' } });
    const wrongCluster = record(client, query, { f: { kinds: ['Pod'], clusters: [other], namespaces: ['subs-test'] } });
    const typed = record(client, `subscription($c: String) { podChanged(cluster: $c, namespace: "subs-test", name: "subs-pod") { type pod { name namespace labels { key value } } } }`, { c: member });
    try {
      await waitForOpen(open, 4);
      await createIn(fx.sim, member!, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'subs-test' } });
      await createIn(fx.sim, member!, '/api/v1/namespaces/subs-test/pods', {
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: 'subs-pod', namespace: 'subs-test', labels: { app: 'subs' } },
        spec: { containers: [{ name: 'main', image: 'busybox:1.36' }], restartPolicy: 'Never' },
      });
      const events = await match.waitFor((es) => es.some((e) => e.resourceChanged.type === 'ADDED'), 20_000, 'pod ADDED');
      expect(events[0].resourceChanged).toMatchObject({ type: 'ADDED', cluster: member, kind: 'Pod', namespace: 'subs-test', name: 'subs-pod', resource: { __typename: 'Pod', name: 'subs-pod' } });
      const typedEvents = await typed.waitFor((es) => es.length > 0, 20_000, 'podChanged');
      expect(typedEvents[0].podChanged).toMatchObject({ type: 'ADDED', pod: { name: 'subs-pod', namespace: 'subs-test', labels: [{ key: 'app', value: 'subs' }] } });
      await deleteIn(fx.sim, member!, '/api/v1/namespaces/subs-test/pods/subs-pod');
      await match.waitFor((es) => es.some((e) => e.resourceChanged.type === 'DELETED'), 30_000, 'pod DELETED');
      await settle(300);
      expect(wrongLabel.events.filter((e) => e.resourceChanged.namespace === 'subs-test')).toEqual([]);
      expect(wrongCluster.events).toEqual([]);
    } finally {
      for (const r of [match, wrongLabel, wrongCluster, typed]) r.stop();
      await client.dispose();
    }
  });

  it('refuses an unknown kind and a malformed selector with BAD_USER_INPUT before opening anything', async () => {
    const client = openClient(fx.gateway.url);
    try {
      const bad = record(client, `subscription { resourceChanged(filter: { kinds: ["Gadget"] }) { type } }`);
      const sel = record(client, `subscription { podChanged(labelSelector: "a in (") { type } }`);
      await bad.waitForEnd();
      await sel.waitForEnd();
      const codes = [...bad.errors, ...sel.errors].map((e: any) => e.extensions?.code);
      expect(codes).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
      expect((bad.errors[0] as any).message).toContain('Gadget');
      expect(fx.gateway.subscriptions.engine.stats().subscriptions).toBe(0);
    } finally {
      await client.dispose();
    }
  });
});

describe('workloadChanged', () => {
  it('fires for the template and again when its ResourceBinding moves', async () => {
    const listed = await fx.query(`{ workloads(first: 50) { edges { node { kind name namespace replicas { desired } binding { name } } } } }`);
    const w = listed.body.data.workloads.edges.map((e: any) => e.node).find((n: any) => n.kind === 'Deployment' && n.binding);
    expect(w, 'a Deployment template with a ResourceBinding').toMatchObject({ kind: 'Deployment', binding: { name: expect.any(String) } });
    const client = openClient(fx.gateway.url);
    const mine = record(client, `subscription($ns: String, $n: String) { workloadChanged(namespace: $ns, name: $n) { type cause kind namespace name workload { name replicas { desired } } } }`, { ns: w.namespace, n: w.name });
    const others = record(client, `subscription { workloadChanged(namespace: "no-such-namespace") { type name } }`);
    try {
      await waitForOpen(open, 2);
      const desired = (w.replicas.desired as number) + 1;
      const patched = await simCall(fx.sim, 'PATCH', `/apis/apps/v1/namespaces/${w.namespace}/deployments/${w.name}`, { spec: { replicas: desired } }, 'application/merge-patch+json');
      expect(patched.status).toBe(200);
      const events = await mine.waitFor((es) => es.some((e) => e.workloadChanged.cause === 'TEMPLATE') && es.some((e) => e.workloadChanged.cause === 'BINDING'), 30_000, 'template and binding events');
      const template = events.find((e) => e.workloadChanged.cause === 'TEMPLATE').workloadChanged;
      expect(template).toMatchObject({ type: 'MODIFIED', kind: 'Deployment', namespace: w.namespace, name: w.name, workload: { name: w.name, replicas: { desired } } });
      const binding = events.find((e) => e.workloadChanged.cause === 'BINDING').workloadChanged;
      expect(binding).toMatchObject({ type: 'MODIFIED', kind: 'Deployment', namespace: w.namespace, name: w.name, workload: { name: w.name } });
      expect(others.events).toEqual([]);
      expect([mine.errors, others.errors]).toEqual([[], []]);
      await simCall(fx.sim, 'PATCH', `/apis/apps/v1/namespaces/${w.namespace}/deployments/${w.name}`, { spec: { replicas: desired - 1 } }, 'application/merge-patch+json');
    } finally {
      mine.stop();
      others.stop();
      await client.dispose();
    }
  });
});

describe('clusterChanged', () => {
  it('sends a change of the Karmada Cluster object to the subscribers of that member', async () => {
    const [member, other] = [...fx.sim.fleet.members.keys()];
    const client = openClient(fx.gateway.url);
    const q = `subscription($c: String) { clusterChanged(cluster: $c) { type cluster cause reachable member { name labels { key value } } } }`;
    const mine = record(client, q, { c: member });
    const theirs = record(client, q, { c: other });
    try {
      await waitForOpen(open, 2);
      const patched = await simCall(fx.sim, 'PATCH', `/apis/cluster.karmada.io/v1alpha1/clusters/${member}`, { metadata: { labels: { 'subs-test': 'yes' } } }, 'application/merge-patch+json');
      expect(patched.status).toBe(200);
      const events = await mine.waitFor((es) => es.some((e) => e.clusterChanged.member?.labels.some((l: any) => l.key === 'subs-test')), 20_000, 'Cluster object change');
      const ev = events.find((e) => e.clusterChanged.member?.labels.some((l: any) => l.key === 'subs-test')).clusterChanged;
      expect(ev).toMatchObject({ type: 'MODIFIED', cluster: member, cause: 'OBJECT', reachable: true, member: { name: member } });
      await settle(300);
      // The other member's subscriber may see its own Cluster status refreshes, never this member's.
      expect(theirs.events.filter((e) => e.clusterChanged.cluster !== other)).toEqual([]);
      expect([mine.errors, theirs.errors]).toEqual([[], []]);
    } finally {
      mine.stop();
      theirs.stop();
      await client.dispose();
    }
  });
});

describe('middlewareInstanceChanged', () => {
  it('sends a new middleware Application to the subscribers of its cluster and namespace', async () => {
    const [member, other] = [...fx.sim.fleet.members.keys()];
    const client = openClient(fx.gateway.url);
    const q = `subscription($c: String) { middlewareInstanceChanged(cluster: $c, namespace: "default") { type cluster instance { name namespace cluster } } }`;
    const mine = record(client, q, { c: member });
    const theirs = record(client, q, { c: other });
    try {
      await waitForOpen(open, 2);
      const created = await simCall(fx.sim, 'POST', `/apis/cluster.karmada.io/v1alpha1/clusters/${member}/proxy/apis/middleware.fleetgraph.io/v1alpha1/namespaces/default/applications`, {
        apiVersion: 'middleware.fleetgraph.io/v1alpha1', kind: 'Application', metadata: { name: 'subs-app', namespace: 'default' }, spec: {},
      });
      expect([200, 201]).toContain(created.status);
      const events = await mine.waitFor((es) => es.some((e) => e.middlewareInstanceChanged.type === 'ADDED'), 20_000, 'Application ADDED');
      expect(events.find((e) => e.middlewareInstanceChanged.type === 'ADDED').middlewareInstanceChanged).toMatchObject({
        type: 'ADDED', cluster: member, instance: { name: 'subs-app', namespace: 'default', cluster: member },
      });
      await settle(300);
      expect(theirs.events).toEqual([]);
      expect([mine.errors, theirs.errors]).toEqual([[], []]);
    } finally {
      mine.stop();
      theirs.stop();
      await client.dispose();
    }
  });
});

describe('keep-alive', () => {
  it('pings every connection and drops one that never answers', async () => {
    const answering = new WebSocket(wsUrlOf(fx.gateway.url), 'graphql-transport-ws');
    const silent = new WebSocket(wsUrlOf(fx.gateway.url), 'graphql-transport-ws', { autoPong: false });
    let pings = 0;
    let silentClosed: number | undefined;
    answering.on('ping', () => pings++);
    silent.on('close', (code) => {
      silentClosed = code;
    });
    try {
      await poll(() => (pings >= 2 ? true : undefined), 10_000, () => `saw ${pings} pings`);
      // No pong within one interval after a ping: the server terminates the socket (no close frame: 1006).
      await poll(() => silentClosed, 10_000, () => 'the silent connection was not dropped');
      expect(silentClosed).toBe(1006);
      expect(answering.readyState).toBe(WebSocket.OPEN);
    } finally {
      answering.terminate();
      silent.terminate();
    }
  });
});
