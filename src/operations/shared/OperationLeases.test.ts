import { KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { OperationLeases } from './OperationLeases.js';

function leases(durationSeconds = 15): OperationLeases {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return new OperationLeases({ kubeConfig: kc, namespace: 'ns', holder: 'me', leaseDurationSeconds: durationSeconds });
}

const lease = (holder: string, renew: string, rv: string): V1Lease => ({
  metadata: { name: 'op-1', resourceVersion: rv },
  spec: { holderIdentity: holder, renewTime: renew as never, leaseDurationSeconds: 15 },
});

describe('OperationLeases.expired (judged on the observer\'s clock)', () => {
  it('a Lease is expired only once it has not changed for a whole duration since first seen', () => {
    const l = leases();
    const a = lease('other', '2026-01-01T00:00:00.000000Z', '1');
    expect(l.expired('op-1', a, 1_000)).toBe(false); // first look starts the clock
    expect(l.expired('op-1', a, 15_000)).toBe(false);
    expect(l.expired('op-1', a, 16_001)).toBe(true);
  });

  it('a renewal restarts the clock, whatever the renewTime says (clock skew)', () => {
    const l = leases();
    // The holder's clock is an hour behind: its renewTime looks old, but it keeps changing.
    expect(l.expired('op-1', lease('other', '2025-12-31T23:00:00.000000Z', '1'), 0)).toBe(false);
    expect(l.expired('op-1', lease('other', '2025-12-31T23:00:05.000000Z', '2'), 10_000)).toBe(false);
    expect(l.expired('op-1', lease('other', '2025-12-31T23:00:05.000000Z', '2'), 24_000)).toBe(false);
    expect(l.expired('op-1', lease('other', '2025-12-31T23:00:05.000000Z', '2'), 25_001)).toBe(true);
  });

  it('a missing Lease is judged the same way, and forget() starts over', () => {
    const l = leases(15);
    expect(l.expired('op-2', undefined, 0)).toBe(false);
    expect(l.expired('op-2', undefined, 15_001)).toBe(true);
    l.forget('op-2');
    expect(l.expired('op-2', undefined, 20_000)).toBe(false);
  });
});
