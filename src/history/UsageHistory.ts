/**
 * The usage history the schema's `usageHistory` fields read (issue 16): the in-memory ring filled by the
 * UsageSampler (default), or Prometheus range queries when `--prometheus-url` is set (then nothing is
 * sampled). Made and stopped by the server (src/server/startGateway.ts); handed to resolvers in the context.
 */
import type { Config } from '../config/Config.js';
import type { Fleet } from '../fleet/types.js';
import { PrometheusHistory } from './PrometheusHistory.js';
import type { HistoryPoint, HistoryScope } from './UsageRing.js';
import { UsageRing } from './UsageRing.js';
import { UsageSampler } from './UsageSampler.js';

export type { HistoryPoint, HistoryScope };

export const DEFAULT_SAMPLE_INTERVAL_MS = 30_000;
export const DEFAULT_KEEP_MS = 3_600_000;
/** Most points one series may have (Prometheus refuses more than 11000 per range query). */
export const MAX_POINTS = 11_000;

export interface UsageHistory {
  readonly source: 'SAMPLES' | 'PROMETHEUS';
  /** The smallest step: the sampling interval. */
  readonly sampleIntervalMs: number;
  /** The longest window: what the ring keeps; undefined for Prometheus (its retention decides). */
  readonly keepMs: number | undefined;
  /** The ring (absent with Prometheus). */
  readonly ring?: UsageRing;
  /** The time reads made now end at (a request pins it at its first read, so its fields line up). */
  endAt(nowMs: number): number;
  /** `count` points `stepMs` apart, the last at or before `endMs`. */
  points(scope: HistoryScope, count: number, stepMs: number, endMs: number): Promise<HistoryPoint[]>;
  start(): void;
  stop(): Promise<void>;
}

export function createUsageHistory(config: Config, fleet: Fleet, logger?: { warn(obj: object, msg?: string): void }): UsageHistory {
  const sampleIntervalMs = config.usageHistory?.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS;
  const keepMs = config.usageHistory?.keepMs ?? DEFAULT_KEEP_MS;
  const url = config.usageHistory?.prometheusUrl;
  if (url) {
    const prometheus = new PrometheusHistory({ url, timeoutMs: config.callTimeoutMs });
    return {
      source: 'PROMETHEUS',
      sampleIntervalMs,
      keepMs: undefined,
      endAt: (nowMs) => nowMs,
      points: (scope, count, stepMs, endMs) => prometheus.points(scope, count, stepMs, endMs),
      start: () => undefined,
      stop: async () => undefined,
    };
  }
  const ring = new UsageRing(sampleIntervalMs, keepMs);
  const sampler = new UsageSampler({ fleet, ring, ...(logger ? { logger } : {}) });
  return {
    source: 'SAMPLES',
    sampleIntervalMs,
    keepMs: ring.capacity * sampleIntervalMs,
    ring,
    endAt: (nowMs) => ring.endAt(nowMs),
    points: async (scope, count, stepMs, endMs) => ring.points(scope, count, stepMs, endMs),
    start: () => sampler.start(),
    stop: () => sampler.stop(),
  };
}
