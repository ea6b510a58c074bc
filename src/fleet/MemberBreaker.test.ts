import { describe, expect, it } from 'vitest';
import { MemberBreaker } from './MemberBreaker.js';
import type { ClusterError } from './types.js';

const err = (code: ClusterError['code'], reason?: ClusterError['reason']): ClusterError => ({ code, ...(reason ? { reason } : {}), cluster: 'm1', message: `m1: ${code}` });

describe('MemberBreaker: the read gate of one member', () => {
  it("ignores a request's own 4xx, a 404 and a 429: the gate stays closed and the member's last error untouched", () => {
    const b = new MemberBreaker();
    for (const e of [err('BAD_USER_INPUT', 'UPSTREAM_BAD_REQUEST'), err('BAD_USER_INPUT', 'UPSTREAM_INVALID'), err('NOT_FOUND'), err('NOT_FOUND', 'API_NOT_SERVED'), err('RATE_LIMITED', 'UPSTREAM_THROTTLED'), err('FORBIDDEN'), err('CONFLICT')]) {
      expect(b.recordFailure(e), e.code).toBe(false);
    }
    expect(b.isOpen).toBe(false);
    expect(b.gateError).toBeNull();
    expect(b.lastError).toBeNull();
  });

  it('opens on a transport failure, 5xx or timeout, answering that error with reason MEMBER_CIRCUIT_OPEN, and closes on the next success', () => {
    const at = Date.parse('2026-01-02T03:04:05.000Z');
    const b = new MemberBreaker({ now: () => at });
    let closed = 0;
    b.onClosed(() => closed++);
    expect(b.recordFailure(err('CLUSTER_UNAVAILABLE'))).toBe(true);
    expect(b.isOpen).toBe(true);
    expect(b.gateError).toEqual({ code: 'CLUSTER_UNAVAILABLE', reason: 'MEMBER_CIRCUIT_OPEN', cluster: 'm1', message: 'm1: CLUSTER_UNAVAILABLE' });
    expect(b.openSince).toBe('2026-01-02T03:04:05.000Z');
    // A later failure while open keeps the opening time and answers the latest error.
    b.recordFailure(err('UPSTREAM_TIMEOUT'));
    expect(b.gateError?.code).toBe('UPSTREAM_TIMEOUT');
    expect(b.openSince).toBe('2026-01-02T03:04:05.000Z');
    b.recordSuccess();
    expect(b.isOpen).toBe(false);
    expect(closed).toBe(1);
    // The member's last failure stays visible in its health after it recovered.
    expect(b.lastError?.code).toBe('UPSTREAM_TIMEOUT');
    b.recordSuccess();
    expect(closed).toBe(1);
  });

  it('with a threshold, opens only after that many member failures in a row; a success resets the count', () => {
    const b = new MemberBreaker({ failureThreshold: 3 });
    b.recordFailure(err('CLUSTER_UNAVAILABLE'));
    b.recordFailure(err('CLUSTER_UNAVAILABLE'));
    b.recordSuccess();
    b.recordFailure(err('CLUSTER_UNAVAILABLE'));
    b.recordFailure(err('BAD_USER_INPUT', 'UPSTREAM_BAD_REQUEST'));
    b.recordFailure(err('UPSTREAM_TIMEOUT'));
    expect(b.isOpen).toBe(false);
    b.recordFailure(err('UPSTREAM_TIMEOUT'));
    expect(b.isOpen).toBe(true);
  });
});
