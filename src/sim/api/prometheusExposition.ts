/**
 * The simulator's usage for Prometheus (`GET /_sim/prometheus`, adminApi.ts): what metrics.k8s.io serves
 * (load factors included, metricsApi.ts) and the pods' requests, in the series a fleet's Prometheus scrapes
 * from kubelets and kube-state-metrics, labelled with the member (`cluster`) and the node.
 */
import type { SimClusterInternals } from '../cluster/createSimCluster.js';
import { parseQuantity } from '../controllers/quantity.js';
import { nodeUsage } from './metricsApi.js';

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
