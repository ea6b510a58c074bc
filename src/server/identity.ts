/**
 * Who is asking, for every transport (HTTP now, graphql-ws later): auth mode `none` gives every request
 * the anonymous identity; mode `token` maps a bearer token to a user and groups from the tokens file and
 * refuses everything else. The WS adapter calls the same `authenticate` with the connection's token.
 *
 * Tokens file: the Kubernetes static token file format (CSV lines `token,user,uid,"group1,group2"`,
 * `#` comments), or YAML/JSON: `[{token, user, groups}]` or `{tokens: [...]}`.
 */
import { readFileSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import yaml from 'js-yaml';
import type { AuthMode } from '../config/Config.js';
import type { Identity } from '../graphql/authorize.js';

export interface TokenEntry {
  token: string;
  user: string;
  groups: string[];
}

export const ANONYMOUS: Identity = Object.freeze({ user: 'anonymous', groups: ['system:unauthenticated'], anonymous: true }) as Identity;

/** Parses one CSV line with double-quoted fields (the static token file format). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}

/** Reads a tokens file; throws with the line at fault. */
export function parseTokens(text: string, source = 'tokens file'): TokenEntry[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{') || /^\s*-\s|^tokens:/m.test(trimmed)) {
    const doc = yaml.load(trimmed) as unknown;
    const list = Array.isArray(doc) ? doc : (doc as { tokens?: unknown })?.tokens;
    if (!Array.isArray(list)) throw new Error(`${source}: expected a list of {token, user, groups}`);
    return list.map((e, i) => {
      const entry = e as { token?: unknown; user?: unknown; groups?: unknown };
      if (typeof entry.token !== 'string' || !entry.token || typeof entry.user !== 'string' || !entry.user) {
        throw new Error(`${source}: entry ${i + 1} needs a token and a user`);
      }
      return { token: entry.token, user: entry.user, groups: Array.isArray(entry.groups) ? entry.groups.map(String) : [] };
    });
  }
  const entries: TokenEntry[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.trim().startsWith('#')) return;
    const [token, user, , groups] = csvFields(line);
    if (!token || !user) throw new Error(`${source} line ${i + 1}: expected token,user[,uid[,"groups"]]`);
    entries.push({ token, user, groups: groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : [] });
  });
  return entries;
}

/** Resolves identities for one auth mode. */
export class IdentityResolver {
  private readonly tokens: TokenEntry[];

  constructor(readonly mode: AuthMode, tokens: TokenEntry[] = []) {
    this.tokens = tokens;
  }

  static fromConfig(mode: AuthMode, tokensFile: string | undefined): IdentityResolver {
    if (mode === 'none') return new IdentityResolver('none');
    if (!tokensFile) throw new Error('auth mode token needs a tokens file');
    return new IdentityResolver('token', parseTokens(readFileSync(tokensFile, 'utf8'), tokensFile));
  }

  /**
   * The identity for an `Authorization` header value (or a bare token, from a WS connection_init), or
   * null when the mode requires a token and none valid was given.
   */
  authenticate(authorization: string | undefined | null): Identity | null {
    if (this.mode === 'none') return ANONYMOUS;
    if (!authorization) return null;
    const m = authorization.match(/^\s*Bearer\s+(\S+)\s*$/i);
    const presented = m ? m[1]! : authorization.trim();
    const given = Buffer.from(presented);
    for (const entry of this.tokens) {
      const known = Buffer.from(entry.token);
      // Constant-time comparison: token checks must not leak how many characters matched.
      if (known.length === given.length && timingSafeEqual(known, given)) {
        return { user: entry.user, groups: [...entry.groups, 'system:authenticated'], anonymous: false };
      }
    }
    return null;
  }
}
