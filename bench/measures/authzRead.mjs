/**
 * Measure `authz` (issue 12, "Cost"): what per-user authorization costs a fleet-wide read, and what the RBAC
 * caches and access sets weigh, against the same simulator in the same run.
 *
 * Three callers, three gateways' worth of one question — the first page of the fleet-wide pods list
 * (`PODS_FIRST_PAGE`), warm, sequential requests:
 * - `admin`: user `bench-admin`, ClusterRole `cluster-admin` bound on every cluster (an ordinary RBAC user, not
 *   `system:masters`, so its decisions go through its access sets like everyone's), on a gateway started with
 *   `--auth kubernetes` (TokenReview on the control plane, `--authz rbac`: decided from each cluster's RBAC);
 * - `shopDev`: user `shop-dev`, Role `bench-pod-reader` (get/list/watch pods) bound in two namespaces on every
 *   member: the namespace the scenario's pods live in and `shop`. In bench-m every pod is in `bench`, so
 *   shop-dev's answer equals the admin's (same totalCount, same page): the difference is the authorization
 *   path alone (a namespace scope cut over every member's pods, where the admin's scope is "everything"),
 *   at its widest;
 * - `anonymous`: the same page from a gateway with `--auth none` (no authorizer at all), for reference.
 * Batches alternate between the callers (the starting caller rotates every round), so the shared machine's
 * load hits all alike; the figure is the ratio of p50s over every request of the run, with the per-round
 * ratios beside it. Each batch also reads the serving gateway's CPU time (its preloaded probe): CPU per
 * request is disturbed far less by other processes than wall time.
 *
 * Memory: fresh trios of gateways (`--auth none`; `--auth kubernetes --authz sar`; `--auth kubernetes`), each
 * synced and asked the page by every caller once, heap after a full GC: rbac − sar is what the RBAC caches
 * (the informers' stores and the RbacStore of every cluster) and the access sets hold, sar − none what
 * authentication and the review path add, rbac − none everything authorization costs. Beside it,
 * computed in this process from the very RBAC objects the simulator serves: the RbacStore alone (dist/authz)
 * and the size of one access set.
 *
 * The users need tokens the simulator knows: `benchUsersTokensYaml()` is passed to `fleetgraph sim --tokens`.
 */
import http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import { pathToFileURL } from 'node:url';
import { probe, repoPath, stopChild, waitFor } from '../childProcesses.mjs';
import { startGatewayProcess } from '../fleetProcesses.mjs';
import { queryGateway } from '../gatewayClient.mjs';
import { memberPrefix, simRequest } from '../simulatorClient.mjs';
import { percentile, summarize, median } from '../stats.mjs';

/** The question: a fleet-wide first page (Query.pods: PodConnection, ordered by cluster, namespace, name). */
export const PODS_FIRST_PAGE = `query FleetPodsFirstPage {
  pods(first: 50) { totalCount edges { node { name namespace cluster } } }
}`;

/** The bench's users, as the simulator's static token file holds them (tokens are bench-only constants). */
export const BENCH_USERS = Object.freeze({
  admin: Object.freeze({ user: 'bench-admin', token: 'bench-admin-token-7d41c0' }),
  shopDev: Object.freeze({ user: 'shop-dev', token: 'bench-shop-dev-token-2b9e5a' }),
});

/** `fleetgraph sim --tokens` file content for BENCH_USERS. */
export function benchUsersTokensYaml() {
  return Object.values(BENCH_USERS).map((u) => `- token: ${u.token}\n  user: ${u.user}\n  groups: []\n`).join('');
}

const RBAC = 'rbac.authorization.k8s.io';
const RBAC_PATH = `/apis/${RBAC}/v1`;
const SHOP = 'shop';

/** POST that may find the object already there (a second run against the same simulator). */
async function ensure(sim, path, body) {
  const r = await simRequest(sim, 'POST', path, { body });
  if (r.status !== 201 && r.status !== 409) throw new Error(`POST ${path}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
}

/** The grants above, through the simulator's API as its admin (as `kubectl create` would make them). */
async function grant(sim, podNamespace) {
  const crb = { metadata: { name: 'bench-admin-cluster-admin' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ apiGroup: RBAC, kind: 'User', name: BENCH_USERS.admin.user }] };
  await ensure(sim, `${RBAC_PATH}/clusterrolebindings`, crb);
  const namespaces = [...new Set([podNamespace, SHOP])];
  for (const m of sim.members) {
    const p = memberPrefix(m);
    await ensure(sim, `${p}${RBAC_PATH}/clusterrolebindings`, crb);
    await ensure(sim, `${p}/api/v1/namespaces`, { metadata: { name: SHOP } });
    for (const ns of namespaces) {
      await ensure(sim, `${p}${RBAC_PATH}/namespaces/${ns}/roles`, { metadata: { name: 'bench-pod-reader', namespace: ns }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] });
      await ensure(sim, `${p}${RBAC_PATH}/namespaces/${ns}/rolebindings`, { metadata: { name: 'bench-shop-dev-pods', namespace: ns }, roleRef: { apiGroup: RBAC, kind: 'Role', name: 'bench-pod-reader' }, subjects: [{ apiGroup: RBAC, kind: 'User', name: BENCH_USERS.shopDev.user }] });
    }
  }
  return namespaces;
}

/** GET /readyz with a token: the details name how each cluster authorizes. */
function readyzDetails(base, token) {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}/readyz`, { headers: { authorization: `Bearer ${token}` }, timeout: 10000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        try { resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))); } catch (err) { reject(err); }
      });
    });
    req.on('timeout', () => req.destroy(new Error('/readyz timed out')));
    req.on('error', reject);
  });
}

/** Waits until the authz gateway decides every cluster locally (its RBAC informers have listed). */
async function waitForLocalRbac(gw, clusters) {
  return waitFor(gw.child, async () => {
    const d = await readyzDetails(gw.base, BENCH_USERS.admin.token);
    const modes = d.authorization ?? {};
    return Object.keys(modes).length >= clusters && Object.values(modes).every((m) => m === 'local') ? modes : undefined;
  }, { timeoutMs: 120000, intervalMs: 100, what: 'every cluster\'s RBAC listed by the gateway (authorization mode local)' });
}

async function cpuMicros(child) {
  const p = await probe(child);
  return p.cpuUserMicros + p.cpuSystemMicros;
}

/** The page as one caller; throws on errors (a partial answer would time something else). */
async function page(caller) {
  const r = await queryGateway(caller.url, PODS_FIRST_PAGE, {}, { token: caller.token });
  if (r.errors.length) throw new Error(`${caller.name}: ${r.errors.length} error(s): ${JSON.stringify(r.errors[0]).slice(0, 300)}`);
  return r;
}

/**
 * A fresh trio against the settled simulator — `--auth none`; `--auth kubernetes --authz sar` (authentication
 * and SubjectAccessReviews, no RBAC watched); `--auth kubernetes` (`--authz rbac`: every cluster's RBAC watched,
 * access sets) — each synced and asked the page by every caller once, heap after a full GC. rbac − sar is what
 * the RBAC caches and access sets hold; sar − none what authentication and the review path add (code loaded
 * only with `--auth`, the token review cache, the verdicts).
 */
async function memoryTrio(ctx, n, clusters) {
  const started = [];
  try {
    const none = await startGatewayProcess(ctx.simProc.kubeconfig, { name: `gateway-auth-none-mem-${n}`, nodeFlags: ctx.gatewayFlags });
    started.push(none);
    await page({ name: 'anonymous', url: none.url });
    const sar = await startGatewayProcess(ctx.simProc.kubeconfig, { name: `gateway-authz-sar-mem-${n}`, nodeFlags: ctx.gatewayFlags, extraArgs: ['--auth', 'kubernetes', '--authz', 'sar'] });
    started.push(sar);
    const rbac = await startGatewayProcess(ctx.simProc.kubeconfig, { name: `gateway-authz-mem-${n}`, nodeFlags: ctx.gatewayFlags, extraArgs: ['--auth', 'kubernetes'] });
    started.push(rbac);
    await waitForLocalRbac(rbac, clusters);
    for (const gw of [sar, rbac]) {
      await page({ name: 'admin', url: gw.url, token: BENCH_USERS.admin.token });
      await page({ name: 'shopDev', url: gw.url, token: BENCH_USERS.shopDev.token });
    }
    const [a, b, c] = [await probe(none.child, { gc: true, timeoutMs: 120000 }), await probe(sar.child, { gc: true, timeoutMs: 120000 }), await probe(rbac.child, { gc: true, timeoutMs: 120000 })];
    return {
      noneHeapUsed: a.heapUsed, sarHeapUsed: b.heapUsed, authzHeapUsed: c.heapUsed,
      heapDelta: c.heapUsed - a.heapUsed, rbacOverSar: c.heapUsed - b.heapUsed, sarOverNone: b.heapUsed - a.heapUsed,
      noneRss: a.vmRss ?? a.rss, authzRss: c.vmRss ?? c.rss,
    };
  } finally {
    for (const gw of started.reverse()) await stopChild(gw.child);
  }
}

/** A full GC in this process (the flag set at run time; `vm` hands out the function). */
function gcFunction() {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc');
}

/**
 * The RbacStore of the whole fleet, built in this process by the gateway's own code (dist/authz) from the RBAC
 * objects the simulator serves, and the access sets of the bench's callers: bytes of heap after full GCs.
 */
async function inProcessRbacSizes(sim) {
  const { RbacStore } = await import(pathToFileURL(repoPath('dist/authz/RbacStore.js')).href);
  const { RBAC_KIND_NAMES, rbacKindDescriptor } = await import(pathToFileURL(repoPath('dist/authz/rbacKinds.js')).href);
  const { projectRbacObject } = await import(pathToFileURL(repoPath('dist/authz/rbacProjection.js')).href);
  const clusters = [{ name: 'controlPlane', prefix: '' }, ...sim.members.map((m) => ({ name: m, prefix: memberPrefix(m) }))];
  const raw = [];
  const counts = {};
  for (const c of clusters) {
    for (const name of RBAC_KIND_NAMES) {
      const r = await simRequest(sim, 'GET', `${c.prefix}${RBAC_PATH}/${name}`);
      if (r.status !== 200) throw new Error(`list ${name} of ${c.name}: HTTP ${r.status}`);
      const items = JSON.parse(r.text).items;
      const kind = rbacKindDescriptor(name).kind;
      counts[kind] = (counts[kind] ?? 0) + items.length;
      raw.push({ cluster: c.name, kind, items });
    }
  }
  const gc = gcFunction();
  const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed; };
  const h0 = heap();
  const store = new RbacStore();
  for (const { cluster, kind, items } of raw) {
    store.snapshot(cluster).replaceKind(kind, items.map((o) => projectRbacObject(kind, o)));
    store.setMode(cluster, 'local');
  }
  const h1 = heap();
  // The two callers on every cluster (what the gateway holds after this measure), then 50 variants of each
  // (an extra group makes each its own set) so the per-set figure rises above the collector's noise.
  const held = [];
  const callers = [BENCH_USERS.admin.user, BENCH_USERS.shopDev.user];
  const VARIANTS = 50;
  for (let v = 0; v < VARIANTS; v++) {
    for (const c of clusters) for (const user of callers) {
      const set = store.accessSet(c.name, { user, groups: v === 0 ? ['system:authenticated'] : ['system:authenticated', `variant-${v}`] });
      set.listScope('', 'pods');
      held.push(set);
    }
  }
  const h2 = heap();
  const sets = VARIANTS * clusters.length * callers.length;
  const perSet = (h2 - h1) / sets;
  void held.length;
  return {
    clusters: clusters.length,
    rbacObjects: counts,
    rbacObjectsTotal: Object.values(counts).reduce((a, b) => a + b, 0),
    rbacStoreBytes: h1 - h0,
    accessSetBytes: perSet,
    accessSetsAfterMeasure: clusters.length * callers.length,
    accessSetsBytesAfterMeasure: perSet * clusters.length * callers.length,
  };
}

/**
 * @param {object} ctx
 * @param {{ sim: any, kubeconfig: string, child: any }} ctx.simProc  a simulator started with `--tokens` holding BENCH_USERS
 * @param {string[]} ctx.gatewayFlags
 * @param {boolean} ctx.quick
 * @param {(msg: string) => void} ctx.log
 * @param {{ url: string, child: any }} [ctx.noneGateway]  an `--auth none` gateway already running against the simulator
 * @param {boolean} [ctx.latencyOnly]  skip the memory figures (re-checking the latency after a change)
 */
export async function measureAuthzRead(ctx) {
  const { sim } = ctx.simProc;
  const rounds = ctx.quick ? 1 : 10;
  const batch = ctx.quick ? 3 : 40;
  const warmup = ctx.quick ? 2 : 30;
  const memoryTrios = ctx.latencyOnly ? 0 : ctx.quick ? 1 : 3;
  const clusters = sim.members.length + 1;

  let none = ctx.noneGateway;
  let ownNone;
  let authz;
  try {
    if (!none) none = ownNone = await startGatewayProcess(ctx.simProc.kubeconfig, { name: 'gateway-auth-none', nodeFlags: ctx.gatewayFlags });
    // Where the scenario's pods live: the namespace of the first pods of the page (bench-m: all in `bench`).
    const first = await queryGateway(none.url, PODS_FIRST_PAGE);
    const podNamespace = first.data.pods.edges[0]?.node.namespace;
    if (!podNamespace) throw new Error('the fleet has no pod');
    const namespaces = await grant(sim, podNamespace);
    let expected = 0;
    for (const ns of namespaces) expected += (await queryGateway(none.url, 'query($ns: String!) { pods(first: 1, filter: { namespace: $ns }) { totalCount } }', { ns })).data.pods.totalCount;
    const total = first.data.pods.totalCount;
    ctx.log(`  authz: shop-dev may list pods in ${namespaces.join(', ')} on ${sim.members.length} members: ${expected} of ${total} pods`);

    authz = await startGatewayProcess(ctx.simProc.kubeconfig, { name: 'gateway-authz', nodeFlags: ctx.gatewayFlags, extraArgs: ['--auth', 'kubernetes'] });
    const modes = await waitForLocalRbac(authz, clusters);
    ctx.log(`  authz gateway ready in ${(authz.readyMs / 1000).toFixed(1)} s, RBAC of ${Object.keys(modes).length} clusters decided locally`);

    const callers = [
      { name: 'admin', url: authz.url, token: BENCH_USERS.admin.token, child: authz.child },
      { name: 'shopDev', url: authz.url, token: BENCH_USERS.shopDev.token, child: authz.child },
      { name: 'anonymous', url: none.url, child: none.child },
    ];
    // Every caller's answer is checked before anything is timed (the bindings take effect within seconds).
    const answers = {};
    await waitFor(authz.child, async () => {
      for (const c of callers) answers[c.name] = (await page(c)).data.pods;
      return answers.shopDev.totalCount === expected && answers.admin.totalCount === total;
    }, { timeoutMs: 30000, intervalMs: 250, what: `shop-dev to see ${expected} pods and the admin ${total}` });
    const sameFirstPage = JSON.stringify(answers.shopDev.edges) === JSON.stringify(answers.admin.edges);
    if (JSON.stringify(answers.admin.edges) !== JSON.stringify(answers.anonymous.edges)) throw new Error('the admin\'s page differs from the anonymous one');
    if (expected === total && !sameFirstPage) throw new Error('shop-dev sees every pod but not the admin\'s page');

    for (const c of callers) for (let i = 0; i < warmup; i++) await page(c);
    const ms = Object.fromEntries(callers.map((c) => [c.name, []]));
    const cpu = Object.fromEntries(callers.map((c) => [c.name, { micros: 0, requests: 0 }]));
    const roundP50 = Object.fromEntries(callers.map((c) => [c.name, []]));
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < callers.length; k++) {
        const c = callers[(r + k) % callers.length];
        const before = await cpuMicros(c.child);
        const batchMs = [];
        for (let i = 0; i < batch; i++) batchMs.push((await page(c)).ms);
        cpu[c.name].micros += (await cpuMicros(c.child)) - before;
        cpu[c.name].requests += batch;
        ms[c.name].push(...batchMs);
        roundP50[c.name].push(percentile(batchMs, 50));
      }
    }
    const latency = {};
    for (const c of callers) {
      latency[c.name] = {
        requests: ms[c.name].length,
        p50Ms: percentile(ms[c.name], 50),
        p95Ms: percentile(ms[c.name], 95),
        roundP50Ms: summarize(roundP50[c.name]),
        // Includes the probe's own IPC round trips (two per batch), the same for every caller.
        gatewayCpuMicrosPerRequest: cpu[c.name].micros / cpu[c.name].requests,
      };
    }
    const pairRatios = roundP50.shopDev.map((v, i) => v / roundP50.admin[i]);
    const result = {
      query: PODS_FIRST_PAGE,
      podNamespace,
      shopDevNamespaces: namespaces,
      members: sim.members.length,
      totalPods: total,
      shopDevPods: expected,
      sameFirstPage,
      rounds,
      batch,
      warmup,
      latency,
      shopDevOverAdminP50: latency.shopDev.p50Ms / latency.admin.p50Ms,
      shopDevOverAdminP95: latency.shopDev.p95Ms / latency.admin.p95Ms,
      shopDevOverAdminRoundMedian: median(pairRatios),
      shopDevOverAdminRoundRatios: pairRatios,
      adminOverAnonymousP50: latency.admin.p50Ms / latency.anonymous.p50Ms,
      shopDevOverAdminCpu: latency.shopDev.gatewayCpuMicrosPerRequest / latency.admin.gatewayCpuMicrosPerRequest,
      target: 'shop-dev p50 ≤ 1.2 × admin p50',
    };
    ctx.log(`  authz pods page p50: admin ${latency.admin.p50Ms.toFixed(2)} ms, shop-dev ${latency.shopDev.p50Ms.toFixed(2)} ms, anonymous (--auth none) ${latency.anonymous.p50Ms.toFixed(2)} ms; shop-dev/admin ${result.shopDevOverAdminP50.toFixed(2)}× (target ≤ 1.2×)`);
    ctx.log(`  authz gateway CPU per page: admin ${latency.admin.gatewayCpuMicrosPerRequest.toFixed(0)} µs, shop-dev ${latency.shopDev.gatewayCpuMicrosPerRequest.toFixed(0)} µs, anonymous ${latency.anonymous.gatewayCpuMicrosPerRequest.toFixed(0)} µs`);

    // The latency gateways are done: the memory trios sync against a simulator serving no one else.
    await stopChild(authz.child);
    authz = undefined;
    if (ownNone) { await stopChild(ownNone.child); ownNone = undefined; }
    const samples = [];
    for (let n = 1; n <= memoryTrios; n++) {
      const p = await memoryTrio(ctx, n, clusters);
      samples.push(p);
      const mib = (x) => (x / 2 ** 20).toFixed(2);
      ctx.log(`  authz memory ${n}: heap --auth none ${mib(p.noneHeapUsed)} MiB, --authz sar ${mib(p.sarHeapUsed)} MiB, --authz rbac ${mib(p.authzHeapUsed)} MiB: RBAC caches and access sets (rbac − sar) ${mib(p.rbacOverSar)} MiB, authentication and reviews (sar − none) ${mib(p.sarOverNone)} MiB`);
    }
    if (ctx.latencyOnly) return result;
    const inProcess = await inProcessRbacSizes(sim);
    ctx.log(`  authz in process: ${inProcess.rbacObjectsTotal} RBAC objects on ${inProcess.clusters} clusters, RbacStore ${(inProcess.rbacStoreBytes / 2 ** 20).toFixed(2)} MiB, one access set ${(inProcess.accessSetBytes / 1024).toFixed(2)} KiB`);
    result.memory = {
      samples,
      heapDelta: summarize(samples.map((p) => p.heapDelta)),
      rbacOverSar: summarize(samples.map((p) => p.rbacOverSar)),
      sarOverNone: summarize(samples.map((p) => p.sarOverNone)),
      noneHeapUsed: summarize(samples.map((p) => p.noneHeapUsed)),
      authzHeapUsed: summarize(samples.map((p) => p.authzHeapUsed)),
      rssDelta: summarize(samples.map((p) => p.authzRss - p.noneRss)),
      inProcess,
    };
    return result;
  } finally {
    if (authz) await stopChild(authz.child);
    if (ownNone) await stopChild(ownNone.child);
  }
}
