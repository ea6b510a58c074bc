/**
 * The plugin registration config (seed 002 §8) the simulated platform ships: for each middleware type and
 * registration version, one manifest ConfigMap (`<type>-manifest-<version>`: supported-versions,
 * allowed-upgrade-from and the names of the four ConfigMaps it references) plus the component, pod
 * template, parameter and operation template ConfigMaps, all in the system namespace of each member.
 * Versions are immutable once published (§8.3), so a new one is a new set of ConfigMaps.
 */
import { dump } from 'js-yaml';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import type { ComponentDefinition, OperationTemplate } from './middlewareShapes.js';

/** Where plugin ConfigMaps live on each member. */
export const MIDDLEWARE_SYSTEM_NAMESPACE = 'middleware-system';

/** Labels that let a reader (the gateway, kubectl) find plugin ConfigMaps without knowing names. */
export const PLUGIN_LABEL = 'middleware.fleetgraph.io/plugin';
export const PLUGIN_VERSION_LABEL = 'middleware.fleetgraph.io/plugin-version';
export const PLUGIN_CONFIG_KIND_LABEL = 'middleware.fleetgraph.io/config-kind';

const step = (name: string, action: string, args?: Record<string, string>) => ({ name, action, ...(args ? { with: args } : {}) });

/** Operation templates shared by both plugins: the steps are declarative, the actions are the controller's. */
function operationTemplates(extra: Record<string, OperationTemplate> = {}): Record<string, OperationTemplate> {
  return {
    Restart: { description: 'Restart middleware processes through the process manager, replicas first; pods are not restarted', steps: [
      step('check-instance', 'check-running'), step('restart-replicas', 'restart-processes', { role: 'replica' }),
      step('restart-primary', 'restart-processes', { role: 'primary' }), step('verify', 'wait-ready'),
    ] },
    Failover: { description: 'Switch the primary to a ready replica', steps: [
      step('check-instance', 'check-running'), step('select-candidate', 'select-candidate'), step('demote-primary', 'demote-primary'),
      step('promote-replica', 'promote-candidate'), step('update-status', 'wait-roles'),
    ] },
    UpgradePaaS: { description: 'Upgrade the middleware version within the plugin version\'s supported-versions', requiredParameters: ['version'], steps: [
      step('check-instance', 'check-running'), step('check-version', 'check-version'), step('upgrade-replicas', 'set-image', { role: 'replica' }),
      step('upgrade-primary', 'set-image', { role: 'primary' }), step('record-version', 'set-version'), step('verify', 'wait-ready'),
    ] },
    UpgradeApp: { description: 'Move the instance to another plugin registration version', requiredParameters: ['pluginVersion'], steps: [
      step('check-upgrade-path', 'check-plugin-upgrade'), step('switch-plugin', 'set-plugin-version'),
    ] },
    // Replicas, shards or both: which one is required is checked by the controller, not by requiredParameters.
    HorizontalScale: { description: 'Change the replica count (pods per shard) and/or the shard count (WorkloadSets) of a component', steps: [
      step('check-instance', 'check-running'), step('scale', 'scale'), step('verify', 'wait-ready'),
    ] },
    VerticalScaleResource: { description: 'Change CPU/memory of a component', steps: [
      step('set-resources', 'set-resources'), step('verify', 'wait-ready'),
    ] },
    VerticalScaleVolume: { description: 'Grow the data volume of a component', requiredParameters: ['storage'], steps: [step('resize-volumes', 'set-storage')] },
    Stop: { description: 'Stop the instance (pods removed, definition kept)', steps: [step('stop', 'stop'), step('wait-stopped', 'wait-stopped')] },
    Start: { description: 'Start a stopped instance', steps: [step('start', 'start'), step('verify', 'wait-ready')] },
    Reload: { description: 'Reload the configuration without downtime', steps: [step('check-instance', 'check-running'), step('reload', 'reload-config')] },
    Backup: { description: 'Full backup: freeze, dump, unfreeze', steps: [
      step('check-instance', 'check-running'), step('freeze', 'freeze'), step('dump', 'take-backup'), step('unfreeze', 'unfreeze'),
    ] },
    Restore: { description: 'Restore a backup of this instance (same cluster only)', requiredParameters: ['backup'], steps: [
      step('check-backup', 'check-backup'), step('restore', 'restore-backup'), step('verify', 'wait-ready'),
    ] },
    Delete: { description: 'Delete the instance and everything it owns', steps: [step('delete', 'delete-application')] },
    ...extra,
  };
}

interface PluginDefinition {
  type: string;
  version: string;
  supportedVersions: string[];
  allowedUpgradeFrom: string[];
  components: ComponentDefinition[];
  podTemplates: Record<string, { containers: Array<Record<string, unknown>> }>;
  params: Record<string, Record<string, string>>;
  operations: Record<string, OperationTemplate>;
}

const statusAgent = { name: 'status-agent', image: 'fleetgraph/status-agent:1.0', resources: { requests: { cpu: '10m', memory: '16Mi' } } };

function redis(version: string, supportedVersions: string[], allowedUpgradeFrom: string[], maxReplicas: number, maxShards: number): PluginDefinition {
  return {
    type: 'redis', version, supportedVersions, allowedUpgradeFrom,
    components: [{
      // Redis Cluster mode: each shard is one WorkloadSet of `replicas` pods (1 primary + replicas), seed 002 §2.
      name: 'redis-node', image: 'docker.io/library/redis', defaultReplicas: 3, minReplicas: 1, maxReplicas, minShards: 1, maxShards, roles: ['primary', 'replica'],
      podTemplate: 'redis-node', paramsTemplate: 'redis-node', defaultResources: { requests: { cpu: '100m', memory: '256Mi' } },
    }],
    podTemplates: { 'redis-node': { containers: [{ name: 'redis', ports: [{ name: 'redis', containerPort: 6379 }], command: ['/pm', '--', 'redis-server', '/etc/redis/redis.conf'] }, statusAgent] } },
    params: { 'redis-node': { maxmemory: '200mb', 'maxmemory-policy': 'allkeys-lru', appendonly: 'yes', 'repl-diskless-sync': 'yes' } },
    operations: operationTemplates(),
  };
}

function postgresql(version: string, supportedVersions: string[], allowedUpgradeFrom: string[]): PluginDefinition {
  return {
    type: 'postgresql', version, supportedVersions, allowedUpgradeFrom,
    components: [{
      name: 'postgresql', image: 'docker.io/library/postgres', defaultReplicas: 2, minReplicas: 1, maxReplicas: 5, roles: ['primary', 'replica'],
      podTemplate: 'postgresql', paramsTemplate: 'postgresql', defaultResources: { requests: { cpu: '250m', memory: '512Mi' } },
    }],
    podTemplates: { postgresql: { containers: [{ name: 'postgres', ports: [{ name: 'postgresql', containerPort: 5432 }], command: ['/pm', '--', 'postgres'] }, statusAgent] } },
    params: { postgresql: { max_connections: '200', shared_buffers: '128MB', wal_level: 'replica', synchronous_commit: 'on' } },
    operations: operationTemplates(),
  };
}

/** Every plugin version the simulator publishes: at least two per middleware, with an upgrade path. */
export const PLUGIN_DEFINITIONS: readonly PluginDefinition[] = [
  redis('v1.0.0', ['7.2', '7.4'], [], 6, 3),
  redis('v1.1.0', ['7.2', '7.4', '8.0'], ['v1.0.0'], 9, 6),
  postgresql('v1.0.0', ['14', '15'], []),
  postgresql('v2.0.0', ['15', '16'], ['v1.0.0']),
];

function configMap(name: string, def: PluginDefinition, kind: string, data: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: {
      name, namespace: MIDDLEWARE_SYSTEM_NAMESPACE,
      labels: { [PLUGIN_LABEL]: def.type, [PLUGIN_VERSION_LABEL]: def.version, [PLUGIN_CONFIG_KIND_LABEL]: kind },
    },
    // Published versions are immutable (seed 002 §8.3), as Kubernetes' immutable ConfigMaps enforce.
    immutable: true,
    data,
  };
}

/** The five ConfigMaps of one plugin version. */
export function pluginConfigMaps(def: PluginDefinition): KubeObject[] {
  const ref = (what: string) => `${def.type}-${what}-${def.version}`;
  return [
    configMap(ref('manifest'), def, 'manifest', {
      type: def.type,
      'plugin-version': def.version,
      'supported-versions': def.supportedVersions.join(','),
      'allowed-upgrade-from': def.allowedUpgradeFrom.join(','),
      'components-ref': ref('components'),
      'podtemplates-ref': ref('podtemplates'),
      'params-ref': ref('params'),
      'operations-ref': ref('operations'),
    }),
    configMap(ref('components'), def, 'components', { 'components.yaml': dump(def.components) }),
    configMap(ref('podtemplates'), def, 'podtemplates', { 'podtemplates.yaml': dump(def.podTemplates) }),
    configMap(ref('params'), def, 'params', { 'params.yaml': dump(def.params) }),
    configMap(ref('operations'), def, 'operations', { 'operations.yaml': dump(def.operations) }),
  ];
}

/** Publishes every plugin version on a member (missing ConfigMaps only: published ones never change). */
export function installPluginManifests(member: SimCluster, manager = 'middleware-controller'): void {
  if (!member.objects.get('namespaces', undefined, MIDDLEWARE_SYSTEM_NAMESPACE)) {
    member.objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: MIDDLEWARE_SYSTEM_NAMESPACE } }, { manager });
  }
  for (const def of PLUGIN_DEFINITIONS) {
    for (const cm of pluginConfigMaps(def)) {
      if (!member.objects.get('configmaps', MIDDLEWARE_SYSTEM_NAMESPACE, cm.metadata.name!)) member.objects.create('configmaps', cm, { manager });
    }
  }
}
