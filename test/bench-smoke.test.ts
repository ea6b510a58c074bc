/**
 * The benchmark harness still starts and stops: `bench/run.mjs --quick` on the tiny `mini` scenario runs
 * every measure once against a real simulator and gateway (separate processes from dist/), writes its
 * JSON, and leaves no child process behind — also when interrupted with SIGINT. Nothing here is timed:
 * the figures are checked for presence and sense (counts, non-negative numbers), never for speed.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const runScript = join(repo, 'bench', 'run.mjs');

interface BenchRun {
  code: number | null;
  output: string;
  pids: number[];
}

/** Starts the bench; `onLine` may act on its output (e.g. send SIGINT). */
function runBench(args: string[], onLine?: (line: string, kill: (signal: NodeJS.Signals) => void) => void): Promise<BenchRun> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [runScript, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const pids: number[] = [];
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split('\n')) {
        const m = /pid (\d+)/.exec(line);
        if (m) pids.push(Number(m[1]));
        onLine?.(line, (signal) => proc.kill(signal));
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('error', reject);
    proc.on('exit', (code) => resolve({ code, output, pids }));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const built = existsSync(join(repo, 'dist', 'main.js'));

describe('bench harness smoke', () => {
  it('needs the built CLI (npm run build) to start the simulator and gateway', () => {
    expect(built, 'dist/main.js is missing: run `npm run build` (npm test does it in pretest)').toBe(true);
  });

  it.runIf(built)('runs every measure once on the mini scenario, writes the JSON and stops its children', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    const out = join(dir, 'mini.json');
    try {
      const run = await runBench(['--scenario', 'mini', '--quick', '--out', out, '--max-minutes', '4']);
      expect(run.code, run.output).toBe(0);
      expect(run.pids.length, 'the bench names the processes it starts').toBeGreaterThanOrEqual(2);
      for (const pid of run.pids) expect(alive(pid), `child ${pid} still running after the bench exited`).toBe(false);

      const results = JSON.parse(readFileSync(out, 'utf8'));
      expect(results.scenario).toBe('mini');
      expect(results.machine.cpus).toBeGreaterThan(0);
      expect(results.fleet.podsInSimulator).toBeGreaterThan(0);
      const m = results.measures;
      for (const name of ['calls', 'latency', 'compiled', 'sorted', 'page5000', 'throughput', 'authz', 'subscriptions', 'memory']) {
        expect(m[name], `${name} missing`).toBeDefined();
        expect(m[name].error, `${name} failed`).toBeUndefined();
      }
      // Watch mode answers the pods page from its cache: no upstream call. The naive baseline pays calls.
      expect(m.calls.podsPage.watch.median).toBe(0);
      expect(m.calls.podsPage.naive.median).toBeGreaterThan(0);
      expect(m.calls.podsPage.fetch.median).toBeGreaterThan(0);
      expect(m.latency.traversal.p50Ms.median).toBeGreaterThan(0);
      expect(m.latency.traversal.responseBytes.median).toBeGreaterThan(0);
      expect(m.throughput.gatewayFailedRequests).toBe(0);
      expect(m.throughput.bareFailedRequests, 'the bare Apollo Server must answer the same query without error').toBe(0);
      expect(m.throughput.gatewayReqPerSec.median).toBeGreaterThan(0);
      expect(m.subscriptions.filtered.expectedPerRun).toBeGreaterThan(0);
      expect(m.subscriptions.filtered.runs[0].delivered).toBeGreaterThan(0);
      // The first memory sample is the gateway's own sync, before the subscription measure adds pods.
      expect(m.memory.pods.median).toBe(results.fleet.podsInSimulator);
      expect(m.memory.heapPerPod.median).toBeGreaterThan(0);
      expect(run.output).toContain('latency traversal');
      // Authorization cost (issue 12): the three callers answered the same page (checked by the measure
      // before timing), shop-dev saw what its RoleBindings allow, and the memory figures exist. No speed asserted.
      expect(m.authz.totalPods).toBe(results.fleet.podsInSimulator);
      expect(m.authz.shopDevPods).toBeGreaterThan(0);
      expect(m.authz.shopDevPods).toBeLessThanOrEqual(m.authz.totalPods);
      for (const who of ['admin', 'shopDev', 'anonymous']) expect(m.authz.latency[who].requests).toBeGreaterThan(0);
      expect(m.authz.shopDevOverAdminP50).toBeGreaterThan(0);
      expect(m.authz.memory.samples.length).toBeGreaterThan(0);
      expect(m.authz.memory.inProcess.rbacObjectsTotal).toBeGreaterThan(0);
      expect(m.authz.memory.inProcess.accessSetBytes).toBeGreaterThan(0);
      // Issue 15's rows: measured, or "not supported" by a gateway without the flag or argument — never an error.
      if (m.compiled.unsupported) expect(m.compiled.unsupported).toBe('--execution not supported');
      else expect(m.compiled.traversal.interpretedOverCompiled).toBeGreaterThan(0);
      if (m.sorted.unsupported) expect(m.sorted.unsupported).toBe('orderBy not supported');
      else expect(m.sorted.matching).toBeGreaterThan(0);
      expect(m.page5000.pods).toBe(results.fleet.podsInSimulator);
      expect(results.simulatorAfterSettle.heapUsed).toBeGreaterThan(0);
      expect(run.output).toMatch(/^sorted page /m);
      expect(run.output).toMatch(/^5,000-pod page /m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it.runIf(built)('stops its simulator and gateway when interrupted with SIGINT', async () => {
    let sent = false;
    const run = await runBench(['--scenario', 'mini', '--quick', '--no-write', '--only', 'memory'], (line, kill) => {
      if (!sent && /gateway ready/.test(line)) {
        sent = true;
        kill('SIGINT');
      }
    });
    expect(sent, run.output).toBe(true);
    expect(run.code, run.output).toBe(130);
    expect(run.pids.length).toBeGreaterThanOrEqual(2);
    for (const pid of run.pids) expect(alive(pid), `child ${pid} still running after SIGINT`).toBe(false);
  }, 180_000);

  it.runIf(built)('runs a suite of scenarios one after the other and stops the running one on SIGINT', async () => {
    // `npm run bench` without --scenario runs bench-m, bench-l and bench-xl; `--scenario a,b` the same way on small ones.
    let sent = false;
    let gatewaysSeen = 0;
    const run = await runBench(['--scenario', 'mini,mini', '--quick', '--no-write', '--only', 'memory'], (line, kill) => {
      if (/^\[bench .*\] gateway pid/.test(line)) gatewaysSeen++;
      // The second scenario's gateway: the first scenario has finished and stopped its own processes.
      if (!sent && gatewaysSeen === 2) {
        sent = true;
        kill('SIGINT');
      }
    });
    expect(sent, run.output).toBe(true);
    expect(run.output).toContain('mini: exit 0');
    expect(run.code, run.output).toBe(130);
    expect(run.pids.length).toBeGreaterThanOrEqual(4);
    for (const pid of run.pids) expect(alive(pid), `child ${pid} still running after SIGINT`).toBe(false);
  }, 240_000);
});
