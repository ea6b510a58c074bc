/**
 * The product's processes as the bench runs them: `fleetgraph sim` and `fleetgraph serve` from the
 * built dist/, each a separate process on 127.0.0.1 with the probe preloaded, plus the waits that
 * tell when each is usable (kubeconfig written and API answering; pods settled; gateway /readyz).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, waitFor, freePort, repoPath, tail } from './childProcesses.mjs';
import { connectFromKubeconfig, memberPrefix, simRequest } from './simulatorClient.mjs';
import { getStatus } from './gatewayClient.mjs';

const mainJs = () => repoPath('dist/main.js');

/**
 * @param {{ scenario: string, nodeFlags?: string[], startTimeoutMs?: number, seed?: number, extraArgs?: string[] }} options
 *   nodeFlags: V8 flags for the simulator (bench-l needs a bigger heap); startTimeoutMs default 600000;
 *   extraArgs: more `fleetgraph sim` flags (the bench's users: `--tokens <file>`).
 */
export async function startSimulatorProcess(options) {
  if (!existsSync(mainJs())) throw new Error('dist/main.js is missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-bench-'));
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  const args = ['sim', '--port', '0', '--scenario', options.scenario, '--churn', '0', '--kubeconfig-out', kubeconfig];
  if (options.seed !== undefined) args.push('--seed', String(options.seed));
  args.push(...(options.extraArgs ?? []));
  const child = startChild('simulator', mainJs(), args, { nodeFlags: options.nodeFlags });
  const timeoutMs = options.startTimeoutMs ?? 600000;
  await waitFor(child, async () => existsSync(kubeconfig), { timeoutMs, what: `the simulator's kubeconfig (${options.scenario})`, intervalMs: 250 });
  // The file may be written before the listener answers, or in two steps: parse it only once the API answers.
  const sim = await waitFor(child, async () => {
    const s = connectFromKubeconfig(kubeconfig);
    const r = await simRequest(s, 'GET', '/version', { timeoutMs: 5000 });
    return r.status === 200 ? s : undefined;
  }, { timeoutMs: 60000, what: 'the simulator API' });
  const readyAt = performance.now();
  return {
    child,
    sim,
    kubeconfig,
    startMs: readyAt - child.spawnedAt,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Pods a member holds, with as few bytes moved as the API allows (limit=1 + remainingItemCount). */
async function memberPodCount(sim, member) {
  const r = await simRequest(sim, 'GET', `${memberPrefix(member)}/api/v1/pods?limit=1`, { timeoutMs: 60000 });
  if (r.status !== 200) throw new Error(`pods of ${member}: HTTP ${r.status}`);
  const list = JSON.parse(r.text);
  if (typeof list.metadata?.remainingItemCount === 'number') return list.items.length + list.metadata.remainingItemCount;
  if (!list.metadata?.continue) return list.items.length;
  const full = await simRequest(sim, 'GET', `${memberPrefix(member)}/api/v1/pods`, { timeoutMs: 120000 });
  return JSON.parse(full.text).items.length;
}

/** Pods of every member, and nodes, as the simulator holds them right now. */
export async function fleetPodCount(sim) {
  let pods = 0;
  for (const m of sim.members) pods += await memberPodCount(sim, m);
  return pods;
}

/**
 * Waits until the simulated fleet stops growing: the pod count is the same on two polls `quietMs`
 * apart (controllers create pods progressively after start).
 * @param {{ timeoutMs?: number, quietMs?: number }} [options] defaults 300000 and 3000
 */
export async function waitForSettledFleet(simProc, options = {}) {
  let last = -1;
  return waitFor(simProc.child, async () => {
    const n = await fleetPodCount(simProc.sim);
    const settled = n > 0 && n === last;
    last = n;
    return settled ? n : undefined;
  }, { timeoutMs: options.timeoutMs ?? 300000, intervalMs: options.quietMs ?? 3000, what: 'the simulated fleet to settle' });
}

/**
 * Waits until Karmada has applied every template: each ResourceBinding on the control plane FullyApplied
 * (its Works applied on the members and their statuses collected). Until then the simulated Karmada
 * controllers keep the simulator busy (10,000 Works at bench-l and bench-xl), which a gateway syncing at
 * the same time would feel. Resolves with the number of bindings (0 on a fleet without any).
 * @param {{ timeoutMs?: number }} [options] default 300000
 */
export async function waitForAppliedBindings(simProc, options = {}) {
  let count = 0;
  await waitFor(simProc.child, async () => {
    const r = await simRequest(simProc.sim, 'GET', '/apis/work.karmada.io/v1alpha2/resourcebindings', { timeoutMs: 60000 });
    if (r.status === 404) return true; // no Karmada API: nothing to wait for
    if (r.status !== 200) throw new Error(`resourcebindings: HTTP ${r.status}`);
    const items = JSON.parse(r.text).items ?? [];
    count = items.length;
    return items.every((b) => (b.status?.conditions ?? []).some((c) => c.type === 'FullyApplied' && c.status === 'True'));
  }, { timeoutMs: options.timeoutMs ?? 300000, intervalMs: 2000, what: 'every ResourceBinding to be FullyApplied' });
  return count;
}

/**
 * Starts `fleetgraph serve` against the simulator and waits for /readyz (all caches synced).
 * @param {string} kubeconfig
 * @param {{ name?: string, modes?: Record<string,string>, ttl?: Record<string,string>, nodeFlags?: string[],
 *   readyTimeoutMs?: number, extraArgs?: string[] }} [options]
 *   modes: per-kind read mode (`--mode kind=fetch`); ttl: fetch TTLs (`--ttl class=duration`);
 *   readyTimeoutMs default 600000.
 */
export async function startGatewayProcess(kubeconfig, options = {}) {
  const port = await freePort();
  // The traversal measure asks for a whole bench fleet in one request, far over the default cost limit:
  // the bench lifts the limit rather than measure a refusal.
  const args = ['serve', '--kubeconfig', kubeconfig, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn',
    '--max-query-cost', String(Number.MAX_SAFE_INTEGER),
    // Throughput and fan-out are measured, not the per-user limits: every bench client is one anonymous
    // caller (127.0.0.1), which 1,000 requests a minute and 20 sockets would refuse almost at once.
    '--rate-limit-per-minute', '0', '--ws-max-connections-per-user', '0', '--max-subscriptions-per-user', '0'];
  for (const [kind, mode] of Object.entries(options.modes ?? {})) args.push('--mode', `${kind}=${mode}`);
  for (const [cls, d] of Object.entries(options.ttl ?? {})) args.push('--ttl', `${cls}=${d}`);
  args.push(...(options.extraArgs ?? []));
  const child = startChild(options.name ?? 'gateway', mainJs(), args, { nodeFlags: options.nodeFlags });
  const base = `http://127.0.0.1:${port}`;
  const timeoutMs = options.readyTimeoutMs ?? 600000;
  await waitFor(child, async () => (await getStatus(`${base}/healthz`)) === 200, { timeoutMs, what: 'gateway /healthz', intervalMs: 50 });
  const listeningMs = performance.now() - child.spawnedAt;
  await waitFor(child, async () => (await getStatus(`${base}/readyz`)) === 200, { timeoutMs, what: 'gateway /readyz', intervalMs: 50 });
  const readyMs = performance.now() - child.spawnedAt;
  return { child, port, url: `${base}/graphql`, wsUrl: `ws://127.0.0.1:${port}/graphql`, base, listeningMs, readyMs, tail: () => tail(child) };
}
