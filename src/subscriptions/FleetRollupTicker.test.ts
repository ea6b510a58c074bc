import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FleetRollupTicker, type FleetTick } from './FleetRollupTicker.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('FleetRollupTicker', () => {
  it('holds the first tick until the interval has passed since the subscriber\'s initial message', () => {
    const ticker = new FleetRollupTicker(3000);
    const got: Array<[number, FleetTick]> = [];
    const subscribedAt = Date.now();
    ticker.add((t) => got.push([Date.now() - subscribedAt, t]));
    vi.advanceTimersByTime(500);
    ticker.changed(); // a fresh ticker ticks at once; the subscriber must still wait
    vi.advanceTimersByTime(0);
    expect(got).toEqual([]);
    vi.advanceTimersByTime(2499);
    expect(got).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(got.map(([at, t]) => [at, t.changes])).toEqual([[3000, 1]]);
  });

  it('gives a subscriber joining a shared ticker its own interval', () => {
    const ticker = new FleetRollupTicker(1000);
    const early: number[] = [];
    const late: Array<[number, string]> = [];
    ticker.add(() => early.push(Date.now()));
    vi.advanceTimersByTime(5000);
    const joinedAt = Date.now();
    ticker.add((t) => late.push([Date.now() - joinedAt, t.id]));
    ticker.changed(); // the early subscriber's interval has long passed: it gets this at once
    vi.advanceTimersByTime(0);
    expect(early).toHaveLength(1);
    expect(late).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(late).toEqual([[1000, 'fleet:1000:1']]);
    ticker.changed(); // ticks again at +1000: the early one gets it now, the late one a full interval after its last
    vi.advanceTimersByTime(0);
    expect(early).toHaveLength(2);
    expect(late).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(late).toEqual([[1000, 'fleet:1000:1'], [2000, 'fleet:1000:2']]);
  });

  it('never delivers two messages to one subscriber closer than the interval', () => {
    const ticker = new FleetRollupTicker(2000);
    const times: number[] = [Date.now()]; // the initial message
    const remove = ticker.add(() => times.push(Date.now()));
    for (let i = 0; i < 100; i++) {
      vi.advanceTimersByTime(170);
      ticker.changed();
    }
    vi.advanceTimersByTime(5000);
    remove();
    expect(times.length).toBeGreaterThan(3);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(2000);
  });
});
