/**
 * `npm run bench` without --scenario: every bench scenario in turn (bench-m, bench-l, bench-xl), each in
 * its own `run.mjs --scenario <name>` process with that scenario's measures and time bound, so that one
 * scenario's processes and memory are gone before the next starts. At the end, the Markdown tables of
 * every scenario that wrote results (bench/markdown.mjs), ready for bench/RESULTS.md.
 *
 * The suite's children stop theirs: on SIGINT/SIGTERM the suite forwards SIGTERM to the running scenario
 * (whose own handler stops its simulator and gateways) and waits for it; SIGKILL only after a grace period,
 * and as the last resort on exit.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** @type {import('node:child_process').ChildProcess | undefined} */
let current;

/** Waits for a child's exit, SIGKILL after `graceMs`. */
function stopCurrent(signal, graceMs) {
  const child = current;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill(signal);
  });
}

/**
 * @param {object} o
 * @param {string[]} o.scenarios
 * @param {Record<string, { measures: string[], maxMinutes: number }>} o.profiles
 * @param {string[] | undefined} o.only  --only: each scenario runs the measures of its profile that are listed
 * @param {Record<string, any>} o.opts  run.mjs's parsed options (passed on)
 * @param {string} o.script  run.mjs
 * @returns {Promise<never>}
 */
export async function runSuite(o) {
  if (o.opts.out) {
    console.error('bench: --out needs --scenario (the suite writes bench/results/<scenario>.json)');
    process.exit(2);
  }
  const started = Date.now();
  const log = (msg) => console.log(`[suite ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}`);
  let stopping = false;
  const onSignal = (signal, code) => async () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the running scenario`);
    await stopCurrent('SIGTERM', 60000);
    process.exit(code);
  };
  process.on('SIGINT', onSignal('SIGINT', 130));
  process.on('SIGTERM', onSignal('SIGTERM', 143));
  process.on('exit', () => { if (current && current.exitCode === null && current.signalCode === null) current.kill('SIGKILL'); });

  const written = [];
  const outcomes = [];
  for (const scenario of o.scenarios) {
    const profile = o.profiles[scenario];
    const measures = (profile?.measures ?? o.only ?? []).filter((m) => !o.only || o.only.includes(m));
    if (profile && measures.length === 0) { log(`${scenario}: none of --only ${o.only.join(',')} is measured here; skipped`); continue; }
    const args = [o.script, '--scenario', scenario];
    if (profile) args.push('--only', measures.join(','));
    else if (o.only) args.push('--only', o.only.join(','));
    if (o.opts.quick) args.push('--quick');
    for (const k of ['max-minutes', 'sim-heap-mb', 'gateway-heap-mb', 'subscription-users', 'execution']) if (o.opts[k] !== undefined) args.push(`--${k}`, String(o.opts[k]));
    if (o.opts['no-write']) args.push('--no-write');
    // The bench process itself holds the naive baseline's and the fan-out's lists at bench-m.
    const heap = process.execArgv.some((a) => a.startsWith('--max-old-space-size')) ? [] : ['--max-old-space-size=8192'];
    log(`${scenario}: ${measures.join(', ') || 'every measure'} (bound ${o.opts['max-minutes'] ?? profile?.maxMinutes ?? 14} min)`);
    current = spawn(process.execPath, [...heap, ...args], { stdio: 'inherit' });
    const code = await new Promise((resolve) => current.once('exit', (c, sig) => resolve(c ?? sig)));
    outcomes.push(`${scenario}: exit ${code}`);
    log(outcomes.at(-1));
    if (stopping) return new Promise(() => {});
    const file = fileURLToPath(new URL(`./results/${scenario}.json`, import.meta.url));
    // Only a file this run wrote: a scenario that failed early must not bring back an old run's figures.
    if (!o.opts['no-write'] && existsSync(file) && statSync(file).mtimeMs >= started) written.push(file);
  }
  log(`done: ${outcomes.join(' · ')}`);
  if (written.length) {
    console.log('\nMarkdown for bench/RESULTS.md (node bench/markdown.mjs ' + written.map((f) => f.replace(/^.*\/bench\//, 'bench/')).join(' ') + '):\n');
    await new Promise((resolve) => spawn(process.execPath, [fileURLToPath(new URL('./markdown.mjs', import.meta.url)), ...written], { stdio: 'inherit' }).once('exit', resolve));
  }
  process.exit(outcomes.every((x) => x.endsWith('exit 0')) ? 0 : 1);
}
