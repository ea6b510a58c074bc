import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './loadConfig.js';
import { ConfigError } from './ConfigError.js';
import { isLoopbackHost } from './authOptions.js';
import { serveHelpText } from './serveFlags.js';

const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-auth-config-'));
const ca = join(dir, 'ca.pem');
writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const r = loadConfig(argv, env);
  if (r.kind !== 'config') throw new Error('expected config');
  return r.config;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no error thrown');
}

const OIDC = ['--auth', 'oidc', '--oidc-issuer-url', 'https://issuer.example', '--oidc-client-id', 'fleetgraph'];

describe('auth configuration', () => {
  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.3.2.1', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect({ h, loopback: isLoopbackHost(h) }).toEqual({ h, loopback: true });
    for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.com', '128.0.0.1']) expect({ h, loopback: isLoopbackHost(h) }).toEqual({ h, loopback: false });
  });

  it('refuses auth none on a non-loopback host unless --allow-anonymous is given', () => {
    expect(load([]).auth).toBe('none');
    expect(load(['--host', '::1']).host).toBe('::1');
    const err = errorOf(() => load(['--host', '0.0.0.0']));
    expect(err.source).toBe('--auth');
    expect(err.message).toContain('--host 0.0.0.0 is not a loopback address');
    expect(err.message).toContain('--allow-anonymous');
    expect(errorOf(() => load([], { HOST: '10.1.2.3', FLEETGRAPH_AUTH: 'none' })).source).toBe('--auth');
    expect(load(['--host', '0.0.0.0', '--allow-anonymous'])).toMatchObject({ host: '0.0.0.0', auth: 'none', allowAnonymous: true });
    expect(load([], { HOST: '0.0.0.0', FLEETGRAPH_ALLOW_ANONYMOUS: '1' }).allowAnonymous).toBe(true);
    expect(errorOf(() => load(['--host', '0.0.0.0'], { FLEETGRAPH_ALLOW_ANONYMOUS: 'false' })).source).toBe('--auth');
    // Other modes authenticate: any address.
    expect(load(['--host', '0.0.0.0', '--auth', 'kubernetes']).auth).toBe('kubernetes');
    expect(load(['--host', '0.0.0.0', ...OIDC]).auth).toBe('oidc');
  });

  it('accepts the Contract mode names and nothing else', () => {
    expect(load(['--auth', 'kubernetes']).auth).toBe('kubernetes');
    const err = errorOf(() => load(['--auth', 'ldap']));
    expect(err.message).toContain('none|token|oidc|kubernetes');
  });

  it('reads the kube-apiserver OIDC flags', () => {
    const c = load([...OIDC, '--oidc-username-claim', 'email', '--oidc-groups-claim', 'groups', '--oidc-username-prefix', '-', '--oidc-groups-prefix', 'oidc:', '--oidc-ca-file', ca]);
    expect(c.oidc).toEqual({ issuerUrl: 'https://issuer.example', clientId: 'fleetgraph', usernameClaim: 'email', groupsClaim: 'groups', usernamePrefix: '-', groupsPrefix: 'oidc:', caFile: ca });
    expect(load(OIDC).oidc).toEqual({ issuerUrl: 'https://issuer.example', clientId: 'fleetgraph' });
    expect(load(['--auth', 'oidc'], { FLEETGRAPH_OIDC_ISSUER_URL: 'https://i.example', FLEETGRAPH_OIDC_CLIENT_ID: 'c' }).oidc).toEqual({ issuerUrl: 'https://i.example', clientId: 'c' });
  });

  it('requires issuer URL (https) and client id for oidc, an existing CA file, and oidc flags only with --auth oidc', () => {
    expect(errorOf(() => load(['--auth', 'oidc', '--oidc-client-id', 'x'])).message).toContain('needs --oidc-issuer-url');
    expect(errorOf(() => load(['--auth', 'oidc', '--oidc-issuer-url', 'https://i.example'])).message).toContain('needs --oidc-client-id');
    expect(errorOf(() => load(['--auth', 'oidc', '--oidc-issuer-url', 'http://i.example', '--oidc-client-id', 'x'])).source).toBe('--oidc-issuer-url');
    expect(errorOf(() => load(['--auth', 'oidc', '--oidc-issuer-url', 'not a url', '--oidc-client-id', 'x'])).source).toBe('--oidc-issuer-url');
    expect(errorOf(() => load([...OIDC, '--oidc-ca-file', join(dir, 'missing.pem')])).source).toBe('--oidc-ca-file');
    expect(errorOf(() => load(['--oidc-client-id', 'x'])).message).toContain('--oidc-client-id: only applies with --auth oidc');
  });

  it('lists the new flags in --help', () => {
    for (const flag of ['--allow-anonymous', '--oidc-issuer-url', '--oidc-client-id', '--oidc-username-claim', '--oidc-groups-claim', '--oidc-username-prefix', '--oidc-groups-prefix', '--oidc-ca-file']) {
      expect(serveHelpText()).toContain(flag);
    }
  });
});
