/**
 * Bearer token authentication as a kube-apiserver with a static token file and anonymous auth on:
 * no token is `system:anonymous` (then 403 from authorization), an unknown token is 401.
 */
export interface SimUser {
  /** User name, e.g. `karmada-admin`. */
  user: string;
  groups: string[];
}

export interface TokenEntry extends SimUser {
  token: string;
}

export type Authentication = { kind: 'user'; identity: SimUser; admin: boolean } | { kind: 'anonymous' } | { kind: 'invalid' };

export class TokenAuthenticator {
  private readonly tokens = new Map<string, { identity: SimUser; admin: boolean }>();

  constructor(adminToken: string, extra: TokenEntry[] = []) {
    this.tokens.set(adminToken, { identity: { user: 'karmada-admin', groups: ['system:masters', 'system:authenticated'] }, admin: true });
    for (const t of extra) {
      const groups = t.groups.includes('system:authenticated') ? t.groups : [...t.groups, 'system:authenticated'];
      this.tokens.set(t.token, { identity: { user: t.user, groups }, admin: t.groups.includes('system:masters') });
    }
  }

  authenticate(authorization: string | undefined): Authentication {
    if (!authorization) return { kind: 'anonymous' };
    const m = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (!m) return { kind: 'invalid' };
    const found = this.tokens.get(m[1]!.trim());
    return found ? { kind: 'user', ...found } : { kind: 'invalid' };
  }
}

/** Parses a token list file (JSON or YAML list of {token, user, groups}). */
export function parseTokenList(data: unknown): TokenEntry[] {
  if (!Array.isArray(data)) throw new Error('token list must be a list of {token, user, groups}');
  return data.map((e, i) => {
    const o = e as Record<string, unknown>;
    if (typeof o['token'] !== 'string' || typeof o['user'] !== 'string') throw new Error(`token list entry ${i}: token and user are required strings`);
    const groups = Array.isArray(o['groups']) ? o['groups'].map(String) : [];
    return { token: o['token'], user: o['user'], groups };
  });
}
