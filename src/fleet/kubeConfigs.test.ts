import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadControlPlaneKubeConfig, memberKubeConfigFromContext, memberKubeConfigViaProxy } from './kubeConfigs.js';

const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-kc-'));
const file = join(dir, 'kubeconfig');
writeFileSync(file, `apiVersion: v1
kind: Config
current-context: karmada
clusters:
- name: karmada
  cluster: { server: 'https://127.0.0.1:5443/' }
- name: m1-direct
  cluster: { server: 'https://10.0.0.1:6443' }
contexts:
- name: karmada
  context: { cluster: karmada, user: admin }
- name: m1
  context: { cluster: m1-direct, user: m1-user }
users:
- name: admin
  user: { token: admin-token }
- name: m1-user
  user: { token: m1-token }
`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kubeconfigs of the fleet', () => {
  it('points a member at the Karmada cluster proxy with the control plane credentials', () => {
    const cp = loadControlPlaneKubeConfig(file);
    const m = memberKubeConfigViaProxy(cp, 'member-1');
    expect(m.getCurrentCluster()!.server).toBe('https://127.0.0.1:5443/apis/cluster.karmada.io/v1alpha1/clusters/member-1/proxy');
    expect(m.getCurrentUser()!.token).toBe('admin-token');
  });

  it('uses a member context as given by --member', () => {
    const cp = loadControlPlaneKubeConfig(file, 'karmada');
    const m = memberKubeConfigFromContext(cp, 'm1');
    expect(m.getCurrentCluster()!.server).toBe('https://10.0.0.1:6443');
    expect(m.getCurrentUser()!.token).toBe('m1-token');
    // The control plane keeps its own context.
    expect(cp.getCurrentContext()).toBe('karmada');
  });

  it('says which contexts exist when the asked one does not', () => {
    expect(() => loadControlPlaneKubeConfig(file, 'nope')).toThrow(/context "nope" is not in .*contexts: karmada, m1/);
    const cp = loadControlPlaneKubeConfig(file);
    expect(() => memberKubeConfigFromContext(cp, 'nope')).toThrow(/member context "nope"/);
  });
});
