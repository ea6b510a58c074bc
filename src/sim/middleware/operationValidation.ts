/**
 * The checks an admission webhook would make on an Operation, made again by the controller so that an
 * Operation written by a client that skipped validation (kubectl, a raw PUT) still fails with a reason
 * instead of running: the target exists, its plugin version defines the operation, required parameters
 * are present, and the operation is allowed by the plugin manifest (supported-versions,
 * allowed-upgrade-from, the component's replica and shard ranges) and by the instance's state.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import type { ApplicationSpec, ApplicationStatus, OperationSpec, OperationTemplate, PluginVersion } from './middlewareShapes.js';
import { APPLICATIONS } from './middlewareResourceTypes.js';
import { readPluginVersion, shardsProblem } from './pluginCatalog.js';

export type OperationCheck =
  | { ok: true; app: KubeObject; plugin: PluginVersion; template: OperationTemplate }
  | { ok: false; reason: string; message: string };

const bad = (reason: string, message: string): OperationCheck => ({ ok: false, reason, message });

export function validateOperation(member: SimCluster, op: KubeObject): OperationCheck {
  const spec = (op.spec ?? {}) as Partial<OperationSpec>;
  if (!spec.type) return bad('InvalidOperation', 'spec.type is required');
  const targetName = spec.targetRef?.name;
  if (!targetName) return bad('InvalidOperation', 'spec.targetRef.name is required');
  if (spec.targetRef?.kind && spec.targetRef.kind !== 'Application') {
    return bad('InvalidOperation', `spec.targetRef.kind must be Application, not ${spec.targetRef.kind}`);
  }
  const app = member.objects.get(APPLICATIONS, op.metadata.namespace, targetName);
  if (!app || app.metadata.deletionTimestamp) return bad('TargetNotFound', `Application ${op.metadata.namespace}/${targetName} not found`);
  const appSpec = app.spec as ApplicationSpec;
  const lookup = readPluginVersion(member, appSpec.type, appSpec.pluginVersion);
  if (!lookup.ok) return bad(lookup.reason, lookup.message);
  const plugin = lookup.plugin;
  if (spec.templateRef) {
    const [cm, name] = spec.templateRef.split('#');
    // An instance is locked to its plugin version (seed 002 §8.5): another version's templates do not apply.
    if (cm !== plugin.refs.operations || (name && name !== spec.type)) {
      return bad('TemplateNotFound', `templateRef "${spec.templateRef}" is not ${plugin.refs.operations}#${spec.type}, the template of ${appSpec.type} ${plugin.version}`);
    }
  }
  const template = plugin.operations[spec.type];
  if (!template) return bad('UnsupportedOperation', `operation ${spec.type} is not defined in ${plugin.refs.operations}`);
  const params = spec.parameters ?? {};
  for (const required of template.requiredParameters ?? []) {
    if (!params[required]) return bad('MissingParameter', `operation ${spec.type} requires spec.parameters.${required}`);
  }
  const status = (app.status ?? {}) as ApplicationStatus;
  const stopped = Boolean(appSpec.stopped);
  switch (spec.type) {
    case 'UpgradePaaS':
      if (!plugin.supportedVersions.includes(params.version!)) {
        return bad('UnsupportedVersion', `version "${params.version}" is not in supported-versions "${plugin.supportedVersions.join(',')}" of ${plugin.manifestName}`);
      }
      if (params.version === appSpec.version) return bad('InvalidParameter', `instance already runs version ${params.version}`);
      break;
    case 'UpgradeApp': {
      const target = readPluginVersion(member, appSpec.type, params.pluginVersion!);
      if (!target.ok) return bad(target.reason, target.message);
      if (!target.plugin.allowedUpgradeFrom.includes(appSpec.pluginVersion)) {
        return bad('UpgradeNotAllowed', `${target.plugin.manifestName} allows upgrades from "${target.plugin.allowedUpgradeFrom.join(',')}", not from ${appSpec.pluginVersion}`);
      }
      if (!target.plugin.supportedVersions.includes(appSpec.version)) {
        return bad('UnsupportedVersion', `version "${appSpec.version}" is not in supported-versions "${target.plugin.supportedVersions.join(',')}" of ${target.plugin.manifestName}`);
      }
      break;
    }
    case 'HorizontalScale': {
      // Seed 002 §3: horizontal scale changes replicas (pods per shard), shards (WorkloadSets), or both.
      if (params.replicas === undefined && params.shards === undefined) {
        return bad('MissingParameter', 'operation HorizontalScale requires spec.parameters.replicas or spec.parameters.shards');
      }
      const def = plugin.components.find((d) => d.name === (params.component ?? plugin.components[0]?.name));
      if (!def) return bad('InvalidParameter', `component "${params.component}" is not defined by ${plugin.refs.components}`);
      if (params.replicas !== undefined) {
        const replicas = Number(params.replicas);
        if (!Number.isInteger(replicas) || replicas < def.minReplicas || replicas > def.maxReplicas) {
          return bad('InvalidReplicas', `replicas "${params.replicas}" outside ${def.minReplicas}..${def.maxReplicas} allowed for ${def.name} by ${plugin.refs.components}`);
        }
      }
      if (params.shards !== undefined) {
        const problem = shardsProblem(def, params.shards.trim() === '' ? NaN : Number(params.shards), plugin.refs.components);
        if (problem) return bad('InvalidShards', problem);
      }
      break;
    }
    case 'Failover': {
      const def = plugin.components[0];
      const replicas = appSpec.components?.[0]?.replicas ?? def?.defaultReplicas ?? 1;
      if (!def?.roles.includes('primary') || replicas < 2) return bad('NotEnoughReplicas', `failover needs a replica to promote; ${targetName} has ${replicas} replica(s)`);
      break;
    }
    case 'Restore':
      if (!(status.backups ?? []).some((b) => b.name === params.backup)) {
        return bad('BackupNotFound', `backup "${params.backup}" is not among the backups of ${targetName}`);
      }
      break;
    case 'Start':
      if (!stopped) return bad('InstanceNotStopped', `instance ${targetName} is not stopped`);
      break;
    case 'VerticalScaleResource':
      if (!params.cpu && !params.memory) return bad('MissingParameter', 'operation VerticalScaleResource requires spec.parameters.cpu or spec.parameters.memory');
      break;
    default:
      break;
  }
  if (stopped && spec.type !== 'Start' && spec.type !== 'Delete' && spec.type !== 'UpgradeApp') {
    return bad('InstanceStopped', `instance ${targetName} is stopped; only Start, Delete and UpgradeApp apply`);
  }
  return { ok: true, app, plugin, template };
}
