/**
 * The top layer (seed 002 §2): an Application is the instance a user asks for (type, plugin version,
 * middleware version, components with replicas). This controller checks it against its plugin registration
 * version, creates and updates one Component per requested (or default) component definition, and writes
 * the instance status: phase, primary, per-component readiness, Ready condition. status.backups is kept
 * as it is (the Operation controller and scheduled backups write it).
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import { splitKey } from '../controllers/WorkQueue.js';
import { MemberLoopController } from './MemberReconcileLoop.js';
import type { KubeObject } from '../store/Store.js';
import type { ApplicationComponentSpec, ApplicationSpec, ApplicationStatus, ComponentSpec, WorkloadSetStatus } from './middlewareShapes.js';
import { APPLICATION_LABEL, MIDDLEWARE_MANAGER, TYPE_LABEL } from './middlewareLabels.js';
import { APPLICATIONS, COMPONENTS, MIDDLEWARE_API_VERSION, OPERATIONS, WORKLOADSETS } from './middlewareResourceTypes.js';
import { readPluginVersion, shardsProblem } from './pluginCatalog.js';

function nowTime(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class ApplicationController extends MemberLoopController {
  readonly name = 'middleware-application-controller';

  constructor(member: SimCluster) {
    super(member, {
      resource: APPLICATIONS,
      relatedName: (event) => {
        const o = event.object;
        if (event.resource === COMPONENTS || event.resource === WORKLOADSETS) return o.metadata.labels?.[APPLICATION_LABEL];
        if (event.resource === OPERATIONS) return (o.spec as { targetRef?: { name?: string } } | undefined)?.targetRef?.name;
        return undefined;
      },
    });
  }

  protected override reconcile(key: string): void {
    const { namespace, name } = splitKey(key);
    const app = this.member.objects.get(APPLICATIONS, namespace, name);
    if (!app || app.metadata.deletionTimestamp) return;
    const spec = app.spec as ApplicationSpec;
    const lookup = readPluginVersion(this.member, spec.type, spec.pluginVersion);
    if (!lookup.ok) return this.fail(app, lookup.reason, lookup.message);
    const plugin = lookup.plugin;
    if (!plugin.supportedVersions.includes(spec.version)) {
      return this.fail(app, 'UnsupportedVersion', `version "${spec.version}" is not in supported-versions "${plugin.supportedVersions.join(',')}" of ${plugin.manifestName}`);
    }
    const requested: ApplicationComponentSpec[] = spec.components?.length ? spec.components : plugin.components.map((d) => ({ name: d.name }));
    const components: KubeObject[] = [];
    for (const req of requested) {
      const def = plugin.components.find((d) => d.name === req.name);
      if (!def) return this.fail(app, 'UnknownComponent', `component "${req.name}" is not defined by ${plugin.refs.components}`);
      const replicas = req.replicas ?? def.defaultReplicas;
      if (replicas < def.minReplicas || replicas > def.maxReplicas) {
        return this.fail(app, 'InvalidReplicas', `component "${req.name}" replicas ${replicas} outside ${def.minReplicas}..${def.maxReplicas} allowed by ${plugin.refs.components}`);
      }
      const shards = req.shards ?? 1;
      const shardProblem = shardsProblem(def, shards, plugin.refs.components);
      if (shardProblem) return this.fail(app, 'InvalidShards', `component "${req.name}" ${shardProblem}`);
      const resources = req.resources ?? def.defaultResources;
      const cspec: ComponentSpec = {
        application: name, definition: def.name, type: spec.type, version: spec.version,
        image: `${def.image}:${spec.version}`, replicas, shards,
        ...(resources ? { resources } : {}), ...(spec.stopped ? { stopped: true } : {}), roles: def.roles,
      };
      components.push(this.ensureComponent(app, `${name}-${def.name}`, cspec));
    }
    this.writeStatus(app, components);
  }

  private ensureComponent(app: KubeObject, name: string, spec: ComponentSpec): KubeObject {
    const ns = app.metadata.namespace;
    const existing = this.member.objects.get(COMPONENTS, ns, name);
    if (!existing) {
      return this.member.objects.create(COMPONENTS, {
        apiVersion: MIDDLEWARE_API_VERSION, kind: 'Component',
        metadata: {
          name, namespace: ns, labels: { [APPLICATION_LABEL]: app.metadata.name!, [TYPE_LABEL]: spec.type },
          ownerReferences: [{ apiVersion: MIDDLEWARE_API_VERSION, kind: 'Application', name: app.metadata.name!, uid: app.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        },
        spec,
      }, { manager: MIDDLEWARE_MANAGER });
    }
    if (JSON.stringify(existing.spec) === JSON.stringify(spec)) return existing;
    return this.member.objects.mutate(COMPONENTS, ns, name, (copy) => ({ ...copy, spec }), { manager: MIDDLEWARE_MANAGER }) ?? existing;
  }

  private fail(app: KubeObject, reason: string, message: string): void {
    this.updateStatus(app, (st) => ({
      ...st, phase: 'Failed', observedGeneration: app.metadata.generation,
      conditions: [{ type: 'Ready', status: 'False', reason, message, lastTransitionTime: sameOrNow(st, 'False') }, ...otherConditions(st)],
    }));
  }

  private writeStatus(app: KubeObject, components: KubeObject[]): void {
    const spec = app.spec as ApplicationSpec;
    const ns = app.metadata.namespace;
    const summary = components.map((c) => {
      const cs = (c.status ?? {}) as { replicas?: number; readyReplicas?: number };
      return { name: (c.spec as ComponentSpec).definition, replicas: cs.replicas ?? 0, readyReplicas: cs.readyReplicas ?? 0 };
    });
    const want = components.reduce((s, c) => s + (c.spec as ComponentSpec).replicas * (c.spec as ComponentSpec).shards, 0);
    const ready = summary.reduce((s, c) => s + c.readyReplicas, 0);
    const total = summary.reduce((s, c) => s + c.replicas, 0);
    const running = this.member.objects.list(OPERATIONS, { namespace: ns }).some((o) =>
      (o.spec as { targetRef?: { name?: string } }).targetRef?.name === app.metadata.name && (o.status as { phase?: string } | undefined)?.phase === 'Running');
    const first = components[0] ? this.member.objects.get(WORKLOADSETS, ns, `${components[0].metadata.name}-0`) : undefined;
    const primary = (first?.status as WorkloadSetStatus | undefined)?.primary;
    this.updateStatus(app, (st) => {
      const wasRunning = st.phase === 'Running' || st.phase === 'Updating';
      const phase: ApplicationStatus['phase'] = spec.stopped
        ? 'Stopped'
        : running ? 'Updating'
        : ready === want && total === want ? 'Running'
        : wasRunning ? 'Updating' : 'Creating';
      const isReady = phase === 'Running';
      return {
        ...st,
        phase,
        observedGeneration: app.metadata.generation,
        version: spec.version,
        pluginVersion: spec.pluginVersion,
        ...(primary && !spec.stopped ? { primary } : { primary: undefined }),
        components: summary,
        conditions: [{
          type: 'Ready', status: isReady ? 'True' : 'False',
          reason: isReady ? 'AllReplicasReady' : spec.stopped ? 'Stopped' : 'ReplicasNotReady',
          message: `${ready}/${want} replicas ready`,
          lastTransitionTime: sameOrNow(st, isReady ? 'True' : 'False'),
        }, ...otherConditions(st)],
      };
    });
  }

  private updateStatus(app: KubeObject, next: (st: ApplicationStatus) => ApplicationStatus): void {
    this.member.objects.mutate(APPLICATIONS, app.metadata.namespace, app.metadata.name!, (copy) => {
      const before = (copy.status ?? {}) as ApplicationStatus;
      const st = JSON.parse(JSON.stringify(next(before))) as ApplicationStatus;
      if (JSON.stringify(st) === JSON.stringify(before)) return undefined;
      copy.status = st;
      return copy;
    }, { manager: MIDDLEWARE_MANAGER, subresource: 'status' });
  }
}

/** Conditions other controllers own (BackupScheduled), kept as they are. */
function otherConditions(st: ApplicationStatus): NonNullable<ApplicationStatus['conditions']> {
  return (st.conditions ?? []).filter((c) => c.type !== 'Ready');
}

function sameOrNow(st: ApplicationStatus, status: string): string {
  const prev = st.conditions?.find((c) => c.type === 'Ready');
  return prev && prev.status === status ? prev.lastTransitionTime : nowTime();
}
