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
