/**
 * The core's authentication stage, in memory: which credential source wins, what mode `none` asks for, and
 * the refusal both transports answer with (status, close code, code and Reason).
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AnonymousAuthenticator } from '../auth/AnonymousAuthenticator.js';
import { refused, type AuthResult, type Authenticator } from '../auth/AuthResult.js';
import { authenticateCaller } from './authenticateCaller.js';

const logger = pino({ level: 'silent' });

/** Knows one token; answers `unavailable` for `down`; records what it was asked. */
class OneToken implements Authenticator {
  readonly mode = 'token' as const;
  readonly asked: string[] = [];
  async authenticate(token: string): Promise<AuthResult> {
    this.asked.push(token);
    if (token === 'down') return refused('unavailable', 'verifier unreachable');
    if (token === 'old') return refused('expired', 'exp in the past');
    return token === 'good' ? { ok: true, identity: { user: 'alice', groups: ['system:authenticated'], anonymous: false }, expiresAt: 42 } : refused('invalid', 'unknown');
  }
}

describe('authenticateCaller', () => {
  it('takes the first source holding a bearer token: connection_init payload, then the upgrade header', async () => {
    const auth = new OneToken();
    expect(await authenticateCaller(auth, logger, [{ authorization: 'Bearer good' }, 'Bearer other'])).toEqual({ ok: true, identity: expect.objectContaining({ user: 'alice' }), expiresAt: 42 });
    expect(await authenticateCaller(auth, logger, [{}, 'Bearer good'])).toMatchObject({ ok: true });
    expect(await authenticateCaller(auth, logger, [undefined, 'Basic Zm9vOmJhcg=='])).toMatchObject({ ok: false, answer: { reason: 'TOKEN_MISSING' } });
    expect(auth.asked).toEqual(['good', 'good']);
  });

  it('answers each refusal for both transports, with its code and Reason', async () => {
    const auth = new OneToken();
    const missing = await authenticateCaller(auth, logger, [undefined]);
    expect(missing).toEqual({
      ok: false,
      answer: expect.objectContaining({ httpStatus: 401, wsCloseCode: 4403 }),
      error: { message: expect.any(String), extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_MISSING' } },
    });
    expect(await authenticateCaller(auth, logger, ['Bearer nope'])).toMatchObject({ ok: false, error: { extensions: { reason: 'TOKEN_INVALID' } } });
    expect(await authenticateCaller(auth, logger, ['Bearer old'])).toMatchObject({ ok: false, answer: { httpStatus: 401 }, error: { extensions: { reason: 'TOKEN_EXPIRED' } } });
    expect(await authenticateCaller(auth, logger, ['Bearer down'])).toMatchObject({
      ok: false,
      answer: { httpStatus: 503, wsCloseCode: 1013, headers: { 'Retry-After': '1' } },
      error: { extensions: { code: 'CLUSTER_UNAVAILABLE', reason: 'AUTH_UNAVAILABLE' } },
    });
  });

  it('serves everyone as anonymous in mode none, token or not', async () => {
    const anon = new AnonymousAuthenticator();
    for (const source of [undefined, 'Bearer whatever', { authorization: 'garbage' }]) {
      expect(await authenticateCaller(anon, logger, [source])).toEqual({ ok: true, identity: expect.objectContaining({ user: 'anonymous', anonymous: true }) });
    }
  });
});
