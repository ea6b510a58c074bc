/**
 * Several replicas (issue 14): how many Operations per second one gateway and three gateways sustain with
 * Operations shared through the control plane (FleetOperations, Leases) and the audit in PostgreSQL, and how
 * long a takeover takes when the replica running a drain is killed with SIGKILL.
 *
 *   npm run build && node bench/replicas.mjs [--seconds 15] [--concurrency 8] [--scenario mini] [--out <file>]
 *     [--store shared|in-process]   in-process: the same load with Operations in each process (no takeover)
 *     [--one-only 1]                 one replica only (a quick look, e.g. under a profiler); writes no results
 *
 * Bounded: each load window lasts --seconds, the takeover waits at most 60 s, and every child is stopped on exit.
 * Load: `concurrency` clients, each submitting setNodeLabels (one node patch: create the FleetOperation, take
 * its Lease, write its status, patch the node, release the Lease) round-robin over the gateways and nodes; an
 * Operation counts once it is SUCCEEDED. Needs the machine's PostgreSQL (127.0.0.1:5432, user postgres).
 */
import { writeFileSync } from 'node:fs';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import pg from 'pg';
import { killAllNow, stopAll, stopChild } from './childProcesses.mjs';
import { startGatewayProcess, startSimulatorProcess, waitForSettledFleet } from './fleetProcesses.mjs';
import { queryGateway } from './gatewayClient.mjs';
import { describeMachine } from './machine.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const seconds = Number(opt('seconds', '15'));
const concurrency = Number(opt('concurrency', '8'));
const scenario = opt('scenario', 'mini');
const out = opt('out', 'bench/results/replicas.json');
const PG = 'postgres://postgres@127.0.0.1:5432/postgres';
const schema = `fg_bench_replicas_${Date.now().toString(36)}`;

process.on('exit', killAllNow);
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => void stopAll().then(() => process.exit(130)));
const log = (m) => console.error(`[replicas] ${m}`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function gatewaysOf(simProc, n, tag) {
  const list = [];
  for (let i = 0; i < n; i++) {
    list.push(await startGatewayProcess(simProc.kubeconfig, {
      name: `gateway-${tag}-${i}`,
      extraArgs: opt('store', 'shared') === 'in-process'
        ? ['--operations-store', 'in-process', '--replica-id', `bench-${tag}-${i}`]
        : ['--operations-store', 'shared', '--replica-id', `bench-${tag}-${i}`, '--audit-db', `${PG}?schema=${schema}`],
    }));
  }
  return list;
}

async function operation(url, id) {
  const r = await queryGateway(url, `query($id: ID!) { operation(id: $id) { id phase error steps { name phase message } } }`, { id });
  return r.data.operation;
}

/** `concurrency` clients for `seconds`; each waits for its Operation to succeed before the next. */
async function load(gateways, nodes) {
  let submitted = 0;
  let succeeded = 0;
  let failed = 0;
  const latencies = [];
  const endAt = performance.now() + seconds * 1000;
  let next = 0;
  const worker = async () => {
    while (performance.now() < endAt) {
      const i = next++;
      const g = gateways[i % gateways.length];
      const node = nodes[i % nodes.length];
      const t0 = performance.now();
      const r = await queryGateway(g.url, `mutation($c: String!, $n: String!, $v: String!) { setNodeLabels(cluster: $c, name: $n, labels: [{ key: "bench.fleetgraph.io/seq", value: $v }]) { id } }`, { c: node.cluster, n: node.name, v: `v${i}` });
      submitted++;
      const id = r.data.setNodeLabels.id;
      for (;;) {
        const op = await operation(g.url, id);
        if (op?.phase === 'SUCCEEDED') { succeeded++; latencies.push(performance.now() - t0); break; }
        if (op?.phase === 'FAILED' || op?.phase === 'CANCELLED') { failed++; break; }
        await sleep(20);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0);
  return { submitted, succeeded, failed, seconds: Number(elapsed.toFixed(1)), perSecond: Number((succeeded / elapsed).toFixed(1)), p50Ms: q(0.5), p99Ms: q(0.99) };
}

async function takeover(simProc, gateways) {
  const kc = new KubeConfig();
  kc.loadFromFile(simProc.kubeconfig);
  kc.setCurrentContext('member1');
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const pods = (await objects.list('v1', 'Pod', 'web')).items;
  const node = pods.find((p) => p.spec?.nodeName)?.spec.nodeName;
  if (!node) throw new Error('no web pod on member1 to hold');
  for (const pdb of (await objects.list('policy/v1', 'PodDisruptionBudget', 'web')).items) {
    await objects.delete({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: pdb.metadata.name, namespace: 'web' } });
  }
  const app = pods.find((p) => p.spec?.nodeName === node).metadata.labels.app;
  await objects.create({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'hold', namespace: 'web' }, spec: { maxUnavailable: 0, selector: { matchLabels: { app } } } });
  const [a, b] = gateways;
  const r = await queryGateway(a.url, `mutation($n: String!) { drainNode(cluster: "member1", name: $n, options: { force: true, deleteEmptyDirData: true, podTimeoutSeconds: 600, gracePeriodSeconds: 0 }) { id } }`, { n: node });
  const id = r.data.drainNode.id;
  const waitUntil = async (check, ms, what) => {
    const end = performance.now() + ms;
    for (;;) {
      const v = await check();
      if (v) return v;
      if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  };
  await waitUntil(async () => (await operation(a.url, id))?.steps.some((s) => /refused/.test(s.message ?? '')), 60000, 'a refused eviction');
  a.child.proc.kill('SIGKILL');
  await a.child.exited;
  const killedAt = performance.now();
  await objects.delete({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'hold', namespace: 'web' } });
  await waitUntil(async () => (await operation(b.url, id))?.steps.some((s) => s.name.startsWith('taken over by')), 60000, 'the takeover');
  const takenOverMs = performance.now() - killedAt;
  const done = await waitUntil(async () => {
    const op = await operation(b.url, id);
    return op && ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(op.phase) ? op : undefined;
  }, 60000, 'the drain to end');
  return { leaseDurationS: 15, takenOverMs: Math.round(takenOverMs), finishedMs: Math.round(performance.now() - killedAt), phase: done.phase, takeoverStep: done.steps.find((s) => s.name.startsWith('taken over by'))?.message ?? null };
}

async function main() {
  log(`scenario ${scenario}; ${seconds} s per load window; ${concurrency} clients`);
  const simProc = await startSimulatorProcess({ scenario });
  await waitForSettledFleet(simProc);
  const kc = new KubeConfig();
  kc.loadFromFile(simProc.kubeconfig);
  const results = { machine: describeMachine(), scenario, seconds, concurrency, at: new Date().toISOString() };

  const one = await gatewaysOf(simProc, 1, 'one');
  const nodesAnswer = await queryGateway(one[0].url, `{ clusters(first: 100) { edges { node { name nodes(first: 100) { edges { node { name } } } } } } }`);
  const nodes = nodesAnswer.data.clusters.edges.flatMap((c) => (c.node.nodes?.edges ?? []).map((e) => ({ cluster: c.node.name, name: e.node.name })));
  log(`${nodes.length} nodes; one replica`);
  results.oneReplica = await load(one, nodes);
  log(JSON.stringify(results.oneReplica));
  for (const g of one) await stopChild(g.child);

  if (opt('one-only', null) !== null) {
    await stopAll();
    return;
  }
  const three = await gatewaysOf(simProc, 3, 'three');
  log('three replicas');
  results.threeReplicas = await load(three, nodes);
  log(JSON.stringify(results.threeReplicas));
  results.ratio = Number((results.threeReplicas.perSecond / results.oneReplica.perSecond).toFixed(2));

  results.store = opt('store', 'shared');
  if (results.store === 'shared') {
    log('takeover (SIGKILL of the replica running a drain)');
    results.takeover = await takeover(simProc, three);
    log(JSON.stringify(results.takeover));
    const client = new pg.Client({ connectionString: PG });
    await client.connect();
    results.auditRows = Number((await client.query(`SELECT count(*) AS n FROM "${schema}".audit_entries`)).rows[0].n);
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }

  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`| replicas | Operations/s | p50 ms | p99 ms | succeeded | failed |\n|---|---|---|---|---|---|`);
  for (const [name, r] of [['1', results.oneReplica], ['3', results.threeReplicas]]) console.log(`| ${name} | ${r.perSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.succeeded} | ${r.failed} |`);
  console.log(`\n3 replicas / 1 replica: ${results.ratio}× (Operations ${results.store}).`);
  if (results.takeover) console.log(`Takeover after SIGKILL: ${results.takeover.takenOverMs} ms to the takeover step, ${results.takeover.finishedMs} ms to ${results.takeover.phase} (lease 15 s).`);
  await stopAll();
}

main().catch(async (err) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
