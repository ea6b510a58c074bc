/**
 * Usage history from a REAL Prometheus (Debian's `prometheus` 2.42, installed by scripts/test-prereqs.mjs):
 * it scrapes the simulator's `/_sim/prometheus` (kubelet- and kube-state-metrics-style series with `cluster`
 * and `node` labels) every second over HTTPS with the simulator's CA and admin token, and the gateway started
 * with `--prometheus-url` answers `usageHistory` from its range queries. Bounded: Prometheus runs on 127.0.0.1
 * with its storage in a temp dir and is stopped (by its pid) at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';

const PROMETHEUS = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

let fx: GatewayFixture;
let prometheus: ChildProcess | undefined;
let dir: string;
let member: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fleetgraph-prom-test-'));
  const port = await freePort();
  fx = await startGatewayFixture({ args: ['--prometheus-url', `http://127.0.0.1:${port}`, '--usage-sample-interval', '1s'] });
  member = [...fx.sim.fleet.members.keys()].sort()[0]!;
  const sim = new URL(fx.sim.url);
  writeFileSync(join(dir, 'ca.crt'), fx.sim.caCertPem);
  writeFileSync(join(dir, 'prometheus.yml'), [
    'global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }',
    'scrape_configs:',
    '  - job_name: fleetgraph-sim',
    '    scheme: https',
    '    metrics_path: /_sim/prometheus',
    `    authorization: { type: Bearer, credentials: ${JSON.stringify(fx.sim.adminToken)} }`,
    `    tls_config: { ca_file: ${JSON.stringify(join(dir, 'ca.crt'))} }`,
    `    static_configs: [{ targets: [${JSON.stringify(sim.host)}] }]`,
    '',
  ].join('\n'));
  prometheus = spawn(PROMETHEUS, [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=1h', '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  prometheus.stderr!.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
  // Ready, and the simulator scraped (its target up).
  await eventually(async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=up`);
    const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
    if (body.data.result[0]?.value[1] !== '1') throw new Error(`target not up yet; prometheus log: ${log}`);
  }, 60, 500);
}, 60_000);

afterAll(async () => {
  await fx?.admin('POST', `/_sim/usage/${member}`, { factor: 1 }).catch(() => undefined);
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus!.once('exit', r));
    prometheus.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (prometheus.exitCode === null) prometheus.kill('SIGKILL');
  }
  await fx?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const POINT = 'time cpuUsage memoryUsage cpuRequests memoryRequests nodes';
interface Point { time: string; cpuUsage: number | null; memoryUsage: number | null; cpuRequests: number | null; memoryRequests: number | null; nodes: number }

describe('usage history from Prometheus', () => {
  it('answers window/step points from range queries, values as the metrics API served them', async () => {
    const nodeName = fx.sim.fleet.members.get(member)!.objects.list('nodes')[0]!.metadata.name!;
    await eventually(async () => {
      const res = await fx.query(`query($c: String!, $n: String!) { node(cluster: $c, name: $n) {
        usage { cpuCores memoryBytes } requested { cpuCores memoryBytes }
        usageHistory(window: "10s", step: "1s") { source windowSeconds stepSeconds points { ${POINT} } } } }`, { c: member, n: nodeName });
      expect(res.body.errors).toBeUndefined();
      const node = res.body.data.node;
      const h = node.usageHistory;
      expect(h).toMatchObject({ source: 'PROMETHEUS', windowSeconds: 10, stepSeconds: 1 });
      expect(h.points).toHaveLength(10);
      const times = h.points.map((p: Point) => Date.parse(p.time));
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBe(1000);
      // The latest point: scraped within the last second or two; the kubelet resamples every 15 s.
      const last = h.points.findLast((p: Point) => p.memoryUsage !== null) as Point;
      expect(last.nodes).toBe(1);
      expect(last.memoryUsage).toBe(node.usage.memoryBytes);
      expect(last.cpuUsage!).toBeCloseTo(node.usage.cpuCores, 6);
      expect(last.cpuRequests!).toBeCloseTo(node.requested.cpuCores ?? 0, 9);
      expect(last.memoryRequests).toBe(node.requested.memoryBytes ?? 0);
    }, 40, 500);
  });

  it('sums every member for the fleet', async () => {
    const total = [...fx.sim.fleet.members.values()].reduce((n, m) => n + m.objects.list('nodes').length, 0);
    await eventually(async () => {
      const res = await fx.query(`{ fleet { usageHistory(window: "5s", step: "1s") { source points { ${POINT} } } } }`);
      expect(res.body.errors).toBeUndefined();
      const last = (res.body.data.fleet.usageHistory.points as Point[]).findLast((p) => p.memoryUsage !== null)!;
      expect(last.nodes).toBe(total);
      expect(last.cpuUsage).toBeGreaterThan(0);
      expect(last.cpuRequests).toBeGreaterThan(0);
    }, 20, 500);
  });

  it('follows a load change and sums nodes into the cluster', async () => {
    const read = async () => {
      const res = await fx.query(`query($c: String!) { cluster(name: $c) {
        usageHistory(window: "20s", step: "1s") { points { ${POINT} } }
        nodes(first: 20) { edges { node { usageHistory(window: "20s", step: "1s") { points { ${POINT} } } } } } } }`, { c: member });
      expect(res.body.errors).toBeUndefined();
      return res.body.data.cluster;
    };
    await fx.admin('POST', `/_sim/usage/${member}`, { factor: 1 });
    const before = await eventually(async () => {
      const c = await read();
      const last = (c.usageHistory.points as Point[]).findLast((p) => p.cpuUsage !== null)!;
      expect(last.cpuUsage).toBeGreaterThan(0);
      return last.cpuUsage!;
    }, 20, 500);
    await fx.admin('POST', `/_sim/usage/${member}`, { factor: 4 });
    const after = await eventually(async () => {
      const c = await read();
      const last = (c.usageHistory.points as Point[]).findLast((p) => p.cpuUsage !== null)!;
      expect(last.cpuUsage!).toBeGreaterThan(before * 3);
      return c;
    }, 30, 500);
    const cpu = (after.usageHistory.points as Point[]).map((p) => p.cpuUsage).filter((v): v is number => v !== null);
    expect(cpu[0]!).toBeLessThan(before * 1.5);
    // The cluster's points are the sums of its nodes' points at the same times.
    const sums = new Map<string, number>();
    for (const e of after.nodes.edges) for (const p of e.node.usageHistory.points as Point[]) sums.set(p.time, (sums.get(p.time) ?? 0) + (p.memoryUsage ?? 0));
    let compared = 0;
    for (const p of after.usageHistory.points as Point[]) {
      if (p.memoryUsage === null || !sums.has(p.time)) continue;
      compared++;
      expect(p.memoryUsage).toBeCloseTo(sums.get(p.time)!, 0);
    }
    expect(compared).toBeGreaterThanOrEqual(3);
  });

  it('refuses a step below the sampling interval, and reports Prometheus down as the field\'s error', async () => {
    const bad = await fx.query('{ fleet { usageHistory(window: "10s", step: "500ms") { stepSeconds } } }');
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'step' });
    const exited = new Promise((r) => prometheus!.once('exit', r));
    prometheus!.kill('SIGTERM');
    await exited;
    const res = await fx.query('{ fleet { usageHistory(window: "10s", step: "1s") { stepSeconds } } }');
    expect(res.body.data?.fleet.usageHistory).toBeNull();
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'CLUSTER_UNAVAILABLE', upstream: 'prometheus' });
  });
});
