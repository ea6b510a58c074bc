import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { createAuthenticator } from './createAuthenticator.js';

const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-create-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const base = { callTimeoutMs: 30_000 };

describe('createAuthenticator', () => {
  it('gives anonymous for none, whatever the token', async () => {
    const a = createAuthenticator({ ...base, auth: 'none' });
    expect(a.mode).toBe('none');
    expect(await a.authenticate('anything')).toEqual({ ok: true, identity: { user: 'anonymous', groups: ['system:unauthenticated'], anonymous: true } });
  });

  it('reads the tokens file for token', async () => {
    const file = join(dir, 'tokens.csv');
    writeFileSync(file, 't1,alice,,"a"\n');
    const a = createAuthenticator({ ...base, auth: 'token', tokensFile: file });
    expect(a.mode).toBe('token');
    expect(await a.authenticate('t1')).toMatchObject({ ok: true, identity: { user: 'alice', groups: ['a', 'system:authenticated'] } });
    expect(() => createAuthenticator({ ...base, auth: 'token' })).toThrow('tokens file');
  });

  it('builds oidc from the config (reading the CA file) and kubernetes from the control plane kubeconfig', async () => {
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, 'not used until a fetch');
    const o = createAuthenticator({ ...base, auth: 'oidc', oidc: { issuerUrl: 'https://issuer.example', clientId: 'c', caFile } });
    expect(o.mode).toBe('oidc');
    expect(await o.authenticate('garbage')).toMatchObject({ ok: false, reason: 'invalid' });
    expect(() => createAuthenticator({ ...base, auth: 'oidc' })).toThrow('--oidc-issuer-url');
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: false }], users: [{ name: 'u', token: 'x' }], contexts: [{ name: 'c', cluster: 'c', user: 'u' }], currentContext: 'c' });
    expect(createAuthenticator({ ...base, auth: 'kubernetes' }, kc).mode).toBe('kubernetes');
    expect(() => createAuthenticator({ ...base, auth: 'kubernetes' })).toThrow('control plane');
  });
});
