import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './loadConfig.js';

describe('in-cluster identity (no --kubeconfig, KUBERNETES_SERVICE_HOST set)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const saDir = (files: Record<string, string>) => {
    const d = mkdtempSync(join(tmpdir(), 'fleetgraph-sa-'));
    dirs.push(d);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
    return d;
  };

  it('writes a kubeconfig that points at the mounted token and CA files (no secret in it)', () => {
    const dir = saDir({ token: 'sa-token-value', 'ca.crt': 'PEM' });
    const r = loadConfig([], { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, { serviceAccountDir: dir });
    if (r.kind !== 'config') throw new Error('help');
    expect(r.config.inCluster).toBe(true);
    const text = readFileSync(r.config.kubeconfig!, 'utf8');
    dirs.push(join(r.config.kubeconfig!, '..'));
    expect(text).not.toContain('sa-token-value');
    const kc = yaml.load(text) as any;
    expect(kc.clusters[0].cluster).toEqual({ server: 'https://[fd00::1]:6443', 'certificate-authority': join(dir, 'ca.crt') });
    expect(kc.users[0].user).toEqual({ 'auth-provider': { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } } });
  });

  it('without KUBERNETES_SERVICE_HOST nothing changes (the embedded demo)', () => {
    const dir = saDir({ token: 't' });
    const r = loadConfig([], {}, { serviceAccountDir: dir });
    expect(r.kind === 'config' && r.config.kubeconfig).toBeUndefined();
  });

  it('is one clear error when the token is not mounted', () => {
    const dir = saDir({});
    expect(() => loadConfig([], { KUBERNETES_SERVICE_HOST: '10.0.0.1' }, { serviceAccountDir: dir })).toThrow(
      /KUBERNETES_SERVICE_HOST: is set but there is no service account token at .*token: mount it \(automountServiceAccountToken: true\) or pass --kubeconfig/);
  });
});
