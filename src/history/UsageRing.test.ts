import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/loadConfig.js';
import { usageQueries } from './PrometheusHistory.js';
import { UsageRing, type ClusterSample } from './UsageRing.js';

const S = 1000;
const sample = (cluster: string, nodes: Array<[string, number]>): ClusterSample => ({
  cluster,
  nodes: nodes.map(([node, cpu]) => ({ node, cpuUsage: cpu, memoryUsage: cpu * 100, cpuRequests: 1, memoryRequests: 10 })),
});

describe('UsageRing', () => {
  it('answers count points step apart ending at the latest sample, sums per time, gaps as null', () => {
    const ring = new UsageRing(S, 10 * S);
    ring.append(100 * S, [sample('a', [['n1', 1], ['n2', 2]]), sample('b', [['m1', 4]])]);
    ring.append(101 * S, [sample('a', [['n1', 1.5], ['n2', 2]])]); // b down: a gap for b
    ring.append(102 * S, [sample('a', [['n1', 2], ['n2', 2]]), sample('b', [['m1', 5]])]);
    const end = ring.endAt(0);
    expect(end).toBe(102 * S);
    const node = ring.points({ cluster: 'a', node: 'n1' }, 4, S, end);
    expect(node.map((p) => p.time)).toEqual([99 * S, 100 * S, 101 * S, 102 * S]);
    expect(node.map((p) => p.cpuUsage)).toEqual([null, 1, 1.5, 2]);
    expect(node.map((p) => p.nodes)).toEqual([0, 1, 1, 1]);
    const b = ring.points({ cluster: 'b' }, 3, S, end);
    expect(b.map((p) => p.cpuUsage)).toEqual([4, null, 5]);
    expect(b[1]).toMatchObject({ memoryUsage: null, cpuRequests: null, memoryRequests: null, nodes: 0 });
    const fleet = ring.points({}, 3, S, end);
    expect(fleet.map((p) => p.cpuUsage)).toEqual([7, 3.5, 9]);
    expect(fleet.map((p) => p.nodes)).toEqual([3, 2, 3]);
    expect(ring.points({ only: ['b'] }, 3, S, end).map((p) => p.cpuUsage)).toEqual([4, null, 5]);
    // A step of two samples: the latest sample of each step.
    expect(ring.points({ cluster: 'a', node: 'n1' }, 2, 2 * S, end).map((p) => p.cpuUsage)).toEqual([1, 2]);
  });

  it('leaves out samples after the end a request pinned, wraps around, and drops nodes gone for a whole ring', () => {
    const ring = new UsageRing(S, 3 * S);
    expect(ring.capacity).toBe(3);
    ring.append(1 * S, [sample('a', [['old', 1], ['n', 1]])]);
    const pinned = ring.endAt(0);
    ring.append(2 * S, [sample('a', [['n', 2]])]);
    expect(ring.points({ cluster: 'a', node: 'n' }, 2, S, pinned).map((p) => p.cpuUsage)).toEqual([null, 1]);
    ring.append(3 * S, [sample('a', [['n', 3]])]);
    ring.append(4 * S, [sample('a', [['n', 4]])]);
    expect(ring.points({ cluster: 'a', node: 'n' }, 3, S, ring.endAt(0)).map((p) => p.cpuUsage)).toEqual([2, 3, 4]);
    expect(ring.points({ cluster: 'a', node: 'old' }, 3, S, ring.endAt(0)).map((p) => p.cpuUsage)).toEqual([null, null, null]);
    expect(ring.nodeCount).toBe(1);
  });
});

describe('usage history flags', () => {
  const base = ['--kubeconfig', '/dev/null'];
  const config = (args: string[]) => {
    const r = loadConfig([...base, ...args], {});
    if (r.kind !== 'config') throw new Error('help');
    return r.config;
  };
  it('reads the interval, the history kept and the Prometheus URL, and refuses what cannot work', () => {
    expect(config([]).usageHistory).toBeUndefined();
    expect(config(['--usage-sample-interval', '1s', '--usage-history', '60s']).usageHistory).toEqual({ sampleIntervalMs: 1000, keepMs: 60_000 });
    expect(config(['--prometheus-url', 'http://prom:9090/']).usageHistory).toEqual({ sampleIntervalMs: 30_000, keepMs: 3_600_000, prometheusUrl: 'http://prom:9090' });
    expect(() => config(['--usage-sample-interval', '1500ms'])).toThrow(/whole seconds/);
    expect(() => config(['--usage-sample-interval', '1m', '--usage-history', '30s'])).toThrow(/shorter/);
    expect(() => config(['--usage-sample-interval', '1s', '--usage-history', '24h'])).toThrow(/10000 samples/);
    expect(() => config(['--prometheus-url', 'prom:9090'])).toThrow(/not an http/);
  });
});

describe('Prometheus queries', () => {
  it('select the scope by cluster and node labels', () => {
    const q = usageQueries({ cluster: 'member1', node: 'n-0' });
    expect(q.memoryUsage).toBe('sum(node_memory_working_set_bytes{cluster="member1",node="n-0"})');
    expect(q.cpuUsage).toBe('sum(irate(node_cpu_usage_seconds_total{cluster="member1",node="n-0"}[5m]))');
    expect(q.cpuRequests).toContain('kube_pod_container_resource_requests{cluster="member1",node="n-0",resource="cpu"}');
    expect(usageQueries({}).nodes).toBe('count(node_memory_working_set_bytes{})');
    expect(usageQueries({ only: ['a', 'b'] }).memoryUsage).toBe('sum(node_memory_working_set_bytes{cluster=~"a|b"})');
  });
});
