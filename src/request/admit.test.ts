import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet/types.js';
import type { Identity } from '../graphql/authorize.js';
import { WindowLimiter } from '../ratelimit/WindowLimiter.js';
import { RequestCore } from './RequestCore.js';
import { tinySchema } from './testSupport.js';

const logger = pino({ level: 'silent' });
const fleet = { loaders: () => ({}) } as unknown as Fleet;
const alice = { user: 'alice', groups: [], anonymous: false } as unknown as Identity;
const anonymous = { user: 'anonymous', groups: [], anonymous: true } as unknown as Identity;

describe('RequestCore.admit (the per-identity budget)', () => {
  it('admits everything without a limiter', () => {
    const core = new RequestCore({ schema: tinySchema(), fleet, logger });
    for (let i = 0; i < 5; i++) expect(core.admit(alice, '10.0.0.1')).toBe(0);
  });

  it('counts users by name and anonymous callers by source address', () => {
    let now = 30_000;
    const core = new RequestCore({ schema: tinySchema(), fleet, logger, rateLimiter: new WindowLimiter({ limit: 1, now: () => now }) });
    expect(core.admit(alice, '10.0.0.1')).toBe(0);
    expect(core.admit(alice, '10.0.0.2')).toBe(30); // same user from elsewhere: same budget
    expect(core.admit(anonymous, '10.0.0.1')).toBe(0);
    expect(core.admit(anonymous, '10.0.0.2')).toBe(0); // another address: another budget
    expect(core.admit(anonymous, '10.0.0.1')).toBe(30);
    now = 60_000;
    expect(core.admit(alice, '10.0.0.1')).toBe(0);
  });

  it('answers RATE_LIMITED with its Reason and retryAfter', () => {
    const core = new RequestCore({ schema: tinySchema(), fleet, logger, rateLimiter: new WindowLimiter({ limit: 5 }) });
    const error = core.rateLimitedError(12);
    expect(error.extensions).toEqual({ code: 'RATE_LIMITED', reason: 'RATE_LIMIT_EXCEEDED', retryAfter: 12 });
    expect(error.message).toContain('retry in 12s');
  });
});
