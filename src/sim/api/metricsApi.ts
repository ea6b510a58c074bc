/**
 * metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics, served from the cluster's MetricsBook (usage the
 * simulated kubelet writes), never from the store, as metrics-server does. A load factor per member and
 * per node (`/_sim/usage/<member>`, adminApi.ts) scales what is served, so tests can change the load at once;
 * the same usage is served to Prometheus (`/_sim/prometheus`, prometheusExposition below).
 */
import { ApiError } from '../cluster/ApiError.js';
import type { SimClusterInternals } from '../cluster/createSimCluster.js';
import { matchLabels, parseLabelSelector } from '../cluster/selectors.js';
import { formatCpuNanos, formatMemoryKi, parseQuantity } from '../controllers/quantity.js';

/** Load factors of one member: the member's own, and per node (multiplied). */
interface LoadFactors {
  member: number;
  nodes: Map<string, number>;
}

const loadFactors = new WeakMap<SimClusterInternals, LoadFactors>();

/** Scales a member's usage (or one node's, and the pods on it) by `factor` from now on; 1 restores it. */
export function setUsageFactor(cluster: SimClusterInternals, factor: number, node?: string): void {
  let f = loadFactors.get(cluster);
  if (!f) loadFactors.set(cluster, (f = { member: 1, nodes: new Map() }));
  if (node === undefined) f.member = factor;
  else if (factor === 1) f.nodes.delete(node);
  else f.nodes.set(node, factor);
}

/** The factors in force: `{ member, nodes: { name: factor } }`. */
export function usageFactors(cluster: SimClusterInternals): { member: number; nodes: Record<string, number> } {
  const f = loadFactors.get(cluster);
  return { member: f?.member ?? 1, nodes: Object.fromEntries(f?.nodes ?? []) };
}

function factorOf(cluster: SimClusterInternals, node: string | undefined): number {
  const f = loadFactors.get(cluster);
  if (!f) return 1;
  return f.member * (node !== undefined ? f.nodes.get(node) ?? 1 : 1);
}

/** A node's usage as served: the kubelet's sample times the load factors. */
function nodeUsage(cluster: SimClusterInternals, name: string): { cpu: string; memory: string; timestamp: string } | undefined {
  const sample = cluster.metrics.nodes.get(name);
  if (!sample) return undefined;
  const factor = factorOf(cluster, name);
  if (factor === 1) return sample;
  return { cpu: formatCpuNanos(parseQuantity(sample.cpu) * factor), memory: formatMemoryKi(parseQuantity(sample.memory) * factor), timestamp: sample.timestamp };
}

const WINDOW = '10.5s';

function nodeMetric(cluster: SimClusterInternals, name: string): Record<string, unknown> | undefined {
  const sample = nodeUsage(cluster, name);
  if (!sample) return undefined;
  const node = cluster.store.get('nodes', undefined, name);
  return {
    metadata: { name, creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), labels: node?.metadata.labels ?? {} },
    timestamp: sample.timestamp,
    window: WINDOW,
    usage: { cpu: sample.cpu, memory: sample.memory },
  };
}

function podMetric(cluster: SimClusterInternals, key: string): Record<string, unknown> | undefined {
  const m = cluster.metrics.pods.get(key);
  if (!m) return undefined;
  const pod = cluster.store.get('pods', m.namespace, m.name);
  const factor = factorOf(cluster, (pod?.spec as { nodeName?: string } | undefined)?.nodeName);
  const scaled = factor === 1 ? m.containers : m.containers.map((c) => ({ name: c.name, cpu: formatCpuNanos(parseQuantity(c.cpu) * factor), memory: formatMemoryKi(parseQuantity(c.memory) * factor) }));
  return {
    metadata: { name: m.name, namespace: m.namespace, creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), labels: pod?.metadata.labels ?? {} },
    timestamp: m.timestamp,
    window: WINDOW,
    containers: scaled.map((c) => ({ name: c.name, usage: { cpu: c.cpu, memory: c.memory } })),
  };
}

export function metricsAnswer(
  cluster: SimClusterInternals,
  resource: 'nodes' | 'pods',
  namespace: string | undefined,
  name: string | undefined,
  labelSelector: string | undefined,
): Record<string, unknown> {
  const apiVersion = 'metrics.k8s.io/v1beta1';
  const kind = resource === 'nodes' ? 'NodeMetrics' : 'PodMetrics';
  if (name !== undefined) {
    const item = resource === 'nodes' ? nodeMetric(cluster, name) : podMetric(cluster, `${namespace}/${name}`);
    if (!item) throw ApiError.notFound({ group: 'metrics.k8s.io', resource }, name);
    return { kind, apiVersion, ...item };
  }
  const sel = parseLabelSelector(labelSelector);
  const items: Array<Record<string, unknown>> = [];
  if (resource === 'nodes') {
    for (const n of [...cluster.metrics.nodes.keys()].sort()) {
      const item = nodeMetric(cluster, n);
      if (item && matchLabels(sel, (item['metadata'] as { labels: Record<string, string> }).labels)) items.push(item);
    }
  } else {
    for (const k of [...cluster.metrics.pods.keys()].sort()) {
      const m = cluster.metrics.pods.get(k)!;
      if (namespace !== undefined && m.namespace !== namespace) continue;
      const item = podMetric(cluster, k);
      if (item && matchLabels(sel, (item['metadata'] as { labels: Record<string, string> }).labels)) items.push(item);
    }
  }
  return { kind: `${kind}List`, apiVersion, metadata: {}, items };
}

/** CPU seconds used so far per node (`member/node`), integrated at each scrape: the kubelet's counter. */
const cpuCounters = new WeakMap<SimClusterInternals, Map<string, { seconds: number; at: number }>>();

function labels(pairs: Record<string, string>): string {
  return `{${Object.entries(pairs).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
}

/**
 * Prometheus text exposition (format 0.0.4) of the members given (those reachable), with `cluster` and
 * `node` labels on every series: the kubelet's `/metrics/resource` node series (`node_cpu_usage_seconds_total`,
 * a counter integrated from the served usage at each scrape, and `node_memory_working_set_bytes`) and
 * kube-state-metrics' `kube_pod_container_resource_requests` and `kube_pod_status_phase`.
 */
export function prometheusExposition(members: ReadonlyArray<[string, SimClusterInternals]>, nowMs = Date.now()): string {
  const cpu: string[] = [];
  const memory: string[] = [];
  const requests: string[] = [];
  const phases: string[] = [];
  for (const [member, cluster] of members) {
    let counters = cpuCounters.get(cluster);
    if (!counters) cpuCounters.set(cluster, (counters = new Map()));
    for (const name of [...cluster.metrics.nodes.keys()].sort()) {
      const u = nodeUsage(cluster, name)!;
      const cores = parseQuantity(u.cpu);
      let c = counters.get(name);
      if (!c) counters.set(name, (c = { seconds: 0, at: nowMs }));
      c.seconds += (cores * Math.max(0, nowMs - c.at)) / 1000;
      c.at = nowMs;
      const l = labels({ cluster: member, node: name });
      cpu.push(`node_cpu_usage_seconds_total${l} ${c.seconds}`);
      memory.push(`node_memory_working_set_bytes${l} ${parseQuantity(u.memory)}`);
    }
    for (const pod of cluster.store.list('pods')) {
      const spec = pod.spec as { nodeName?: string; containers?: Array<{ name: string; resources?: { requests?: Record<string, string> } }> } | undefined;
      const phase = (pod.status as { phase?: string } | undefined)?.phase ?? 'Pending';
      const base = { cluster: member, namespace: pod.metadata.namespace ?? '', pod: pod.metadata.name ?? '' };
      for (const p of ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']) phases.push(`kube_pod_status_phase${labels({ ...base, phase: p })} ${p === phase ? 1 : 0}`);
      if (!spec?.nodeName) continue;
      for (const c of spec.containers ?? []) {
        for (const [resource, unit] of [['cpu', 'core'], ['memory', 'byte']] as const) {
          const raw = c.resources?.requests?.[resource];
          if (raw === undefined) continue;
          requests.push(`kube_pod_container_resource_requests${labels({ ...base, container: c.name, node: spec.nodeName, resource, unit })} ${parseQuantity(raw)}`);
        }
      }
    }
  }
  return [
    '# HELP node_cpu_usage_seconds_total Cumulative cpu time consumed by the node in core-seconds',
    '# TYPE node_cpu_usage_seconds_total counter',
    ...cpu,
    '# HELP node_memory_working_set_bytes Current working set of the node in bytes',
    '# TYPE node_memory_working_set_bytes gauge',
    ...memory,
    '# HELP kube_pod_container_resource_requests The number of requested request resource by a container.',
    '# TYPE kube_pod_container_resource_requests gauge',
    ...requests,
    '# HELP kube_pod_status_phase The pods current phase.',
    '# TYPE kube_pod_status_phase gauge',
    ...phases,
    '',
  ].join('\n');
}
