/**
 * Middleware lifecycle (seed 002 §3, §8, §10). Lifecycle operations are checked against the instance's bound
 * plugin manifest and then written as Operation custom resources (`spec.type`, `spec.templateRef`,
 * `spec.targetRef`, `spec.parameters`) in the instance's member and namespace; the middleware controller
 * there runs them and the informer brings their status back. Seed 002 keeps the operator out of the spec, so
 * who asked goes in an annotation. Creating an instance and setting its backup policy are plain Application
 * writes, carried out by the gateway as Operations of their own.
 */
import type { KubeObject } from './ClusterWriter.js';
import { StepFailure, type OperationPlan } from './GatewayExecutor.js';
import { MutationRefusal } from './MutationRefusal.js';
import { waitFor, type PlanContext } from './PlanContext.js';
import {
  checkMiddlewareVersion, checkPluginUpgrade, checkQuantity, checkReplicas, checkShards, componentOf, readPluginManifest, type PluginManifest,
} from './pluginManifest.js';
import type { ClusterWriter } from './ClusterWriter.js';

/** Annotation carrying the caller on an Operation CR. */
export const REQUESTED_BY_ANNOTATION = 'fleetgraph.io/requested-by';
/** Annotation carrying the gateway's Operation ID on an Operation CR. */
export const OPERATION_ID_ANNOTATION = 'fleetgraph.io/operation-id';

export type MiddlewareOperationType =
  | 'VERTICAL_SCALE_RESOURCES' | 'VERTICAL_SCALE_VOLUME' | 'HORIZONTAL_SCALE' | 'STOP' | 'START' | 'RESTART' | 'RELOAD'
  | 'FAILOVER' | 'UPGRADE_PLUGIN' | 'UPGRADE_VERSION' | 'BACKUP' | 'RESTORE';

/** The Operation CR `spec.type` of each API operation. */
export const CR_TYPE: Record<MiddlewareOperationType | 'DELETE', string> = {
  VERTICAL_SCALE_RESOURCES: 'VerticalScaleResource',
  VERTICAL_SCALE_VOLUME: 'VerticalScaleVolume',
  HORIZONTAL_SCALE: 'HorizontalScale',
  STOP: 'Stop',
  START: 'Start',
  RESTART: 'Restart',
  RELOAD: 'Reload',
  FAILOVER: 'Failover',
  UPGRADE_PLUGIN: 'UpgradeApp',
  UPGRADE_VERSION: 'UpgradePaaS',
  BACKUP: 'Backup',
  RESTORE: 'Restore',
  DELETE: 'Delete',
};

export interface MiddlewareOperationInput {
  cluster: string;
  namespace: string;
  name: string;
  type: MiddlewareOperationType;
  component?: string | null;
  replicas?: number | null;
  shards?: number | null;
  cpu?: string | null;
  memory?: string | null;
  storage?: string | null;
  version?: string | null;
  pluginVersion?: string | null;
  backup?: string | null;
}

export interface MiddlewareApiVersion {
  group: string;
  version: string;
}

export const applicationRef = (api: MiddlewareApiVersion, namespace: string, name: string) => ({
  apiVersion: `${api.group}/${api.version}`,
  kind: 'Application',
  namespace,
  name,
});

/** Reads the instance or refuses with NOT_FOUND (before any Operation exists). */
export async function readInstance(w: ClusterWriter, api: MiddlewareApiVersion, cluster: string, namespace: string, name: string): Promise<KubeObject> {
  const app = await w.read(applicationRef(api, namespace, name));
  if (!app) throw new MutationRefusal('NOT_FOUND', `middleware instance ${namespace}/${name} not found in cluster ${cluster}`, { cluster });
  return app;
}

async function manifestOrRefuse(w: ClusterWriter, type: string, version: string, field: string): Promise<PluginManifest> {
  const m = await readPluginManifest(w, type, version);
  if (!m) throw MutationRefusal.badInput(`${field}: plugin ${type} version ${version} is not published on this member`, field);
  return m;
}

/**
 * Checks a lifecycle operation against the instance's plugin manifest; returns the CR type, parameters and
 * templateRef to write. Reads only.
 */
export async function checkMiddlewareOperation(
  w: ClusterWriter,
  app: KubeObject,
  input: MiddlewareOperationInput,
): Promise<{ crType: string; parameters: Record<string, string>; templateRef: string }> {
  const type = String(app.spec?.type ?? '');
  const pluginVersion = String(app.spec?.pluginVersion ?? '');
  const manifest = await manifestOrRefuse(w, type, pluginVersion, 'input.name');
  const crType = CR_TYPE[input.type];
  const params: Record<string, string> = {};
  const f = (name: string) => `input.${name}`;
  switch (input.type) {
    case 'HORIZONTAL_SCALE': {
      const c = componentOf(manifest, input.component, f('component'));
      if (input.replicas == null && input.shards == null) throw MutationRefusal.badInput('input.replicas: give replicas or shards for HORIZONTAL_SCALE', f('replicas'));
      checkReplicas(manifest, c, input.replicas, f('replicas'));
      checkShards(manifest, c, input.shards, f('shards'));
      params['component'] = c.name;
      if (input.replicas != null) params['replicas'] = String(input.replicas);
      if (input.shards != null) params['shards'] = String(input.shards);
      break;
    }
    case 'VERTICAL_SCALE_RESOURCES': {
      const c = componentOf(manifest, input.component, f('component'));
      if (!input.cpu && !input.memory) throw MutationRefusal.badInput('input.cpu: give cpu and/or memory for VERTICAL_SCALE_RESOURCES', f('cpu'));
      checkQuantity(input.cpu, f('cpu'));
      checkQuantity(input.memory, f('memory'));
      params['component'] = c.name;
      if (input.cpu) params['cpu'] = input.cpu;
      if (input.memory) params['memory'] = input.memory;
      break;
    }
    case 'VERTICAL_SCALE_VOLUME': {
      const c = componentOf(manifest, input.component, f('component'));
      if (!input.storage) throw MutationRefusal.badInput('input.storage: required for VERTICAL_SCALE_VOLUME', f('storage'));
      checkQuantity(input.storage, f('storage'));
      params['component'] = c.name;
      params['storage'] = input.storage;
      break;
    }
    case 'UPGRADE_VERSION': {
      if (!input.version) throw MutationRefusal.badInput('input.version: required for UPGRADE_VERSION', f('version'));
      checkMiddlewareVersion(manifest, input.version, f('version'));
      params['version'] = input.version;
      break;
    }
    case 'UPGRADE_PLUGIN': {
      if (!input.pluginVersion) throw MutationRefusal.badInput('input.pluginVersion: required for UPGRADE_PLUGIN', f('pluginVersion'));
      const target = await manifestOrRefuse(w, type, input.pluginVersion, f('pluginVersion'));
      checkPluginUpgrade(target, pluginVersion, f('pluginVersion'));
      const running = String(app.status?.version ?? app.spec?.version ?? '');
      if (running && !target.supportedVersions.includes(running)) {
        throw MutationRefusal.badInput(
          `input.pluginVersion: plugin ${type} ${target.version} does not support the running middleware version ${running} (supported-versions: ${target.supportedVersions.join(', ')})`,
          f('pluginVersion'),
        );
      }
      params['pluginVersion'] = input.pluginVersion;
      break;
    }
    case 'RESTORE': {
      if (!input.backup) throw MutationRefusal.badInput('input.backup: required for RESTORE', f('backup'));
      const backups: Array<{ name: string; phase?: string }> = app.status?.backups ?? [];
      const found = backups.find((b) => b.name === input.backup);
      if (!found) {
        throw MutationRefusal.badInput(
          `input.backup: backup "${input.backup}" does not exist for ${input.namespace}/${input.name} (backups: ${backups.map((b) => b.name).join(', ') || 'none'})`,
          f('backup'),
        );
      }
      if (found.phase && found.phase !== 'Completed') throw MutationRefusal.badInput(`input.backup: backup "${input.backup}" is ${found.phase}, not Completed`, f('backup'));
      params['backup'] = input.backup;
      break;
    }
    default:
      break;
  }
  if (manifest.operations.length > 0 && !manifest.operations.includes(crType)) {
    throw MutationRefusal.badInput(`input.type: plugin ${type} ${pluginVersion} defines no ${crType} operation`, 'input.type');
  }
  return { crType, parameters: params, templateRef: `${manifest.operationsRef}#${crType}` };
}

/** The Operation custom resource for a checked request. */
export function operationCr(
  api: MiddlewareApiVersion,
  args: { id: string; crName: string; namespace: string; instance: string; crType: string; templateRef: string | null; parameters: Record<string, string>; requestedBy: string },
): KubeObject {
  return {
    apiVersion: `${api.group}/${api.version}`,
    kind: 'Operation',
    metadata: {
      name: args.crName,
      namespace: args.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'fleetgraph' },
      annotations: { [REQUESTED_BY_ANNOTATION]: args.requestedBy, [OPERATION_ID_ANNOTATION]: args.id },
    },
    spec: {
      type: args.crType,
      targetRef: { apiVersion: `${api.group}/${api.version}`, kind: 'Application', name: args.instance },
      ...(args.templateRef ? { templateRef: args.templateRef } : {}),
      parameters: args.parameters,
    },
  };
}

export interface CreateInstanceInput {
  cluster: string;
  namespace: string;
  name: string;
  plugin: string;
  pluginVersion: string;
  version: string;
  components?: Array<{ name: string; replicas?: number | null; shards?: number | null; cpu?: string | null; memory?: string | null; storage?: string | null }> | null;
  backup?: BackupPolicyInput | null;
}

export interface BackupPolicyInput {
  schedule?: string | null;
  retentionCount?: number | null;
  retentionDays?: number | null;
}

const CRON_FIELD = /^(\*|\?|[0-9A-Za-z,\-*/]+)$/;

export function checkBackupPolicy(p: BackupPolicyInput | null | undefined, field: string): void {
  if (!p) return;
  if (p.schedule) {
    const parts = p.schedule.trim().split(/\s+/);
    if ((parts.length !== 5 && parts.length !== 6) || !parts.every((x) => CRON_FIELD.test(x))) {
      throw MutationRefusal.badInput(`${field}.schedule: "${p.schedule}" is not a cron schedule (5 fields, e.g. "0 3 * * *")`, `${field}.schedule`);
    }
  }
  if (p.retentionCount != null && (!Number.isInteger(p.retentionCount) || p.retentionCount < 1)) {
    throw MutationRefusal.badInput(`${field}.retentionCount: ${p.retentionCount} must be at least 1`, `${field}.retentionCount`);
  }
  if (p.retentionDays != null && (!Number.isInteger(p.retentionDays) || p.retentionDays < 1)) {
    throw MutationRefusal.badInput(`${field}.retentionDays: ${p.retentionDays} must be at least 1`, `${field}.retentionDays`);
  }
}

function backupSpec(p: BackupPolicyInput): Record<string, unknown> {
  return {
    schedule: p.schedule ?? null,
    ...(p.retentionCount != null ? { retention: p.retentionCount } : {}),
    ...(p.retentionDays != null ? { retentionDays: p.retentionDays } : {}),
  };
}

/** Checks a new instance against the plugin manifest and returns the Application to create. Reads only. */
export async function checkCreateInstance(w: ClusterWriter, api: MiddlewareApiVersion, input: CreateInstanceInput): Promise<KubeObject> {
  const manifest = await manifestOrRefuse(w, input.plugin, input.pluginVersion, 'input.pluginVersion');
  checkMiddlewareVersion(manifest, input.version, 'input.version');
  checkBackupPolicy(input.backup, 'input.backup');
  const components = (input.components ?? []).map((c, i) => {
    const def = componentOf(manifest, c.name, `input.components[${i}].name`);
    checkReplicas(manifest, def, c.replicas, `input.components[${i}].replicas`);
    checkShards(manifest, def, c.shards, `input.components[${i}].shards`);
    checkQuantity(c.cpu, `input.components[${i}].cpu`);
    checkQuantity(c.memory, `input.components[${i}].memory`);
    checkQuantity(c.storage, `input.components[${i}].storage`);
    const requests: Record<string, string> = {};
    if (c.cpu) requests['cpu'] = c.cpu;
    if (c.memory) requests['memory'] = c.memory;
    return {
      name: def.name,
      ...(c.replicas != null ? { replicas: c.replicas } : {}),
      ...(c.shards != null ? { shards: c.shards } : {}),
      ...(Object.keys(requests).length ? { resources: { requests } } : {}),
      ...(c.storage ? { storage: c.storage } : {}),
    };
  });
  return {
    apiVersion: `${api.group}/${api.version}`,
    kind: 'Application',
    metadata: { name: input.name, namespace: input.namespace, labels: { 'app.kubernetes.io/managed-by': 'fleetgraph' } },
    spec: {
      type: input.plugin,
      pluginVersion: input.pluginVersion,
      version: input.version,
      ...(components.length ? { components } : {}),
      ...(input.backup ? { backup: backupSpec(input.backup) } : {}),
    },
  };
}

export function createInstancePlan(ctx: PlanContext, cluster: string, app: KubeObject): OperationPlan {
  return async (run) => {
    run.declare(['create application', 'wait until running']);
    const ref = { apiVersion: app.apiVersion!, kind: 'Application', namespace: app.metadata!.namespace!, name: app.metadata!.name! };
    await run.step('create application', async () => {
      const existing = await ctx.writer(cluster).read(ref);
      if (existing) throw new StepFailure(`middleware instance ${ref.namespace}/${ref.name} already exists in cluster ${cluster}`, 'ALREADY_EXISTS');
      await ctx.writer(cluster).create(app);
    });
    await run.step('wait until running', async (progress) => {
      let last = '';
      await waitFor(
        ctx,
        ctx.timings.readyTimeoutMs,
        async () => {
          const now = await ctx.writer(cluster).read(ref);
          const phase = String(now?.status?.phase ?? 'Pending');
          if (phase !== last) progress(`phase ${(last = phase)}`);
          if (phase === 'Failed') throw new StepFailure(`instance failed: ${JSON.stringify(now?.status?.conditions ?? [])}`, 'INSTANCE_FAILED');
          return phase === 'Running' ? true : undefined;
        },
        () => new StepFailure(`instance not running within ${Math.round(ctx.timings.readyTimeoutMs / 1000)} s (phase ${last})`, 'READY_TIMEOUT'),
      );
    });
  };
}

export function backupPolicyPlan(ctx: PlanContext, cluster: string, api: MiddlewareApiVersion, namespace: string, name: string, policy: BackupPolicyInput): OperationPlan {
  return async (run) => {
    await run.step('set backup policy', async (progress) => {
      const ref = applicationRef(api, namespace, name);
      const app = await ctx.writer(cluster).read(ref);
      if (!app) throw new StepFailure(`middleware instance ${namespace}/${name} not found in cluster ${cluster}`, 'NOT_FOUND');
      await ctx.writer(cluster).mergePatch(ref, { spec: { backup: backupSpec(policy) } }, app);
      progress(`schedule ${policy.schedule ?? 'none'}, keep ${policy.retentionCount ?? '-'} backup(s), ${policy.retentionDays ?? '-'} day(s)`);
    });
  };
}
