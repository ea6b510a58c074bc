import { describe, expect, it } from 'vitest';
import { IdentityResolver, parseTokens } from './identity.js';

describe('identity', () => {
  it('reads the Kubernetes static token file format', () => {
    const tokens = parseTokens('# comment\nabc123,alice,1001,"ops,dev"\nxyz,bob,1002\n');
    expect(tokens).toEqual([
      { token: 'abc123', user: 'alice', groups: ['ops', 'dev'] },
      { token: 'xyz', user: 'bob', groups: [] },
    ]);
  });

  it('reads YAML/JSON lists', () => {
    expect(parseTokens('[{"token":"t1","user":"u1","groups":["g"]}]')).toEqual([{ token: 't1', user: 'u1', groups: ['g'] }]);
    expect(parseTokens('tokens:\n  - token: t2\n    user: u2\n')).toEqual([{ token: 't2', user: 'u2', groups: [] }]);
    expect(() => parseTokens('[{"user":"nobody"}]')).toThrow(/needs a token/);
  });

  it('maps bearer tokens to identities and refuses others', () => {
    const r = new IdentityResolver('token', [{ token: 'secret-1', user: 'alice', groups: ['ops'] }]);
    expect(r.authenticate('Bearer secret-1')).toEqual({ user: 'alice', groups: ['ops', 'system:authenticated'], anonymous: false });
    expect(r.authenticate('Bearer secret-2')).toBeNull();
    expect(r.authenticate('Bearer secret-')).toBeNull();
    expect(r.authenticate(undefined)).toBeNull();
  });

  it('gives everyone the anonymous identity in mode none', () => {
    expect(new IdentityResolver('none').authenticate(undefined)?.anonymous).toBe(true);
  });
});
