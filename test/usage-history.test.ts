/**
 * Usage history (issue 16) end to end: a gateway sampling the simulator's metrics.k8s.io every second into
 * its in-memory ring, read through `Node`, `Cluster` and `fleet.usageHistory` over HTTP. Points per window and
 * step, values equal to the metrics API's, a load change (the simulator's /_sim/usage factor) followed, a member
 * down leaving a gap, cluster and fleet sums equal to the node sums, and BAD_USER_INPUT for bad windows/steps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';

let fx: GatewayFixture;
let member: string;
let other: string;

beforeAll(async () => {
  fx = await startGatewayFixture({ args: ['--usage-sample-interval', '1s', '--usage-history', '60s'] });
  [member, other] = [...fx.sim.fleet.members.keys()].sort() as [string, string];
  // A few samples first.
  await new Promise((r) => setTimeout(r, 3500));
}, 60_000);

afterAll(async () => {
  if (fx) {
    for (const m of [member, other]) {
      await fx.admin('POST', `/_sim/faults/${m}`, { unreachable: false }).catch(() => undefined);
      await fx.admin('POST', `/_sim/usage/${m}`, { factor: 1 }).catch(() => undefined);
    }
    await fx.stop();
  }
});

const POINT = 'time cpuUsage memoryUsage cpuRequests memoryRequests nodes';

interface Point { time: string; cpuUsage: number | null; memoryUsage: number | null; cpuRequests: number | null; memoryRequests: number | null; nodes: number }
interface History { source: string; windowSeconds: number; stepSeconds: number; sampleIntervalSeconds: number; points: Point[] }

async function clusterHistory(name: string, window: string, step = '1s'): Promise<History> {
  const res = await fx.query<{ cluster: { usageHistory: History } }>(`query($n: String!, $w: String, $s: String) {
    cluster(name: $n) { usageHistory(window: $w, step: $s) { source windowSeconds stepSeconds sampleIntervalSeconds points { ${POINT} } } }
  }`, { n: name, w: window, s: step });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.cluster.usageHistory;
}

describe('usage history from the sampling ring', () => {
  it('has window/step points, step apart, oldest first, the latest filled', async () => {
    const res = await fx.query<{ fleet: { usageHistory: History } }>(`{ fleet { usageHistory(window: "10s", step: "2s") { source windowSeconds stepSeconds sampleIntervalSeconds points { ${POINT} } } } }`);
    expect(res.body.errors).toBeUndefined();
    const h = res.body.data!.fleet.usageHistory;
    expect(h).toMatchObject({ source: 'SAMPLES', windowSeconds: 10, stepSeconds: 2, sampleIntervalSeconds: 1 });
    expect(h.points).toHaveLength(5);
    const times = h.points.map((p) => Date.parse(p.time));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(2000);
    const last = h.points.at(-1)!;
    expect(last.cpuUsage).toBeGreaterThan(0);
    expect(last.memoryUsage).toBeGreaterThan(0);
    expect(last.nodes).toBe(fx.sim.fleet.members.size > 0 ? [...fx.sim.fleet.members.values()].reduce((n, m) => n + m.objects.list('nodes').length, 0) : 0);
    // The default window is all the history kept, at the sampling interval.
    const whole = await fx.query<{ fleet: { usageHistory: History } }>('{ fleet { usageHistory { windowSeconds stepSeconds points { time } } } }');
    expect(whole.body.data!.fleet.usageHistory.windowSeconds).toBe(60);
    expect(whole.body.data!.fleet.usageHistory.points).toHaveLength(60);
  });

  it('holds the values the metrics API served and the requests of the node at sample time', async () => {
    const nodeName = fx.sim.fleet.members.get(member)!.objects.list('nodes')[0]!.metadata.name!;
    // The kubelet resamples every 15 s: retried until a sample and the live read fall between two resamples.
    await eventually(async () => {
      const res = await fx.query(`query($c: String!, $n: String!) { node(cluster: $c, name: $n) {
        usage { cpuCores memoryBytes } requested { cpuCores memoryBytes }
        usageHistory(window: "3s") { points { ${POINT} } } } }`, { c: member, n: nodeName });
      expect(res.body.errors).toBeUndefined();
      const node = res.body.data.node;
      const last = node.usageHistory.points.at(-1) as Point;
      expect(last.nodes).toBe(1);
      expect(last.cpuUsage).toBe(node.usage.cpuCores);
      expect(last.memoryUsage).toBe(node.usage.memoryBytes);
      expect(last.cpuRequests).toBe(node.requested.cpuCores ?? 0);
      expect(last.memoryRequests).toBe(node.requested.memoryBytes ?? 0);
    }, 40, 500);
  });

  it('follows a load change in the simulator', async () => {
    const before = await clusterHistory(member, '3s');
    const was = before.points.at(-1)!.cpuUsage!;
    expect(was).toBeGreaterThan(0);
    await fx.admin('POST', `/_sim/usage/${member}`, { factor: 4 });
    try {
      const after = await eventually(async () => {
        const h = await clusterHistory(member, '10s');
        expect(h.points.at(-1)!.cpuUsage!).toBeGreaterThan(was * 3);
        return h;
      }, 20, 500);
      // The earlier points of the same series still hold the old load: the series rose, later points higher.
      const values = after.points.map((p) => p.cpuUsage).filter((v): v is number => v !== null);
      expect(values[0]!).toBeLessThan(was * 1.5);
      expect(values.at(-1)!).toBeGreaterThan(values[0]! * 2.5);
    } finally {
      await fx.admin('POST', `/_sim/usage/${member}`, { factor: 1 });
    }
  });

  it('sums nodes into clusters and clusters into the fleet, per sample time', async () => {
    const res = await fx.query(`{
      clusters(first: 10) { edges { node { name usageHistory(window: "5s") { points { ${POINT} } }
        nodes(first: 20) { edges { node { name usageHistory(window: "5s") { points { ${POINT} } } } } } } } }
      fleet { usageHistory(window: "5s") { points { ${POINT} } } }
    }`);
    expect(res.body.errors).toBeUndefined();
    const clusters = res.body.data.clusters.edges.map((e: any) => e.node);
    // Every member and every node is in the answer (the pages are large enough for the demo).
    expect(clusters).toHaveLength(fx.sim.fleet.members.size);
    for (const c of clusters) expect(c.nodes.edges).toHaveLength(fx.sim.fleet.members.get(c.name)!.objects.list('nodes').length);
    const fleetPoints = new Map((res.body.data.fleet.usageHistory.points as Point[]).map((p) => [p.time, p]));
    const fleetSums = new Map<string, { cpu: number; mem: number; cpuReq: number; memReq: number; nodes: number; clusters: number }>();
    let compared = 0;
    for (const c of clusters) {
      const nodeSums = new Map<string, { cpu: number; mem: number; cpuReq: number; memReq: number; nodes: number }>();
      for (const e of c.nodes.edges) {
        for (const p of e.node.usageHistory.points as Point[]) {
          const s = nodeSums.get(p.time) ?? { cpu: 0, mem: 0, cpuReq: 0, memReq: 0, nodes: 0 };
          s.cpu += p.cpuUsage ?? 0; s.mem += p.memoryUsage ?? 0; s.cpuReq += p.cpuRequests ?? 0; s.memReq += p.memoryRequests ?? 0; s.nodes += p.nodes;
          nodeSums.set(p.time, s);
        }
      }
      for (const p of c.usageHistory.points as Point[]) {
        const s = nodeSums.get(p.time);
        if (!s || p.cpuUsage === null) continue;
        compared++;
        expect(p.nodes).toBe(s.nodes);
        expect(p.cpuUsage).toBeCloseTo(s.cpu, 9);
        expect(p.memoryUsage!).toBeCloseTo(s.mem, 0);
        expect(p.cpuRequests!).toBeCloseTo(s.cpuReq, 9);
        expect(p.memoryRequests!).toBeCloseTo(s.memReq, 0);
        const f = fleetSums.get(p.time) ?? { cpu: 0, mem: 0, cpuReq: 0, memReq: 0, nodes: 0, clusters: 0 };
        f.cpu += p.cpuUsage; f.mem += p.memoryUsage!; f.cpuReq += p.cpuRequests!; f.memReq += p.memoryRequests!; f.nodes += p.nodes; f.clusters++;
        fleetSums.set(p.time, f);
      }
    }
    expect(compared).toBeGreaterThan(0);
    let fleetCompared = 0;
    for (const [time, f] of fleetSums) {
      const p = fleetPoints.get(time);
      if (!p || f.clusters !== clusters.length) continue;
      fleetCompared++;
      expect(p.nodes).toBe(f.nodes);
      expect(p.cpuUsage!).toBeCloseTo(f.cpu, 9);
      expect(p.memoryUsage!).toBeCloseTo(f.mem, 0);
      expect(p.cpuRequests!).toBeCloseTo(f.cpuReq, 9);
      expect(p.memoryRequests!).toBeCloseTo(f.memReq, 0);
    }
    expect(fleetCompared).toBeGreaterThan(0);
  });

  it('leaves a gap, not zeros, while a member is down', async () => {
    await fx.admin('POST', `/_sim/faults/${other}`, { unreachable: true });
    try {
      const h = await eventually(async () => {
        const res = await fx.query<{ cluster: { usageHistory: History } }>(`query($n: String!) { cluster(name: $n) { usageHistory(window: "60s") { points { ${POINT} } } } }`, { n: other });
        const points = res.body.data!.cluster.usageHistory.points;
        const last = points.at(-1)!;
        expect(last).toMatchObject({ cpuUsage: null, memoryUsage: null, cpuRequests: null, memoryRequests: null, nodes: 0 });
        return points;
      }, 60, 500);
      // Before the outage the same series had values.
      expect(h.some((p) => p.cpuUsage !== null && p.cpuUsage > 0)).toBe(true);
      // The fleet's latest point still sums the members that answered, without the one down.
      const res = await fx.query<{ fleet: { usageHistory: History } }>(`{ fleet { usageHistory(window: "2s") { points { ${POINT} } } } }`);
      const last = res.body.data!.fleet.usageHistory.points.at(-1)!;
      const upNodes = [...fx.sim.fleet.members].filter(([n]) => n !== other).reduce((n, [, m]) => n + m.objects.list('nodes').length, 0);
      expect(last.nodes).toBe(upNodes);
      expect(last.cpuUsage).toBeGreaterThan(0);
    } finally {
      await fx.admin('POST', `/_sim/faults/${other}`, { unreachable: false });
    }
  });

  it('costs one node metrics call per member per sample, and no list call', async () => {
    await fx.admin('POST', '/_sim/stats/reset');
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 4000));
    const seconds = (Date.now() - started) / 1000;
    const metricsCalls = await fx.countRequests((r) => r.path?.includes('/apis/metrics.k8s.io/v1beta1/nodes') === true || r.resource.includes('metrics.k8s.io/nodes'));
    const members = fx.sim.fleet.members.size;
    // One tick a second (a tick may be skipped on a busy machine, and one may straddle the reset).
    expect(metricsCalls).toBeGreaterThanOrEqual(members * 2);
    expect(metricsCalls).toBeLessThanOrEqual(members * Math.ceil(seconds + 1));
    const lists = await fx.countRequests((r) => r.verb === 'list' && (r.resource === 'pods' || r.resource === 'nodes'));
    expect(lists).toBe(0);
  });

  it('refuses bad windows and steps with BAD_USER_INPUT before reading anything', async () => {
    const cases: Array<[string, string | null, string | null]> = [
      ['step', '60s', '500ms'], // below the sampling interval
      ['window', '2h', '1s'], // beyond the history kept
      ['window', 'soon', null], // not a duration
      ['step', '10s', '5'], // no unit
      ['window', '5s', '2s'], // not a whole number of steps
      ['step', '10s', '1.5s'], // not whole seconds
    ];
    for (const [field, window, step] of cases) {
      const res = await fx.query(`query($w: String, $s: String) { fleet { usageHistory(window: $w, step: $s) { points { time } } } node(cluster: "${member}", name: "nope") { usageHistory(window: $w, step: $s) { stepSeconds } } }`, { w: window, s: step });
      const errors = res.body.errors ?? [];
      expect(errors.length, `${window} ${step}`).toBeGreaterThan(0);
      expect(errors[0]!.extensions?.code).toBe('BAD_USER_INPUT');
      expect(errors[0]!.extensions?.field).toBe(field);
    }
  });
});
