import { describe, expect, it } from 'vitest';
import { refusalAnswer } from './refusalAnswer.js';

describe('refusalAnswer', () => {
  it('answers a bad token 401 / 4403 UNAUTHENTICATED, and "cannot verify" 503 / 1013 CLUSTER_UNAVAILABLE', () => {
    for (const reason of ['invalid', 'expired', 'wrong-audience'] as const) {
      expect(refusalAnswer({ reason })).toMatchObject({ httpStatus: 401, wsCloseCode: 4403, code: 'UNAUTHENTICATED', headers: { 'WWW-Authenticate': 'Bearer realm="fleetgraph", error="invalid_token"' } });
    }
    expect(refusalAnswer({ reason: 'missing' })).toMatchObject({ httpStatus: 401, headers: { 'WWW-Authenticate': 'Bearer realm="fleetgraph"' } });
    expect(refusalAnswer({ reason: 'unavailable' })).toMatchObject({ httpStatus: 503, wsCloseCode: 1013, code: 'CLUSTER_UNAVAILABLE', reason: 'AUTH_UNAVAILABLE', headers: { 'Retry-After': '1' } });
  });

  it('names each refusal with its own ErrorReason', () => {
    expect(refusalAnswer({ reason: 'missing' }).reason).toBe('TOKEN_MISSING');
    expect(refusalAnswer({ reason: 'invalid' }).reason).toBe('TOKEN_INVALID');
    expect(refusalAnswer({ reason: 'expired' }).reason).toBe('TOKEN_EXPIRED');
    expect(refusalAnswer({ reason: 'wrong-audience' }).reason).toBe('TOKEN_WRONG_AUDIENCE');
  });
});
