/**
 * The static tokens file of `--auth token` (`--tokens`): the Kubernetes static token file format (CSV lines
 * `token,user,uid,"group1,group2"`, `#` comments), or YAML/JSON: `[{token, user, groups}]` or `{tokens: [...]}`.
 * The one parser of that format; StaticTokenAuthenticator.ts indexes what it reads.
 */
import yaml from 'js-yaml';

export interface TokenEntry {
  token: string;
  user: string;
  groups: string[];
}

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
