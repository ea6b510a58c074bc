/**
 * Karmada policies and bindings on the control plane: propagation and override policies (selectors,
 * placement, rules, matched templates) and Resource/ClusterResourceBindings (targets, conditions,
 * aggregated status).
 */
import type { KindName } from '../../fleet/kinds.js';
import { connectionOf, pageArgs } from '../connection.js';
import type { GraphQLContext } from '../context.js';
import { clusterFailure } from '../errors.js';
import type { Located, ObjectModel, ResourceTypeName } from '../models.js';
import { listIn } from '../reads.js';
import { conditionsOf, selectorText, tolerationsOf } from '../shapes.js';
import { checkLabelName, checkLabelSelector, checkObjectName } from '../validation.js';
import { resourceFields } from './resourceFields.js';
import { policyRefOf } from './workloads.js';
import { isApiNotServed } from '../../fleet/UpstreamError.js';

type Page = { first?: number | null; after?: string | null };
interface ControlPlaneFilterArgs { namespace?: string | null; labelSelector?: string | null; name?: string | null }
type Raw = Record<string, any>;

function affinityOf(a: Raw | undefined | null) {
  if (!a) return null;
  return {
    clusterNames: a.clusterNames ?? [],
    exclude: a.exclude ?? [],
    labelSelector: selectorText(a.labelSelector),
    providers: a.fieldSelector?.matchExpressions?.filter((e: Raw) => e.key === 'provider').flatMap((e: Raw) => e.values ?? []) ?? [],
    regions: a.fieldSelector?.matchExpressions?.filter((e: Raw) => e.key === 'region').flatMap((e: Raw) => e.values ?? []) ?? [],
    zones: a.fieldSelector?.matchExpressions?.filter((e: Raw) => e.key === 'zone').flatMap((e: Raw) => e.values ?? []) ?? [],
  };
}

export function placementOf(p: Raw | undefined | null) {
  const placement = p ?? {};
  const rs = placement.replicaScheduling as Raw | undefined;
  return {
    clusterAffinity: affinityOf(placement.clusterAffinity),
    clusterTolerations: tolerationsOf(placement.clusterTolerations),
    spreadConstraints: ((placement.spreadConstraints ?? []) as Raw[]).map((s) => ({
      spreadByField: s.spreadByField ?? null, spreadByLabel: s.spreadByLabel ?? null, maxGroups: s.maxGroups ?? null, minGroups: s.minGroups ?? null,
    })),
    replicaScheduling: rs ? {
      type: rs.replicaSchedulingType ?? 'Duplicated',
      divisionPreference: rs.replicaDivisionPreference ?? null,
      staticWeightList: ((rs.weightPreference?.staticWeightList ?? []) as Raw[]).map((w) => ({ targetCluster: affinityOf(w.targetCluster ?? {})!, weight: w.weight ?? 0 })),
      dynamicWeight: rs.weightPreference?.dynamicWeight ?? null,
    } : null,
  };
}

function selectorsOf(o: ObjectModel) {
  return (((o.obj.spec as Raw | undefined)?.resourceSelectors ?? []) as Raw[]).map((s) => ({
    apiVersion: s.apiVersion ?? '', kind: s.kind ?? '', namespace: s.namespace ?? null, name: s.name ?? null, labelSelector: selectorText(s.labelSelector),
  }));
}

async function controlPlaneList(ctx: GraphQLContext, kind: KindName, type: ResourceTypeName, args: Page & { filter?: ControlPlaneFilterArgs | null }) {
  const page = pageArgs(args);
  const f = args.filter ?? {};
  checkLabelName(f.namespace, 'filter.namespace');
  checkLabelSelector(f.labelSelector, 'filter.labelSelector');
  checkObjectName(f.name, 'filter.name');
  const filter = {
    ...(f.namespace ? { namespace: f.namespace } : {}),
    ...(f.labelSelector ? { labelSelector: f.labelSelector } : {}),
    ...(f.name ? { name: f.name } : {}),
  };
  const r = await listIn(ctx, kind, null, type, Object.keys(filter).length ? filter : undefined);
  let items: readonly Located[] = [];
  if (r.ok) items = r.value;
  else if (!isApiNotServed(r.error)) throw clusterFailure(r.error);
  return connectionOf(items, (o: Located) => [o.obj.metadata.namespace ?? '', o.obj.metadata.name], page);
}

/** Templates a policy claimed: the bindings Karmada labelled with the policy's name. */
async function matchedWorkloads(ctx: GraphQLContext, policy: ObjectModel) {
  const lists = await Promise.all([listIn(ctx, 'resourcebindings', null, 'ResourceBinding'), listIn(ctx, 'clusterresourcebindings', null, 'ResourceBinding')]);
  const out = [];
  for (const r of lists) {
    if (!r.ok) {
      if (isApiNotServed(r.error)) continue;
      throw clusterFailure(r.error);
    }
    for (const b of r.value) {
      const ref = policyRefOf(b, null);
      if (ref && ref.kind === policy.obj.kind && ref.name === policy.obj.metadata.name && (ref.namespace ?? null) === (policy.obj.metadata.namespace ?? null)) {
        const res = ((b.obj.spec as Raw | undefined)?.resource ?? {}) as Raw;
        out.push({ cluster: null, apiVersion: res.apiVersion ?? '', kind: res.kind ?? '', namespace: res.namespace ?? null, name: res.name ?? '', uid: res.uid ?? null });
      }
    }
  }
  return out.sort((a, b) => `${a.namespace}/${a.kind}/${a.name}`.localeCompare(`${b.namespace}/${b.kind}/${b.name}`));
}

const propagationFields = {
  ...resourceFields,
  resourceSelectors: selectorsOf,
  priority: (o: ObjectModel) => Number((o.obj.spec as Raw | undefined)?.priority ?? 0),
  preemption: (o: ObjectModel) => (o.obj.spec as Raw | undefined)?.preemption ?? null,
  placement: (o: ObjectModel) => placementOf((o.obj.spec as Raw | undefined)?.placement),
  matchedWorkloads: (o: ObjectModel, _a: unknown, ctx: GraphQLContext) => matchedWorkloads(ctx, o),
};

const overrideFields = {
  ...resourceFields,
  resourceSelectors: selectorsOf,
  overrideRules: (o: ObjectModel) => {
    const spec = (o.obj.spec ?? {}) as Raw;
    const rules = (spec.overrideRules ?? []) as Raw[];
    // The older single-rule form (targetCluster + overriders at spec level) is still served by Karmada.
    if (!rules.length && spec.overriders) return [{ targetCluster: affinityOf(spec.targetCluster), overriders: spec.overriders }];
    return rules.map((r) => ({ targetCluster: affinityOf(r.targetCluster), overriders: r.overriders ?? {} }));
  },
};

export const policyResolvers = {
  Query: {
    propagationPolicies: (_p: unknown, a: Page & { filter?: ControlPlaneFilterArgs | null }, ctx: GraphQLContext) => controlPlaneList(ctx, 'propagationpolicies', 'PropagationPolicy', a),
    clusterPropagationPolicies: (_p: unknown, a: Page & { filter?: ControlPlaneFilterArgs | null }, ctx: GraphQLContext) => controlPlaneList(ctx, 'clusterpropagationpolicies', 'ClusterPropagationPolicy', a),
    overridePolicies: (_p: unknown, a: Page & { filter?: ControlPlaneFilterArgs | null }, ctx: GraphQLContext) => controlPlaneList(ctx, 'overridepolicies', 'OverridePolicy', a),
    clusterOverridePolicies: (_p: unknown, a: Page & { filter?: ControlPlaneFilterArgs | null }, ctx: GraphQLContext) => controlPlaneList(ctx, 'clusteroverridepolicies', 'ClusterOverridePolicy', a),
    resourceBindings: (_p: unknown, a: Page & { filter?: ControlPlaneFilterArgs | null }, ctx: GraphQLContext) => controlPlaneList(ctx, 'resourcebindings', 'ResourceBinding', a),
    clusterResourceBindings: (_p: unknown, a: Page & { filter?: ControlPlaneFilterArgs | null }, ctx: GraphQLContext) => controlPlaneList(ctx, 'clusterresourcebindings', 'ResourceBinding', a),
  },
  PropagationPolicy: propagationFields,
  ClusterPropagationPolicy: propagationFields,
  OverridePolicy: overrideFields,
  ClusterOverridePolicy: overrideFields,
  ResourceBinding: {
    ...resourceFields,
    resource: (b: ObjectModel) => {
      const r = ((b.obj.spec as Raw | undefined)?.resource ?? {}) as Raw;
      return { cluster: null, apiVersion: r.apiVersion ?? '', kind: r.kind ?? '', namespace: r.namespace ?? null, name: r.name ?? '', uid: r.uid ?? null };
    },
    replicas: (b: ObjectModel) => (b.obj.spec as Raw | undefined)?.replicas ?? null,
    clusters: (b: ObjectModel) => (((b.obj.spec as Raw | undefined)?.clusters ?? []) as Raw[]).map((c) => ({ name: c.name, replicas: c.replicas ?? null })),
    placement: (b: ObjectModel) => {
      const p = (b.obj.spec as Raw | undefined)?.placement;
      return p ? placementOf(p) : null;
    },
    policy: (b: ObjectModel) => policyRefOf(b, null),
    conditions: (b: ObjectModel) => conditionsOf((b.obj.status as Raw | undefined)?.conditions),
    scheduled: (b: ObjectModel) => conditionsOf((b.obj.status as Raw | undefined)?.conditions).find((c) => c.type === 'Scheduled') ?? null,
    fullyApplied: (b: ObjectModel) => conditionsOf((b.obj.status as Raw | undefined)?.conditions).find((c) => c.type === 'FullyApplied') ?? null,
    aggregatedStatus: (b: ObjectModel) => (((b.obj.status as Raw | undefined)?.aggregatedStatus ?? []) as Raw[]).map((a) => ({
      clusterName: a.clusterName, applied: Boolean(a.applied), appliedMessage: a.appliedMessage ?? null, health: a.health ?? null, status: a.status ?? null,
    })),
  },
};

