/**
 * The authentication part of loadConfig (issue 12), kept in its own file so that the flags of the other
 * rooms stay apart: `--auth` beyond `none|token`, the OIDC flags of kube-apiserver, `--allow-anonymous`,
 * and the start-up refusal of auth mode `none` on an address other than loopback.
 */
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import type { AuthMode, Config, OidcConfig } from './Config.js';
import { ConfigError } from './ConfigError.js';

export const AUTH_MODES: readonly AuthMode[] = ['none', 'token', 'oidc', 'kubernetes'];

/** A flag's value with where it came from (loadConfig's `pick`). */
export type PickFlag = (flag: string) => { value: unknown; source: string } | undefined;

function text(s: { value: unknown; source: string }): string {
  if (typeof s.value === 'string' || typeof s.value === 'number' || typeof s.value === 'boolean') return String(s.value).trim();
  throw new ConfigError(s.source, 'must be a string');
}

function nonEmpty(s: { value: unknown; source: string }): string {
  const v = text(s);
  if (!v) throw new ConfigError(s.source, 'must not be empty');
  return v;
}

/** Whether a listen address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h) || h === '0:0:0:0:0:0:0:1';
  return false;
}

/** `--auth` itself. */
export function parseAuthMode(item: { value: unknown; source: string }): AuthMode {
  const v = text(item);
  if (!(AUTH_MODES as readonly string[]).includes(v)) throw new ConfigError(item.source, `"${v}" is not an auth mode (${AUTH_MODES.join('|')})`);
  return v as AuthMode;
}

/**
 * Reads `--allow-anonymous` and the `--oidc-*` flags into `config` and checks them against `config.auth`
 * and `config.host` (both already read).
 * @throws ConfigError
 */
export function readAuthOptions(pick: PickFlag, config: Config): void {
  const anon = pick('--allow-anonymous');
  if (anon) {
    const v = text(anon);
    if (!['true', 'false', '1', '0'].includes(v)) throw new ConfigError(anon.source, `"${v}" is not true or false`);
    config.allowAnonymous = v === 'true' || v === '1';
  }
  if (config.auth === 'none' && !isLoopbackHost(config.host) && !config.allowAnonymous) {
    throw new ConfigError(
      '--auth',
      `mode none serves every caller as anonymous, and --host ${config.host} is not a loopback address: ` +
        'choose --auth token|oidc|kubernetes, listen on 127.0.0.1, or pass --allow-anonymous to accept it',
    );
  }

  const issuer = pick('--oidc-issuer-url');
  const clientId = pick('--oidc-client-id');
  const optional: Array<[string, keyof OidcConfig]> = [
    ['--oidc-username-claim', 'usernameClaim'],
    ['--oidc-groups-claim', 'groupsClaim'],
    ['--oidc-username-prefix', 'usernamePrefix'],
    ['--oidc-groups-prefix', 'groupsPrefix'],
  ];
  const caFile = pick('--oidc-ca-file');
  const given = [issuer, clientId, caFile, ...optional.map(([flag]) => pick(flag))].filter((x) => x !== undefined);
  if (config.auth !== 'oidc') {
    // OIDC flags without --auth oidc would silently do nothing: say so.
    if (given.length) throw new ConfigError(given[0]!.source, 'only applies with --auth oidc');
    return;
  }
  if (!issuer) throw new ConfigError('--auth', 'oidc mode needs --oidc-issuer-url');
  if (!clientId) throw new ConfigError('--auth', 'oidc mode needs --oidc-client-id');
  const issuerUrl = nonEmpty(issuer);
  let parsed: URL;
  try {
    parsed = new URL(issuerUrl);
  } catch {
    throw new ConfigError(issuer.source, `"${issuerUrl}" is not a URL`);
  }
  // kube-apiserver refuses a non-https issuer too: the keys would come over a forgeable channel.
  if (parsed.protocol !== 'https:') throw new ConfigError(issuer.source, `"${issuerUrl}" must be an https URL`);
  const oidc: OidcConfig = { issuerUrl, clientId: nonEmpty(clientId) };
  for (const [flag, key] of optional) {
    const item = pick(flag);
    // Prefixes may be any string but empty ("-" is kube's "none"); claims must name something.
    if (item) oidc[key] = nonEmpty(item);
  }
  if (caFile) {
    const path = resolve(nonEmpty(caFile));
    if (!existsSync(path)) throw new ConfigError(caFile.source, `CA file ${path} does not exist`);
    oidc.caFile = path;
  }
  config.oidc = oidc;
}
