import { describe, expect, it } from 'vitest';
import { effectiveUsernamePrefix, identityFromClaims } from './oidcClaims.js';

const issuer = 'https://issuer.example';

describe('identityFromClaims (kube-apiserver OIDC flags)', () => {
  it('prefixes sub with <issuer># by default', () => {
    expect(identityFromClaims({ sub: 'u-1' }, { issuer })).toEqual({ user: 'https://issuer.example#u-1', groups: ['system:authenticated'], anonymous: false });
  });

  it('does not prefix email, and refuses an unverified email', () => {
    expect(identityFromClaims({ email: 'a@b.c', email_verified: true }, { issuer, usernameClaim: 'email' })).toMatchObject({ user: 'a@b.c' });
    expect(identityFromClaims({ email: 'a@b.c' }, { issuer, usernameClaim: 'email' })).toMatchObject({ user: 'a@b.c' });
    expect(identityFromClaims({ email: 'a@b.c', email_verified: false }, { issuer, usernameClaim: 'email' })).toEqual({ error: 'email not verified' });
  });

  it('takes a given prefix, and "-" for none', () => {
    expect(identityFromClaims({ name: 'bob' }, { issuer, usernameClaim: 'name', usernamePrefix: 'oidc:' })).toMatchObject({ user: 'oidc:bob' });
    expect(identityFromClaims({ sub: 'bob' }, { issuer, usernamePrefix: '-' })).toMatchObject({ user: 'bob' });
    expect(identityFromClaims({ email: 'x@y' }, { issuer, usernameClaim: 'email', usernamePrefix: 'e:' })).toMatchObject({ user: 'e:x@y' });
    expect(effectiveUsernamePrefix({ issuer, usernameClaim: 'preferred_username' })).toBe('https://issuer.example#');
  });

  it('reads groups from a string or an array, with the groups prefix', () => {
    expect(identityFromClaims({ sub: 's', groups: ['a', 'b'] }, { issuer, groupsClaim: 'groups', groupsPrefix: 'oidc:' })).toMatchObject({ groups: ['oidc:a', 'oidc:b', 'system:authenticated'] });
    expect(identityFromClaims({ sub: 's', roles: 'admin' }, { issuer, groupsClaim: 'roles' })).toMatchObject({ groups: ['admin', 'system:authenticated'] });
    expect(identityFromClaims({ sub: 's' }, { issuer, groupsClaim: 'groups' })).toMatchObject({ groups: ['system:authenticated'] });
    expect(identityFromClaims({ sub: 's', groups: [1] }, { issuer, groupsClaim: 'groups' })).toHaveProperty('error');
    expect(identityFromClaims({ sub: 's', groups: ['a'] }, { issuer })).toMatchObject({ groups: ['system:authenticated'] });
  });

  it('refuses a missing or non-string username claim', () => {
    expect(identityFromClaims({}, { issuer })).toHaveProperty('error');
    expect(identityFromClaims({ sub: 5 }, { issuer })).toHaveProperty('error');
    expect(identityFromClaims({ sub: '' }, { issuer })).toHaveProperty('error');
  });
});
