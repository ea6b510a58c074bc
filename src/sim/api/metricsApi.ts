/**
 * metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics, served from the cluster's MetricsBook (usage the
 * simulated kubelet writes), never from the store, as metrics-server does.
 */
import { ApiError } from '../cluster/ApiError.js';
import type { SimClusterInternals } from '../cluster/createSimCluster.js';
import { matchLabels, parseLabelSelector } from '../cluster/selectors.js';

const WINDOW = '10.5s';

function nodeMetric(cluster: SimClusterInternals, name: string): Record<string, unknown> | undefined {
  const sample = cluster.metrics.nodes.get(name);
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
  return {
    metadata: { name: m.name, namespace: m.namespace, creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), labels: pod?.metadata.labels ?? {} },
    timestamp: m.timestamp,
    window: WINDOW,
    containers: m.containers.map((c) => ({ name: c.name, usage: { cpu: c.cpu, memory: c.memory } })),
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
