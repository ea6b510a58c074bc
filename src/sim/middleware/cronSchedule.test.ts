import { describe, expect, it } from 'vitest';
import { parseCron } from './cronSchedule.js';

const at = (iso: string) => Date.parse(iso);
const next = (expr: string, after: string) => new Date(parseCron(expr)!.nextAfter(at(after))!).toISOString();

describe('parseCron', () => {
  it('finds the next run of daily, stepped, listed and weekday schedules (UTC)', () => {
    expect(next('0 2 * * *', '2026-11-23T03:00:00Z')).toBe('2026-11-24T02:00:00.000Z');
    expect(next('0 2 * * *', '2026-11-23T01:59:30Z')).toBe('2026-11-23T02:00:00.000Z');
    expect(next('*/15 * * * *', '2026-11-23T03:07:00Z')).toBe('2026-11-23T03:15:00.000Z');
    expect(next('30 1,13 * * *', '2026-11-23T02:00:00Z')).toBe('2026-11-23T13:30:00.000Z');
    expect(next('0 0 * * 0', '2026-11-23T00:00:00Z')).toBe('2026-11-29T00:00:00.000Z');
    expect(next('0 0 1 1 *', '2026-11-23T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
  });

  it('rejects what is not five valid fields', () => {
    for (const bad of ['', '* * * *', '61 * * * *', '0 24 * * *', '*/0 * * * *', 'a b c d e']) expect(parseCron(bad)).toBeUndefined();
  });
});
