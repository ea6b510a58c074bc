import { describe, expect, it } from 'vitest';
import { retryAfterSeconds, WindowLimiter } from './WindowLimiter.js';

describe('WindowLimiter', () => {
  it('admits `limit` requests per key per window, then answers the seconds left in the window', () => {
    let now = 120_000 + 15_000; // 15 s into a minute window
    const limiter = new WindowLimiter({ limit: 3, periodMs: 60_000, now: () => now });
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(45);
    now += 10_500;
    expect(limiter.take('a')).toBe(35); // 34.5 s left, rounded up
    // Another key has its own budget.
    expect(limiter.take('b')).toBe(0);
  });

  it('renews every budget when the window rolls', () => {
    let now = 0;
    const limiter = new WindowLimiter({ limit: 1, periodMs: 1000, now: () => now });
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1);
    now = 999;
    expect(limiter.take('a')).toBe(1); // never 0: Retry-After 0 would invite an immediate retry
    now = 1000;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1);
  });

  it('record() keeps the highest count another limiter decided, for the current window only', () => {
    let now = 5_000;
    const limiter = new WindowLimiter({ limit: 5, periodMs: 60_000, now: () => now });
    limiter.record('a', 5);
    expect(limiter.take('a')).toBe(55);
    limiter.record('a', 2); // lower than known: ignored
    expect(limiter.take('a')).toBe(55);
    now = 60_000;
    expect(limiter.take('a')).toBe(0);
  });

  it('retryAfterSeconds rounds up to whole seconds, at least 1', () => {
    expect(retryAfterSeconds(0, 0, 60_000)).toBe(60);
    expect(retryAfterSeconds(59_001, 0, 60_000)).toBe(1);
    expect(retryAfterSeconds(59_999, 0, 60_000)).toBe(1);
  });
});
