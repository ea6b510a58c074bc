import { describe, expect, it } from 'vitest';
import { parseTokens } from './tokensFile.js';

describe('parseTokens', () => {
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

  it('names the line at fault', () => {
    expect(() => parseTokens('ok,alice\n,nobody\n', 'tokens.csv')).toThrow(/tokens.csv line 2/);
  });
});
