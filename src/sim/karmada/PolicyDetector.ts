/**
 * karmada-controller-manager's detector: matches every resource template on the control plane to the one
 * PropagationPolicy (or, failing that, ClusterPropagationPolicy) that claims it, marks the template with
 * the policy's claim labels, and keeps a ResourceBinding (ClusterResourceBinding for cluster-scoped
 * templates) in line with template and policy.
 *
 * When a policy goes away the binding is left in place and only the claim is removed, as Karmada does
 * since v1.7: deleting a policy must not take workloads off the members.
 */
import type { Controller } from '../SimFleet.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject, StoreEvent } from '../store/Store.js';
import { ControlPlaneLoop } from './ControlPlaneLoop.js';
import type { BindingSpec, PropagationSpec } from './karmadaShapes.js';
import {
  CLUSTER_PROPAGATION_POLICIES, CLUSTER_RESOURCE_BINDINGS, KARMADA_BINDING_VERSION, PROPAGATION_POLICIES, RESOURCE_BINDINGS,
} from './karmadaResourceTypes.js';
import { CONTROLLER_MANAGER, CPP_NAME, CPP_PERMANENT_ID, PP_NAME, PP_NAMESPACE, PP_PERMANENT_ID } from './karmadaLabels.js';
import { choosePolicy, type PolicyCandidate } from './resourceSelectorMatch.js';
import { recordEvent } from '../controllers/recordEvent.js';
import { isReservedNamespace, replicaRequest, TEMPLATE_RESOURCES, templateReplicas } from './workloadInterpreter.js';

/** The binding a template gets: `<name>-<kind in lower case>`, as Karmada's GenerateBindingName. */
export function bindingNameOf(kind: string, name: string): string {
  return `${name}-${kind.toLowerCase()}`;
}

interface Claim {
  policy: KubeObject;
  cluster: boolean;
}

export class PolicyDetector implements Controller {
  readonly name = 'karmada-detector';
  private readonly loop: ControlPlaneLoop;

  constructor(private readonly cp: SimCluster) {
    // One queue serves every template kind (the loop's keys carry the resource).
    this.loop = new ControlPlaneLoop(cp, { onEvent: (event) => this.onEvent(event), reconcile: (r, ns, n) => this.reconcile(r, ns, n) });
  }

  start(): void {
    this.loop.start();
    this.enqueueAllTemplates();
  }

  stop(): void {
    this.loop.stop();
  }

  private onEvent(event: StoreEvent): void {
    const r = event.resource;
    if (TEMPLATE_RESOURCES.includes(r) && !this.reserved(r, event.object)) this.enqueue(r, event.object);
    else if (r === PROPAGATION_POLICIES || r === CLUSTER_PROPAGATION_POLICIES) this.enqueueAllTemplates();
  }

  private reserved(resource: string, o: KubeObject): boolean {
    return isReservedNamespace(o.metadata.namespace) || (resource === 'namespaces' && isReservedNamespace(o.metadata.name));
  }

  private enqueue(resource: string, o: KubeObject): void {
    this.loop.add(resource, o.metadata.namespace, o.metadata.name!);
  }

  private enqueueAllTemplates(): void {
    for (const r of TEMPLATE_RESOURCES) {
      if (!this.cp.resources.has(r)) continue;
      for (const o of this.cp.objects.list(r)) if (!this.reserved(r, o)) this.enqueue(r, o);
    }
  }

  private candidates(resources: string, template: KubeObject): Array<PolicyCandidate<KubeObject>> {
    const ns = template.metadata.namespace;
    const policies = resources === PROPAGATION_POLICIES ? (ns ? this.cp.objects.list(resources, { namespace: ns }) : []) : this.cp.objects.list(resources);
    return policies
      .filter((p) => !p.metadata.deletionTimestamp)
      .map((p) => {
        const spec = p.spec as PropagationSpec;
        return { policy: p, name: p.metadata.name!, priority: spec.priority ?? 0, selectors: spec.resourceSelectors ?? [] };
      });
  }

  /** Which policy claims the template: a namespaced one first, then a cluster-wide one. */
  private claimOf(template: KubeObject): Claim | undefined {
    if (template.metadata.namespace && this.cp.resources.has(PROPAGATION_POLICIES)) {
      const pp = choosePolicy(this.candidates(PROPAGATION_POLICIES, template), template);
      if (pp) return { policy: pp, cluster: false };
    }
    if (this.cp.resources.has(CLUSTER_PROPAGATION_POLICIES)) {
      const cpp = choosePolicy(this.candidates(CLUSTER_PROPAGATION_POLICIES, template), template);
      if (cpp) return { policy: cpp, cluster: true };
    }
    return undefined;
  }

  private reconcile(resource: string, namespace: string | undefined, name: string): void {
    const template = this.cp.objects.get(resource, namespace, name);
    const bindingResource = namespace ? RESOURCE_BINDINGS : CLUSTER_RESOURCE_BINDINGS;
    if (!template || template.metadata.deletionTimestamp) {
      // The binding is owned by the template: deleting the template removes it (and with it the works).
      return this.deleteBinding(bindingResource, namespace, name, resource);
    }
    if (!template.kind || !template.apiVersion) return;
    const claim = this.claimOf(template);
    this.markTemplate(resource, template, claim);
    if (!claim) return;
    this.ensureBinding(bindingResource, template, claim);
  }

  private deleteBinding(bindingResource: string, namespace: string | undefined, name: string, resource: string): void {
    const kind = this.cp.resources.get(resource)?.kind;
    if (!kind) return;
    const bindingName = bindingNameOf(kind, name);
    if (this.cp.objects.get(bindingResource, namespace, bindingName)) {
      this.cp.objects.delete(bindingResource, namespace, bindingName, { propagationPolicy: 'Background' });
    }
  }

  private markTemplate(resource: string, template: KubeObject, claim: Claim | undefined): void {
    const want: Record<string, string | undefined> = {
      [PP_PERMANENT_ID]: claim && !claim.cluster ? claim.policy.metadata.uid : undefined,
      [CPP_PERMANENT_ID]: claim?.cluster ? claim.policy.metadata.uid : undefined,
    };
    const wantAnn: Record<string, string | undefined> = {
      [PP_NAME]: claim && !claim.cluster ? claim.policy.metadata.name : undefined,
      [PP_NAMESPACE]: claim && !claim.cluster ? claim.policy.metadata.namespace : undefined,
      [CPP_NAME]: claim?.cluster ? claim.policy.metadata.name : undefined,
    };
    const differs = (have: Record<string, string> | undefined, wanted: Record<string, string | undefined>) =>
      Object.entries(wanted).some(([k, v]) => (have?.[k] ?? undefined) !== v);
    if (!differs(template.metadata.labels, want) && !differs(template.metadata.annotations, wantAnn)) return;
    this.cp.objects.mutate(resource, template.metadata.namespace, template.metadata.name!, (copy) => {
      const labels = { ...(copy.metadata.labels ?? {}) };
      const annotations = { ...(copy.metadata.annotations ?? {}) };
      for (const [k, v] of Object.entries(want)) v === undefined ? delete labels[k] : (labels[k] = v);
      for (const [k, v] of Object.entries(wantAnn)) v === undefined ? delete annotations[k] : (annotations[k] = v);
      copy.metadata.labels = labels;
      copy.metadata.annotations = annotations;
      return copy;
    }, { manager: CONTROLLER_MANAGER });
  }

  private ensureBinding(bindingResource: string, template: KubeObject, claim: Claim): void {
    const policySpec = claim.policy.spec as PropagationSpec;
    const request = replicaRequest(template);
    const replicas = templateReplicas(template);
    const spec: BindingSpec = {
      resource: {
        apiVersion: template.apiVersion!,
        kind: template.kind!,
        ...(template.metadata.namespace ? { namespace: template.metadata.namespace } : {}),
        name: template.metadata.name!,
        uid: template.metadata.uid!,
        resourceVersion: template.metadata.resourceVersion!,
      },
      ...(replicas > 0 ? { replicas } : {}),
      ...(request ? { replicaRequirements: { resourceRequest: request } } : {}),
      placement: policySpec.placement ?? {},
      schedulerName: policySpec.schedulerName ?? 'default-scheduler',
      conflictResolution: policySpec.conflictResolution ?? 'Abort',
    };
    const labels: Record<string, string> = claim.cluster
      ? { [CPP_PERMANENT_ID]: claim.policy.metadata.uid! }
      : { [PP_PERMANENT_ID]: claim.policy.metadata.uid! };
    const annotations: Record<string, string> = claim.cluster
      ? { [CPP_NAME]: claim.policy.metadata.name! }
      : { [PP_NAME]: claim.policy.metadata.name!, [PP_NAMESPACE]: claim.policy.metadata.namespace! };
    const name = bindingNameOf(template.kind!, template.metadata.name!);
    const namespace = template.metadata.namespace;
    const existing = this.cp.objects.get(bindingResource, namespace, name);
    if (!existing) {
      this.cp.objects.create(bindingResource, {
        apiVersion: KARMADA_BINDING_VERSION,
        kind: namespace ? 'ResourceBinding' : 'ClusterResourceBinding',
        metadata: {
          name,
          ...(namespace ? { namespace } : {}),
          labels,
          annotations,
          ownerReferences: [{
            apiVersion: template.apiVersion!, kind: template.kind!, name: template.metadata.name!, uid: template.metadata.uid!,
            controller: true, blockOwnerDeletion: true,
          }],
        },
        spec,
      }, { manager: CONTROLLER_MANAGER });
      const policyRef = claim.cluster ? claim.policy.metadata.name : `${claim.policy.metadata.namespace}/${claim.policy.metadata.name}`;
      recordEvent(this.cp, template.kind!, template, { type: 'Normal', reason: 'ApplyPolicySucceed', message: `Apply policy(${policyRef}) succeed`, source: { component: 'resource-detector' } });
      return;
    }
    this.cp.objects.mutate(bindingResource, namespace, name, (copy) => {
      // Keep what the scheduler wrote (spec.clusters); replace what the detector owns.
      const current = copy.spec as BindingSpec;
      const next: BindingSpec = { ...spec, ...(current.clusters ? { clusters: current.clusters } : {}) };
      // A template's resourceVersion moves with every status write; following it alone would rewrite
      // the binding (and bump its generation) for nothing.
      const sameSpec = JSON.stringify({ ...next, resource: { ...next.resource, resourceVersion: '' } }) ===
        JSON.stringify({ ...current, resource: { ...current.resource, resourceVersion: '' } });
      const sameMeta = Object.entries(labels).every(([k, v]) => copy.metadata.labels?.[k] === v) &&
        Object.entries(annotations).every(([k, v]) => copy.metadata.annotations?.[k] === v);
      if (sameSpec && sameMeta) return undefined;
      copy.spec = next;
      copy.metadata.labels = { ...(copy.metadata.labels ?? {}), ...labels };
      copy.metadata.annotations = { ...(copy.metadata.annotations ?? {}), ...annotations };
      return copy;
    }, { manager: CONTROLLER_MANAGER });
  }
}
