/**
 * Test fixtures for the simulator's API: start a simulator on an ephemeral 127.0.0.1 port with its
 * kubeconfig written to a temp dir, make HTTPS requests that verify its CA, read recordings, and
 * run kubectl against it.
 */
import { mkdtempSync, rmSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { execFile, execFileSync } from 'node:child_process';
import { startSimulator } from '../../src/sim/index.js';
import type { RunningSimulator, SimulatorOptions } from '../../src/sim/index.js';

export interface TestSimulator extends RunningSimulator {
  kubeconfigPath: string;
  dir: string;
}

export async function startTestSimulator(options: SimulatorOptions = {}): Promise<TestSimulator> {
  const dir = mkdtempSync(join(tmpdir(), 'sim-api-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  const sim = await startSimulator({ scenario: 'mini', seed: 7, ...options, kubeconfigOut: kubeconfigPath });
  const stop = sim.stop.bind(sim);
  return Object.assign(sim, {
    kubeconfigPath,
    dir,
    stop: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  }) as TestSimulator;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Bearer token; `null` sends none. Default: the admin token. */
  token?: string | null;
  contentType?: string;
}

/** One HTTPS request to the simulator, verifying its certificate against the simulator's CA. */
export function simRequest(sim: RunningSimulator, path: string, options: RequestOptions = {}): Promise<SimResponse> {
  const url = new URL(path, sim.url);
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  const token = options.token === undefined ? sim.adminToken : options.token;
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['Content-Type'] = options.contentType ?? 'application/json';
    // Node's client sends DELETE bodies without chunking: the length must be explicit.
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: options.method ?? 'GET', headers, ca: sim.caCertPem, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export interface StreamHandle {
  /** Lines received so far (parsed JSON when possible). */
  lines: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  status: Promise<number>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Resolves when `predicate` holds for the lines received (checked on each line). */
  waitFor(predicate: (lines: any[]) => boolean, timeoutMs?: number): Promise<void>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): void;
}

/** A streaming GET (watch, log follow): collects lines until the server ends or `close()`. */
export function simStream(sim: RunningSimulator, path: string, options: RequestOptions = {}): StreamHandle {
  const url = new URL(path, sim.url);
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  const token = options.token === undefined ? sim.adminToken : options.token;
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  const lines: any[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const waiters = new Set<() => void>();
  let resolveStatus!: (n: number) => void;
  let resolveEnded!: () => void;
  const status = new Promise<number>((r) => (resolveStatus = r));
  const ended = new Promise<void>((r) => (resolveEnded = r));
  let buf = '';
  const req = https.request(url, { method: 'GET', headers, ca: sim.caCertPem, agent: false }, (res) => {
    resolveStatus(res.statusCode ?? 0);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line) continue;
        try {
          lines.push(JSON.parse(line));
        } catch {
          lines.push(line);
        }
      }
      for (const w of [...waiters]) w();
    });
    res.on('end', () => {
      if (buf) lines.push(buf);
      resolveEnded();
      for (const w of [...waiters]) w();
    });
    res.on('error', () => resolveEnded());
  });
  req.on('error', () => {
    resolveStatus(0);
    resolveEnded();
  });
  req.end();
  return {
    lines,
    status,
    ended,
    waitFor(predicate, timeoutMs = 20_000) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (predicate(lines)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`stream condition not met within ${timeoutMs} ms; got ${JSON.stringify(lines).slice(0, 2000)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      req.destroy();
    },
  };
}

/** Runs kubectl with the simulator's kubeconfig; resolves with exit code and output (never rejects). */
export function kubectl(sim: TestSimulator, args: string[], options: { timeoutMs?: number; bin?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(options.bin ?? 'kubectl', ['--kubeconfig', sim.kubeconfigPath, ...args], { timeout: options.timeoutMs ?? 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? ((err as unknown as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Polls `check` until it returns a truthy value (bounded; for state that controllers reach). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const RECORDINGS_DIR = join(process.cwd(), '..', 'shared', 'fixtures', 'kube-apiserver-1.26');
export const HAVE_RECORDINGS = existsSync(RECORDINGS_DIR);
/** The authorization/authentication recordings (200-262). */
export const RBAC_RECORDINGS_DIR = join(process.cwd(), '..', 'shared', 'fixtures', 'kube-apiserver-1.26-rbac');
export const HAVE_RBAC_RECORDINGS = existsSync(RBAC_RECORDINGS_DIR);
if (!HAVE_RECORDINGS) console.warn(`[sim tests] ${RECORDINGS_DIR} is absent: recording comparisons are skipped`);

export interface Recording {
  method: string;
  path: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** For watch recordings: one parsed event per line. */
  events: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Reads one recording by its number prefix (e.g. "035"). */
export function recording(prefix: string, dir = RECORDINGS_DIR): Recording {
  const file = readdirSync(dir).find((f) => f.startsWith(`${prefix}-`));
  if (!file) throw new Error(`no recording ${prefix}`);
  const text = readFileSync(join(dir, file), 'utf8');
  const [, reqPart = '', resPart = '', bodyPart = ''] = text.split(/^### (?:REQUEST|RESPONSE|BODY)\n/m);
  const reqLines = reqPart.split('\n');
  const [method = '', path = ''] = reqLines[0]!.split(' ');
  const requestHeaders: Record<string, string> = {};
  let i = 1;
  for (; i < reqLines.length && reqLines[i]; i++) {
    const at = reqLines[i]!.indexOf(':');
    if (at > 0) requestHeaders[reqLines[i]!.slice(0, at).toLowerCase()] = reqLines[i]!.slice(at + 1).trim();
  }
  const requestBody = reqLines.slice(i + 1).join('\n').trim();
  const resLines = resPart.trim().split('\n');
  const status = Number(resLines[0]!.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const l of resLines.slice(1)) {
    const at = l.indexOf(':');
    if (at > 0) headers[l.slice(0, at).toLowerCase()] = l.slice(at + 1).trim();
  }
  const body = bodyPart.replace(/\n$/, '');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  // A watch body is one JSON event per line (a single-line body parses as JSON too).
  const eventLines = body.split('\n').filter(Boolean);
  const events = eventLines.every((l) => /^\{"type":/.test(l)) ? eventLines.map((l) => JSON.parse(l) as unknown) : [];
  return { method, path, requestHeaders, requestBody, status, headers, body, json, events };
}

/** The keys of an object, sorted (for "same shape" comparisons with recordings). */
export function keysOf(o: unknown): string[] {
  return o && typeof o === 'object' ? Object.keys(o).sort() : [];
}

/** Whether a kubectl binary runs here (`npm test`'s prerequisites install Debian's kubectl). */
export function kubectlRuns(bin = 'kubectl'): boolean {
  try {
    execFileSync(bin, ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
