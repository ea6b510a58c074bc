/**
 * Helpers for the gateway data-layer tests (test/gateway-data-*.test.ts): start the simulator on an
 * ephemeral 127.0.0.1 port with its kubeconfig in a temp dir, drive its admin API over HTTPS, read what
 * its stores hold, and wait (bounded) for eventually consistent caches.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { DEFAULT_CONFIG } from '../../src/config/loadConfig.js';
import type { Config } from '../../src/config/Config.js';

export interface RunningSim {
  url: string;
  adminToken: string;
  caCertPem: string;
  kubeconfigPath?: string;
  fleet: {
    controlPlane: { resources: ReadonlyMap<string, unknown>; objects: { list(resource: string, filter?: object): any[]; create(resource: string, o: any): any; delete(resource: string, ns: string | undefined, name: string, o?: object): any } };
    members: ReadonlyMap<string, { resources: ReadonlyMap<string, unknown>; objects: { list(resource: string, filter?: object): any[]; create(resource: string, o: any): any; delete(resource: string, ns: string | undefined, name: string, o?: object): any; mutate(resource: string, ns: string | undefined, name: string, m: (o: any) => any): any } }>;
  };
  stop(): Promise<void>;
}

export interface StartedSim {
  sim: RunningSim;
  kubeconfig: string;
  dir: string;
  stop(): Promise<void>;
}

/** Starts the simulator (scenario `demo` by default, no churn so counts hold still between reads). */
export async function startDataSim(scenario = 'demo'): Promise<StartedSim> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-data-'));
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  const modPath = '../../src/sim/index.js';
  const mod = (await import(modPath)) as { startSimulator(o: object): Promise<RunningSim> };
  const sim = await mod.startSimulator({ port: 0, host: '127.0.0.1', scenario, seed: 7, churnPerMinute: 0, kubeconfigOut: kubeconfig });
  return {
    sim,
    kubeconfig,
    dir,
    async stop() {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A gateway Config pointed at the simulator's kubeconfig. */
export function dataConfig(kubeconfig: string, overrides: Partial<Config> = {}): Config {
  return { ...structuredClone(DEFAULT_CONFIG), kubeconfig, ...overrides };
}

/** Calls the simulator's admin API (`/_sim/...`) with its admin token. */
export function simAdmin(sim: RunningSim, method: 'GET' | 'POST', path: string, body?: object): Promise<any> {
  const url = new URL(path, sim.url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method, ca: sim.caCertPem, headers: { Authorization: `Bearer ${sim.adminToken}`, 'Content-Type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 300) reject(new Error(`${method} ${path}: HTTP ${res.statusCode} ${text}`));
          else resolve(text ? JSON.parse(text) : undefined);
        });
      },
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

export interface StatRow {
  cluster: string;
  verb: string;
  resource: string;
  path: string;
  count: number;
}

/** Sum of simulator request counts matching the predicate. */
export async function countRequests(sim: RunningSim, match: (r: StatRow) => boolean): Promise<number> {
  const stats = (await simAdmin(sim, 'GET', '/_sim/stats')) as { requests: StatRow[] };
  return stats.requests.filter(match).reduce((n, r) => n + r.count, 0);
}

/** Polls `check` until it returns true, at most `timeoutMs`; returns whether it did (the caller asserts). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 30_000, stepMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** `namespace/name` keys of objects, sorted. */
export function keysOf(objects: ReadonlyArray<{ metadata: { namespace?: string; name: string } }>): string[] {
  return objects.map((o) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name)).sort();
}
