#!/usr/bin/env node
/**
 * The dashboard (/ui) against bench-m (20 members × 50 nodes × 30 pods = 1,000 nodes, 30,000 pods) in headless
 * Debian Chromium: time to first full render, then the frame budget while the fleet changes ~500 times a second.
 *
 *   node bench/ui-dashboard.mjs [--scenario bench-m] [--rate 500] [--seconds 20] [--max-minutes 8] [--out file]
 *
 * - Starts the simulator and the gateway from dist/ as separate processes (bench/fleetProcesses.mjs), waits
 *   until the fleet has settled and the gateway is ready, then opens /ui at 1280×800.
 * - Time to first full render: from navigation start until the page shows every member's card with all its
 *   nodes (`[data-node]` count = the API's node total) and its pods counted (= the API's pod total); measured
 *   in the page (performance.now() of the first animation frame where that holds).
 * - Frame budget: for --seconds, the page records every requestAnimationFrame timestamp while a driver changes
 *   pods through the simulator's API at --rate changes/s: nine in ten a merge patch of an annotation (a MODIFIED
 *   event each), one in ten a deletion of a ReplicaSet's pod, which the simulator's controllers replace (the
 *   simulator's own churn: DELETED, ADDED, then scheduling and phase changes as the new pod starts). Printed:
 *   frame time p50/p95/p99/max, frames over 50 ms, the pod events the page applied per second and in how many
 *   frames (the store applies events once per frame).
 * Bounded in time (--max-minutes); kills its children on every exit. Needs /usr/bin/chromium.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { killAllNow, stopAll } from './childProcesses.mjs';
import { startGatewayProcess, startSimulatorProcess, waitForSettledFleet } from './fleetProcesses.mjs';
import { memberPrefix, simRequest } from './simulatorClient.mjs';
import { queryGateway } from './gatewayClient.mjs';
import { percentile } from './stats.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: opts } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'bench-m' },
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '20' },
    'max-minutes': { type: 'string', default: '8' },
    out: { type: 'string' },
  },
});
const rate = Number(opts.rate);
const seconds = Number(opts.seconds);
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(`ui-dashboard bench: ${CHROMIUM} is missing (apt-get install chromium)`);
  process.exit(1);
}

const bound = setTimeout(() => {
  console.error(`ui-dashboard bench: over --max-minutes ${opts['max-minutes']}: stopping`);
  killAllNow();
  process.exit(3);
}, Number(opts['max-minutes']) * 60_000);
bound.unref();
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { killAllNow(); process.exit(130); });

const log = (...a) => console.log('ui-dashboard bench:', ...a);

// dist/ and dist-ui/ up to date.
const built = spawnSync(process.execPath, [join(root, 'scripts', 'ensure-built.mjs')], { stdio: 'inherit', cwd: root });
if (built.status !== 0) process.exit(built.status ?? 1);

let browser;
try {
  log(`starting the simulator (${opts.scenario})…`);
  const simProc = await startSimulatorProcess({ scenario: opts.scenario, nodeFlags: ['--max-old-space-size=4096'] });
  const settledPods = await waitForSettledFleet(simProc, { timeoutMs: 300_000 });
  log(`fleet settled: ${settledPods} pods`);
  const gw = await startGatewayProcess(simProc.kubeconfig, { nodeFlags: ['--max-old-space-size=2048'] });
  log(`gateway ready in ${(gw.readyMs / 1000).toFixed(1)} s at ${gw.base}`);

  const totals = await queryGateway(gw.url, '{ fleet { clusters { total } nodes { total } pods { total } } }');
  const fleet = totals.body?.data?.fleet ?? totals.data?.fleet;
  if (!fleet) throw new Error(`fleet query failed: ${JSON.stringify(totals).slice(0, 300)}`);
  log(`API: ${fleet.clusters.total} clusters, ${fleet.nodes.total} nodes, ${fleet.pods.total} pods`);

  // The pods the driver changes: ReplicaSet-owned ones (deleting them is churn the simulator repairs).
  const pods = [];
  for (let after = null; ;) {
    const r = await queryGateway(gw.url, 'query($after: String) { pods(first: 5000, after: $after) { pageInfo { hasNextPage endCursor } edges { node { cluster namespace name owner { kind } } } } }', { after });
    const conn = (r.body?.data ?? r.data).pods;
    for (const { node } of conn.edges) if (node.owner?.kind === 'ReplicaSet') pods.push(node);
    if (!conn.pageInfo.hasNextPage) break;
    after = conn.pageInfo.endCursor;
  }
  log(`${pods.length} ReplicaSet pods to change`);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  let outside = 0;
  await page.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === '127.0.0.1' || host === 'localhost') return route.continue();
    outside++;
    return route.abort();
  });
  // In the page from its first script on: the first frame showing the whole fleet.
  await page.addInitScript(({ clusters, nodes, pods: podTotal }) => {
    const check = () => {
      const s = window.__fleetStore?.getSnapshot();
      if (s && s.clusters.length === clusters && s.clusters.reduce((n, c) => n + c.pods, 0) === podTotal && document.querySelectorAll('[data-node]').length === nodes) {
        window.__fullRenderMs = performance.now();
        return;
      }
      requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  }, { clusters: fleet.clusters.total, nodes: fleet.nodes.total, pods: fleet.pods.total });
  await page.goto(`${gw.base}/ui`, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__fullRenderMs !== undefined, undefined, { timeout: 180_000, polling: 200 });
  const fullRenderMs = await page.evaluate(() => window.__fullRenderMs);
  const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  log(`first full render: ${(fullRenderMs / 1000).toFixed(2)} s after navigation start (${domNodes} DOM elements)`);

  // Quiet frames first (the baseline), then frames under load.
  const recordFrames = (ms) => page.evaluate((duration) => new Promise((resolve) => {
    const stamps = [];
    const s0 = window.__fleetStore.getSnapshot();
    const work0 = window.__fleetStore.frameWork.length;
    let longTasks = 0;
    let longTaskMs = 0;
    const observer = 'PerformanceObserver' in window && PerformanceObserver.supportedEntryTypes.includes('longtask')
      ? new PerformanceObserver((list) => { for (const e of list.getEntries()) { longTasks++; longTaskMs += e.duration; } })
      : undefined;
    observer?.observe({ type: 'longtask' });
    const start = performance.now();
    const tick = (t) => {
      stamps.push(t);
      if (t - start < duration) requestAnimationFrame(tick);
      else {
        const s1 = window.__fleetStore.getSnapshot();
        observer?.disconnect();
        resolve({ stamps, events: s1.events - s0.events, flushes: s1.flushes - s0.flushes, elapsed: t - start, work: window.__fleetStore.frameWork.slice(work0), longTasks, longTaskMs });
      }
    };
    requestAnimationFrame(tick);
  }), ms);
  const quiet = await recordFrames(5000);

  let sent = 0;
  let failed = 0;
  let stop = false;
  const driver = (async () => {
    const t0 = performance.now();
    let inFlight = 0;
    for (let i = 0; !stop; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      if (inFlight >= 200) continue;
      const pod = pods[Math.floor(Math.random() * pods.length)];
      const path = `${memberPrefix(pod.cluster)}/api/v1/namespaces/${pod.namespace}/pods/${pod.name}`;
      inFlight++;
      const req = i % 10 === 9
        ? simRequest(simProc.sim, 'DELETE', path, { body: { gracePeriodSeconds: 0 } })
        : simRequest(simProc.sim, 'PATCH', path, { body: { metadata: { annotations: { 'bench.fleetgraph.io/seq': String(i) } } }, contentType: 'application/merge-patch+json' });
      req.then((r) => { if (r.status < 300) sent++; else failed++; }, () => failed++).finally(() => inFlight--);
    }
  })();
  const loaded = await recordFrames(seconds * 1000);
  stop = true;
  await driver;

  const frameTimes = (f) => f.stamps.slice(1).map((t, i) => t - f.stamps[i]);
  const summary = (f) => {
    const d = frameTimes(f);
    return {
      frames: d.length,
      p50: +percentile(d, 50).toFixed(1),
      p95: +percentile(d, 95).toFixed(1),
      p99: +percentile(d, 99).toFixed(1),
      max: +Math.max(...d).toFixed(1),
      over50ms: d.filter((x) => x > 50).length,
      eventsPerSecond: Math.round((f.events * 1000) / f.elapsed),
      framesWithEvents: f.flushes,
      // The dashboard's own JavaScript per applied frame (store + React render/commit), apart from what the
      // machine's other processes take from the page (the frame times above include that).
      workP50: f.work.length ? +percentile(f.work, 50).toFixed(2) : 0,
      workP95: f.work.length ? +percentile(f.work, 95).toFixed(2) : 0,
      workP99: f.work.length ? +percentile(f.work, 99).toFixed(2) : 0,
      workMax: f.work.length ? +Math.max(...f.work).toFixed(2) : 0,
      longTasks: f.longTasks,
      longTaskMs: Math.round(f.longTaskMs),
    };
  };
  const result = {
    scenario: opts.scenario,
    fleet,
    firstFullRenderMs: Math.round(fullRenderMs),
    domElements: domNodes,
    quiet: summary(quiet),
    underLoad: { ...summary(loaded), changesSentPerSecond: Math.round(sent / seconds), changesFailed: failed, targetRate: rate },
    requestsOutside127: outside,
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`\n| ${opts.scenario} | first full render | frame p50 | p95 | p99 | max | frames > 50 ms | pod events applied/s | page work per frame p95 / p99 / max |`);
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const [name, s] of [['quiet', result.quiet], [`${rate} changes/s asked, ${result.underLoad.changesSentPerSecond}/s sent`, result.underLoad]]) {
    console.log(`| ${name} | ${(result.firstFullRenderMs / 1000).toFixed(2)} s | ${s.p50} ms | ${s.p95} ms | ${s.p99} ms | ${s.max} ms | ${s.over50ms}/${s.frames} | ${s.eventsPerSecond} | ${s.workP95} / ${s.workP99} / ${s.workMax} ms |`);
  }
  if (opts.out) {
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, JSON.stringify(result, null, 2) + '\n');
  }
  await page.screenshot({ path: join(root, 'test-artifacts', 'ui', `bench-${opts.scenario}-1280x800.png`) }).catch(() => undefined);
} finally {
  await browser?.close().catch(() => undefined);
  await stopAll().catch(() => undefined);
}
process.exit(0);
