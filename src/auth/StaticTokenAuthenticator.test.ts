import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StaticTokenAuthenticator } from './StaticTokenAuthenticator.js';

const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-static-tokens-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('StaticTokenAuthenticator', () => {
  it('maps a CSV static token file to users and groups, with system:authenticated', async () => {
    const file = join(dir, 'tokens.csv');
    writeFileSync(file, '# comment\ntok-alice,alice,uid-1,"viewers,devs"\ntok-bob,bob\n');
    const auth = StaticTokenAuthenticator.fromFile(file);
    expect(auth.size).toBe(2);
    expect(await auth.authenticate('tok-alice')).toEqual({ ok: true, identity: { user: 'alice', groups: ['viewers', 'devs', 'system:authenticated'], anonymous: false } });
    expect(await auth.authenticate('tok-bob')).toEqual({ ok: true, identity: { user: 'bob', groups: ['system:authenticated'], anonymous: false } });
  });

  it('reads the YAML form', async () => {
    const file = join(dir, 'tokens.yaml');
    writeFileSync(file, 'tokens:\n  - token: y1\n    user: carol\n    groups: [ops, system:authenticated]\n');
    const r = await StaticTokenAuthenticator.fromFile(file).authenticate('y1');
    expect(r).toEqual({ ok: true, identity: { user: 'carol', groups: ['ops', 'system:authenticated'], anonymous: false } });
  });

  it('refuses unknown tokens, prefixes and extensions of known ones as invalid', async () => {
    const auth = new StaticTokenAuthenticator([{ token: 'secret-token', user: 'dave', groups: [] }]);
    for (const t of ['', 'secret', 'secret-token2', 'SECRET-TOKEN', 'secret-toke']) {
      const r = await auth.authenticate(t);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toBe('invalid');
    }
  });

  it('refuses a file that gives one token to two users', () => {
    expect(() => new StaticTokenAuthenticator([{ token: 'same', user: 'a', groups: [] }, { token: 'same', user: 'b', groups: [] }])).toThrow('also given to "a"');
  });

  it('finds a token among many by its digest', async () => {
    const entries = Array.from({ length: 5000 }, (_, i) => ({ token: `t-${i}`, user: `u${i}`, groups: [] }));
    const auth = new StaticTokenAuthenticator(entries);
    const r = await auth.authenticate('t-4321');
    expect(r.ok && r.identity.user).toBe('u4321');
  });
});
