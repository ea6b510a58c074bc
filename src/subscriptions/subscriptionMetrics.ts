/**
 * Prometheus view of the subscription engine, read at scrape time (no counters to keep in step): open
 * subscriptions and WebSocket connections (gauges), events routed, and what the slow-consumer policy did
 * (counters: the engine's own totals since start, which only grow).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { SubscriptionEngine } from './SubscriptionEngine.js';

export interface SubscriptionMetricsSources {
  engine: SubscriptionEngine;
  /** Open WebSocket connections. */
  connections: () => number;
  /** Bytes buffered for slow sockets. */
  bufferedBytes: () => number;
}

export function registerSubscriptionMetrics(registry: Registry, sources: SubscriptionMetricsSources): void {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('fleetgraph_subscriptions_active', 'Open subscriptions (all fields).', () => sources.engine.stats().subscriptions);
  gauge('fleetgraph_ws_connections', 'Open graphql-ws connections.', sources.connections);
  gauge('fleetgraph_ws_buffered_bytes', 'Bytes written to WebSockets but not yet sent (slow readers).', sources.bufferedBytes);
  // Cumulative counts are counters: reset to the engine's total at each scrape (it never goes down).
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  counter('fleetgraph_subscription_events_routed_total', 'Events put in subscription queues.', () => sources.engine.stats().routed);
  counter('fleetgraph_subscription_events_coalesced_total', 'Events merged into a waiting event of the same object (slow readers).', () => sources.engine.stats().queues.coalesced);
  counter('fleetgraph_subscription_events_dropped_total', 'Events dropped for a RESYNC notice (slow readers).', () => sources.engine.stats().queues.dropped);
  gauge('fleetgraph_subscription_events_pending', 'Events waiting in subscription queues now.', () => sources.engine.stats().queues.pending);
}
