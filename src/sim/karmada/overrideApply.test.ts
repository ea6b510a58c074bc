import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../store/Store.js';
import type { ClusterView } from './karmadaShapes.js';
import { applyOverrides, overrideImage, type OverridePolicyRef } from './overrideApply.js';

const view = (name: string, labels: Record<string, string> = {}): ClusterView => ({
  name, labels, zones: [], taints: [], ready: true, apiEnablements: undefined, free: { cpu: 0, memory: 0, pods: 0 },
});

const nginx: KubeObject = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'nginx', namespace: 'default', labels: { app: 'nginx', for: 'for', bar: 'x' } },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } },
};

describe('applyOverrides', () => {
  it('rewrites the registry of images for clusters matching by label, and leaves others alone', () => {
    const policy: OverridePolicyRef = {
      name: 'example-override', namespace: 'default',
      spec: {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }],
        overrideRules: [{ targetCluster: { labelSelector: { matchLabels: { location: 'us' } } }, overriders: { imageOverrider: [{ component: 'Registry', operator: 'replace', value: 'fictional.registry.us' }] } }],
      },
    };
    const us = applyOverrides(nginx, view('m1', { location: 'us' }), [], [policy]);
    expect((us.manifest.spec as any).template.spec.containers[0].image).toBe('fictional.registry.us/nginx:1.25');
    expect(us.appliedOverrides).toEqual(['example-override']);
    const cn = applyOverrides(nginx, view('m2', { location: 'cn' }), [], [policy]);
    expect((cn.manifest.spec as any).template.spec.containers[0].image).toBe('nginx:1.25');
    expect(cn.appliedOverrides).toEqual([]);
  });

  it('adds, removes and replaces labels, and patches plaintext paths (cluster policies first)', () => {
    const labels: OverridePolicyRef = {
      name: 'nginx-op', namespace: 'default',
      spec: {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }],
        overrideRules: [{ targetCluster: { clusterNames: ['member2'] }, overriders: { labelsOverrider: [
          { operator: 'add', value: { env: 'skoala-dev' } },
          { operator: 'remove', value: { for: 'for' } },
          { operator: 'replace', value: { bar: 'test', missing: 'no' } },
        ] } }],
      },
    };
    const plaintext: OverridePolicyRef = {
      name: 'example-cluster-override',
      spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx', namespace: 'default' }], overrideRules: [{ targetCluster: { clusterNames: ['member2'] }, overriders: { plaintext: [{ operator: 'replace', path: '/spec/replicas', value: 1 }] } }] },
    };
    const out = applyOverrides(nginx, view('member2'), [plaintext], [labels]);
    expect(out.manifest.metadata.labels).toEqual({ app: 'nginx', bar: 'test', env: 'skoala-dev' });
    expect((out.manifest.spec as any).replicas).toBe(1);
    expect(out.appliedClusterOverrides).toEqual(['example-cluster-override']);
    expect((nginx.spec as any).replicas).toBe(2);
  });

  it('parses registries, repositories and tags', () => {
    expect(overrideImage('docker.io/library/redis:7.2', { component: 'Tag', operator: 'replace', value: '7.4' })).toBe('docker.io/library/redis:7.4');
    expect(overrideImage('library/redis', { component: 'Registry', operator: 'add', value: 'r.example.com' })).toBe('r.example.com/library/redis');
    expect(overrideImage('localhost:5000/app:v1', { component: 'Repository', operator: 'replace', value: 'other' })).toBe('localhost:5000/other:v1');
  });
});
