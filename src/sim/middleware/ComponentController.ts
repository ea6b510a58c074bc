/**
 * The middle layer (seed 002 §2): a Component owns one or more WorkloadSets (`<component>-<shard>`), one
 * per shard, each with the component's replicas, image, resources and pod template, and sums their
 * readiness into its status.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import { splitKey } from '../controllers/WorkQueue.js';
import { MemberLoopController } from './MemberReconcileLoop.js';
import type { KubeObject } from '../store/Store.js';
import type { ComponentSpec, WorkloadSetSpec, WorkloadSetStatus } from './middlewareShapes.js';
import { APPLICATION_LABEL, COMPONENT_LABEL, MIDDLEWARE_MANAGER, TYPE_LABEL } from './middlewareLabels.js';
import { COMPONENTS, MIDDLEWARE_API_VERSION, WORKLOADSETS } from './middlewareResourceTypes.js';
import { readPluginVersion } from './pluginCatalog.js';

export class ComponentController extends MemberLoopController {
  readonly name = 'middleware-component-controller';

  constructor(member: SimCluster) {
    super(member, {
      resource: COMPONENTS,
      relatedName: (event) => (event.resource === WORKLOADSETS ? (event.object.spec as WorkloadSetSpec | undefined)?.component : undefined),
    });
  }

  protected override reconcile(key: string): void {
    const { namespace, name } = splitKey(key);
    const component = this.member.objects.get(COMPONENTS, namespace, name);
    if (!component || component.metadata.deletionTimestamp) return;
    const spec = component.spec as ComponentSpec;
    const app = this.member.objects.get('middleware.fleetgraph.io/applications', namespace, spec.application);
    const pluginVersion = (app?.spec as { pluginVersion?: string } | undefined)?.pluginVersion ?? '';
    const plugin = readPluginVersion(this.member, spec.type, pluginVersion);
    const definition = plugin.ok ? plugin.plugin.components.find((d) => d.name === spec.definition) : undefined;
    const template = plugin.ok && definition ? plugin.plugin.podTemplates[definition.podTemplate] : undefined;
    const sets: KubeObject[] = [];
    for (let shard = 0; shard < spec.shards; shard++) {
      const wsName = `${name}-${shard}`;
      const wsSpec: WorkloadSetSpec = {
        application: spec.application,
        component: name,
        replicas: spec.replicas,
        image: spec.image,
        ...(spec.resources ? { resources: spec.resources } : {}),
        ...(spec.stopped ? { stopped: true } : {}),
        roles: spec.roles,
        template: template ?? { containers: [{ name: 'main' }] },
      };
      sets.push(this.ensureWorkloadSet(component, wsName, wsSpec));
    }
    for (const ws of this.member.objects.list(WORKLOADSETS, { namespace, labelSelector: `${COMPONENT_LABEL}=${name}` })) {
      if (!sets.some((s) => s.metadata.name === ws.metadata.name)) this.member.objects.delete(WORKLOADSETS, namespace, ws.metadata.name!);
    }
    const ready = sets.reduce((s, ws) => s + ((ws.status as WorkloadSetStatus | undefined)?.readyReplicas ?? 0), 0);
    const total = sets.reduce((s, ws) => s + ((ws.status as WorkloadSetStatus | undefined)?.replicas ?? 0), 0);
    const want = spec.stopped ? 0 : spec.replicas * spec.shards;
    const phase = spec.stopped ? (total === 0 ? 'Stopped' : 'Stopping') : ready === want ? 'Running' : 'Progressing';
    this.member.objects.mutate(COMPONENTS, namespace, name, (copy) => {
      const before = copy.status ?? {};
      const st = { phase, replicas: total, readyReplicas: ready, workloadSets: sets.map((s) => s.metadata.name), observedGeneration: copy.metadata.generation };
      if (JSON.stringify(st) === JSON.stringify(before)) return undefined;
      copy.status = st;
      return copy;
    }, { manager: MIDDLEWARE_MANAGER, subresource: 'status' });
  }

  private ensureWorkloadSet(component: KubeObject, name: string, spec: WorkloadSetSpec): KubeObject {
    const ns = component.metadata.namespace;
    const existing = this.member.objects.get(WORKLOADSETS, ns, name);
    if (!existing) {
      return this.member.objects.create(WORKLOADSETS, {
        apiVersion: MIDDLEWARE_API_VERSION, kind: 'WorkloadSet',
        metadata: {
          name, namespace: ns,
          labels: { [APPLICATION_LABEL]: spec.application, [COMPONENT_LABEL]: component.metadata.name!, [TYPE_LABEL]: component.metadata.labels?.[TYPE_LABEL] ?? '' },
          ownerReferences: [{ apiVersion: MIDDLEWARE_API_VERSION, kind: 'Component', name: component.metadata.name!, uid: component.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        },
        spec,
      }, { manager: MIDDLEWARE_MANAGER });
    }
    if (JSON.stringify(existing.spec) === JSON.stringify(spec)) return existing;
    return this.member.objects.mutate(WORKLOADSETS, ns, name, (copy) => ({ ...copy, spec }), { manager: MIDDLEWARE_MANAGER }) ?? existing;
  }
}
