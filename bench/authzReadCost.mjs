#!/usr/bin/env node
/**
 * The cost of per-user authorization on a fleet-wide read (issue 12, "Cost"), on its own: starts the simulator
 * (bench-m by default) with the bench's users in its token file, grants them RBAC through its API, starts a
 * gateway with `--auth kubernetes` and one with `--auth none`, and runs the `authz` measure
 * (bench/measures/authzRead.mjs): shop-dev's and the admin's p50/p95 of the pods' first page in the same run,
 * their ratio (target ≤ 1.2×), and the memory the RBAC caches and access sets take. The same measure runs
 * inside `node bench/run.mjs --only authz` against run.mjs's own gateway.
 *
 * Usage: npm run build && node bench/authzReadCost.mjs [--scenario bench-m] [--quick] [--out file.json]
 *        [--max-minutes 12] [--latency-only]
 * Writes bench/results/authz-read-cost.json unless --out names another file (or --no-write). Bounded in time;
 * kills its children on every exit.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { killAllNow, setSpawnListener, stopAll } from './childProcesses.mjs';
import { startSimulatorProcess, waitForSettledFleet } from './fleetProcesses.mjs';
import { describeMachine } from './machine.mjs';
import { formatTable } from './report.mjs';
import { benchUsersTokensYaml, measureAuthzRead } from './measures/authzRead.mjs';

const { values: opts } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'bench-m' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    'max-minutes': { type: 'string' },
    'latency-only': { type: 'boolean', default: false },
  },
});
const maxMinutes = Number(opts['max-minutes'] ?? (opts.quick ? 4 : 12));
const outFile = opts.out ?? fileURLToPath(new URL('./results/authz-read-cost.json', import.meta.url));
const simFlags = ['--max-old-space-size=4096', '--expose-gc'];
const gatewayFlags = ['--max-old-space-size=2048', '--expose-gc'];

const started = Date.now();
const log = (msg) => console.log(`[authz ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}`);
setSpawnListener((child) => log(`${child.name} pid ${child.pid}`));
// The same shape as run.mjs's results (measures.authz), so bench/markdown.mjs prints it too.
const results = { scenario: opts.scenario, quick: opts.quick, startedAt: new Date(started).toISOString(), machine: describeMachine(), flags: { simulator: simFlags, gateway: gatewayFlags }, measuresRequested: ['authz'], measures: {} };
const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-authz-read-'));

let finishing = false;
async function finish(code, reason) {
  if (finishing) return;
  finishing = true;
  if (reason) { results.aborted = reason; log(`stopping: ${reason}`); }
  await stopAll().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  results.finishedAt = new Date().toISOString();
  results.durationSeconds = (Date.now() - started) / 1000;
  results.machine.loadAverageAtEnd = loadavg();
  if (!opts['no-write']) {
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
  }
  process.exit(code);
}
process.on('exit', killAllNow);
process.on('SIGINT', () => void finish(130, 'interrupted (SIGINT)'));
process.on('SIGTERM', () => void finish(143, 'terminated (SIGTERM)'));
setTimeout(() => void finish(3, `time bound of ${maxMinutes} min reached`), maxMinutes * 60000).unref();

try {
  const tokens = join(dir, 'tokens.yaml');
  writeFileSync(tokens, benchUsersTokensYaml());
  const simProc = await startSimulatorProcess({ scenario: opts.scenario, nodeFlags: simFlags, extraArgs: ['--tokens', tokens] });
  log(`simulator up at ${simProc.sim.url} (${simProc.sim.members.length} members)`);
  const pods = await waitForSettledFleet(simProc);
  log(`fleet settled: ${pods} pods`);
  results.fleet = { members: simProc.sim.members.length, clusters: simProc.sim.members.length, podsInSimulator: pods };
  results.measures.authz = await measureAuthzRead({ simProc, gatewayFlags, quick: opts.quick, latencyOnly: opts['latency-only'], log });
  console.log(`\n${formatTable(results)}\n`);
  await finish(0);
} catch (err) {
  results.error = err instanceof Error ? err.stack ?? err.message : String(err);
  log(`failed: ${results.error}`);
  await finish(1);
}
