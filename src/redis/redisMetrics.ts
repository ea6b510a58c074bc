/**
 * `fleetgraph_redis_up`: 1 while the gateway uses its Redis, 0 while it is degraded (serving from memory) or
 * still connecting. Read at scrape time.
 */
import { Gauge, type Registry } from 'prom-client';
import type { RedisHealth } from './RedisHealth.js';

export function registerRedisMetrics(registry: Registry, health: RedisHealth): void {
  new Gauge({
    name: 'fleetgraph_redis_up',
    help: '1 while Redis answers and is used; 0 while it is degraded (the gateway serves from memory) or connecting.',
    registers: [registry],
    collect() {
      this.set(health.state === 'up' ? 1 : 0);
    },
  });
}
