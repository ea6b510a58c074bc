import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fleetIdentity, fleetIdOf } from './fleetIdentity.js';

const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-fleetid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(name: string, server: string, ca: string): string {
  const file = join(dir, name);
  writeFileSync(file, [
    'apiVersion: v1', 'kind: Config', 'current-context: karmada',
    'clusters:', `- name: karmada`, `  cluster: {server: "${server}", certificate-authority-data: "${ca}"}`,
    'users:', '- name: admin', '  user: {token: t}',
    'contexts:', '- name: karmada', '  context: {cluster: karmada, user: admin}', '',
  ].join('\n'));
  return file;
}

describe('fleetIdentity', () => {
  it('is a short stable hash of the endpoint and CA', () => {
    const id = fleetIdentity({ server: 'https://cp.example:6443', caData: 'Q0E=' });
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect(fleetIdentity({ server: 'https://cp.example:6443/', caData: 'Q0E=' })).toBe(id);
  });

  it('differs when the server or the CA differs', () => {
    const id = fleetIdentity({ server: 'https://cp.example:6443', caData: 'Q0E=' });
    expect(fleetIdentity({ server: 'https://cp.example:6444', caData: 'Q0E=' })).not.toBe(id);
    expect(fleetIdentity({ server: 'https://cp.example:6443', caData: 'Q0I=' })).not.toBe(id);
    expect(fleetIdentity({ server: 'https://cp.example:6443' })).not.toBe(id);
  });

  it('reads the control plane of a kubeconfig, and --fleet-id wins', () => {
    const a = kubeconfig('a.yaml', 'https://127.0.0.1:7001', 'Q0E=');
    const b = kubeconfig('b.yaml', 'https://127.0.0.1:7002', 'Q0E=');
    expect(fleetIdOf({ kubeconfig: a })).toBe(fleetIdentity({ server: 'https://127.0.0.1:7001', caData: 'Q0E=' }));
    expect(fleetIdOf({ kubeconfig: a })).not.toBe(fleetIdOf({ kubeconfig: b }));
    expect(fleetIdOf({ kubeconfig: a, fleetId: 'prod-eu' })).toBe('prod-eu');
    expect(() => fleetIdOf({})).toThrow(/--fleet-id/);
  });
});
