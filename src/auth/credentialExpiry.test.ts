import { afterEach, describe, expect, it, vi } from 'vitest';
import { onCredentialExpiry } from './credentialExpiry.js';

afterEach(() => vi.useRealTimers());

describe('onCredentialExpiry', () => {
  it('fires once at the expiry, in steps past the timer limit, and not after cancel', () => {
    vi.useFakeTimers({ now: 0 });
    const fired: number[] = [];
    const fortyDays = 40 * 24 * 3600_000;
    onCredentialExpiry(fortyDays, () => fired.push(Date.now()));
    vi.advanceTimersByTime(fortyDays - 1);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([fortyDays]);
    vi.advanceTimersByTime(fortyDays);
    expect(fired).toHaveLength(1);

    const cancel = onCredentialExpiry(Date.now() + 1000, () => fired.push(-1));
    cancel();
    vi.advanceTimersByTime(5000);
    expect(fired).toHaveLength(1);
  });

  it('fires at once for a credential already expired, never for one without expiry', () => {
    let n = 0;
    onCredentialExpiry(Date.now() - 1, () => n++);
    expect(n).toBe(1);
    onCredentialExpiry(undefined, () => n++)();
    expect(n).toBe(1);
  });
});
