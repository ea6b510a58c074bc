/**
 * karmada-controller-manager's binding controller: turns each scheduled ResourceBinding /
 * ClusterResourceBinding into one Work per target cluster in `karmada-es-<cluster>`, carrying the
 * template as that member should see it (its share of replicas, Override(Cluster)Policies applied, the
 * labels and annotations Karmada adds), and removes the Works of clusters no longer targeted or of
 * bindings that are gone.
 */
import type { Controller } from '../SimFleet.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject, StoreEvent } from '../store/Store.js';
import { ControlPlaneLoop } from './ControlPlaneLoop.js';
import { clusterViewOf } from './clusterView.js';
import type { BindingSpec, ClusterView, OverrideSpec } from './karmadaShapes.js';
import {
  CLUSTER_OVERRIDE_POLICIES, CLUSTER_RESOURCE_BINDINGS, CLUSTERS, KARMADA_WORK_VERSION, OVERRIDE_POLICIES, RESOURCE_BINDINGS, WORKS,
} from './karmadaResourceTypes.js';
import {
  APPLIED_CLUSTER_OVERRIDES, APPLIED_OVERRIDES, CONFLICT_RESOLUTION, CONTROLLER_MANAGER, CRB_NAME, CRB_PERMANENT_ID, EXECUTION_SPACE_PREFIX, MANAGED,
  RB_NAME, RB_NAMESPACE, RB_PERMANENT_ID, TEMPLATE_UID, TEMPLATE_GENERATION, WORK_NAME, WORK_NAMESPACE,
} from './karmadaLabels.js';
import { applyOverrides, type OverridePolicyRef } from './overrideApply.js';
import { bindingNameOf } from './PolicyDetector.js';
import { reviseReplicas, TEMPLATE_RESOURCES } from './workloadInterpreter.js';

/** `<name>-<fnv32a(kind/namespace/name)>`, as Karmada's GenerateWorkName. */
export function workNameOf(kind: string, namespace: string | undefined, name: string): string {
  let h = 0x811c9dc5;
  const text = `${kind}/${namespace ?? ''}/${name}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${name}-${h.toString(16).padStart(8, '0').slice(0, 8)}`;
}

export function executionSpaceOf(cluster: string): string {
  return `${EXECUTION_SPACE_PREFIX}${cluster}`;
}

/** Metadata a member must not receive from the control plane's copy. */
const DROPPED_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'ownerReferences', 'finalizers', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'];

export class BindingController implements Controller {
  readonly name = 'karmada-binding-controller';
  private readonly loop: ControlPlaneLoop;
  private readonly clusterShapes = new Map<string, string>();

  constructor(private readonly cp: SimCluster) {
    this.loop = new ControlPlaneLoop(cp, { onEvent: (event) => this.onEvent(event), reconcile: (r, ns, n) => this.reconcile(r, ns, n) });
  }

  start(): void {
    this.loop.start();
    this.enqueueAll();
  }

  stop(): void {
    this.loop.stop();
  }

  private enqueueBinding(resource: string, namespace: string | undefined, name: string): void {
    this.loop.add(resource, namespace, name);
  }

  private enqueueAll(): void {
    for (const r of [RESOURCE_BINDINGS, CLUSTER_RESOURCE_BINDINGS]) {
      if (!this.cp.resources.has(r)) continue;
      for (const b of this.cp.objects.list(r)) this.enqueueBinding(r, b.metadata.namespace, b.metadata.name!);
    }
  }

  private onEvent(event: StoreEvent): void {
    const r = event.resource;
    const o = event.object;
    if (r === RESOURCE_BINDINGS || r === CLUSTER_RESOURCE_BINDINGS) {
      if (event.type === 'DELETED') this.removeWorks(r, o, new Set());
      else this.enqueueBinding(r, o.metadata.namespace, o.metadata.name!);
    } else if (TEMPLATE_RESOURCES.includes(r)) {
      const kind = this.cp.resources.get(r)?.kind ?? o.kind;
      if (kind) this.enqueueBinding(o.metadata.namespace ? RESOURCE_BINDINGS : CLUSTER_RESOURCE_BINDINGS, o.metadata.namespace, bindingNameOf(kind, o.metadata.name!));
    } else if (r === OVERRIDE_POLICIES || r === CLUSTER_OVERRIDE_POLICIES) {
      this.enqueueAll();
    } else if (r === CLUSTERS) {
      // Overrides target clusters by labels and fields: re-render when those change, not on every status refresh.
      const v = clusterViewOf(o);
      const shape = JSON.stringify([v.labels, v.provider, v.region, v.zones]);
      if (this.clusterShapes.get(v.name) !== shape) {
        this.clusterShapes.set(v.name, shape);
        this.enqueueAll();
      }
    } else if (r === WORKS && event.type === 'DELETED') {
      // Someone deleted a Work: the binding controller writes it again, as Karmada's does.
      const ns = o.metadata.annotations?.[RB_NAMESPACE];
      const bindingName = o.metadata.annotations?.[RB_NAME] ?? o.metadata.annotations?.[CRB_NAME];
      if (bindingName) this.enqueueBinding(ns ? RESOURCE_BINDINGS : CLUSTER_RESOURCE_BINDINGS, ns, bindingName);
    }
  }

  private templateOf(spec: BindingSpec): KubeObject | undefined {
    const [group, version] = spec.resource.apiVersion.includes('/') ? spec.resource.apiVersion.split('/') : ['', spec.resource.apiVersion];
    void version;
    for (const type of this.cp.resources.values()) {
      if (type.group === group && type.kind === spec.resource.kind) {
        return this.cp.objects.get(type.key, spec.resource.namespace, spec.resource.name);
      }
    }
    return undefined;
  }

  private overridePolicies(resource: string, namespace: string | undefined): OverridePolicyRef[] {
    if (!this.cp.resources.has(resource)) return [];
    if (resource === OVERRIDE_POLICIES && !namespace) return [];
    return this.cp.objects
      .list(resource, namespace && resource === OVERRIDE_POLICIES ? { namespace } : {})
      .filter((p) => !p.metadata.deletionTimestamp)
      .map((p) => ({ name: p.metadata.name!, ...(p.metadata.namespace ? { namespace: p.metadata.namespace } : {}), spec: (p.spec ?? {}) as OverrideSpec }));
  }

  private permanentIdLabel(resource: string): string {
    return resource === RESOURCE_BINDINGS ? RB_PERMANENT_ID : CRB_PERMANENT_ID;
  }

  private removeWorks(resource: string, binding: KubeObject, keep: Set<string>): void {
    if (!this.cp.resources.has(WORKS)) return;
    const works = this.cp.objects.list(WORKS, { labelSelector: `${this.permanentIdLabel(resource)}=${binding.metadata.uid}` });
    for (const w of works) {
      if (keep.has(w.metadata.namespace!) || w.metadata.deletionTimestamp) continue;
      this.cp.objects.delete(WORKS, w.metadata.namespace, w.metadata.name!);
    }
  }

  private reconcile(resource: string, namespace: string | undefined, name: string): void {
    const binding = this.cp.objects.get(resource, namespace, name);
    if (!binding || binding.metadata.deletionTimestamp) return;
    const spec = binding.spec as BindingSpec;
    const template = this.templateOf(spec);
    if (!template) return;
    const targets = spec.clusters ?? [];
    const views = new Map<string, ClusterView>(
      (this.cp.resources.has(CLUSTERS) ? this.cp.objects.list(CLUSTERS) : []).map((c) => [c.metadata.name!, clusterViewOf(c)]),
    );
    const clusterPolicies = this.overridePolicies(CLUSTER_OVERRIDE_POLICIES, undefined);
    const namespacedPolicies = this.overridePolicies(OVERRIDE_POLICIES, template.metadata.namespace);
    const keep = new Set<string>();
    for (const target of targets) {
      const view = views.get(target.name) ?? { name: target.name, labels: {}, zones: [], taints: [], ready: false, apiEnablements: undefined, free: { cpu: 0, memory: 0, pods: 0 } };
      const base = structuredClone(template);
      delete base.status;
      for (const f of DROPPED_METADATA) delete base.metadata[f];
      if (base.kind === 'Service') {
        // Cluster IPs are allocated by each member's own service CIDR.
        const s = base.spec as Record<string, unknown>;
        delete s.clusterIP;
        delete s.clusterIPs;
      }
      if (target.replicas !== undefined) reviseReplicas(base, target.replicas);
      const outcome = applyOverrides(base, view, clusterPolicies, namespacedPolicies);
      const manifest = outcome.manifest;
      const workNamespace = executionSpaceOf(target.name);
      const workName = workNameOf(template.kind!, template.metadata.namespace, template.metadata.name!);
      const annotations: Record<string, string> = {
        ...(manifest.metadata.annotations ?? {}),
        [WORK_NAME]: workName,
        [WORK_NAMESPACE]: workNamespace,
        [TEMPLATE_UID]: template.metadata.uid!,
        ...(template.metadata.generation ? { [TEMPLATE_GENERATION]: String(template.metadata.generation) } : {}),
        [CONFLICT_RESOLUTION]: (spec.conflictResolution ?? 'Abort').toLowerCase(),
        ...(outcome.appliedOverrides.length ? { [APPLIED_OVERRIDES]: JSON.stringify(outcome.appliedOverrides.map((policyName) => ({ policyName }))) } : {}),
        ...(outcome.appliedClusterOverrides.length ? { [APPLIED_CLUSTER_OVERRIDES]: JSON.stringify(outcome.appliedClusterOverrides.map((policyName) => ({ policyName }))) } : {}),
      };
      manifest.metadata.annotations = annotations;
      manifest.metadata.labels = { ...(manifest.metadata.labels ?? {}), [MANAGED]: 'true' };
      keep.add(workNamespace);
      this.ensureWork(resource, binding, workNamespace, workName, manifest);
    }
    this.removeWorks(resource, binding, keep);
  }

  private ensureWork(resource: string, binding: KubeObject, namespace: string, name: string, manifest: KubeObject): void {
    this.ensureNamespace(namespace);
    const labels = { [this.permanentIdLabel(resource)]: binding.metadata.uid! };
    const annotations: Record<string, string> = resource === RESOURCE_BINDINGS
      ? { [RB_NAME]: binding.metadata.name!, [RB_NAMESPACE]: binding.metadata.namespace! }
      : { [CRB_NAME]: binding.metadata.name! };
    const existing = this.cp.objects.get(WORKS, namespace, name);
    if (!existing) {
      this.cp.objects.create(WORKS, {
        apiVersion: KARMADA_WORK_VERSION,
        kind: 'Work',
        metadata: { name, namespace, labels, annotations },
        spec: { workload: { manifests: [manifest] } },
      }, { manager: CONTROLLER_MANAGER });
      return;
    }
    this.cp.objects.mutate(WORKS, namespace, name, (copy) => {
      const spec = copy.spec as { workload?: { manifests?: KubeObject[] } };
      const same = JSON.stringify(spec.workload?.manifests?.[0]) === JSON.stringify(manifest) &&
        copy.metadata.labels?.[this.permanentIdLabel(resource)] === binding.metadata.uid;
      if (same) return undefined;
      copy.spec = { ...(copy.spec as object), workload: { manifests: [manifest] } };
      copy.metadata.labels = { ...(copy.metadata.labels ?? {}), ...labels };
      copy.metadata.annotations = { ...(copy.metadata.annotations ?? {}), ...annotations };
      return copy;
    }, { manager: CONTROLLER_MANAGER });
  }

  private ensureNamespace(namespace: string): void {
    if (this.cp.objects.get('namespaces', undefined, namespace)) return;
    this.cp.objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, { manager: CONTROLLER_MANAGER });
  }
}
