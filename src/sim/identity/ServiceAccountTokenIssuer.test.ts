import { describe, expect, it } from 'vitest';
import { decodeJwt } from './jsonWebToken.js';
import { SERVICE_ACCOUNT_ISSUER, ServiceAccountTokenIssuer } from './ServiceAccountTokenIssuer.js';

function setup() {
  let now = Date.UTC(2026, 11, 2, 15, 53, 11);
  const accounts = new Map<string, { uid: string; deleting: boolean }>([['shop/builder', { uid: 'uid-1', deleting: false }]]);
  const issuer = new ServiceAccountTokenIssuer((ns, name) => accounts.get(`${ns}/${name}`), SERVICE_ACCOUNT_ISSUER, () => now);
  return { issuer, accounts, advance: (s: number) => (now += s * 1000) };
}

describe('service account tokens', () => {
  it('carries the claims kube-apiserver writes, in its order, with the expiry asked for', () => {
    const { issuer } = setup();
    const issued = issuer.issue({ namespace: 'shop', name: 'builder', uid: 'uid-1' }, [SERVICE_ACCOUNT_ISSUER], 3600);
    expect(issued.expirationTimestamp).toBe('2026-12-02T16:53:11Z');
    const jwt = decodeJwt(issued.token)!;
    expect(jwt.header.alg).toBe('RS256');
    expect(jwt.header.kid).toBe(issuer.jwks().keys[0]!.kid);
    expect(Object.keys(jwt.claims)).toEqual(['aud', 'exp', 'iat', 'iss', 'kubernetes.io', 'nbf', 'sub']);
    const iat = Date.UTC(2026, 11, 2, 15, 53, 11) / 1000;
    expect(jwt.claims).toEqual({
      aud: [SERVICE_ACCOUNT_ISSUER],
      exp: iat + 3600,
      iat,
      iss: SERVICE_ACCOUNT_ISSUER,
      'kubernetes.io': { namespace: 'shop', serviceaccount: { name: 'builder', uid: 'uid-1' } },
      nbf: iat,
      sub: 'system:serviceaccount:shop:builder',
    });
  });

  it('validates as the service account with its groups', () => {
    const { issuer } = setup();
    const { token } = issuer.issue({ namespace: 'shop', name: 'builder', uid: 'uid-1' }, [SERVICE_ACCOUNT_ISSUER], 3600);
    expect(issuer.validate(token)).toEqual({
      ok: true,
      user: { name: 'system:serviceaccount:shop:builder', uid: 'uid-1', groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'] },
      audiences: [SERVICE_ACCOUNT_ISSUER],
    });
  });

  it('refuses an expired token, a deleted or re-created account, and a foreign audience, with the validator texts', () => {
    const { issuer, accounts, advance } = setup();
    const { token } = issuer.issue({ namespace: 'shop', name: 'builder', uid: 'uid-1' }, [SERVICE_ACCOUNT_ISSUER], 600);
    expect(issuer.validate(token, ['https://other.example.com'])).toEqual({
      ok: false,
      notOurs: false,
      error: 'token audiences ["https://kubernetes.default.svc.cluster.local"] is invalid for the target audiences ["https://other.example.com"]',
    });
    accounts.set('shop/builder', { uid: 'uid-2', deleting: false });
    expect(issuer.validate(token)).toMatchObject({ ok: false, error: 'service account UID (uid-2) does not match claim (uid-1)' });
    accounts.set('shop/builder', { uid: 'uid-1', deleting: true });
    expect(issuer.validate(token)).toMatchObject({ ok: false, error: 'service account shop/builder has been deleted' });
    accounts.delete('shop/builder');
    expect(issuer.validate(token)).toMatchObject({ ok: false, error: 'serviceaccounts "builder" not found' });
    accounts.set('shop/builder', { uid: 'uid-1', deleting: false });
    expect(issuer.validate(token).ok).toBe(true);
    advance(601);
    expect(issuer.validate(token)).toMatchObject({ ok: false, error: 'service account token has expired' });
  });

  it("does not accept another cluster's tokens (same issuer name, other key) nor non-JWTs", () => {
    const a = setup().issuer;
    const b = setup().issuer;
    const { token } = a.issue({ namespace: 'shop', name: 'builder', uid: 'uid-1' }, [SERVICE_ACCOUNT_ISSUER], 3600);
    b.jwks(); // b has a key of its own
    expect(b.validate(token)).toEqual({ ok: false, notOurs: false });
    expect(a.validate('static-token')).toEqual({ ok: false, notOurs: true });
  });

  it('publishes its public key as a JWK set', () => {
    const { issuer } = setup();
    const set = issuer.jwks();
    expect(set.keys).toHaveLength(1);
    expect(set.keys[0]).toMatchObject({ use: 'sig', kty: 'RSA', alg: 'RS256', e: 'AQAB' });
    expect(Object.keys(set.keys[0]!)).toEqual(['use', 'kty', 'kid', 'alg', 'n', 'e']);
    expect(Buffer.from(set.keys[0]!.n, 'base64url').length).toBe(256);
  });
});
