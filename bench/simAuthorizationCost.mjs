#!/usr/bin/env node
/**
 * The cost of RBAC authorization in the simulator (issue 11): list throughput of one member of the
 * `bench-m` fleet as a user in `system:masters` (allowed before RBAC is asked) and as an ordinary user
 * whose right comes from a ClusterRoleBinding of `view` to its group, among 300 unrelated bindings (so
 * a scan of all bindings per request would show). The two users take turns in one run, in short slices
 * and ABBA order, on a large list (the member's 1,500 pods) and a small one (`limit=1`), so the shared
 * machine's load hits both alike. Besides throughput, each slice reads the simulator's own CPU time
 * (its preloaded probe), so the CPU spent per list, which other processes' load disturbs far less
 * than throughput, can be compared too. Bounded: about 40 s of measurement after the simulator's start-up.
 *
 * Usage: npm run build && node bench/simAuthorizationCost.mjs [--seconds 1.5] [--rounds 6] [--concurrency 4] [--out file.json]
 * (or OUT=file.json in the environment; without either the report is printed).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { probe, repoPath, startChild, stopAll, waitFor } from './childProcesses.mjs';

const mainJs = () => repoPath('dist/main.js');
import { connectFromKubeconfig, memberPrefix, simRequest } from './simulatorClient.mjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const SECONDS = Number(flag('seconds', '1.5'));
const ROUNDS = Number(flag('rounds', '6'));
const CONCURRENCY = Number(flag('concurrency', '4'));
const OUT = flag('out', process.env.OUT || undefined);
const READER_TOKEN = 'bench-reader-token-0c1f';
const RBAC = '/apis/rbac.authorization.k8s.io/v1';

async function post(sim, path, body) {
  const r = await simRequest(sim, 'POST', path, { body });
  if (r.status !== 201) throw new Error(`POST ${path}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
}

/** The simulator's CPU time so far, in µs (user + system). */
async function cpuMicros(child) {
  const p = await probe(child);
  return p.cpuUserMicros + p.cpuSystemMicros;
}

/** Lists `path` with CONCURRENCY loops for SECONDS; every answer must be 200. */
async function measure(sim, path, child) {
  const cpuBefore = await cpuMicros(child);
  const until = performance.now() + SECONDS * 1000;
  let done = 0;
  let bytes = 0;
  const loop = async () => {
    while (performance.now() < until) {
      const r = await simRequest(sim, 'GET', path);
      if (r.status !== 200) throw new Error(`GET ${path} as ${sim.token === READER_TOKEN ? 'reader' : 'admin'}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
      done++;
      bytes += r.text.length;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  const seconds = (performance.now() - start) / 1000;
  const cpu = (await cpuMicros(child)) - cpuBefore;
  return { requests: done, perSecond: done / seconds, cpuMicrosPerList: cpu / Math.max(1, done), bytesPerAnswer: Math.round(bytes / Math.max(1, done)) };
}

/**
 * authorize() alone, in this process, on a cluster with the default policy plus the same 301 bindings:
 * microseconds per decision, free of HTTP and machine-load noise.
 */
async function authorizeMicros() {
  const { createSimCluster } = await import(pathToFileURL(repoPath('dist/sim/cluster/createSimCluster.js')).href);
  const cluster = createSimCluster('micro', { controlPlane: false });
  try {
    const crb = (name, kind, subject) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind, name: subject }] });
    for (let i = 0; i < 300; i++) cluster.objects.create('rbac.authorization.k8s.io/clusterrolebindings', crb(`noise-${i}`, 'User', `someone-${i}`));
    cluster.objects.create('rbac.authorization.k8s.io/clusterrolebindings', crb('bench-readers-view', 'Group', 'bench-readers'));
    const attributes = { user: { name: 'bench-reader', groups: ['bench-readers', 'system:authenticated'] }, resourceRequest: true, verb: 'list', apiGroup: '', apiVersion: 'v1', resource: 'pods', namespace: 'bench' };
    const authorizer = cluster.rbac.authorizer;
    if (!authorizer.authorize(attributes).allowed) throw new Error('the reader should be allowed');
    const n = 200000;
    for (let i = 0; i < 20000; i++) authorizer.authorize(attributes);
    const start = performance.now();
    for (let i = 0; i < n; i++) authorizer.authorize(attributes);
    return ((performance.now() - start) * 1000) / n;
  } finally {
    cluster.close();
  }
}

async function main() {
  if (!existsSync(mainJs())) throw new Error('dist/main.js is missing: run `npm run build` first');
  const micros = await authorizeMicros();
  console.log(`authorize() as an RBAC user among 301 bindings: ${micros.toFixed(2)} µs per decision`);
  const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-authz-bench-'));
  try {
    const tokens = join(dir, 'tokens.yaml');
    writeFileSync(tokens, `- token: ${READER_TOKEN}\n  user: bench-reader\n  groups: [bench-readers]\n`);
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    const child = startChild('simulator', mainJs(), ['sim', '--port', '0', '--scenario', 'bench-m', '--churn', '0', '--kubeconfig-out', kubeconfig, '--tokens', tokens]);
    await waitFor(child, async () => existsSync(kubeconfig), { timeoutMs: 180000, what: 'the simulator kubeconfig', intervalMs: 250 });
    const admin = await waitFor(child, async () => {
      const s = connectFromKubeconfig(kubeconfig);
      return (await simRequest(s, 'GET', '/version', { timeoutMs: 5000 })).status === 200 ? s : undefined;
    }, { timeoutMs: 60000, what: 'the simulator API' });
    const reader = { ...admin, token: READER_TOKEN };
    const member = admin.members[0];
    const prefix = memberPrefix(member);
    // 300 bindings for other subjects, then the reader's own: the authorizer must not scan them.
    for (let i = 0; i < 150; i++) {
      await post(admin, `${prefix}${RBAC}/clusterrolebindings`, { metadata: { name: `noise-${i}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `someone-${i}` }] });
      await post(admin, `${prefix}${RBAC}/namespaces/bench/rolebindings`, { metadata: { name: `noise-${i}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: `team-${i}` }] });
    }
    // Karmada's cluster proxy path: the control plane first authorizes `clusters/proxy` on the member.
    await post(admin, `${RBAC}/clusterroles`, { metadata: { name: 'bench-member-proxy' }, rules: [{ apiGroups: ['cluster.karmada.io'], resources: ['clusters/proxy'], resourceNames: [member], verbs: ['*'] }] });
    await post(admin, `${RBAC}/clusterrolebindings`, { metadata: { name: 'bench-readers-member-proxy' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'bench-member-proxy' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'bench-readers' }] });
    const before = await simRequest(reader, 'GET', `${prefix}/api/v1/namespaces/bench/pods?limit=1`);
    if (before.status !== 403) throw new Error(`the reader should be refused before its binding, got ${before.status}`);
    await post(admin, `${prefix}${RBAC}/clusterrolebindings`, { metadata: { name: 'bench-readers-view' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'bench-readers' }] });

    const cases = { 'pods (all 1,500 of the member)': `${prefix}/api/v1/namespaces/bench/pods`, 'pods?limit=1': `${prefix}/api/v1/namespaces/bench/pods?limit=1` };
    const results = {};
    for (const [name, path] of Object.entries(cases)) {
      // Warm-up, not counted: both users' paths (JIT, caches), and the simulator's own start-up work
      // (its controllers' first passes showed as a slow first slice of whichever user came first).
      for (const who of [admin, reader]) await measure(who, path, child);
      const runs = { masters: [], rbac: [] };
      // Short slices in ABBA order: the shared machine's load drifts, and both users must see it alike.
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? ['masters', 'rbac'] : ['rbac', 'masters'];
        for (const who of order) runs[who].push(await measure(who === 'masters' ? admin : reader, path, child));
      }
      const total = (rs) => rs.reduce((n, r) => n + r.requests, 0) / (rs.length * SECONDS);
      const pairRatios = runs.rbac.map((r, i) => r.perSecond / runs.masters[i].perSecond).sort((a, b) => a - b);
      const median = pairRatios[Math.floor(pairRatios.length / 2)];
      const masters = total(runs.masters);
      const rbac = total(runs.rbac);
      const cpuPerList = (rs) => rs.reduce((n, r) => n + r.cpuMicrosPerList * r.requests, 0) / rs.reduce((n, r) => n + r.requests, 0);
      const mastersCpu = cpuPerList(runs.masters);
      const rbacCpu = cpuPerList(runs.rbac);
      results[name] = {
        mastersPerSecond: Number(masters.toFixed(1)),
        rbacPerSecond: Number(rbac.toFixed(1)),
        rbacOverMasters: Number((rbac / masters).toFixed(3)),
        medianPairRatio: Number(median.toFixed(3)),
        mastersCpuMicrosPerList: Number(mastersCpu.toFixed(1)),
        rbacCpuMicrosPerList: Number(rbacCpu.toFixed(1)),
        // CPU per list, masters over RBAC user: the ratio of the throughputs the simulator's CPU time allows.
        cpuRatio: Number((mastersCpu / rbacCpu).toFixed(3)),
        runs: { masters: runs.masters.map((r) => Number(r.perSecond.toFixed(1))), rbac: runs.rbac.map((r) => Number(r.perSecond.toFixed(1))) },
        cpuMicrosPerListRuns: { masters: runs.masters.map((r) => Math.round(r.cpuMicrosPerList)), rbac: runs.rbac.map((r) => Math.round(r.cpuMicrosPerList)) },
        bytesPerAnswer: runs.rbac[0].bytesPerAnswer,
      };
      console.log(`${name}: system:masters ${masters.toFixed(1)} lists/s, RBAC user ${rbac.toFixed(1)} lists/s, ratio ${(rbac / masters).toFixed(3)}, median of ${ROUNDS} paired slices ${median.toFixed(3)}; simulator CPU per list ${mastersCpu.toFixed(0)} / ${rbacCpu.toFixed(0)} µs, ratio ${(mastersCpu / rbacCpu).toFixed(3)}`);
    }
    const report = { authorizeMicrosPerDecision: Number(micros.toFixed(3)), scenario: 'bench-m', member, concurrency: CONCURRENCY, secondsPerSlice: SECONDS, rounds: ROUNDS, otherBindings: 300, results };
    if (OUT) writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
    else console.log(JSON.stringify(report, null, 2));
  } finally {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(async (err) => {
  console.error(err);
  await stopAll();
  process.exitCode = 1;
});
