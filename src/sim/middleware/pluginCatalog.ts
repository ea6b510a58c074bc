/**
 * Reads plugin registration versions from a member's ConfigMaps (never cached: new versions are picked up
 * without a restart, seed 002 §13.2), resolving a manifest's references to the four other ConfigMaps.
 */
import { load } from 'js-yaml';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { ComponentDefinition, OperationTemplate, PluginVersion } from './middlewareShapes.js';
import { MIDDLEWARE_SYSTEM_NAMESPACE } from './pluginManifests.js';

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export type PluginLookup = { ok: true; plugin: PluginVersion } | { ok: false; reason: string; message: string };

export function readPluginVersion(member: SimCluster, type: string, version: string): PluginLookup {
  const manifestName = `${type}-manifest-${version}`;
  const manifest = member.objects.get('configmaps', MIDDLEWARE_SYSTEM_NAMESPACE, manifestName);
  if (!manifest) {
    return { ok: false, reason: 'PluginNotFound', message: `plugin manifest ConfigMap ${MIDDLEWARE_SYSTEM_NAMESPACE}/${manifestName} not found` };
  }
  const data = (manifest.data ?? {}) as Record<string, string>;
  const refs = {
    components: data['components-ref'] ?? '', podtemplates: data['podtemplates-ref'] ?? '',
    params: data['params-ref'] ?? '', operations: data['operations-ref'] ?? '',
  };
  const read = <T>(name: string, key: string): T | undefined => {
    const cm = member.objects.get('configmaps', MIDDLEWARE_SYSTEM_NAMESPACE, name);
    const text = (cm?.data as Record<string, string> | undefined)?.[key];
    return text === undefined ? undefined : (load(text) as T);
  };
  const components = read<ComponentDefinition[]>(refs.components, 'components.yaml');
  const podTemplates = read<PluginVersion['podTemplates']>(refs.podtemplates, 'podtemplates.yaml');
  const params = read<PluginVersion['params']>(refs.params, 'params.yaml');
  const operations = read<Record<string, OperationTemplate>>(refs.operations, 'operations.yaml');
  if (!components || !podTemplates || !params || !operations) {
    return { ok: false, reason: 'PluginIncomplete', message: `plugin ${manifestName} references a ConfigMap that is missing or unreadable` };
  }
  return {
    ok: true,
    plugin: {
      type, version, manifestName,
      supportedVersions: list(data['supported-versions']),
      allowedUpgradeFrom: list(data['allowed-upgrade-from']),
      components, podTemplates, params, operations, refs,
    },
  };
}

/** The shard range a component definition allows: 1..1 (not shardable) unless it declares one. */
export function shardRange(def: ComponentDefinition): { min: number; max: number } {
  if (def.maxShards === undefined) return { min: 1, max: 1 };
  return { min: def.minShards ?? 1, max: def.maxShards };
}

/** Why `shards` is not allowed for the component, or null when it is. */
export function shardsProblem(def: ComponentDefinition, shards: number, componentsRef: string): string | null {
  const { min, max } = shardRange(def);
  if (Number.isInteger(shards) && shards >= min && shards <= max) return null;
  if (max <= 1) return `shards "${shards}": component ${def.name} cannot be sharded (${componentsRef} declares no shard range)`;
  return `shards "${shards}" outside ${min}..${max} allowed for ${def.name} by ${componentsRef}`;
}
