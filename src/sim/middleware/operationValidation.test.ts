import { beforeEach, describe, expect, it } from 'vitest';
import { createSimCluster } from '../cluster/createSimCluster.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { APPLICATIONS, registerMiddlewareResources } from './middlewareResourceTypes.js';
import { validateOperation } from './operationValidation.js';
import { readPluginVersion } from './pluginCatalog.js';
import { installPluginManifests, MIDDLEWARE_SYSTEM_NAMESPACE } from './pluginManifests.js';

let member: SimCluster;

beforeEach(() => {
  member = createSimCluster('member1', { controlPlane: false });
  registerMiddlewareResources(member);
  installPluginManifests(member);
  member.objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  member.objects.create(APPLICATIONS, {
    apiVersion: 'middleware.fleetgraph.io/v1alpha1', kind: 'Application', metadata: { name: 'cache', namespace: 'shop' },
    spec: { type: 'redis', pluginVersion: 'v1.0.0', version: '7.2' },
  });
});

const op = (type: string, parameters?: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'middleware.fleetgraph.io/v1alpha1', kind: 'Operation', metadata: { name: 'x', namespace: 'shop' },
  spec: { type, targetRef: { kind: 'Application', name: 'cache' }, ...(parameters ? { parameters } : {}), ...extra },
});

const reason = (o: KubeObject) => {
  const r = validateOperation(member, o);
  return r.ok ? 'ok' : r.reason;
};

describe('plugin catalog', () => {
  it('resolves a manifest ConfigMap and its four references', () => {
    const r = readPluginVersion(member, 'redis', 'v1.1.0');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plugin.supportedVersions).toEqual(['7.2', '7.4', '8.0']);
    expect(r.plugin.allowedUpgradeFrom).toEqual(['v1.0.0']);
    expect(r.plugin.refs).toEqual({ components: 'redis-components-v1.1.0', podtemplates: 'redis-podtemplates-v1.1.0', params: 'redis-params-v1.1.0', operations: 'redis-operations-v1.1.0' });
    expect(r.plugin.components[0]).toMatchObject({ name: 'redis-node', roles: ['primary', 'replica'] });
    expect(r.plugin.operations.Failover!.steps.map((s) => s.action)).toContain('promote-candidate');
    const manifests = member.objects.list('configmaps', { namespace: MIDDLEWARE_SYSTEM_NAMESPACE, labelSelector: 'middleware.fleetgraph.io/config-kind=manifest' });
    expect(manifests.map((m) => m.metadata.name).sort()).toEqual(['postgresql-manifest-v1.0.0', 'postgresql-manifest-v2.0.0', 'redis-manifest-v1.0.0', 'redis-manifest-v1.1.0']);
  });

  it('says which ConfigMap is missing', () => {
    const r = readPluginVersion(member, 'kafka', 'v1.0.0');
    expect(r).toEqual({ ok: false, reason: 'PluginNotFound', message: 'plugin manifest ConfigMap middleware-system/kafka-manifest-v1.0.0 not found' });
  });
});

describe('validateOperation', () => {
  it('accepts valid operations', () => {
    expect(reason(op('Restart'))).toBe('ok');
    expect(reason(op('UpgradePaaS', { version: '7.4' }))).toBe('ok');
    expect(reason(op('UpgradeApp', { pluginVersion: 'v1.1.0' }))).toBe('ok');
    expect(reason(op('HorizontalScale', { replicas: '5' }))).toBe('ok');
  });

  it('rejects versions, upgrade paths, ranges, parameters and templates the plugin does not allow', () => {
    expect(reason(op('UpgradePaaS', { version: '8.0' }))).toBe('UnsupportedVersion');
    expect(reason(op('UpgradePaaS'))).toBe('MissingParameter');
    expect(reason(op('UpgradeApp', { pluginVersion: 'v2.0.0' }))).toBe('PluginNotFound');
    expect(reason(op('HorizontalScale', { replicas: '7' }))).toBe('InvalidReplicas');
    expect(reason(op('HorizontalScale', { replicas: 'many' }))).toBe('InvalidReplicas');
    expect(reason(op('Start'))).toBe('InstanceNotStopped');
    expect(reason(op('Dance'))).toBe('UnsupportedOperation');
    expect(reason(op('Restart', undefined, { templateRef: 'redis-operations-v1.1.0#Restart' }))).toBe('TemplateNotFound');
    expect(reason(op('Restart', undefined, { targetRef: { kind: 'Deployment', name: 'cache' } }))).toBe('InvalidOperation');
  });

  it('accepts horizontal scale by replicas, by shards or both, within the component\'s ranges', () => {
    expect(reason(op('HorizontalScale', { shards: '3' }))).toBe('ok');
    expect(reason(op('HorizontalScale', { replicas: '2', shards: '2' }))).toBe('ok');
    expect(reason(op('HorizontalScale'))).toBe('MissingParameter');
    expect(reason(op('HorizontalScale', { shards: '4' }))).toBe('InvalidShards');
    expect(reason(op('HorizontalScale', { shards: '0' }))).toBe('InvalidShards');
    expect(reason(op('HorizontalScale', { shards: '' }))).toBe('InvalidShards');
    expect(reason(op('HorizontalScale', { replicas: '7', shards: '2' }))).toBe('InvalidReplicas');
  });

  it('refuses to shard a component whose definition declares no shard range', () => {
    member.objects.create(APPLICATIONS, {
      apiVersion: 'middleware.fleetgraph.io/v1alpha1', kind: 'Application', metadata: { name: 'db', namespace: 'shop' },
      spec: { type: 'postgresql', pluginVersion: 'v1.0.0', version: '15' },
    });
    const pg = (parameters: Record<string, string>) => op('HorizontalScale', parameters, { targetRef: { kind: 'Application', name: 'db' } });
    const r = validateOperation(member, pg({ shards: '2' }));
    expect(r).toEqual({ ok: false, reason: 'InvalidShards', message: 'shards "2": component postgresql cannot be sharded (postgresql-components-v1.0.0 declares no shard range)' });
    expect(reason(pg({ shards: '1' }))).toBe('ok');
  });

  it('refuses to move a plugin version backwards', () => {
    member.objects.mutate(APPLICATIONS, 'shop', 'cache', (a) => { (a.spec as any).pluginVersion = 'v1.1.0'; return a; });
    const r = validateOperation(member, op('UpgradeApp', { pluginVersion: 'v1.0.0' }));
    expect(r).toEqual({ ok: false, reason: 'UpgradeNotAllowed', message: 'redis-manifest-v1.0.0 allows upgrades from "", not from v1.1.0' });
  });
});
