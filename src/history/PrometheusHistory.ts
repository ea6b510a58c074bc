/**
 * Usage history from Prometheus (`--prometheus-url`): one `/api/v1/query_range` per value over the window,
 * aligned to the step. The series are the ones a Kubernetes fleet's Prometheus usually scrapes, each with a
 * `cluster` label (the Karmada member name: an external label or a relabeling per member) and a `node` label:
 *   - kubelet `/metrics/resource` (what metrics-server reads): `node_cpu_usage_seconds_total` (counter, its
 *     `irate` is the usage in cores) and `node_memory_working_set_bytes`;
 *   - kube-state-metrics: `kube_pod_container_resource_requests{resource="cpu"|"memory"}` of pods whose
 *     `kube_pod_status_phase{phase=~"Pending|Running"}` is 1 (finished pods request nothing, as `Node.requested`).
 * docs/usage-history.md shows the expressions and a scrape config.
 */
import type { HistoryPoint, HistoryScope } from './UsageRing.js';

export interface PrometheusHistoryOptions {
  url: string;
  /** Per query timeout, ms. */
  timeoutMs: number;
}

/** A failure of the Prometheus server (unreachable, an error answer): the field's error. */
export class PrometheusError extends Error {}

/** A label value inside a PromQL string literal. */
function quoted(value: string): string {
  return JSON.stringify(value);
}

function selector(scope: HistoryScope, extra = ''): string {
  const parts: string[] = [];
  if (scope.cluster !== undefined) parts.push(`cluster=${quoted(scope.cluster)}`);
  if (scope.node !== undefined) parts.push(`node=${quoted(scope.node)}`);
  // Regex metacharacters cannot occur in member names (DNS-1123 labels) except '.', escaped here.
  if (scope.only) parts.push(`cluster=~${quoted(scope.only.map((c) => c.replace(/\./g, '\\.')).join('|') || '^$')}`);
  if (extra) parts.push(extra);
  return `{${parts.join(',')}}`;
}

/** The PromQL of each value of a point, summed over the scope's nodes. */
export function usageQueries(scope: HistoryScope): Record<'cpuUsage' | 'memoryUsage' | 'cpuRequests' | 'memoryRequests' | 'nodes', string> {
  const active = 'on (cluster, namespace, pod) group_left () (kube_pod_status_phase{phase=~"Pending|Running"} == 1)';
  return {
    cpuUsage: `sum(irate(node_cpu_usage_seconds_total${selector(scope)}[5m]))`,
    memoryUsage: `sum(node_memory_working_set_bytes${selector(scope)})`,
    cpuRequests: `sum(kube_pod_container_resource_requests${selector(scope, 'resource="cpu"')} * ${active})`,
    memoryRequests: `sum(kube_pod_container_resource_requests${selector(scope, 'resource="memory"')} * ${active})`,
    nodes: `count(node_memory_working_set_bytes${selector(scope)})`,
  };
}

export class PrometheusHistory {
  constructor(private readonly options: PrometheusHistoryOptions) {}

  /** `count` points `stepMs` apart, the last at the latest multiple of the step not after `nowMs`. */
  async points(scope: HistoryScope, count: number, stepMs: number, nowMs: number): Promise<HistoryPoint[]> {
    const end = Math.floor(nowMs / stepMs) * stepMs;
    const start = end - (count - 1) * stepMs;
    const points: HistoryPoint[] = [];
    for (let t = start; t <= end; t += stepMs) points.push({ time: t, cpuUsage: null, memoryUsage: null, cpuRequests: null, memoryRequests: null, nodes: 0 });
    const queries = usageQueries(scope);
    const keys = Object.keys(queries) as Array<keyof typeof queries>;
    const answers = await Promise.all(keys.map((k) => this.rangeQuery(queries[k], start, end, stepMs)));
    keys.forEach((key, i) => {
      for (const [t, value] of answers[i]!) {
        const index = Math.round((t * 1000 - start) / stepMs);
        const p = points[index];
        if (!p) continue;
        if (key === 'nodes') p.nodes = value;
        else p[key] = value;
      }
    });
    return points;
  }

  /** The values of a one-series range query: [seconds, value] pairs (none where the expression is empty). */
  private async rangeQuery(query: string, startMs: number, endMs: number, stepMs: number): Promise<Array<[number, number]>> {
    const body = new URLSearchParams({ query, start: String(startMs / 1000), end: String(endMs / 1000), step: `${stepMs / 1000}s` });
    let res: Response;
    try {
      res = await fetch(`${this.options.url}/api/v1/query_range`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      throw new PrometheusError(`Prometheus at ${this.options.url} did not answer: ${(err as Error).message}`);
    }
    let answer: { status?: string; error?: string; data?: { resultType?: string; result?: Array<{ values?: Array<[number, string]> }> } };
    try {
      answer = (await res.json()) as typeof answer;
    } catch {
      throw new PrometheusError(`Prometheus at ${this.options.url} answered ${res.status} without JSON`);
    }
    if (!res.ok || answer.status !== 'success') throw new PrometheusError(`Prometheus at ${this.options.url} answered ${res.status}: ${answer.error ?? 'no data'}`);
    const series = answer.data?.result ?? [];
    // sum()/count() without `by` give at most one series.
    return (series[0]?.values ?? []).map(([t, v]) => [t, Number(v)] as [number, number]).filter(([, v]) => Number.isFinite(v));
  }
}
