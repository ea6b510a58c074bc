/**
 * The gateway's RBAC evaluation (src/authz) against the simulator's RBAC authorizer, which enforces
 * kube-apiserver 1.26's semantics (replayed against recordings in sim-rbac-recordings.test.ts): the demo
 * scenario's RBAC objects of the control plane and every member are listed as the admin (members through the
 * Karmada proxy path) into an RbacStore, then several hundred generated attribute tuples (demo users and a
 * few other identities × verbs × resources × namespaces × names × clusters) are decided by the gateway's
 * access sets and by the cluster's SubjectAccessReview: they must agree on every one. Then the same through
 * the informers (RbacWatcher): a RoleBinding added and removed as admin shows in the access set within 5 s;
 * a cluster whose RBAC the gateway's identity may not read goes to review mode, and the SubjectAccessReview
 * fallback answers as the cluster does.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetAuthorizer } from '../src/authz/FleetAuthorizer.js';
import { postSubjectAccessReview } from '../src/authz/postSubjectAccessReview.js';
import { RBAC_KIND_NAMES, rbacKindDescriptor } from '../src/authz/rbacKinds.js';
import { projectRbacObject } from '../src/authz/rbacProjection.js';
import { RbacStore } from '../src/authz/RbacStore.js';
import { RbacWatcher } from '../src/authz/RbacWatcher.js';
import { SubjectAccessReviewAuthorizer } from '../src/authz/SubjectAccessReviewAuthorizer.js';
import type { ResourceCheck, SlimRbacObject, Subject } from '../src/authz/types.js';
import { ClusterClient } from '../src/fleet/ClusterClient.js';
import { loadControlPlaneKubeConfig, memberKubeConfigViaProxy } from '../src/fleet/kubeConfigs.js';
import { CONTROL_PLANE } from '../src/fleet/types.js';
import { eventually, simRequest, startTestSimulator, type TestSimulator } from './support/simServer.js';

const RBAC_API = '/apis/rbac.authorization.k8s.io/v1';
const BLIND_TOKEN = `blind-${Math.random().toString(36).slice(2)}`;

let sim: TestSimulator;
let clusters: string[];
const base = (cluster: string) => (cluster === CONTROL_PLANE ? '' : `/apis/cluster.karmada.io/v1alpha1/clusters/${cluster}/proxy`);

const authenticated = ['system:authenticated'];
const callers: Subject[] = [
  { user: 'platform-viewer', groups: authenticated },
  { user: 'shop-dev', groups: authenticated },
  { user: 'ops-oncall', groups: authenticated },
  { user: 'system:serviceaccount:fleetgraph-system:fleetgraph', groups: ['system:serviceaccounts', 'system:serviceaccounts:fleetgraph-system', ...authenticated] },
  { user: 'nobody', groups: authenticated },
  { user: 'system:anonymous', groups: ['system:unauthenticated'] },
  { user: 'root', groups: ['system:masters'] },
];
const demoCallers = callers.slice(0, 3);

/** [apiGroup, resource, subresource?] */
const resources: Array<[string, string, string?]> = [
  ['', 'pods'], ['', 'pods', 'log'], ['', 'pods', 'eviction'], ['', 'pods', 'exec'], ['', 'secrets'], ['', 'configmaps'],
  ['', 'services'], ['', 'events'], ['', 'nodes'], ['', 'namespaces'], ['', 'persistentvolumes'], ['', 'serviceaccounts', 'token'],
  ['apps', 'deployments'], ['apps', 'deployments', 'scale'], ['apps', 'daemonsets'], ['apps', 'replicasets'], ['batch', 'jobs'],
  ['rbac.authorization.k8s.io', 'rolebindings'], ['rbac.authorization.k8s.io', 'clusterroles'], ['cluster.karmada.io', 'clusters'],
  ['cluster.karmada.io', 'clusters', 'proxy'], ['policy.karmada.io', 'propagationpolicies'], ['middleware.fleetgraph.io', 'operations'],
  ['authorization.k8s.io', 'selfsubjectaccessreviews'], ['metrics.k8s.io', 'pods'], ['authentication.k8s.io', 'tokenreviews'],
];
const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'impersonate', 'bind', 'escalate'];
const namespaces = ['', 'shop', 'web', 'default', 'kube-system'];
const names = [undefined, undefined, 'member1', 'member3', 'rolebinding-manager', 'p-1'];
const paths = ['/healthz', '/version', '/metrics', '/api', '/apis/apps', '/openapi/v2', '/logs'];

/** A small seeded PRNG (mulberry32): the same tuples on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Tuple {
  cluster: string;
  caller: Subject;
  check?: ResourceCheck;
  path?: { verb: string; path: string };
}

function generate(count: number): Tuple[] {
  const rnd = prng(12);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: Tuple[] = [];
  // Every demo user × the verbs a UI needs × every namespace on every cluster (the cases that matter most).
  for (const cluster of clusters) {
    for (const caller of demoCallers) {
      for (const namespace of ['shop', 'web']) {
        for (const [verb, r] of [['list', resources[0]!], ['get', resources[4]!], ['create', resources[2]!], ['patch', resources[13]!]] as const) {
          out.push({ cluster, caller, check: { verb, apiGroup: r[0], resource: r[1], subresource: r[2], namespace } });
        }
      }
    }
  }
  while (out.length < count) {
    const cluster = pick(clusters);
    const caller = rnd() < 0.7 ? pick(demoCallers) : pick(callers);
    if (rnd() < 0.06) {
      out.push({ cluster, caller, path: { verb: pick(['get', 'post']), path: pick(paths) } });
      continue;
    }
    const [apiGroup, resource, subresource] = pick(resources);
    // Reads half the time: what the gateway checks most, and what the demo users mostly hold.
    const check: ResourceCheck = { verb: rnd() < 0.5 ? pick(['get', 'list', 'watch']) : pick(verbs), apiGroup, resource };
    if (subresource) check.subresource = subresource;
    const namespace = pick(namespaces);
    if (namespace) check.namespace = namespace;
    const name = pick(names);
    if (name) check.name = name;
    out.push({ cluster, caller, check });
  }
  return out;
}

/** The cluster's own verdict, as karmada-admin (who may create SubjectAccessReviews anywhere). */
async function simVerdict(t: Tuple): Promise<boolean> {
  const spec: Record<string, unknown> = { user: t.caller.user, groups: t.caller.groups };
  if (t.path) spec['nonResourceAttributes'] = t.path;
  else {
    const c = t.check!;
    spec['resourceAttributes'] = {
      verb: c.verb, group: c.apiGroup, resource: c.resource,
      ...(c.subresource ? { subresource: c.subresource } : {}),
      ...(c.namespace ? { namespace: c.namespace } : {}),
      ...(c.name ? { name: c.name } : {}),
    };
  }
  const res = await simRequest(sim, `${base(t.cluster)}/apis/authorization.k8s.io/v1/subjectaccessreviews`, {
    method: 'POST', body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
  });
  expect(res.status, res.text).toBe(201);
  return res.json.status.allowed === true;
}

function localVerdict(store: RbacStore, t: Tuple): boolean {
  const set = store.accessSet(t.cluster, t.caller)!;
  return t.path ? set.canPath(t.path.verb, t.path.path) : set.check(t.check!);
}

async function inChunks<T, R>(items: T[], size: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

const describeTuple = (t: Tuple) => `${t.cluster} ${t.caller.user} ${t.path ? `${t.path.verb} ${t.path.path}` : JSON.stringify(t.check)}`;

let tuples: Tuple[];
let simAnswers: boolean[];
const listedStore = new RbacStore();

beforeAll(async () => {
  sim = await startTestSimulator({ scenario: 'demo', seed: 4, tokens: [{ token: BLIND_TOKEN, user: 'rbac-blind', groups: [] }] });
  clusters = [CONTROL_PLANE, ...sim.fleet.members.keys()];
  // Feed the store from a list of every RBAC kind of every cluster, as the admin.
  for (const cluster of clusters) {
    for (const name of RBAC_KIND_NAMES) {
      const kind = rbacKindDescriptor(name);
      const res = await simRequest(sim, `${base(cluster)}${RBAC_API}/${name}`);
      expect(res.status, res.text).toBe(200);
      listedStore.snapshot(cluster).replaceKind(kind.kind as SlimRbacObject['kind'], res.json.items.map((o: Record<string, unknown>) => projectRbacObject(kind.kind, o)));
    }
    listedStore.setMode(cluster, 'local');
  }
  tuples = generate(600);
  simAnswers = await inChunks(tuples, 8, simVerdict);
});

afterAll(async () => {
  await sim?.stop();
});

describe('gateway RBAC evaluation agrees with the cluster (demo scenario)', () => {
  it('on every generated tuple: users × verbs × resources × namespaces × names × clusters', () => {
    expect(tuples.length).toBeGreaterThanOrEqual(600);
    const mismatches = tuples.flatMap((t, i) => (localVerdict(listedStore, t) !== simAnswers[i] ? [`${describeTuple(t)} sim=${simAnswers[i]}`] : []));
    expect(mismatches).toEqual([]);
    // Not a trivial agreement: both verdicts are common, on every cluster and for every demo user.
    const allowed = simAnswers.filter(Boolean).length;
    console.log(`[authz differential] ${tuples.length} tuples on ${clusters.length} clusters: ${allowed} allowed, ${tuples.length - allowed} denied, 0 disagreements`);
    expect(allowed).toBeGreaterThan(100);
    expect(tuples.length - allowed).toBeGreaterThan(100);
    for (const u of demoCallers) expect(tuples.some((t, i) => t.caller === u && simAnswers[i])).toBe(true);
    for (const c of clusters) expect(tuples.some((t, i) => t.cluster === c && simAnswers[i])).toBe(true);
  });

  it('listScope of each demo user matches the cluster\'s list verdicts per namespace', async () => {
    for (const cluster of clusters) {
      const ns = (await simRequest(sim, `${base(cluster)}/api/v1/namespaces`)).json.items.map((n: { metadata: { name: string } }) => n.metadata.name) as string[];
      for (const caller of demoCallers) {
        const scope = listedStore.accessSet(cluster, caller)!.listScope('', 'pods');
        const all = await simVerdict({ cluster, caller, check: { verb: 'list', apiGroup: '', resource: 'pods' } });
        expect(scope.all, `${cluster} ${caller.user}`).toBe(all);
        if (all) continue;
        const allowed = await inChunks(ns, 8, (namespace) => simVerdict({ cluster, caller, check: { verb: 'list', apiGroup: '', resource: 'pods', namespace } }));
        expect([...scope.namespaces].filter((n) => ns.includes(n)).sort(), `${cluster} ${caller.user}`).toEqual(ns.filter((_, i) => allowed[i]).sort());
      }
    }
    // The demo's promise: shop-dev lists pods in shop on member1 and member2 only.
    expect([...listedStore.accessSet('member1', demoCallers[1]!)!.listScope('', 'pods').namespaces]).toEqual(['shop']);
    expect(listedStore.accessSet(CONTROL_PLANE, demoCallers[1]!)!.listScope('', 'pods')).toEqual({ all: false, namespaces: new Set() });
  });
});

describe('fed by informers (RbacWatcher)', () => {
  const admin = () => loadControlPlaneKubeConfig(sim.kubeconfigPath);
  const clientsOf = (kc: KubeConfig) => clusters.map((c) => new ClusterClient({ name: c, kubeConfig: c === CONTROL_PLANE ? kc : memberKubeConfigViaProxy(kc, c) }));

  it('syncs every cluster, decides as listed, and applies a RoleBinding added and removed within 5 s', async () => {
    const store = new RbacStore();
    const watcher = new RbacWatcher({ store, backoff: { initialMs: 100, maxMs: 1000 } });
    const clients = clientsOf(admin());
    try {
      for (const client of clients) watcher.add(client.name, client);
      await eventually(() => clusters.every((c) => store.mode(c) === 'local'), 30_000);
      const mismatches = tuples.filter((t, i) => localVerdict(store, t) !== simAnswers[i]).map(describeTuple);
      expect(mismatches).toEqual([]);

      const shopDev = demoCallers[1]!;
      const before = store.accessSet('member1', shopDev)!;
      expect(before.can('list', '', 'pods', undefined, 'web')).toBe(false);
      const binding = {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
        metadata: { name: 'shop-dev-view-web', namespace: 'web' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'shop-dev' }],
      };
      const postedAt = Date.now();
      const created = await simRequest(sim, `${base('member1')}${RBAC_API}/namespaces/web/rolebindings`, { method: 'POST', body: binding });
      expect(created.status, created.text).toBe(201);
      await eventually(() => store.accessSet('member1', shopDev)!.listScope('', 'pods').namespaces.has('web'), 5_000, 20);
      console.log(`[authz differential] RoleBinding in effect in the access set ${Date.now() - postedAt} ms after its POST (polled every 20 ms)`);
      expect(store.accessSet('member1', shopDev)!.can('get', '', 'pods', undefined, 'web', 'x')).toBe(true);
      expect(store.accessSet('member1', shopDev)!.can('get', '', 'secrets', undefined, 'web', 'x')).toBe(false);
      // Only member1 changed.
      expect(store.accessSet('member2', shopDev)!.listScope('', 'pods').namespaces.has('web')).toBe(false);
      expect(await simVerdict({ cluster: 'member1', caller: shopDev, check: { verb: 'list', apiGroup: '', resource: 'pods', namespace: 'web' } })).toBe(true);

      const deleted = await simRequest(sim, `${base('member1')}${RBAC_API}/namespaces/web/rolebindings/shop-dev-view-web`, { method: 'DELETE' });
      expect(deleted.status, deleted.text).toBe(200);
      await eventually(() => !store.accessSet('member1', shopDev)!.listScope('', 'pods').namespaces.has('web'), 5_000, 20);
      expect(store.accessSet('member1', shopDev)!.can('delete', '', 'pods', undefined, 'shop', 'x')).toBe(true);
    } finally {
      await watcher.stop();
      for (const c of clients) c.close();
    }
  });

  it('marks clusters whose RBAC the gateway may not read as review mode; SubjectAccessReview then decides as the cluster does', async () => {
    const adminKc = admin();
    const cluster = adminKc.getCurrentCluster()!;
    const blind = new KubeConfig();
    blind.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'rbac-blind', token: BLIND_TOKEN }],
      contexts: [{ name: 'blind', cluster: cluster.name, user: 'rbac-blind' }],
      currentContext: 'blind',
    });
    const store = new RbacStore();
    const watcher = new RbacWatcher({ store, backoff: { initialMs: 100, maxMs: 1000 } });
    const blindClients = clientsOf(blind);
    const adminClients = new Map(clientsOf(adminKc).map((c) => [c.name, c]));
    try {
      for (const client of blindClients) watcher.add(client.name, client);
      await eventually(() => clusters.every((c) => store.mode(c) === 'review'), 30_000);
      expect(store.accessSet('member1', demoCallers[0]!)).toBeUndefined();

      const reviews = new SubjectAccessReviewAuthorizer({ review: (c, caller, check) => postSubjectAccessReview(adminClients.get(c)!, caller, check) });
      const authz = new FleetAuthorizer({ store, reviews });
      const sample = tuples.filter((t) => t.check).slice(0, 120);
      const answers = await inChunks(sample, 8, (t) => authz.can(t.cluster, t.caller, t.check!));
      const expected = sample.map((t) => simAnswers[tuples.indexOf(t)]);
      expect(answers).toEqual(expected);
      // Asked again at once, concurrently: from the cache, no new review.
      const reviewsSent = reviews.stats.reviews;
      const again = await Promise.all(sample.map((t) => authz.can(t.cluster, t.caller, t.check!)));
      expect(again).toEqual(expected);
      expect(reviews.stats.reviews).toBe(reviewsSent);
      // listScope by review matches the local evaluation.
      const scope = await authz.listScope('member1', demoCallers[1]!, '', 'pods', ['shop', 'web', 'default']);
      expect(scope).toEqual({ all: false, namespaces: new Set(['shop']) });
    } finally {
      await watcher.stop();
      for (const c of [...blindClients, ...adminClients.values()]) c.close();
    }
  });
});
