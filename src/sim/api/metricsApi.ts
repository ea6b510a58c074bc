/**
 * metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics, served from the cluster's MetricsBook (usage the
 * simulated kubelet writes), never from the store, as metrics-server does. A load factor per member and
 * per node (`/_sim/usage/<member>`, adminApi.ts) scales what is served, so tests can change the load at once;
 * the same usage is served to Prometheus (`/_sim/prometheus`, prometheusExposition.ts).
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
export function nodeUsage(cluster: SimClusterInternals, name: string): { cpu: string; memory: string; timestamp: string } | undefined {
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

