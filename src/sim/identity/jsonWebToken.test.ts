import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeJwt, keyIdOf, signRs256, verifyRs256 } from './jsonWebToken.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('RS256 compact JWS', () => {
  it('signs a token whose header and claims decode back and whose signature verifies', () => {
    const token = signRs256({ sub: 'x', aud: ['a'] }, privateKey, 'kid-1');
    expect(token.split('.')).toHaveLength(3);
    const jwt = decodeJwt(token)!;
    expect(jwt.header).toEqual({ alg: 'RS256', kid: 'kid-1' });
    expect(jwt.claims).toEqual({ sub: 'x', aud: ['a'] });
    expect(verifyRs256(jwt, publicKey)).toBe(true);
  });

  it('refuses a token whose claims were changed after signing, or checked with another key', () => {
    const token = signRs256({ sub: 'x' }, privateKey, 'k');
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url')}.${s}`;
    expect(verifyRs256(decodeJwt(forged)!, publicKey)).toBe(false);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(verifyRs256(decodeJwt(token)!, other)).toBe(false);
  });

  it('refuses alg other than RS256 and malformed tokens', () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`;
    expect(verifyRs256(decodeJwt(none)!, publicKey)).toBe(false);
    expect(decodeJwt('not-a-jwt')).toBeUndefined();
    expect(decodeJwt('a.b')).toBeUndefined();
    expect(decodeJwt('e30.e30.e30.e30')).toBeUndefined();
    expect(decodeJwt('!!.e30.x')).toBeUndefined();
  });

  it('gives a key the same id however its public half is encoded', () => {
    const kid = keyIdOf(publicKey);
    expect(kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = createPublicKey(publicKey.export({ type: 'pkcs1', format: 'pem' }));
    expect(keyIdOf(again)).toBe(kid);
  });
});
