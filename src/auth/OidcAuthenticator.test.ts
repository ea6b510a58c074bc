import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcAuthenticator } from './OidcAuthenticator.js';
import type { OidcOptions } from './OidcAuthenticator.js';
import { startTestIssuer } from '../../test/support/oidcTestIssuer.js';
import type { TestIssuer } from '../../test/support/oidcTestIssuer.js';

let idp: TestIssuer;
beforeAll(async () => {
  idp = await startTestIssuer();
  idp.served = [await idp.newKey('k1')];
});
afterAll(async () => idp.close());

const now = () => Math.floor(Date.now() / 1000);
const auth = (extra: Partial<OidcOptions> = {}) => new OidcAuthenticator({ issuer: idp.issuer, clientId: 'fleetgraph', caPem: idp.caCertPem, groupsClaim: 'groups', ...extra });

describe('OidcAuthenticator against a test issuer (discovery + JWKS over TLS)', () => {
  it('accepts a valid token: <issuer>#sub, groups, expiresAt from exp', async () => {
    const exp = now() + 300;
    const token = await idp.sign({ sub: 'alice', aud: 'fleetgraph', exp, groups: ['devs', 'ops'] });
    const r = await auth().authenticate(token);
    expect(r).toEqual({ ok: true, identity: { user: `${idp.issuer}#alice`, groups: ['devs', 'ops', 'system:authenticated'], anonymous: false }, expiresAt: exp * 1000 });
  });

  it('applies the username claim and prefixes as kube does', async () => {
    const token = await idp.sign({ sub: 'x', email: 'bob@example.com', email_verified: true, aud: ['other', 'fleetgraph'], groups: 'admins' });
    const byEmail = await auth({ usernameClaim: 'email', groupsPrefix: 'oidc:' }).authenticate(token);
    expect(byEmail.ok && byEmail.identity).toMatchObject({ user: 'bob@example.com', groups: ['oidc:admins', 'system:authenticated'] });
    const noPrefix = await auth({ usernamePrefix: '-' }).authenticate(token);
    expect(noPrefix.ok && noPrefix.identity.user).toBe('x');
    const given = await auth({ usernamePrefix: 'corp:' }).authenticate(token);
    expect(given.ok && given.identity.user).toBe('corp:x');
  });

  it('refuses expired, not-yet-valid, wrong-audience, wrong-issuer, unsigned-by-issuer and malformed tokens with their reason', async () => {
    const a = auth();
    const cases: Array<[string, Promise<string> | string, string]> = [
      ['expired', idp.sign({ sub: 's', aud: 'fleetgraph', iat: now() - 3600, exp: now() - 60 }), 'expired'],
      ['nbf in the future', idp.sign({ sub: 's', aud: 'fleetgraph', nbf: now() + 300 }), 'expired'],
      ['wrong audience', idp.sign({ sub: 's', aud: 'someone-else' }), 'wrong-audience'],
      ['wrong issuer', idp.sign({ sub: 's', aud: 'fleetgraph', iss: 'https://evil.example' }), 'invalid'],
      ['no exp', idp.sign({ sub: 's', aud: 'fleetgraph', exp: undefined }), 'invalid'],
      ['no sub', idp.sign({ aud: 'fleetgraph' }), 'invalid'],
      ['not a JWT', 'abc.def', 'invalid'],
    ];
    for (const [name, token, reason] of cases) {
      const r = await a.authenticate(await token);
      expect({ name, ok: r.ok, reason: r.ok ? undefined : r.reason }).toEqual({ name, ok: false, reason });
    }
    // Signed by a key the issuer never published, under the published kid: a bad signature.
    const stranger = await idp.newKey('k1');
    const forged = await idp.sign({ sub: 's', aud: 'fleetgraph' }, stranger);
    expect(await a.authenticate(forged)).toMatchObject({ ok: false, reason: 'invalid' });
    // A valid token with one character of its payload changed.
    const good = await idp.sign({ sub: 's', aud: 'fleetgraph' });
    const [h, p, s] = good.split('.');
    const tampered = `${h}.${p!.slice(0, -2)}${p!.endsWith('A') ? 'B' : 'A'}${p!.slice(-1)}.${s}`;
    expect((await a.authenticate(tampered)).ok).toBe(false);
  });

  it('needs the CA file for a self-signed issuer: without it nothing can be verified (unavailable, not invalid)', async () => {
    const token = await idp.sign({ sub: 's', aud: 'fleetgraph' });
    const r = await auth({ caPem: undefined }).authenticate(token);
    expect(r).toMatchObject({ ok: false, reason: 'unavailable' });
  });

  it('refuses to trust a discovery document that names another issuer', async () => {
    idp.discoveryOverride = { issuer: 'https://impostor.example' };
    try {
      const r = await auth().authenticate(await idp.sign({ sub: 's', aud: 'fleetgraph' }));
      expect(r).toMatchObject({ ok: false, reason: 'unavailable' });
    } finally {
      idp.discoveryOverride = {};
    }
  });

  it('refetches the keys when a token names a new kid (rotation), within jose’s cooldown', async () => {
    const a = auth({ jwksCooldownMs: 0 });
    expect((await a.authenticate(await idp.sign({ sub: 's', aud: 'fleetgraph' }))).ok).toBe(true);
    const k2 = await idp.newKey('k2');
    const rotated = await idp.sign({ sub: 'rotated', aud: 'fleetgraph' }, k2);
    // Not published yet: refetched, still unknown, refused as invalid.
    const before = idp.hits.get('/keys') ?? 0;
    expect(await a.authenticate(rotated)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(idp.hits.get('/keys')).toBeGreaterThan(before);
    // The issuer rotates: k2 published, k1 retired. The next token with k2 is accepted after a refetch.
    const k1 = idp.served[0]!;
    idp.served = [k2];
    try {
      const r = await a.authenticate(rotated);
      expect(r.ok && r.identity.user).toBe(`${idp.issuer}#rotated`);
    } finally {
      idp.served = [k1];
    }
  });

  it('does not refetch on every unknown kid while the cooldown lasts', async () => {
    const a = auth({ jwksCooldownMs: 60_000 });
    expect((await a.authenticate(await idp.sign({ sub: 's', aud: 'fleetgraph' }))).ok).toBe(true);
    const fetched = idp.hits.get('/keys')!;
    const unknown = await idp.newKey('unknown');
    for (let i = 0; i < 5; i++) {
      expect(await a.authenticate(await idp.sign({ sub: `s${i}`, aud: 'fleetgraph' }, unknown))).toMatchObject({ ok: false, reason: 'invalid' });
    }
    expect(idp.hits.get('/keys')).toBe(fetched);
  });

  it('answers "cannot verify" while the issuer fails, and verifies again once it answers', async () => {
    const token = await idp.sign({ sub: 'back', aud: 'fleetgraph' });
    const a = auth({ discoveryRetryMs: 0 });
    idp.failing = true;
    try {
      expect(await a.authenticate(token)).toMatchObject({ ok: false, reason: 'unavailable' });
      expect(await a.authenticate(token)).toMatchObject({ ok: false, reason: 'unavailable' });
      // With the default retry interval, a burst during the outage asks the issuer once.
      const burstAuth = auth();
      const before = idp.hits.get('/.well-known/openid-configuration') ?? 0;
      const burst = await Promise.all(Array.from({ length: 10 }, () => burstAuth.authenticate(token)));
      for (let i = 0; i < 5; i++) burst.push(await burstAuth.authenticate(token));
      expect(burst.every((r) => !r.ok && r.reason === 'unavailable')).toBe(true);
      expect(idp.hits.get('/.well-known/openid-configuration')).toBe(before + 1);
    } finally {
      idp.failing = false;
    }
    const r = await a.authenticate(token);
    expect(r.ok && r.identity.user).toBe(`${idp.issuer}#back`);
    // Keys already fetched stay usable during a later outage; a key fetch that fails is "cannot verify".
    const b = auth({ jwksCooldownMs: 0 });
    expect((await b.authenticate(token)).ok).toBe(true);
    const unknown = await idp.newKey('during-outage');
    idp.failing = true;
    try {
      expect((await a.authenticate(token)).ok).toBe(true);
      const keyFetches = idp.hits.get('/keys')!;
      expect(await b.authenticate(await idp.sign({ sub: 's', aud: 'fleetgraph' }, unknown))).toMatchObject({ ok: false, reason: 'unavailable' });
      expect(idp.hits.get('/keys')).toBe(keyFetches + 1);
    } finally {
      idp.failing = false;
    }
  });

  it('answers "cannot verify" when the issuer does not listen at all', async () => {
    const gone = await startTestIssuer();
    gone.served = [await gone.newKey('d1')];
    const token = await gone.sign({ sub: 's', aud: 'fleetgraph' });
    await gone.close();
    const r = await new OidcAuthenticator({ issuer: gone.issuer, clientId: 'fleetgraph', caPem: gone.caCertPem }).authenticate(token);
    expect(r).toMatchObject({ ok: false, reason: 'unavailable' });
  });

  it('refuses a plain-http issuer and a missing client id at construction', () => {
    expect(() => new OidcAuthenticator({ issuer: 'http://127.0.0.1:1', clientId: 'x' })).toThrow('https');
    expect(() => new OidcAuthenticator({ issuer: 'https://127.0.0.1:1', clientId: '' })).toThrow('client id');
  });
});
