#!/usr/bin/env node
/**
 * The cost of the gateway's RBAC evaluation (src/authz, issue 12), in this process:
 *  1. demo scale: the RBAC objects of the embedded demo simulator's control plane and members (bootstrap
 *     policy plus the demo users' grants), listed as the admin through the gateway's ClusterClient, put into
 *     an RbacStore; heap after a full GC, before and after; then the access sets of the demo users on every
 *     cluster;
 *  2. per 1,000 bindings: 10,000 synthetic RoleBindings (10,000 users, 200 namespaces, to `view`/`edit`)
 *     plus 1,000 ClusterRoleBindings on one cluster, and 1,000 distinct users' access sets;
 *  3. one `can()` (ns): an access set of a demo user and of a user with 10 RoleBindings, hits and misses.
 * Prints figures; asserts nothing. Bounded: a few seconds after the simulator's start-up.
 *
 * Usage: npm run build && node --expose-gc bench/authzAccessSetCost.mjs
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../dist/sim/index.js';
import { ClusterClient } from '../dist/fleet/ClusterClient.js';
import { loadControlPlaneKubeConfig, memberKubeConfigViaProxy } from '../dist/fleet/kubeConfigs.js';
import { RbacStore } from '../dist/authz/RbacStore.js';
import { RBAC_KIND_NAMES, rbacKindDescriptor } from '../dist/authz/rbacKinds.js';
import { projectRbacObject } from '../dist/authz/rbacProjection.js';

if (typeof global.gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(2);
}
const heap = () => {
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
};
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const authed = ['system:authenticated'];

// --- 1. demo scale ---
const dir = mkdtempSync(join(tmpdir(), 'authz-bench-'));
const sim = await startSimulator({ scenario: 'demo', seed: 1, kubeconfigOut: join(dir, 'kubeconfig') });
const kc = loadControlPlaneKubeConfig(join(dir, 'kubeconfig'));
const clusters = ['controlPlane', ...sim.fleet.members.keys()];
// The same through the informers (RbacWatcher: KindInformer stores plus the RbacStore), measured with the
// simulator in this process (its own allocations for serving the lists and watches count too: an upper bound).
{
  const { RbacWatcher } = await import('../dist/authz/RbacWatcher.js');
  const clients = clusters.map((c) => new ClusterClient({ name: c, kubeConfig: c === 'controlPlane' ? kc : memberKubeConfigViaProxy(kc, c) }));
  const w0 = heap();
  const watched = new RbacStore();
  const watcher = new RbacWatcher({ store: watched });
  for (const c of clients) watcher.add(c.name, c);
  while (!clusters.every((c) => watched.mode(c) === 'local')) await new Promise((r) => setTimeout(r, 50));
  const w1 = heap();
  console.log(`demo scale through informers (KindInformer stores + RbacStore; upper bound): ${kb(w1 - w0)}`);
  await watcher.stop();
  for (const c of clients) c.close();
}
const raw = [];
for (const cluster of clusters) {
  const client = new ClusterClient({ name: cluster, kubeConfig: cluster === 'controlPlane' ? kc : memberKubeConfigViaProxy(kc, cluster) });
  for (const name of RBAC_KIND_NAMES) {
    const list = await client.getJson(`/apis/rbac.authorization.k8s.io/v1/${name}`);
    raw.push({ cluster, kind: rbacKindDescriptor(name).kind, items: list.items });
  }
  client.close();
}
await sim.stop();
rmSync(dir, { recursive: true, force: true });
// Let the stopped simulator's sockets and timers go before measuring the heap.
await new Promise((r) => setTimeout(r, 1000));

let objects = 0;
let bindings = 0;
const h0 = heap();
const store = new RbacStore();
for (const { cluster, kind, items } of raw) {
  store.snapshot(cluster).replaceKind(kind, items.map((o) => projectRbacObject(kind, o)));
  store.setMode(cluster, 'local');
  objects += items.length;
  if (kind.endsWith('Binding')) bindings += items.length;
}
const h1 = heap();
const demoUsers = ['platform-viewer', 'shop-dev', 'ops-oncall'];
// 50 variants of each demo user (an extra group each, so each is its own set) on every cluster: 600 sets,
// enough for the heap delta to rise above the collector's noise.
const VARIANTS = 50;
const held = [];
for (let v = 0; v < VARIANTS; v++) {
  for (const c of clusters) for (const u of demoUsers) held.push(store.accessSet(c, { user: u, groups: [...authed, `variant-${v}`] }).listScope('', 'pods'));
}
const h2 = heap();
const sets = VARIANTS * clusters.length * demoUsers.length;
console.log(`demo scale: ${clusters.length} clusters, ${objects} RBAC objects (${bindings} bindings): RbacStore ${kb(h1 - h0)} (raw JSON not counted); access sets of the demo users ${kb((h2 - h1) / sets)} each (${sets} built)`);

// --- 2. per 1,000 bindings ---
const RBAC = 'rbac.authorization.k8s.io';
const cp = raw.filter((r) => r.cluster === 'member1' && r.kind === 'ClusterRole')[0].items;
const synthetic = new RbacStore();
const s = synthetic.snapshot('synthetic');
s.replaceKind('ClusterRole', cp.map((o) => projectRbacObject('ClusterRole', o)));
synthetic.setMode('synthetic', 'local');
const N = 10_000;
const made = [];
for (let i = 0; i < N; i++) {
  made.push({ metadata: { name: `b-${i}`, namespace: `ns-${i % 200}`, resourceVersion: String(i), uid: `u-${i}` }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: i % 2 ? 'view' : 'edit' }, subjects: [{ kind: 'User', apiGroup: RBAC, name: `user-${i % N}` }] });
}
const crbs = [];
for (let i = 0; i < 1000; i++) crbs.push({ metadata: { name: `c-${i}`, resourceVersion: String(i) }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', apiGroup: RBAC, name: `team-${i}` }] });
const g0 = heap();
s.replaceKind('RoleBinding', made.map((o) => projectRbacObject('RoleBinding', o)));
s.replaceKind('ClusterRoleBinding', crbs.map((o) => projectRbacObject('ClusterRoleBinding', o)));
const g1 = heap();
for (let i = 0; i < 1000; i++) synthetic.accessSet('synthetic', { user: `user-${i}`, groups: [...authed, `team-${i}`] }).listScope('', 'pods');
const g2 = heap();
console.log(`per 1,000 bindings: ${kb(((g1 - g0) / (N + 1000)) * 1000)} (${N + 1000} bindings: ${kb(g1 - g0)}); per access set (1 RoleBinding + 1 ClusterRoleBinding + bootstrap groups): ${kb((g2 - g1) / 1000)}`);

// --- 3. one can() ---
/** The best of 5 runs: the machine is shared, and the least disturbed run is the closest to the cost. */
function nsPerCall(set, checks, rounds = 200_000) {
  let allowed = 0;
  for (let i = 0; i < 50_000; i++) if (set.check(checks[i % checks.length])) allowed++;
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) if (set.check(checks[i % checks.length])) allowed++;
    best = Math.min(best, Number(process.hrtime.bigint() - t) / rounds);
  }
  return { ns: best, allowed };
}
const shopDev = store.accessSet('member1', { user: 'shop-dev', groups: authed });
const viewer = store.accessSet('member1', { user: 'platform-viewer', groups: authed });
const checks = [
  { verb: 'list', apiGroup: '', resource: 'pods', namespace: 'shop' },
  { verb: 'get', apiGroup: '', resource: 'secrets', namespace: 'web', name: 's' },
  { verb: 'patch', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'shop', name: 'd' },
  { verb: 'create', apiGroup: '', resource: 'pods', subresource: 'eviction', namespace: 'web', name: 'p' },
];
for (let i = 0; i < 9; i++) s.apply('ADDED', projectRbacObject('RoleBinding', { metadata: { name: `extra-${i}`, namespace: `ns-x${i}` }, roleRef: { kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'User', name: 'user-0' }] }));
const tenBindings = synthetic.accessSet('synthetic', { user: 'user-0', groups: authed });
for (const [name, set] of [['shop-dev@member1', shopDev], ['platform-viewer@member1', viewer], ['user with 10 RoleBindings', tenBindings]]) {
  const r = nsPerCall(set, checks.map((c) => (name.startsWith('user') ? { ...c, namespace: 'ns-x3' } : c)));
  console.log(`can(): ${r.ns.toFixed(0)} ns per call for ${name} (${set.ruleCount} rules; mix of allowed and denied)`);
}
const t = process.hrtime.bigint();
for (let i = 0; i < 1000; i++) synthetic.accessSets.get(s, { user: `fresh-${i}`, groups: authed });
console.log(`access set build: ${(Number(process.hrtime.bigint() - t) / 1000 / 1000).toFixed(1)} µs each (user with no bindings among ${N + 1000} bindings)`);
