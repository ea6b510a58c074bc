/**
 * The plugin manifest of a middleware instance (seed 002 §8): the manifest ConfigMap
 * `<type>-manifest-<version>` in the platform's system namespace (supported-versions, allowed-upgrade-from,
 * references) and the components ConfigMap it references. Read fresh from the member for each request
 * (a new plugin version must be usable without a gateway restart), and used to check a request BEFORE any
 * write: every refusal is BAD_USER_INPUT naming the argument and the allowed values.
 */
import { load } from 'js-yaml';
import type { ClusterWriter } from './ClusterWriter.js';
import { MutationRefusal } from './MutationRefusal.js';

/** Where the middleware platform keeps plugin ConfigMaps. @default 'middleware-system' */
export const PLUGIN_NAMESPACE = 'middleware-system';

export interface PluginComponent {
  name: string;
  minReplicas: number;
  maxReplicas: number;
  defaultReplicas: number;
  /**
   * Shard range (WorkloadSets of the component, e.g. Redis Cluster shards), from the definition's
   * `minShards`/`maxShards`; a definition that declares none has exactly one shard (cannot be sharded).
   */
  minShards: number;
  maxShards: number;
}

export interface PluginManifest {
  type: string;
  version: string;
  supportedVersions: string[];
  allowedUpgradeFrom: string[];
  components: PluginComponent[];
  /** Operation types the plugin's operation templates define. */
  operations: string[];
  /** Name of the operation templates ConfigMap (for an Operation's `spec.templateRef`). */
  operationsRef: string;
}

const list = (v: unknown) => String(v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** The manifest, or null when the plugin version is not published on that member. */
export async function readPluginManifest(w: ClusterWriter, type: string, version: string): Promise<PluginManifest | null> {
  const manifest = await w.read({ apiVersion: 'v1', kind: 'ConfigMap', namespace: PLUGIN_NAMESPACE, name: `${type}-manifest-${version}` });
  if (!manifest) return null;
  const data = (manifest.data ?? {}) as Record<string, string>;
  const yamlOf = async (ref: string | undefined, key: string): Promise<unknown> => {
    if (!ref) return undefined;
    const cm = await w.read({ apiVersion: 'v1', kind: 'ConfigMap', namespace: PLUGIN_NAMESPACE, name: ref });
    const text = (cm?.data as Record<string, string> | undefined)?.[key];
    return text === undefined ? undefined : load(text);
  };
  const components = ((await yamlOf(data['components-ref'], 'components.yaml')) ?? []) as Array<Record<string, unknown>>;
  const operations = ((await yamlOf(data['operations-ref'], 'operations.yaml')) ?? {}) as Record<string, unknown>;
  return {
    type,
    version,
    supportedVersions: list(data['supported-versions']),
    allowedUpgradeFrom: list(data['allowed-upgrade-from']),
    components: components.map((c) => ({
      name: String(c['name']),
      minReplicas: Number(c['minReplicas'] ?? 1),
      maxReplicas: Number(c['maxReplicas'] ?? Number.MAX_SAFE_INTEGER),
      defaultReplicas: Number(c['defaultReplicas'] ?? 1),
      ...(c['maxShards'] === undefined
        ? { minShards: 1, maxShards: 1 }
        : { minShards: Number(c['minShards'] ?? 1), maxShards: Number(c['maxShards']) }),
    })),
    operations: Object.keys(operations),
    operationsRef: data['operations-ref'] ?? '',
  };
}

const QUANTITY = /^([+-]?[0-9.]+)([eE][-+]?[0-9]+|[numkMGTPE]i?|Ki|m)?$/;

export function checkQuantity(value: string | null | undefined, field: string): void {
  if (value === null || value === undefined) return;
  if (!QUANTITY.test(value)) throw MutationRefusal.badInput(`${field}: "${value}" is not a Kubernetes quantity (e.g. 500m, 2Gi)`, field);
}

/** The component a request names (the first one when none is named). */
export function componentOf(m: PluginManifest, name: string | null | undefined, field: string): PluginComponent {
  if (m.components.length === 0) throw MutationRefusal.badInput(`plugin ${m.type} ${m.version} defines no component`, field);
  if (!name) return m.components[0]!;
  const c = m.components.find((x) => x.name === name);
  if (!c) {
    throw MutationRefusal.badInput(
      `${field}: unknown component "${name}" for plugin ${m.type} ${m.version} (components: ${m.components.map((x) => x.name).join(', ')})`,
      field,
    );
  }
  return c;
}

export function checkReplicas(m: PluginManifest, c: PluginComponent, replicas: number | null | undefined, field: string): void {
  if (replicas === null || replicas === undefined) return;
  if (!Number.isInteger(replicas) || replicas < c.minReplicas || replicas > c.maxReplicas) {
    throw MutationRefusal.badInput(
      `${field}: ${replicas} replicas is outside the range ${c.minReplicas}..${c.maxReplicas} of component ${c.name} (plugin ${m.type} ${m.version})`,
      field,
    );
  }
}

export function checkShards(m: PluginManifest, c: PluginComponent, shards: number | null | undefined, field: string): void {
  if (shards === null || shards === undefined) return;
  if (Number.isInteger(shards) && shards >= c.minShards && shards <= c.maxShards) return;
  if (c.maxShards <= 1) {
    throw MutationRefusal.badInput(
      `${field}: component ${c.name} cannot be sharded (plugin ${m.type} ${m.version} declares no shard range for it); only 1 shard is allowed`,
      field,
    );
  }
  throw MutationRefusal.badInput(
    `${field}: ${shards} shards is outside the range ${c.minShards}..${c.maxShards} of component ${c.name} (plugin ${m.type} ${m.version})`,
    field,
  );
}

export function checkMiddlewareVersion(m: PluginManifest, version: string, field: string): void {
  if (!m.supportedVersions.includes(version)) {
    throw MutationRefusal.badInput(
      `${field}: middleware version "${version}" is not supported by plugin ${m.type} ${m.version} (supported-versions: ${m.supportedVersions.join(', ') || 'none'})`,
      field,
    );
  }
}

export function checkPluginUpgrade(target: PluginManifest, from: string, field: string): void {
  if (!target.allowedUpgradeFrom.includes(from)) {
    throw MutationRefusal.badInput(
      `${field}: plugin ${target.type} ${target.version} cannot be reached from ${from} (allowed-upgrade-from: ${target.allowedUpgradeFrom.join(', ') || 'none'})`,
      field,
    );
  }
}
