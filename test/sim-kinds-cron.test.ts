import { describe, expect, it } from 'vitest';
import { lastRunBetween, nextRun, parseCron } from '../src/sim/resources/cronSchedule.js';

// The CronJob controller's schedule parser (standard 5-field cron, UTC), checked on fixed instants.

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('cron schedules', () => {
  it('steps, ranges, lists and names', () => {
    expect(iso(nextRun(parseCron('*/1 * * * *'), at('2026-12-03T10:00:05Z')))).toBe('2026-12-03T10:01:00.000Z');
    expect(iso(nextRun(parseCron('*/15 * * * *'), at('2026-12-03T10:00:00Z')))).toBe('2026-12-03T10:15:00.000Z');
    expect(iso(nextRun(parseCron('30 2 * * *'), at('2026-12-03T10:00:00Z')))).toBe('2026-12-04T02:30:00.000Z');
    expect(iso(nextRun(parseCron('0 9-17/4 * * mon-fri'), at('2026-12-04T18:00:00Z')))).toBe('2026-12-07T09:00:00.000Z'); // Friday evening -> Monday
    expect(iso(nextRun(parseCron('0 0 1,15 * *'), at('2026-12-03T00:00:00Z')))).toBe('2026-12-15T00:00:00.000Z');
    expect(iso(nextRun(parseCron('0 0 1 jan *'), at('2026-12-03T00:00:00Z')))).toBe('2027-01-01T00:00:00.000Z');
    expect(iso(nextRun(parseCron('@hourly'), at('2026-12-03T10:59:59Z')))).toBe('2026-12-03T11:00:00.000Z');
    expect(iso(nextRun(parseCron('0 0 * * 7'), at('2026-12-03T00:00:00Z')))).toBe('2026-12-06T00:00:00.000Z'); // 7 is Sunday
    // Day of month and day of week both restricted: either matches (cron's OR rule).
    expect(iso(nextRun(parseCron('0 0 13 * fri'), at('2026-12-03T00:00:00Z')))).toBe('2026-12-04T00:00:00.000Z');
    expect(iso(nextRun(parseCron('0 0 31 2 *'), at('2026-12-03T00:00:00Z')))).toBeUndefined();
  });

  it('the most recent missed time only', () => {
    const s = parseCron('*/5 * * * *');
    expect(iso(lastRunBetween(s, at('2026-12-03T10:00:00Z'), at('2026-12-03T10:17:00Z')))).toBe('2026-12-03T10:15:00.000Z');
    expect(lastRunBetween(s, at('2026-12-03T10:00:00Z'), at('2026-12-03T10:04:59Z'))).toBeUndefined();
    // The bound itself is excluded at the start and included at the end.
    expect(iso(lastRunBetween(s, at('2026-12-03T10:00:00Z'), at('2026-12-03T10:05:00Z')))).toBe('2026-12-03T10:05:00.000Z');
  });

  it('refuses what the controller refuses', () => {
    for (const bad of ['61 * * * *', '* * *', '* * * * * *', '*/0 * * * *', 'a * * * *', '5-1 * * * *', '@often', 'TZ=Europe/Paris * * * * *']) {
      expect(() => parseCron(bad), bad).toThrow();
    }
    expect(() => parseCron('TZ=UTC 0 * * * *')).not.toThrow();
  });
});
