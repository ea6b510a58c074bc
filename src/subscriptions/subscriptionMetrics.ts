/**
 * Prometheus view of the subscription engine, read at scrape time (no counters to keep in step): open
 * subscriptions and WebSocket connections, events routed, and what the slow-consumer policy did.
 */
import { Gauge, type Registry } from 'prom-client';
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
  gauge('fleetgraph_subscription_events_routed', 'Events put in subscription queues since start.', () => sources.engine.stats().routed);
  gauge('fleetgraph_subscription_events_coalesced', 'Events merged into a waiting event of the same object (slow readers).', () => sources.engine.stats().queues.coalesced);
  gauge('fleetgraph_subscription_events_dropped', 'Events dropped for a RESYNC notice (slow readers).', () => sources.engine.stats().queues.dropped);
  gauge('fleetgraph_subscription_events_pending', 'Events waiting in subscription queues now.', () => sources.engine.stats().queues.pending);
}
