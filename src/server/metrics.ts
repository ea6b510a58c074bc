/**
 * Prometheus metrics for /metrics: process defaults, HTTP requests by route and status, and the fleet's
 * upstream call counters (read at scrape time, so the data layer needs no prom-client dependency).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Fleet } from '../fleet/types.js';

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'method' | 'status'>;
  private readonly requestChildren = new Map<string, Counter.Internal>();

  constructor(fleet: Fleet) {
    collectDefaultMetrics({ register: this.registry, prefix: 'fleetgraph_' });
    this.requests = new Counter({
      name: 'fleetgraph_http_requests_total',
      help: 'HTTP requests served, by route, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers: [this.registry],
    });
    new Gauge({
      name: 'fleetgraph_upstream_calls',
      help: 'Upstream Kubernetes API calls made by the gateway, by cluster, verb and kind (cumulative).',
      labelNames: ['cluster', 'verb', 'kind'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [key, n] of fleet.requestCounters) {
          const [cluster = '', verb = '', kind = ''] = key.split(' ');
          this.set({ cluster, verb, kind }, n);
        }
      },
    });
    new Gauge({
      name: 'fleetgraph_member_synced',
      help: '1 when every cached kind of the member has synced.',
      labelNames: ['cluster'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const m of fleet.members()) this.set({ cluster: m }, fleet.health(m)?.synced ? 1 : 0);
      },
    });
  }

  countRequest(route: string, method: string, status: number): void {
    // One labelled child per (route, method, status), looked up by a flat key: prom-client would otherwise
    // hash the label object on every request.
    const key = `${route} ${method} ${status}`;
    let child = this.requestChildren.get(key);
    if (!child) {
      // Methods come from clients: bound the table so odd verbs cannot grow it without end.
      if (this.requestChildren.size >= 1000) this.requestChildren.clear();
      child = this.requests.labels({ route, method, status: String(status) });
      this.requestChildren.set(key, child);
    }
    child.inc();
  }
}
