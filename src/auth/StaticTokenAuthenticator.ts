/**
 * `--auth token`: the static tokens file (Kubernetes' static token file CSV, or YAML/JSON; parsed by
 * `parseTokens` of tokensFile.ts, the one parser of that format). Tokens are indexed by their
 * SHA-256, so a lookup costs the same whatever the number of users, and the found entry is confirmed by a
 * constant-time comparison of the digests (the map lookup itself only ever sees digests, which leak
 * nothing useful about the token through timing).
 */
import { readFileSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import { parseTokens, type TokenEntry } from './tokensFile.js';
import { refused, withAuthenticatedGroup } from './AuthResult.js';
import type { AuthIdentity, AuthResult, Authenticator } from './AuthResult.js';
import { tokenDigest } from './tokenDigest.js';

interface IndexedEntry {
  digest: Buffer;
  identity: AuthIdentity;
}

export class StaticTokenAuthenticator implements Authenticator {
  readonly mode = 'token' as const;
  private readonly byDigest = new Map<string, IndexedEntry>();

  /** @throws Error when two entries share a token (which user it means would be ambiguous). */
  constructor(entries: readonly TokenEntry[]) {
    for (const e of entries) {
      const digest = tokenDigest(e.token);
      const key = digest.toString('base64url');
      if (this.byDigest.has(key)) throw new Error(`tokens file: the token of user "${e.user}" is also given to "${this.byDigest.get(key)!.identity.user}"`);
      this.byDigest.set(key, { digest, identity: Object.freeze({ user: e.user, groups: withAuthenticatedGroup(e.groups), anonymous: false }) as AuthIdentity });
    }
  }

  /** Reads and parses a tokens file. */
  static fromFile(path: string): StaticTokenAuthenticator {
    return new StaticTokenAuthenticator(parseTokens(readFileSync(path, 'utf8'), path));
  }

  get size(): number {
    return this.byDigest.size;
  }

  async authenticate(token: string): Promise<AuthResult> {
    return this.authenticateSync(token);
  }

  /** The same answer without a promise (static tokens need no I/O). */
  authenticateSync(token: string): AuthResult {
    const digest = tokenDigest(token);
    const found = this.byDigest.get(digest.toString('base64url'));
    // Constant-time confirmation: a token check must not leak how much of a known value matched.
    if (!found || !timingSafeEqual(found.digest, digest)) return refused('invalid', 'not a token of the tokens file');
    // Static tokens do not expire: expiresAt stays undefined.
    return { ok: true, identity: found.identity };
  }
}
