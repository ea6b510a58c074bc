/**
 * Per-user subscriptions (issue 12), against the demo simulator with `--auth kubernetes`: each routed event
 * reaches only subscribers that may watch its object (decided from the access sets, no upstream call per
 * event); an explicit filter the caller may not watch is FORBIDDEN before anything opens; a RoleBinding
 * added or removed with kubectl gives or takes a live subscription's data within 5 s, with a RESYNC notice;
 * podLogs needs pods/log and reads the log as the caller.
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { kubectl, type TestSimulator } from './support/simServer.js';
import { openClient, poll, record, type Recording } from './support/subscriptionsClient.js';
import { createIn, mergePatch } from './support/subscriptionsSim.js';

let fx: GatewayFixture;
let tokens: Record<string, string>;
const clients: Client[] = [];

interface PodEvent {
  podChanged: {
    type: string;
    cluster: string | null;
    dropped: number;
    pod: { namespace: string; name: string; labels: Array<{ key: string; value: string }> } | null;
  };
}

const POD_EVENTS = `subscription($cluster: String, $namespace: String) {
  podChanged(cluster: $cluster, namespace: $namespace) { type cluster dropped pod { namespace name labels { key value } } }
}`;

function client(user: string): Client {
  const c = openClient(fx.gateway.url, { authorization: `Bearer ${tokens[user]}` });
  clients.push(c);
  return c;
}

function bearer(user: string): Record<string, string> {
  return { authorization: `Bearer ${tokens[user]}` };
}

function sim(): TestSimulator {
  return { kubeconfigPath: fx.kubeconfig } as TestSimulator;
}

/** A pod bound to a node without a kubelet: nothing but these writes changes it. */
function quietPod(namespace: string, name: string) {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace, labels: { step: '0' } },
    spec: { nodeName: 'no-kubelet-node', containers: [{ name: 'main', image: 'busybox:1.36' }] },
  };
}

/** The last `step` label each pod reached in a recording, by `cluster/namespace/name`. */
function lastSteps(rec: Recording<PodEvent>): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of rec.events) {
    const p = e.podChanged.pod;
    if (!p) continue;
    out.set(`${e.podChanged.cluster}/${p.namespace}/${p.name}`, p.labels.find((l) => l.key === 'step')?.value ?? '');
  }
  return out;
}

/** Waits until at most `n` subscriptions are open (those a test stopped are gone). */
async function closedTo(n: number): Promise<void> {
  await poll(() => (fx.gateway.subscriptions.engine.stats().subscriptions <= n ? true : undefined), 10_000,
    () => `${fx.gateway.subscriptions.engine.stats().subscriptions} subscriptions still open`);
}

async function subscribed(n: number): Promise<void> {
  await poll(() => (fx.gateway.subscriptions.engine.stats().subscriptions >= n ? true : undefined), 10_000,
    () => `only ${fx.gateway.subscriptions.engine.stats().subscriptions} subscriptions open`);
}

beforeAll(async () => {
  fx = await startGatewayFixture({ scenario: 'demo', args: ['--auth', 'kubernetes'] });
  const kc = yaml.load(readFileSync(fx.kubeconfig, 'utf8')) as { users: Array<{ name: string; user: { token?: string } }> };
  tokens = Object.fromEntries(kc.users.filter((u) => u.user.token).map((u) => [u.name, u.user.token!]));
  for (const u of ['shop-dev', 'platform-viewer', 'ops-oncall']) expect(tokens[u], u).toBeTruthy();
  // Every cluster's RBAC is listed before the first answer counts.
  const deadline = Date.now() + 20_000;
  while ((await fx.query('{ pods(first: 1) { totalCount } }', undefined, bearer('platform-viewer'))).body.data?.pods.totalCount === 0) {
    if (Date.now() > deadline) throw new Error('platform-viewer never saw a pod');
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await fx?.stop();
});

describe('subscriptions cut to the caller\'s RBAC', () => {
  it('over 1,000 pod changes, shop-dev receives only shop\'s, platform-viewer all of them', async () => {
    const before = fx.gateway.subscriptions.engine.stats().subscriptions;
    const shopDev = record<PodEvent>(client('shop-dev'), POD_EVENTS);
    const viewer = record<PodEvent>(client('platform-viewer'), POD_EVENTS);
    await subscribed(before + 2);
    // 20 pods in each of shop and web on member1 and member2 (80 creates), then 920 label patches across them.
    const targets = ['member1', 'member2'].flatMap((m) => ['shop', 'web'].flatMap((ns) => Array.from({ length: 20 }, (_, i) => ({ m, ns, name: `authz-ev-${i}` }))));
    await Promise.all(targets.map((t) => createIn(fx.sim, t.m, `/api/v1/namespaces/${t.ns}/pods`, quietPod(t.ns, t.name))));
    const patches = 920 / targets.length; // 11.5: the first half of the pods get 12, the rest 11
    const finalStep = new Map<string, string>();
    const writes: Array<() => Promise<unknown>> = [];
    targets.forEach((t, idx) => {
      const n = idx < targets.length / 2 ? Math.ceil(patches) : Math.floor(patches);
      for (let step = 1; step <= n; step++) writes.push(() => mergePatch(fx.sim, t.m, `/api/v1/namespaces/${t.ns}/pods/${t.name}`, { metadata: { labels: { step: String(step) } } }));
      finalStep.set(`${t.m}/${t.ns}/${t.name}`, String(n));
    });
    expect(targets.length + writes.length).toBe(1000);
    // Eight writers; each pod's patches stay in order because they are queued in order per pod.
    const queue = [...writes];
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let w = queue.shift(); w; w = queue.shift()) await w();
    }));

    const shopFinal = [...finalStep].filter(([k]) => k.split('/')[1] === 'shop');
    await viewer.waitFor(() => [...finalStep].every(([k, v]) => lastSteps(viewer).get(k) === v), 30_000, 'platform-viewer holds every final state');
    await shopDev.waitFor(() => shopFinal.every(([k, v]) => lastSteps(shopDev).get(k) === v), 30_000, 'shop-dev holds every shop final state');
    expect(viewer.errors).toEqual([]);
    expect(shopDev.errors).toEqual([]);
    // Never an event about an object shop-dev may not read: every one of its events is in shop.
    const seen = shopDev.events.filter((e) => e.podChanged.pod);
    expect(seen.length).toBeGreaterThan(100);
    expect(seen.filter((e) => e.podChanged.pod!.namespace !== 'shop')).toEqual([]);
    expect(new Set(seen.map((e) => e.podChanged.cluster))).toEqual(new Set(['member1', 'member2']));
    // The positive control: the same stream carried web's changes to a user who may read them.
    expect(viewer.events.some((e) => e.podChanged.pod?.namespace === 'web')).toBe(true);
    shopDev.stop();
    viewer.stop();
    await closedTo(before);
  }, 120_000);

  it('an explicit filter the caller may not watch is FORBIDDEN, and nothing stays open', async () => {
    const start = fx.gateway.subscriptions.engine.stats().subscriptions;
    const c = client('shop-dev');
    const web = record(c, POD_EVENTS, { cluster: 'member1', namespace: 'web' });
    await web.waitForEnd(10_000);
    expect(web.errors).toHaveLength(1);
    expect((web.errors[0] as any)).toMatchObject({ extensions: { code: 'FORBIDDEN', cluster: 'member1' } });
    expect((web.errors[0] as any).message).toContain('watch pods in namespace web');
    const nodes = record(c, 'subscription { nodeChanged(cluster: "member2") { type } }');
    await nodes.waitForEnd(10_000);
    expect((nodes.errors[0] as any)).toMatchObject({ extensions: { code: 'FORBIDDEN', cluster: 'member2' } });
    const before = fx.gateway.subscriptions.engine.stats().subscriptions;
    // Its own namespace is fine on the same socket.
    const shop = record<PodEvent>(c, POD_EVENTS, { cluster: 'member1', namespace: 'shop' });
    await subscribed(before + 1);
    await createIn(fx.sim, 'member1', '/api/v1/namespaces/shop/pods', quietPod('shop', 'authz-explicit'));
    await shop.waitFor((e) => e.some((x) => x.podChanged.pod?.name === 'authz-explicit'), 10_000, 'shop pod event');
    expect(shop.errors).toEqual([]);
    shop.stop();
    await closedTo(start);
  }, 30_000);

  it('podLogs needs pods/log and follows the log as the caller', async () => {
    // A running pod of web (on a node with a simulated kubelet, so its log is served).
    const member = fx.sim.fleet.members.get('member1')!;
    const pod = member.objects.list('pods').find((p) => p.metadata?.namespace === 'web' && (p.status as { phase?: string } | undefined)?.phase === 'Running')!;
    const name = pod.metadata!.name!;
    const container = (pod.spec as { containers: Array<{ name: string }> }).containers[0]!.name;
    const logs = `subscription { podLogs(cluster: "member1", namespace: "web", name: "${name}", tailLines: 1) { line } }`;
    // ops-oncall may get pods but holds no pods/log.
    const refused = record(client('ops-oncall'), logs);
    await refused.waitForEnd(10_000);
    expect((refused.errors[0] as any)).toMatchObject({ extensions: { code: 'FORBIDDEN', cluster: 'member1' } });
    expect((refused.errors[0] as any).message).toContain(`get pods/log web/${name}`);
    const before = fx.gateway.subscriptions.engine.stats().subscriptions;
    const followed = record<{ podLogs: { line: string } }>(client('platform-viewer'), logs);
    await subscribed(before + 1);
    member.logs.append('web', name, container, 'authz-followed');
    await followed.waitFor((e) => e.some((l) => l.podLogs.line === 'authz-followed'), 15_000, 'the appended log line');
    expect(followed.errors).toEqual([]);
    followed.stop();
    await closedTo(before);
    const requests = (await fx.admin<{ requests: Array<{ path: string; impersonateUser?: string }> }>('GET', '/_sim/requests')).requests;
    const reads = requests.filter((q) => q.path === `/api/v1/namespaces/web/pods/${name}/log`);
    expect(reads.length).toBeGreaterThan(0);
    expect(new Set(reads.map((q) => q.impersonateUser))).toEqual(new Set(['platform-viewer']));
  }, 30_000);

  it('a RoleBinding added with kubectl gives a live podChanged web within 5 s (RESYNC), removing it takes it away', async () => {
    const before = fx.gateway.subscriptions.engine.stats().subscriptions;
    const rec = record<PodEvent>(client('shop-dev'), POD_EVENTS);
    await subscribed(before + 1);
    await createIn(fx.sim, 'member1', '/api/v1/namespaces/web/pods', quietPod('web', 'authz-live'));
    await createIn(fx.sim, 'member1', '/api/v1/namespaces/shop/pods', quietPod('shop', 'authz-marker'));
    const step = async (ns: string, name: string, value: string) =>
      mergePatch(fx.sim, 'member1', `/api/v1/namespaces/${ns}/pods/${name}`, { metadata: { labels: { step: value } } });
    const markerAt = (value: string) => (events: PodEvent[]) =>
      events.some((e) => e.podChanged.pod?.name === 'authz-marker' && e.podChanged.pod.labels.some((l) => l.key === 'step' && l.value === value));
    const webEvents = () => rec.events.filter((e) => e.podChanged.pod?.namespace === 'web');
    const resyncs = () => rec.events.filter((e) => e.podChanged.type === 'RESYNC').length;

    // Without access: a web change is not delivered (the shop change after it, on the same member, is).
    await step('web', 'authz-live', 'a');
    await step('shop', 'authz-marker', 'a');
    await rec.waitFor(markerAt('a'), 10_000, 'marker a');
    expect(webEvents()).toEqual([]);

    const add = await kubectl(sim(), ['--context', 'member1', '-n', 'web', 'create', 'rolebinding', 'shop-dev-web-watch', '--clusterrole=view', '--user=shop-dev']);
    expect(add.code, add.stderr).toBe(0);
    const added = Date.now();
    await rec.waitFor(() => resyncs() >= 1, 5_000, 'RESYNC after the RoleBinding was added');
    expect(Date.now() - added).toBeLessThan(5_000);
    await step('web', 'authz-live', 'b');
    await rec.waitFor(() => webEvents().some((e) => e.podChanged.pod!.labels.some((l) => l.value === 'b')), 5_000, 'web change delivered');

    const del = await kubectl(sim(), ['--context', 'member1', '-n', 'web', 'delete', 'rolebinding', 'shop-dev-web-watch']);
    expect(del.code, del.stderr).toBe(0);
    await rec.waitFor(() => resyncs() >= 2, 5_000, 'RESYNC after the RoleBinding was removed');
    const webSeen = webEvents().length;
    await step('web', 'authz-live', 'c');
    await step('shop', 'authz-marker', 'c');
    await rec.waitFor(markerAt('c'), 10_000, 'marker c');
    expect(webEvents()).toHaveLength(webSeen);
    expect(rec.errors).toEqual([]);
    rec.stop();
    await closedTo(before);
  }, 60_000);
});

describe('where clusters decide by SubjectAccessReview (--authz sar)', () => {
  let sar: GatewayFixture;
  let shopDevToken: string;
  beforeAll(async () => {
    sar = await startGatewayFixture({ scenario: 'demo', args: ['--auth', 'kubernetes', '--authz', 'sar'] });
    // This simulator's own tokens.
    const kc = yaml.load(readFileSync(sar.kubeconfig, 'utf8')) as { users: Array<{ name: string; user: { token?: string } }> };
    shopDevToken = kc.users.find((u) => u.name === 'shop-dev')!.user.token!;
  }, 60_000);
  afterAll(async () => {
    await sar?.stop();
  });

  it('holds events back until the member answered, then delivers only what it allows', async () => {
    const c = openClient(sar.gateway.url, { authorization: `Bearer ${shopDevToken}` });
    clients.push(c);
    const rec = record<PodEvent>(c, POD_EVENTS);
    await poll(() => (sar.gateway.subscriptions.engine.stats().subscriptions >= 1 ? true : undefined), 10_000, () => `subscription not open: ${JSON.stringify(rec.errors)}`);
    await createIn(sar.sim, 'member1', '/api/v1/namespaces/web/pods', quietPod('web', 'sar-web'));
    await createIn(sar.sim, 'member1', '/api/v1/namespaces/shop/pods', quietPod('shop', 'sar-shop'));
    // Keep changing both until shop's changes arrive (the first ones may wait for the review's answer).
    let step = 0;
    const deadline = Date.now() + 20_000;
    while (!rec.events.some((e) => e.podChanged.pod?.name === 'sar-shop')) {
      if (Date.now() > deadline) throw new Error(`no shop event: ${JSON.stringify(rec.events)} ${JSON.stringify(rec.errors)}`);
      step++;
      await mergePatch(sar.sim, 'member1', '/api/v1/namespaces/web/pods/sar-web', { metadata: { labels: { step: String(step) } } });
      await mergePatch(sar.sim, 'member1', '/api/v1/namespaces/shop/pods/sar-shop', { metadata: { labels: { step: String(step) } } });
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(rec.errors).toEqual([]);
    expect(rec.events.filter((e) => e.podChanged.pod && e.podChanged.pod.namespace !== 'shop')).toEqual([]);
    // A cluster filter: allowed where a review says shop-dev may watch some namespace, FORBIDDEN where none.
    const member1 = record<PodEvent>(c, POD_EVENTS, { cluster: 'member1' });
    const member3 = record<PodEvent>(c, POD_EVENTS, { cluster: 'member3' });
    await member3.waitForEnd(10_000);
    expect((member3.errors[0] as any)).toMatchObject({ extensions: { code: 'FORBIDDEN', cluster: 'member3' } });
    await mergePatch(sar.sim, 'member1', '/api/v1/namespaces/shop/pods/sar-shop', { metadata: { labels: { step: 'filtered' } } });
    await member1.waitFor((e) => e.some((x) => x.podChanged.pod?.labels.some((l) => l.value === 'filtered')), 10_000, 'member1-filtered shop event');
    expect(member1.errors).toEqual([]);
    member1.stop();
    // Reviews were asked of the member, as shop-dev (the gateway made no local decision).
    const requests = (await sar.admin<{ requests: Array<{ path: string; cluster?: string }> }>('GET', '/_sim/requests')).requests;
    expect(requests.filter((q) => q.path.endsWith('/subjectaccessreviews')).length).toBeGreaterThan(0);
    rec.stop();
  }, 60_000);
});
