#!/usr/bin/env node
/**
 * `npm run bench` — fleetgraph's benchmarks (issues 7 and 15), every comparison a ratio of two things
 * measured in the same run. Starts the simulator and the gateway from dist/ as separate processes on
 * 127.0.0.1, waits for sync, runs each measure several times after a warm-up, prints a table and writes
 * bench/results/<scenario>.json. Bounded in time (--max-minutes) and kills its children on every exit.
 *
 *   node bench/run.mjs [--scenario bench-m] [--only calls,latency,compiled,sorted,page5000,throughput,authz,subscriptions,memory]
 *                      [--quick] [--max-minutes 14] [--out file] [--no-write] [--subscription-users 100]
 *                      [--execution compiled|interpreted|differential]
 *
 * `--execution` is the measured gateway's (its `serve` flag; default compiled): `interpreted` measures the
 * graphql-js execution through Apollo Server's pipeline, to compare with the compiled default.
 *
 * Without --scenario (what `npm run bench` does) it runs the suite: bench-m, bench-l and bench-xl one after
 * the other, each in its own `run.mjs --scenario …` process with that scenario's measures (SCENARIO_PROFILES)
 * and its own time bound, then prints the Markdown tables of all three (bench/markdown.mjs).
 * `--scenario a,b` runs the suite over those scenarios only.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startChild, stopAll, stopChild, killAllNow, probe, waitFor, setSpawnListener } from './childProcesses.mjs';
import { startSimulatorProcess, startGatewayProcess, waitForAppliedBindings, waitForSettledFleet } from './fleetProcesses.mjs';
import { describeMachine } from './machine.mjs';
import { discoverParameters, benchQueries, SMALL } from './queries.mjs';
import { createNaiveSchema } from './naiveResolver.mjs';
import { createFanOut } from './fanOutBaseline.mjs';
import { measureUpstreamCalls } from './measures/upstreamCalls.mjs';
import { measureLatency } from './measures/latency.mjs';
import { measureThroughput } from './measures/throughput.mjs';
import { measureMemorySync, sampleGatewaySync } from './measures/memorySync.mjs';
import { benchUsersTokensYaml, measureAuthzRead } from './measures/authzRead.mjs';
import { formatTable } from './report.mjs';
import { queryGateway } from './gatewayClient.mjs';
import { gatewaySupportsExecutionFlag, measureExecutionModes } from './measures/executionModes.mjs';
import { measurePage5000, measureSortedPage } from './measures/pagedReads.mjs';
import { runSuite } from './suite.mjs';
import { ALL_MEASURES, DEFAULT_PROFILE, SCENARIO_PROFILES } from './profiles.mjs';


const { values: opts } = parseArgs({
  options: {
    scenario: { type: 'string' },
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'max-minutes': { type: 'string' },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    'sim-heap-mb': { type: 'string' },
    'gateway-heap-mb': { type: 'string' },
    // The subscription measure's callers: N distinct users (`--auth token`, each authorized by RBAC), or 0
    // for the anonymous gateway of the other measures.
    'subscription-users': { type: 'string', default: '100' },
    execution: { type: 'string' },
  },
  allowPositionals: false,
});

const requestedOnly = opts.only ? opts.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
for (const m of requestedOnly ?? []) if (!ALL_MEASURES.includes(m)) { console.error(`bench: unknown measure "${m}" (${ALL_MEASURES.join(', ')})`); process.exit(2); }
if (!opts.scenario || opts.scenario.includes(',')) {
  // The suite: one child run per scenario; it returns only by exiting.
  const scenarios = opts.scenario ? opts.scenario.split(',').map((s) => s.trim()).filter(Boolean) : ['bench-m', 'bench-l', 'bench-xl'];
  await runSuite({ scenarios, profiles: SCENARIO_PROFILES, only: requestedOnly, opts, script: fileURLToPath(import.meta.url) });
}
const scenario = opts.scenario;
const profile = SCENARIO_PROFILES[scenario] ?? DEFAULT_PROFILE;
const quick = opts.quick;
const only = requestedOnly ?? profile.measures;
const large = Boolean(profile.large);
// --quick shortens the measures, not the large fleets' set-up and sync (bench-xl alone takes minutes to sync).
const maxMinutes = Number(opts['max-minutes'] ?? (quick && !large ? 4 : profile.maxMinutes));
// bench-l and bench-xl hold 300,000 and 1,000,000 pods in the simulator and their slim projections in the gateway.
const simHeapMb = Number(opts['sim-heap-mb'] ?? profile.simHeapMb);
const gatewayHeapMb = Number(opts['gateway-heap-mb'] ?? profile.gatewayHeapMb);
const simFlags = [`--max-old-space-size=${simHeapMb}`, '--expose-gc'];
const gatewayFlags = [`--max-old-space-size=${gatewayHeapMb}`, '--expose-gc'];
const outFile = opts.out ?? fileURLToPath(new URL(`./results/${scenario}.json`, import.meta.url));

const started = Date.now();
const log = (msg) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}`);
setSpawnListener((child) => log(`${child.name} pid ${child.pid}`));

const results = {
  scenario,
  quick,
  startedAt: new Date(started).toISOString(),
  machine: describeMachine(),
  flags: { simulator: simFlags, gateway: gatewayFlags },
  measuresRequested: only,
  fleet: {},
  measures: {},
  notes: [],
};

function writeResults() {
  if (opts['no-write']) return;
  mkdirSync(dirname(outFile), { recursive: true });
  results.finishedAt = new Date().toISOString();
  results.durationSeconds = (Date.now() - started) / 1000;
  writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
}

// Every way out stops the children: normal end, thrown error, signal, and the overall time bound.
let finishing = false;
async function finish(code, reason) {
  if (finishing) return;
  finishing = true;
  if (reason) { results.aborted = reason; log(`stopping: ${reason}`); }
  await stopAll().catch(() => {});
  writeResults();
  process.exit(code);
}
process.on('exit', killAllNow);
process.on('SIGINT', () => void finish(130, 'interrupted (SIGINT)'));
process.on('SIGTERM', () => void finish(143, 'terminated (SIGTERM)'));
const deadline = setTimeout(() => void finish(3, `time bound of ${maxMinutes} min reached`), maxMinutes * 60000);
deadline.unref();

/** Runs one measure, keeping its error in the results instead of ending the run. */
async function step(name, fn) {
  if (!only.includes(name)) return;
  log(`measure ${name}`);
  try {
    results.measures[name] = await fn();
  } catch (err) {
    const message = err instanceof Error ? err.stack ?? err.message : String(err);
    results.measures[name] = { error: message };
    log(`${name} failed: ${message.split('\n').slice(0, 3).join(' | ')}`);
  }
  writeResults();
}

async function main() {
  log(`scenario ${scenario}${quick ? ' (quick)' : ''}; measures: ${only.join(', ')}; bound ${maxMinutes} min`);
  // The bench's users (measure `authz`) are in the simulator's token file from the start; they hold no
  // right until that measure binds roles to them, so the other measures see the fleet as before.
  const usersDir = mkdtempSync(join(tmpdir(), 'fleetgraph-bench-users-'));
  process.on('exit', () => rmSync(usersDir, { recursive: true, force: true }));
  writeFileSync(join(usersDir, 'tokens.yaml'), benchUsersTokensYaml());
  const simProc = await startSimulatorProcess({ scenario, nodeFlags: simFlags, extraArgs: ['--tokens', join(usersDir, 'tokens.yaml')] });
  log(`simulator up in ${(simProc.startMs / 1000).toFixed(1)} s at ${simProc.sim.url} (${simProc.sim.members.length} members)`);
  const pods = await waitForSettledFleet(simProc, { timeoutMs: large ? 900000 : 300000 });
  results.fleet = { members: simProc.sim.members.length, clusters: simProc.sim.members.length, podsInSimulator: pods, simulatorStartMs: simProc.startMs, simulatorSettledMs: performance.now() - simProc.child.spawnedAt };
  log(`fleet settled: ${pods} pods in the simulator`);
  try {
    const bindings = await waitForAppliedBindings(simProc, { timeoutMs: large ? 600000 : 300000 });
    results.fleet.bindings = bindings;
    results.fleet.bindingsAppliedMs = performance.now() - simProc.child.spawnedAt;
    log(`  ${bindings} ResourceBindings FullyApplied at ${(results.fleet.bindingsAppliedMs / 1000).toFixed(1)} s`);
  } catch (err) {
    // Not fatal: the gateways sync what is there; the figures then carry Karmada's background work.
    results.notes.push(`Karmada had not applied every binding: ${err instanceof Error ? err.message.split('\n')[0] : err}`);
  }
  // The simulator's own cost of holding the fleet (after a full GC), before any gateway lists it.
  try {
    const s = await probe(simProc.child, { gc: true, timeoutMs: 120000 });
    results.simulatorAfterSettle = { heapUsed: s.heapUsed, rss: s.vmRss ?? s.rss, peakRss: s.vmHwm ?? s.maxRss, cpuSeconds: (s.cpuUserMicros + s.cpuSystemMicros) / 1e6 };
    log(`  simulator: heap ${(s.heapUsed / 2 ** 20).toFixed(0)} MiB, RSS ${((s.vmRss ?? s.rss) / 2 ** 20).toFixed(0)} MiB, ${results.simulatorAfterSettle.cpuSeconds.toFixed(0)} s of CPU so far`);
  } catch (err) {
    results.notes.push(`simulator probe after settle failed: ${err instanceof Error ? err.message : err}`);
  }

  // The measured gateway runs `--execution` as asked, else compiled when the CLI knows the flag, and the
  // `compiled` measure starts an interpreted one beside it.
  const executionSupported = only.includes('compiled') && gatewaySupportsExecutionFlag();
  const execution = opts.execution ?? (executionSupported ? 'compiled' : undefined);
  results.execution = execution ?? 'default';
  const gw = await startGatewayProcess(simProc.kubeconfig, {
    nodeFlags: gatewayFlags, readyTimeoutMs: large ? 900000 : 300000, extraArgs: execution ? ['--execution', execution] : [],
  });
  if (opts.execution) results.notes.push(`gateway --execution ${opts.execution}`);
  log(`gateway ready in ${(gw.readyMs / 1000).toFixed(1)} s`);
  const firstSample = await sampleGatewaySync(gw);
  log(`  sync sample 1: ${firstSample.pods} pods, heap ${(firstSample.heapUsed / 2 ** 20).toFixed(0)} MiB, RSS ${(firstSample.rss / 2 ** 20).toFixed(0)} MiB`);
  results.firstSyncSample = firstSample;
  writeResults();
  let gwPeakRss = firstSample.peakRss;
  /** Stops the main gateway once nothing left needs it: its watches would load the simulator while the memory samples sync. */
  const releaseGateway = async () => {
    if (gw.child.proc.exitCode !== null || gw.child.proc.signalCode !== null) return;
    const p = await probe(gw.child).catch(() => undefined);
    gwPeakRss = Math.max(gwPeakRss ?? 0, p?.vmHwm ?? p?.maxRss ?? 0);
    await stopChild(gw.child);
  };
  const usesMainGatewayAfterMemory = only.some((m) => ['throughput', 'authz', 'subscriptions', 'calls'].includes(m));
  if (only.length === 1 && only[0] === 'memory') await releaseGateway();

  // The fixed query set is checked (and the traversal run: a whole fleet in one answer) only for the measures
  // that time it; the big-fleet measures need the parameters alone.
  const needParameters = only.some((m) => m !== 'memory');
  const needQuerySet = only.some((m) => ['latency', 'calls', 'compiled', 'throughput'].includes(m));
  let queries = [];
  if (needParameters) {
    const params = await discoverParameters(gw.url);
    results.parameters = params;
    queries = benchQueries(params);
  }
  if (needQuerySet) {
    // Each query must answer correctly before it is timed.
    for (const q of queries) {
      const r = await queryGateway(gw.url, q.query, q.variables);
      if (r.errors.length) results.notes.push(`${q.name}: ${r.errors.length} partial error(s) on the gateway: ${JSON.stringify(r.errors[0]).slice(0, 300)}`);
    }
  }

  await step('latency', async () => measureLatency({
    url: gw.url, queries, fanOut: createFanOut(simProc.sim), log,
    repetitions: quick ? 1 : 3,
    warmup: quick ? 1 : 3,
    batchSize: (q) => (quick ? 2 : q === 'traversal' || q === 'fleetRollup' ? 10 : 60),
    batchBudgetMs: quick ? 2000 : 15000,
  }));

  await step('compiled', async () => {
    const traversal = queries.find((q) => q.name === 'traversal');
    const cluster = results.parameters.clusterNames[0];
    return measureExecutionModes({
      kubeconfig: simProc.kubeconfig, compiledUrl: gw.url, supported: executionSupported, nodeFlags: gatewayFlags,
      readyTimeoutMs: large ? 900000 : 300000, log, repetitions: quick ? 2 : 4,
      queries: [
        { name: 'traversal', query: traversal.query, variables: traversal.variables, batches: { warmup: quick ? 1 : 3, repetitions: 1, batchSize: quick ? 2 : 10, batchBudgetMs: quick ? 2000 : 15000 } },
        { name: 'small', query: SMALL, variables: { name: cluster }, batches: { warmup: quick ? 5 : 200, repetitions: 1, batchSize: quick ? 20 : 500, batchBudgetMs: quick ? 2000 : 10000 } },
      ],
    });
  });

  await step('sorted', async () => measureSortedPage({
    url: gw.url, namespace: results.parameters.namespace, targetP99Ms: profile.sortedTargetP99Ms, log,
    batches: { warmup: quick ? 1 : 5, repetitions: quick ? 1 : (profile.sortedRepetitions ?? 3), batchSize: quick ? 3 : (profile.sortedBatch ?? 100), batchBudgetMs: quick ? 2000 : 20000 },
  }));

  await step('page5000', async () => measurePage5000({
    url: gw.url, log,
    batches: { warmup: quick ? 1 : 3, repetitions: quick ? 1 : 3, batchSize: quick ? 2 : 20, batchBudgetMs: quick ? 2000 : 15000 },
  }));

  await step('throughput', async () => {
    const bare = startChild('bare-apollo', fileURLToPath(new URL('./bareApolloServer.mjs', import.meta.url)), ['0']);
    try {
      const port = await waitFor(bare, async () => /listening (\d+)/.exec(bare.output.join('\n'))?.[1], { timeoutMs: 30000, what: 'bare Apollo Server' });
      const cluster = results.parameters.clusterNames[0];
      const body = JSON.stringify({ query: SMALL, variables: { name: cluster } });
      const check = await queryGateway(gw.url, SMALL, { name: cluster });
      if (check.data.cluster?.name !== cluster) throw new Error(`small query answered ${JSON.stringify(check.data)}`);
      // The yardstick must answer the very same document, or it measures its error path instead.
      const bareCheck = await queryGateway(`http://127.0.0.1:${port}/graphql`, SMALL, { name: cluster });
      if (bareCheck.errors.length || bareCheck.data.cluster?.health?.ready !== true) throw new Error(`bare Apollo answered ${JSON.stringify(bareCheck)}`);
      return await measureThroughput({
        gatewayUrl: gw.url, gatewayBody: body, bareUrl: `http://127.0.0.1:${port}/graphql`, bareBody: body,
        repetitions: quick ? 1 : 3, seconds: quick ? 1 : 8, connections: 10, log,
      });
    } finally {
      await stopChild(bare);
    }
  });

  // Before the subscription measure adds its namespaces of pods: the page then holds the scenario's pods only.
  await step('authz', async () => measureAuthzRead({ simProc, gatewayFlags, quick, log, noneGateway: gw }));

  await step('subscriptions', async () => {
    const { measureSubscriptions } = await import('./measures/subscriptions.mjs');
    const userCount = Number(opts['subscription-users']);
    if (!userCount) return measureSubscriptions({ sim: simProc.sim, simChild: simProc.child, gw, quick, log });
    // A gateway of its own that authenticates (static tokens) and authorizes every event by RBAC.
    const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-bench-users-'));
    const group = 'fleetgraph-bench';
    const users = Array.from({ length: userCount }, (_, i) => ({ name: `bench-user-${String(i).padStart(3, '0')}`, token: randomBytes(24).toString('hex') }));
    const admin = randomBytes(24).toString('hex');
    const tokensFile = join(dir, 'tokens.csv');
    writeFileSync(tokensFile, [`${admin},bench-admin,bench-admin,"system:masters"`, ...users.map((u) => `${u.token},${u.name},${u.name},"${group}"`)].join('\n') + '\n', { mode: 0o600 });
    const agw = await startGatewayProcess(simProc.kubeconfig, {
      name: 'gateway-authz', nodeFlags: gatewayFlags, readyTimeoutMs: large ? 900000 : 300000,
      extraArgs: ['--auth', 'token', '--tokens', tokensFile],
    });
    try {
      log(`  gateway with ${userCount} users (--auth token, RBAC) ready in ${(agw.readyMs / 1000).toFixed(1)} s`);
      return await measureSubscriptions({ sim: simProc.sim, simChild: simProc.child, gw: agw, quick, log, identities: { admin, group, users } });
    } finally {
      await stopChild(agw.child);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  if (large && only.includes('memory') && !usesMainGatewayAfterMemory) await releaseGateway();
  await step('memory', async () => {
    const mem = await measureMemorySync({ kubeconfig: simProc.kubeconfig, samples: [firstSample], repetitions: quick ? 1 : (profile.memoryRepetitions ?? 2), nodeFlags: gatewayFlags, readyTimeoutMs: large ? 900000 : 300000, log });
    if (!quick) {
      // The gateway's fixed cost (code, schema, Apollo, empty caches) against a fleet with no member:
      // subtracted, it leaves what the cached objects themselves cost.
      try {
        const emptySim = await startSimulatorProcess({ scenario: 'empty', nodeFlags: ['--expose-gc'] });
        try {
          const egw = await startGatewayProcess(emptySim.kubeconfig, { name: 'gateway-empty-fleet', nodeFlags: gatewayFlags });
          const e = await probe(egw.child, { gc: true });
          await stopChild(egw.child);
          mem.emptyFleetGateway = { heapUsed: e.heapUsed, rss: e.vmRss ?? e.rss };
          mem.heapPerPodAboveEmpty = (mem.heapUsed.median - e.heapUsed) / mem.pods.median;
          mem.rssPerPodAboveEmpty = (mem.rss.median - (e.vmRss ?? e.rss)) / mem.pods.median;
          log(`  empty-fleet gateway: heap ${(e.heapUsed / 2 ** 20).toFixed(0)} MiB; above it ${mem.heapPerPodAboveEmpty.toFixed(0)} B heap per pod`);
        } finally {
          await stopChild(emptySim.child);
          emptySim.cleanup();
        }
      } catch (err) {
        results.notes.push(`empty-fleet baseline failed: ${err instanceof Error ? err.message.split('\n')[0] : err}`);
      }
    }
    mem.projection2M = {
      heapBytes: mem.heapPerPod.median * 2e6,
      rssBytes: mem.rssPerPod.median * 2e6,
      method: 'per-pod figure (whole heap / pods, fixed costs included) × 2,000,000',
      ...(mem.heapPerPodAboveEmpty !== undefined ? { heapBytesAboveEmpty: mem.emptyFleetGateway.heapUsed + mem.heapPerPodAboveEmpty * 2e6 } : {}),
    };
    const marginalFrom = large ? (profile.marginalFrom ?? 'bench-m') : undefined;
    const other = marginalFrom ? fileURLToPath(new URL(`./results/${marginalFrom}.json`, import.meta.url)) : undefined;
    if (other && existsSync(other)) {
      // The marginal cost per pod between two fleet sizes removes the fixed part (code, schema, buffers).
      const m = JSON.parse(readFileSync(other, 'utf8')).measures?.memory;
      if (m && !m.error && m.pods.median < mem.pods.median) {
        const perPod = (mem.heapUsed.median - m.heapUsed.median) / (mem.pods.median - m.pods.median);
        mem.marginalHeapPerPod = perPod;
        mem.marginalFrom = { scenario: marginalFrom, pods: m.pods.median };
        mem.projection2M.marginalHeapBytes = mem.heapUsed.median + perPod * (2e6 - mem.pods.median);
      }
    }
    return mem;
  });

  await step('calls', async () => {
    const kindsModule = await import('../dist/fleet/kinds.js').catch(() => undefined);
    const kinds = (kindsModule?.ALL_KINDS ?? ['clusters', 'namespaces', 'nodes', 'pods', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'services', 'configmaps', 'propagationpolicies', 'resourcebindings'])
      .filter((k) => k !== 'events');
    const modes = Object.fromEntries(kinds.map((k) => [k, 'fetch']));
    const ttl = Object.fromEntries(['clusters', 'nodes', 'policies', 'bindings', 'events', 'default'].map((c) => [c, '1ms']));
    let fetchGw;
    try {
      fetchGw = await startGatewayProcess(simProc.kubeconfig, { name: 'gateway-fetch', modes, ttl, nodeFlags: gatewayFlags });
    } catch (err) {
      results.notes.push(`fetch-mode gateway did not start: ${err instanceof Error ? err.message.split('\n')[0] : err}`);
    }
    try {
      return await measureUpstreamCalls({
        sim: simProc.sim, watchUrl: gw.url, fetchUrl: fetchGw?.url, naiveSchema: createNaiveSchema(simProc.sim), queries,
        iterations: quick ? 1 : 3, fetchIterations: quick ? 1 : 2, idleWindowMs: quick ? 1000 : 5000, log,
        // The naive traversal of bench-m makes ~34,000 calls; on a loaded 2-core machine that can take
        // minutes, so it is bounded and reported as a lower bound when the budget runs out.
        naiveBudgetMs: quick ? 60000 : 240000,
      });
    } finally {
      if (fetchGw) await stopChild(fetchGw.child);
    }
  });

  const [simMem, gwMem] = await Promise.all([probe(simProc.child).catch(() => undefined), probe(gw.child).catch(() => undefined)]);
  // The gateway's peak is the highest any gateway process of this run reached (the first one may be gone).
  const gwPeaks = [gwMem?.vmHwm ?? gwMem?.maxRss, gwPeakRss, results.measures.memory?.peakRss].filter((x) => Number.isFinite(x));
  results.peakRss = { simulator: simMem?.vmHwm ?? simMem?.maxRss, gateway: gwPeaks.length ? Math.max(...gwPeaks) : undefined };
  results.simulatorMemory = simMem;
  results.machine.loadAverageAtEnd = (await import('node:os')).loadavg();
  log('done');
  console.log(`\n${formatTable(results)}\n`);
  if (!opts['no-write']) console.log(`results: ${outFile}`);
}

main().then(
  () => finish(0),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    results.error = err instanceof Error ? err.message : String(err);
    void finish(1);
  },
);
