/**
 * Starting and always stopping the processes a bench run needs (simulator, gateways, bare Apollo).
 * Every child is registered here the moment it is spawned; `stopAll()` runs on normal exit, on errors
 * and on SIGINT/SIGTERM, so a bench never leaves servers behind on the shared 2-core machine.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';

const probeUrl = new URL('./processProbe.mjs', import.meta.url).href;

/** @type {Set<ManagedChild>} */
const running = new Set();

/** @type {(child: ManagedChild) => void} */
let onSpawn = () => {};
/** Called with every child as it starts (the bench logs `<name> pid <pid>`, which its smoke test reads). */
export function setSpawnListener(fn) {
  onSpawn = fn;
}

/**
 * @typedef {object} ManagedChild
 * @property {string} name
 * @property {import('node:child_process').ChildProcess} proc
 * @property {number} pid
 * @property {number} spawnedAt  performance.now() at spawn
 * @property {string[]} output  the last lines of stdout+stderr (for error messages)
 * @property {Promise<number|null>} exited
 */

/**
 * @param {string} name label for messages
 * @param {string} script the JS file to run (e.g. dist/main.js)
 * @param {string[]} args
 * @param {{ nodeFlags?: string[], env?: Record<string,string>, keepLines?: number, cwd?: string }} [options]
 *   nodeFlags: extra V8/Node flags such as `--max-old-space-size=8192` (default none);
 *   keepLines: how many output lines to keep for diagnostics (default 200); cwd default os.tmpdir().
 * @returns {ManagedChild}
 */
export function startChild(name, script, args, options = {}) {
  const nodeFlags = options.nodeFlags ?? [];
  const proc = spawn(process.execPath, [...nodeFlags, '--import', probeUrl, script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // Outside the repository: whatever a child writes relative to its cwd (an audit database, say)
    // must not land in the work tree.
    cwd: options.cwd ?? tmpdir(),
    env: { ...process.env, ...(options.env ?? {}) },
  });
  const keep = options.keepLines ?? 200;
  /** @type {string[]} */
  const output = [];
  const collect = (chunk) => {
    for (const line of String(chunk).split('\n')) {
      if (!line) continue;
      output.push(line);
      if (output.length > keep) output.shift();
    }
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  /** @type {ManagedChild} */
  const child = {
    name,
    proc,
    pid: proc.pid ?? -1,
    spawnedAt: performance.now(),
    output,
    exited: new Promise((resolve) => proc.once('exit', (code) => { running.delete(child); resolve(code); })),
  };
  proc.on('error', (err) => collect(`spawn error: ${err.message}`));
  running.add(child);
  onSpawn(child);
  return child;
}

/** Output tail of a child, for error messages. */
export function tail(child, lines = 25) {
  return child.output.slice(-lines).join('\n');
}

/**
 * Stops one child: SIGTERM, then SIGKILL after `graceMs`.
 * @param {ManagedChild} child
 * @param {number} [graceMs] default 5000
 */
export async function stopChild(child, graceMs = 5000) {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** Stops every child still running (used on exit, errors and signals). */
export async function stopAll() {
  await Promise.all([...running].map((c) => stopChild(c)));
}

/** Synchronous last resort for `process.on('exit')`, where nothing async may run. */
export function killAllNow() {
  for (const c of running) {
    try { c.proc.kill('SIGKILL'); } catch { /* already gone */ }
  }
}

let probeSeq = 0;
/**
 * Asks a child's preloaded probe for its memory and CPU figures.
 * @param {ManagedChild} child
 * @param {{ gc?: boolean, timeoutMs?: number }} [options] gc: force a full GC first (needs --expose-gc);
 *   timeoutMs default 30000 (a full GC of a multi-GB heap takes seconds).
 */
export function probe(child, options = {}) {
  const id = ++probeSeq;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.proc.off('message', onMessage); reject(new Error(`${child.name}: probe timed out`)); }, options.timeoutMs ?? 30000);
    const onMessage = (msg) => {
      if (msg && msg.probe === 'memory' && msg.id === id) {
        clearTimeout(timer);
        child.proc.off('message', onMessage);
        resolve({ ...msg, ...procStatus(child.pid) });
      }
    };
    child.proc.on('message', onMessage);
    try {
      child.proc.send({ probe: 'memory', gc: options.gc ?? false, id });
    } catch (err) {
      clearTimeout(timer);
      reject(err);
    }
  });
}

/** RSS and peak RSS (VmHWM) as the kernel sees them; {} where /proc is absent. */
export function procStatus(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
      return m ? Number(m[1]) * 1024 : undefined;
    };
    return { vmRss: kb('VmRSS'), vmHwm: kb('VmHWM') };
  } catch {
    return {};
  }
}

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Path of a file in the repository, from bench/. */
export function repoPath(rel) {
  return fileURLToPath(new URL(`../${rel}`, import.meta.url));
}

/**
 * Polls `check` until it returns a truthy value, the child exits, or the deadline passes.
 * @template T
 * @param {ManagedChild|null} child
 * @param {() => Promise<T|undefined|null|false>} check
 * @param {{ timeoutMs: number, intervalMs?: number, what: string }} options
 * @returns {Promise<T>}
 */
export async function waitFor(child, check, options) {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  for (;;) {
    if (child && (child.proc.exitCode !== null || child.proc.signalCode !== null)) {
      throw new Error(`${child.name} exited (${child.proc.exitCode ?? child.proc.signalCode}) while waiting for ${options.what}:\n${tail(child)}`);
    }
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${lastError ? ` (last error: ${lastError})` : ''}${child ? `\n${tail(child)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
}
