/**
 * The gateway's lifecycle as an operator meets it, through the compiled CLI as its own process:
 * - SIGTERM under load: in-flight HTTP requests are answered, WebSocket clients get 1001, a drain blocked by a
 *   PodDisruptionBudget stops at a step boundary and is recorded FAILED / INTERRUPTED (what a new gateway on
 *   the same audit file reports), readiness is gone at once, and the process exits 0 within its timeout;
 * - /readyz is 503 while the control plane does not answer;
 * - start-up mistakes (a port in use, a missing or malformed kubeconfig, an unknown context, an unreachable
 *   control plane) are one line on stderr and exit 1, without a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../src/sim/index.js';
import { until } from './support/operationsFixture.js';
import { holdWebPodsOn } from './support/pdbHold.js';
import { ensureBuilt, spawnGateway, type GatewayProcess } from './support/operationsGatewayProcess.js';
import { openClient, record } from './support/subscriptionsClient.js';

const MAIN = 'dist/main.js';
let dir: string;
const children: GatewayProcess[] = [];

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'fleetgraph-lifecycle-'));
});

afterAll(async () => {
  for (const c of children) {
    if (c.child.exitCode === null && c.child.signalCode === null) {
      c.child.kill('SIGKILL');
      await c.exited;
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function gql(url: string, query: string, variables?: Record<string, unknown>, agent?: http.Agent): Promise<{ status: number; body: any }> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The status of GET `url`, or 0 when nothing accepts the connection. */
function statusOf(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
  });
}

/** `fleetgraph serve <args>` run to its end; stderr's non-empty lines. */
function serveFails(args: string[]): { status: number | null; lines: string[]; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '', HOST: '' };
  delete env.KUBECONFIG;
  const r = spawnSync(process.execPath, [MAIN, 'serve', '--log-level', 'error', ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { status: r.status, lines: r.stderr.split('\n').filter((l) => l.trim()), stderr: r.stderr };
}

describe('start-up mistakes are one line', () => {
  it('a port in use, before the embedded fleet starts', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = serveFails(['--port', String(port)]);
      expect(r.status).toBe(1);
      expect(r.lines).toEqual([`fleetgraph serve: port ${port} on 127.0.0.1 is already in use (is another fleetgraph running? choose another with --port)`]);
    } finally {
      blocker.close();
    }
  });

  it('a missing or malformed kubeconfig, an unknown context, an unreachable control plane', async () => {
    // A flag pointing nowhere is a usage error (2), said by the flag parser.
    const missing = serveFails(['--port', '0', '--kubeconfig', join(dir, 'nope.yaml')]);
    expect(missing.status).toBe(2);
    expect(missing.lines).toEqual([`fleetgraph serve: --kubeconfig: kubeconfig file ${join(dir, 'nope.yaml')} does not exist`]);

    const malformed = join(dir, 'malformed.yaml');
    writeFileSync(malformed, 'apiVersion: v1\nclusters: [\n  - oops: {\n');
    const bad = serveFails(['--port', '0', '--kubeconfig', malformed]);
    expect(bad.status).toBe(1);
    expect(bad.lines).toHaveLength(1);
    expect(bad.lines[0]).toMatch(new RegExp(`^fleetgraph serve: kubeconfig ${malformed}: `));

    // A control plane on a port nothing listens on.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const kubeconfig = join(dir, 'unreachable.yaml');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: karmada',
      'clusters:', `- name: karmada`, `  cluster: {server: "https://127.0.0.1:${deadPort}", insecure-skip-tls-verify: true}`,
      'users:', '- name: admin', '  user: {token: abc}',
      'contexts:', '- name: karmada', '  context: {cluster: karmada, user: admin}', '',
    ].join('\n'));
    const context = serveFails(['--port', '0', '--kubeconfig', kubeconfig, '--context', 'elsewhere']);
    expect(context.status).toBe(1);
    expect(context.lines).toEqual([`fleetgraph serve: kubeconfig ${kubeconfig}: context "elsewhere" is not in ${kubeconfig} (contexts: karmada)`]);
    const unreachable = serveFails(['--port', '0', '--kubeconfig', kubeconfig]);
    expect(unreachable.status).toBe(1);
    expect(unreachable.lines).toHaveLength(1);
    expect(unreachable.lines[0]).toMatch(new RegExp(`^fleetgraph serve: the Karmada control plane at https://127.0.0.1:${deadPort} does not answer: `));
    for (const r of [missing, bad, context, unreachable]) expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});

describe('a running gateway', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, host: '127.0.0.1', scenario: 'mini', kubeconfigOut: join(dir, 'kubeconfig.yaml'), churnPerMinute: 0 });
  }, 120_000);
  afterAll(async () => {
    await sim?.stop().catch(() => undefined);
  });

  async function start(extra: string[] = []): Promise<GatewayProcess> {
    const g = await spawnGateway(['--kubeconfig', join(dir, 'kubeconfig.yaml'), '--port', '0', '--host', '127.0.0.1', '--log-level', 'error', '--audit-db', join(dir, 'audit.db'),
      // One replica without the shared store: Operations stopped by a shutdown end INTERRUPTED (shared, they are handed over).
      '--operations-store', 'in-process', ...extra]);
    children.push(g);
    const ready = g.url.replace(/\/graphql$/, '/readyz');
    await until(async () => (await statusOf(ready)) === 200);
    return g;
  }

  it('stops gracefully on SIGTERM under load: requests answered, sockets 1001, the drain INTERRUPTED, exit 0 in time', async () => {
    const g = await start(['--shutdown-timeout', '10s']);
    // A budget that allows no disruption keeps a drain retrying its evictions.
    await holdWebPodsOn(sim.kubeconfig, 'member1', 'member1-worker-0');
    const drain = await gql(g.url, `mutation { drainNode(cluster: "member1", name: "member1-worker-0", options: { deleteEmptyDirData: true, podTimeoutSeconds: 600 }) { id } }`);
    expect(drain.body.errors).toBeUndefined();
    const id = drain.body.data.drainNode.id as string;
    await until(async () => {
      const r = await gql(g.url, 'query($id: ID!) { operation(id: $id) { steps { name message } } }', { id });
      return r.body.data.operation.steps.some((s: any) => /refused/.test(s.message ?? '')) || undefined;
    }, 120, 250);

    // A live subscriber, and keep-alive connections with requests in flight when the signal comes.
    let closeCode = 0;
    const ws = openClient(g.url, { onClosed: (code) => (closeCode = code) });
    const sub = record(ws, 'subscription { podChanged { type } }');
    await until(async () => (await gql(g.url, '{ clusters { totalCount } }')).status === 200 || undefined);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
    await Promise.all(Array.from({ length: 20 }, () => gql(g.url, '{ clusters { totalCount } }', undefined, agent)));
    const inFlight = Array.from({ length: 20 }, () => gql(g.url, '{ pods(first: 500) { totalCount edges { node { name containers { name image } } } } }', undefined, agent).then((r) => r.status, (e: Error) => `failed: ${e.message}`));
    await new Promise((r) => setTimeout(r, 20));
    const signalled = Date.now();
    g.child.kill('SIGTERM');
    // Readiness is gone at once: 503 from the draining server, or no listener at all.
    await until(async () => ((await statusOf(g.url.replace(/\/graphql$/, '/readyz'))) !== 200) || undefined, 40, 50);
    expect(await Promise.all(inFlight)).toEqual(Array(20).fill(200));
    await g.exited;
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(g.child.exitCode).toBe(0);
    expect(closeCode).toBe(1001);
    expect(sub.errors.map((e: any) => e.closeCode)).toEqual([1001]);
    agent.destroy();
    await ws.dispose();

    // A new gateway on the same audit file tells what happened to the drain: stopped by the shutdown, not a crash.
    const next = await start();
    const op = (await gql(next.url, 'query($id: ID!) { operation(id: $id) { phase reason error steps { name phase message } } }', { id })).body.data.operation;
    expect(op).toMatchObject({ phase: 'FAILED', reason: 'INTERRUPTED' });
    expect(op.error, JSON.stringify(op)).toContain('the gateway shut down (SIGTERM)');
    expect(op.steps.some((s: any) => s.phase === 'CANCELLED' && /the gateway shut down/.test(s.message)), JSON.stringify(op.steps)).toBe(true);
    expect(op.steps.filter((s: any) => s.phase === 'RUNNING' || s.phase === 'PENDING')).toEqual([]);
    next.child.kill('SIGTERM');
    await next.exited;
    expect(next.child.exitCode).toBe(0);
  }, 180_000);

  it('is not ready while the control plane does not answer', async () => {
    const g = await start();
    const ready = g.url.replace(/\/graphql$/, '/readyz');
    expect(await statusOf(ready)).toBe(200);
    await sim.stop();
    await until(async () => ((await statusOf(ready)) === 503) || undefined, 120, 250);
    const res = await fetch(ready);
    expect(((await res.json()) as any).ready).toBe(false);
    g.child.kill('SIGTERM');
    await g.exited;
  }, 120_000);
});
