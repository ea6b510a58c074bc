import { describe, expect, it } from 'vitest';
import { ReviewCache } from './ReviewCache.js';
import type { AuthResult } from './AuthResult.js';

const ok = (user: string, expiresAt?: number): AuthResult => ({ ok: true, identity: { user, groups: ['system:authenticated'], anonymous: false }, ...(expiresAt !== undefined ? { expiresAt } : {}) });

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('ReviewCache', () => {
  it('reuses an accepted verdict for the positive TTL, a refusal for the negative TTL', async () => {
    const c = clock();
    const cache = new ReviewCache({ positiveTtlMs: 10_000, negativeTtlMs: 2_000, now: c.now });
    let calls = 0;
    const good = async () => (calls++, ok('alice'));
    const bad = async (): Promise<AuthResult> => (calls++, { ok: false, reason: 'invalid', detail: 'x' });
    await cache.get('a', good);
    await cache.get('a', good);
    expect(calls).toBe(1);
    c.advance(9_999);
    await cache.get('a', good);
    expect(calls).toBe(1);
    c.advance(2);
    await cache.get('a', good);
    expect(calls).toBe(2);

    await cache.get('b', bad);
    await cache.get('b', bad);
    expect(calls).toBe(3);
    c.advance(2_001);
    await cache.get('b', bad);
    expect(calls).toBe(4);
  });

  it('never keeps a verdict past the token expiry, and never keeps "cannot verify"', async () => {
    const c = clock();
    const cache = new ReviewCache({ positiveTtlMs: 10_000, now: c.now });
    let calls = 0;
    await cache.get('short', async () => (calls++, ok('bob', c.now() + 1_000)));
    c.advance(1_000);
    expect(cache.has('short')).toBe(false);
    await cache.get('short', async () => (calls++, ok('bob', c.now() + 1_000)));
    expect(calls).toBe(2);

    const down = async (): Promise<AuthResult> => (calls++, { ok: false, reason: 'unavailable', detail: 'down' });
    await cache.get('x', down);
    await cache.get('x', down);
    expect(calls).toBe(4);
  });

  it('shares one call among concurrent lookups of the same token', async () => {
    const cache = new ReviewCache();
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const verify = async () => {
      calls++;
      await gate;
      return ok('carol');
    };
    const all = Promise.all([cache.get('t', verify), cache.get('t', verify), cache.get('t', verify), cache.get('u', verify)]);
    release();
    const results = await all;
    expect(calls).toBe(2);
    expect(results.map((r) => r.ok && r.identity.user)).toEqual(['carol', 'carol', 'carol', 'carol']);
  });

  it('is bounded, dropping the least recently used', async () => {
    const cache = new ReviewCache({ maxEntries: 3 });
    for (const t of ['1', '2', '3']) await cache.get(t, async () => ok(t));
    await cache.get('1', async () => ok('again'));
    await cache.get('4', async () => ok('4'));
    expect(cache.size).toBe(3);
    expect(cache.has('1')).toBe(true);
    expect(cache.has('2')).toBe(false);
    expect(cache.has('4')).toBe(true);
  });
});
