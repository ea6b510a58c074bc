/**
 * The test hook of a member's CronJob controller: `advance(seconds)` makes the controller act as if
 * its clock had moved `seconds` further since each CronJob was last scheduled, once: a schedule time
 * that falls in that window (and is not in the future) is run now. Times written stay real (a Job's
 * scheduled time is a past minute, lastScheduleTime is never ahead of the wall clock).
 * Reached through the admin API (`POST /_sim/cron/<member>/advance`); nothing else uses it.
 */
import type { SimCluster } from '../cluster/SimCluster.js';

export class CronClock {
  private readonly listeners = new Set<(ms: number) => void>();

  /** Called by the admin API; returns how many controllers took the step. */
  advance(seconds: number): number {
    for (const listener of this.listeners) listener(seconds * 1000);
    return this.listeners.size;
  }

  onAdvance(listener: (ms: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const clocks = new WeakMap<SimCluster, CronClock>();

export function cronClockOf(cluster: SimCluster): CronClock {
  let clock = clocks.get(cluster);
  if (!clock) clocks.set(cluster, (clock = new CronClock()));
  return clock;
}
