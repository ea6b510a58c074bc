/**
 * What each step action of an operation template does to the simulated instance (seed 002 §10.2: CRD
 * operations, Kubernetes object operations, calls to the operation agent / process manager). Templates in
 * the plugin's operations ConfigMap name these actions; an action either finishes (`done`), needs the
 * instance to catch up first (`wait`, tried again later), or fails with a reason.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import type { ApplicationSpec, ApplicationStatus, BackupRecord, PluginVersion, WorkloadSetSpec, WorkloadSetStatus } from './middlewareShapes.js';
import { APPLICATION_LABEL, CONFIG_GENERATION_ANNOTATION, MIDDLEWARE_MANAGER, RESTARTED_AT_ANNOTATION, ROLE_ANNOTATION } from './middlewareLabels.js';
import { APPLICATIONS, COMPONENTS, WORKLOADSETS } from './middlewareResourceTypes.js';
import { readPluginVersion } from './pluginCatalog.js';
import { hasStaleResources, isPodReady } from './WorkloadSetController.js';

export type StepOutcome =
  | { kind: 'done'; message: string }
  | { kind: 'wait'; message: string }
  | { kind: 'fail'; reason: string; message: string };

export interface StepContext {
  member: SimCluster;
  operation: KubeObject;
  app: KubeObject;
  plugin: PluginVersion;
  /** The step's `with` arguments from the template. */
  args: Record<string, string>;
  /** The Operation's spec.parameters. */
  params: Record<string, string>;
  /** Values handed from step to step; persisted in status.context. */
  context: Record<string, string>;
  /**
   * Backups kept per instance when the Application does not say.
   */
  defaultBackupRetention: number;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const done = (message: string): StepOutcome => ({ kind: 'done', message });
const wait = (message: string): StepOutcome => ({ kind: 'wait', message });
const fail = (reason: string, message: string): StepOutcome => ({ kind: 'fail', reason, message });

function appName(ctx: StepContext): string {
  return ctx.app.metadata.name!;
}

function workloadSets(ctx: StepContext): KubeObject[] {
  return ctx.member.objects.list(WORKLOADSETS, { namespace: ctx.app.metadata.namespace, labelSelector: `${APPLICATION_LABEL}=${appName(ctx)}` });
}

function pods(ctx: StepContext): KubeObject[] {
  return ctx.member.objects
    .list('pods', { namespace: ctx.app.metadata.namespace, labelSelector: `${APPLICATION_LABEL}=${appName(ctx)}` })
    .filter((p) => !p.metadata.deletionTimestamp);
}

function podsWithRole(ctx: StepContext, role: string | undefined): KubeObject[] {
  return pods(ctx).filter((p) => !role || role === 'all' || p.metadata.annotations?.[ROLE_ANNOTATION] === role);
}

function annotatePod(ctx: StepContext, pod: KubeObject, annotations: Record<string, string>): void {
  ctx.member.objects.mutate('pods', pod.metadata.namespace, pod.metadata.name!, (copy) => {
    copy.metadata.annotations = { ...(copy.metadata.annotations ?? {}), ...annotations };
    return copy;
  }, { manager: MIDDLEWARE_MANAGER });
}

/** A line in the middleware container's log, as the process manager would print it. */
function logLine(ctx: StepContext, pod: KubeObject, line: string): void {
  const container = (pod.spec as { containers?: Array<{ name: string }> }).containers?.[0]?.name;
  if (container) ctx.member.logs.append(pod.metadata.namespace!, pod.metadata.name!, container, `[process-manager] ${line}`);
}

function mutateAppSpec(ctx: StepContext, change: (spec: ApplicationSpec) => void): void {
  ctx.member.objects.mutate(APPLICATIONS, ctx.app.metadata.namespace, appName(ctx), (copy) => {
    change(copy.spec as ApplicationSpec);
    return copy;
  }, { manager: MIDDLEWARE_MANAGER });
}

function instanceReady(ctx: StepContext): { ready: boolean; message: string } {
  const sets = workloadSets(ctx);
  if (sets.length === 0) return { ready: false, message: 'no workload sets yet' };
  // A spec change made by an earlier step must have reached every layer before readiness means anything.
  const observed = (o: KubeObject) => (o.status as { observedGeneration?: number } | undefined)?.observedGeneration === o.metadata.generation;
  const components = ctx.member.objects.list(COMPONENTS, { namespace: ctx.app.metadata.namespace, labelSelector: `${APPLICATION_LABEL}=${appName(ctx)}` });
  if (![ctx.app, ...components, ...sets].every(observed)) return { ready: false, message: 'the instance has not caught up with its spec yet' };
  let want = 0;
  let ready = 0;
  for (const ws of sets) {
    const spec = ws.spec as WorkloadSetSpec;
    want += spec.stopped ? 0 : spec.replicas;
    ready += (ws.status as WorkloadSetStatus | undefined)?.readyReplicas ?? 0;
  }
  const live = pods(ctx);
  const unlabelled = live.filter((p) => isPodReady(p) && !p.metadata.annotations?.[ROLE_ANNOTATION]).length;
  const stale = sets.reduce((n, ws) => n + live.filter((p) => p.metadata.labels?.['middleware.fleetgraph.io/workloadset'] === ws.metadata.name && hasStaleResources(p, ws.spec as WorkloadSetSpec)).length, 0);
  return {
    ready: want > 0 && ready === want && unlabelled === 0 && stale === 0,
    message: `${ready}/${want} replicas ready${stale ? `, ${stale} pod(s) still to be replaced with new resources` : ''}`,
  };
}

function componentIndex(ctx: StepContext, spec: ApplicationSpec): number {
  const wanted = ctx.params.component ?? ctx.plugin.components[0]?.name;
  return spec.components?.findIndex((c) => c.name === wanted) ?? -1;
}

/** Writes the instance's component list explicitly before changing one entry (defaults become explicit). */
function withComponent(ctx: StepContext, change: (c: NonNullable<ApplicationSpec['components']>[number]) => void): void {
  mutateAppSpec(ctx, (spec) => {
    if (!spec.components?.length) spec.components = ctx.plugin.components.map((d) => ({ name: d.name, replicas: d.defaultReplicas }));
    const i = Math.max(0, componentIndex(ctx, spec));
    change(spec.components[i]!);
  });
}

export const STEP_ACTIONS: Record<string, (ctx: StepContext) => StepOutcome> = {
  'check-running': (ctx) => {
    if ((ctx.app.spec as ApplicationSpec).stopped) return fail('InstanceStopped', `instance ${appName(ctx)} is stopped`);
    const r = instanceReady(ctx);
    return r.ready ? done(`instance ${appName(ctx)} is running (${r.message})`) : wait(`waiting for instance ${appName(ctx)} to be ready (${r.message})`);
  },

  'restart-processes': (ctx) => {
    const targets = podsWithRole(ctx, ctx.args.role);
    const at = now();
    for (const pod of targets) {
      annotatePod(ctx, pod, { [RESTARTED_AT_ANNOTATION]: at });
      logLine(ctx, pod, `restarting middleware process (operation ${ctx.operation.metadata.name})`);
    }
    return done(`restarted the middleware process in ${targets.length} ${ctx.args.role ?? 'all'} pod(s) without restarting pods`);
  },

  'wait-ready': (ctx) => {
    const r = instanceReady(ctx);
    return r.ready ? done(`all replicas ready (${r.message})`) : wait(`waiting for replicas (${r.message})`);
  },

  'select-candidate': (ctx) => {
    const ws = workloadSets(ctx)[0];
    const primary = (ws?.status as WorkloadSetStatus | undefined)?.primary;
    if (!ws || !primary) return fail('NoPrimary', `instance ${appName(ctx)} has no primary to fail over from`);
    const replicas = pods(ctx).filter((p) => p.metadata.labels?.['middleware.fleetgraph.io/workloadset'] === ws.metadata.name && p.metadata.name !== primary && isPodReady(p));
    const wanted = ctx.params.candidate;
    const candidate = wanted ? replicas.find((p) => p.metadata.name === wanted) : replicas[0];
    if (!candidate) return fail('NoCandidate', wanted ? `pod ${wanted} is not a ready replica of ${ws.metadata.name}` : `no ready replica to promote in ${ws.metadata.name}`);
    ctx.context.workloadSet = ws.metadata.name!;
    ctx.context.oldPrimary = primary;
    ctx.context.candidate = candidate.metadata.name!;
    return done(`selected ${candidate.metadata.name} to replace primary ${primary}`);
  },

  'demote-primary': (ctx) => {
    const old = ctx.member.objects.get('pods', ctx.app.metadata.namespace, ctx.context.oldPrimary ?? '');
    if (old) logLine(ctx, old, 'demoting to replica: stopping writes, waiting for replicas to catch up');
    return done(`demoted ${ctx.context.oldPrimary}`);
  },

  'promote-candidate': (ctx) => {
    const written = ctx.member.objects.mutate(WORKLOADSETS, ctx.app.metadata.namespace, ctx.context.workloadSet ?? '', (copy) => {
      copy.status = { ...((copy.status ?? {}) as WorkloadSetStatus), primary: ctx.context.candidate };
      return copy;
    }, { manager: MIDDLEWARE_MANAGER, subresource: 'status' });
    if (!written) return fail('WorkloadSetGone', `workload set ${ctx.context.workloadSet} no longer exists`);
    const pod = ctx.member.objects.get('pods', ctx.app.metadata.namespace, ctx.context.candidate ?? '');
    if (pod) logLine(ctx, pod, 'promoted to primary');
    return done(`promoted ${ctx.context.candidate} to primary`);
  },

  'wait-roles': (ctx) => {
    const get = (name: string | undefined) => ctx.member.objects.get('pods', ctx.app.metadata.namespace, name ?? '');
    const candidate = get(ctx.context.candidate);
    const old = get(ctx.context.oldPrimary);
    const ok = candidate?.metadata.annotations?.[ROLE_ANNOTATION] === 'primary' && (!old || old.metadata.annotations?.[ROLE_ANNOTATION] !== 'primary');
    return ok ? done(`status agents report ${ctx.context.candidate} as primary`) : wait('waiting for the status agents to report the new roles');
  },

  'check-version': (ctx) => {
    const version = ctx.params.version ?? '';
    return ctx.plugin.supportedVersions.includes(version)
      ? done(`version ${version} is supported by ${ctx.plugin.manifestName}`)
      : fail('UnsupportedVersion', `version "${version}" is not in supported-versions "${ctx.plugin.supportedVersions.join(',')}" of ${ctx.plugin.manifestName}`);
  },

  'set-image': (ctx) => {
    const def = ctx.plugin.components[0];
    const image = `${def?.image ?? 'unknown'}:${ctx.params.version}`;
    const targets = podsWithRole(ctx, ctx.args.role);
    for (const pod of targets) {
      ctx.member.objects.mutate('pods', pod.metadata.namespace, pod.metadata.name!, (copy) => {
        (copy.spec as { containers: Array<{ image?: string }> }).containers[0]!.image = image;
        return copy;
      }, { manager: MIDDLEWARE_MANAGER });
    }
    return done(`${targets.length} ${ctx.args.role ?? ''} pod(s) now run ${image}`);
  },

  'set-version': (ctx) => {
    mutateAppSpec(ctx, (spec) => { spec.version = ctx.params.version!; });
    return done(`instance version set to ${ctx.params.version}`);
  },

  'check-plugin-upgrade': (ctx) => {
    const target = readPluginVersion(ctx.member, ctx.plugin.type, ctx.params.pluginVersion ?? '');
    if (!target.ok) return fail(target.reason, target.message);
    const current = (ctx.app.spec as ApplicationSpec);
    if (!target.plugin.allowedUpgradeFrom.includes(current.pluginVersion)) {
      return fail('UpgradeNotAllowed', `${target.plugin.manifestName} allows upgrades from "${target.plugin.allowedUpgradeFrom.join(',')}", not from ${current.pluginVersion}`);
    }
    if (!target.plugin.supportedVersions.includes(current.version)) {
      return fail('UnsupportedVersion', `version "${current.version}" is not in supported-versions "${target.plugin.supportedVersions.join(',')}" of ${target.plugin.manifestName}`);
    }
    return done(`${current.pluginVersion} → ${target.plugin.version} allowed`);
  },

  'set-plugin-version': (ctx) => {
    mutateAppSpec(ctx, (spec) => { spec.pluginVersion = ctx.params.pluginVersion!; });
    return done(`instance bound to plugin version ${ctx.params.pluginVersion}`);
  },

  scale: (ctx) => {
    // Replicas (pods per WorkloadSet) and/or shards (WorkloadSets of the Component): the Component controller
    // adds or removes `<component>-<shard>` WorkloadSets, and the next step waits for them to be ready.
    const replicas = ctx.params.replicas !== undefined ? Number(ctx.params.replicas) : undefined;
    const shards = ctx.params.shards !== undefined ? Number(ctx.params.shards) : undefined;
    withComponent(ctx, (c) => {
      if (replicas !== undefined) c.replicas = replicas;
      if (shards !== undefined) c.shards = shards;
    });
    return done([replicas !== undefined && `replicas set to ${replicas}`, shards !== undefined && `shards set to ${shards}`].filter(Boolean).join(', '));
  },

  'set-resources': (ctx) => {
    withComponent(ctx, (c) => {
      const requests = { ...(c.resources?.requests ?? {}) };
      if (ctx.params.cpu) requests.cpu = ctx.params.cpu;
      if (ctx.params.memory) requests.memory = ctx.params.memory;
      c.resources = { ...(c.resources ?? {}), requests };
    });
    return done(`requests set to ${[ctx.params.cpu && `cpu=${ctx.params.cpu}`, ctx.params.memory && `memory=${ctx.params.memory}`].filter(Boolean).join(', ')}`);
  },

  'set-storage': (ctx) => {
    withComponent(ctx, (c) => { c.storage = ctx.params.storage!; });
    return done(`data volumes resized to ${ctx.params.storage}`);
  },

  stop: (ctx) => {
    mutateAppSpec(ctx, (spec) => { spec.stopped = true; });
    return done(`instance ${appName(ctx)} marked stopped`);
  },

  'wait-stopped': (ctx) => {
    const left = pods(ctx).length;
    return left === 0 ? done('all pods removed') : wait(`${left} pod(s) still running`);
  },

  start: (ctx) => {
    mutateAppSpec(ctx, (spec) => { delete spec.stopped; });
    return done(`instance ${appName(ctx)} starting`);
  },

  'reload-config': (ctx) => {
    const targets = pods(ctx);
    for (const pod of targets) {
      const gen = Number(pod.metadata.annotations?.[CONFIG_GENERATION_ANNOTATION] ?? '1') + 1;
      annotatePod(ctx, pod, { [CONFIG_GENERATION_ANNOTATION]: String(gen) });
      logLine(ctx, pod, `configuration reloaded (generation ${gen})`);
    }
    return done(`configuration reloaded in ${targets.length} pod(s)`);
  },

  freeze: (ctx) => {
    for (const pod of podsWithRole(ctx, 'primary')) logLine(ctx, pod, 'freeze: writes paused for a consistent backup');
    return done('writes frozen on the primary');
  },

  unfreeze: (ctx) => {
    for (const pod of podsWithRole(ctx, 'primary')) logLine(ctx, pod, 'unfreeze: writes resumed');
    return done('writes resumed');
  },

  'take-backup': (ctx) => {
    const record = backupRecord(ctx.app, 'OnDemand', ctx.operation.metadata.name);
    appendBackup(ctx.member, ctx.app, record, ctx.defaultBackupRetention);
    ctx.context.backup = record.name;
    return done(`backup ${record.name} completed (${record.sizeBytes} bytes at ${record.location})`);
  },

  'check-backup': (ctx) => {
    const backups = (ctx.app.status as ApplicationStatus | undefined)?.backups ?? [];
    const b = backups.find((x) => x.name === ctx.params.backup);
    if (!b) return fail('BackupNotFound', `backup "${ctx.params.backup}" is not among the ${backups.length} backups of ${appName(ctx)}`);
    if (b.phase !== 'Completed') return fail('BackupNotUsable', `backup "${b.name}" is ${b.phase}`);
    return done(`backup ${b.name} of ${b.completionTime} found`);
  },

  'restore-backup': (ctx) => {
    for (const pod of podsWithRole(ctx, 'primary')) logLine(ctx, pod, `restoring backup ${ctx.params.backup}`);
    return done(`backup ${ctx.params.backup} restored into ${appName(ctx)}`);
  },

  'delete-application': (ctx) => {
    ctx.member.objects.delete(APPLICATIONS, ctx.app.metadata.namespace, appName(ctx));
    return done(`instance ${appName(ctx)} deleted`);
  },
};

/** A full backup record of an instance, as the platform lists them (seed 002 §4). */
export function backupRecord(app: KubeObject, trigger: BackupRecord['trigger'], operation?: string, at = new Date()): BackupRecord {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z').toLowerCase();
  const name = `${app.metadata.name}-${stamp}`;
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const iso = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    name, type: 'Full', trigger, phase: 'Completed', startTime: iso, completionTime: iso,
    sizeBytes: 50_000_000 + (h % 200_000_000),
    location: `s3://fleetgraph-backups/${app.metadata.namespace}/${app.metadata.name}/${name}.tar.gz`,
    ...(operation ? { operation } : {}),
  };
}

/** Appends a backup to the instance's list and trims it to the retention count (oldest go first). */
export function appendBackup(member: SimCluster, app: KubeObject, record: BackupRecord, defaultRetention: number): void {
  member.objects.mutate(APPLICATIONS, app.metadata.namespace, app.metadata.name!, (copy) => {
    const st = { ...((copy.status ?? {}) as ApplicationStatus) };
    const keep = (copy.spec as ApplicationSpec).backup?.retention ?? defaultRetention;
    const list = [...(st.backups ?? []).filter((b) => b.name !== record.name), record];
    st.backups = list.slice(Math.max(0, list.length - keep));
    copy.status = st;
    return copy;
  }, { manager: MIDDLEWARE_MANAGER, subresource: 'status' });
}
