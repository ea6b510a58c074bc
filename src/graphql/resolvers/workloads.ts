/**
 * Workloads: templates on the Karmada control plane (Workload) with the scheduling view — matched policy,
 * binding, overrides and per-cluster placements — and their instances in members (MemberWorkload).
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { ListFilter, SlimObject, SlimPod } from '../../cache/types.js';
import { sortedConnection, sortedConnectionIn, sortedPageArgs, sortedSourceIn, type OrderArg, type SortedPage, type SortedSource } from '../sortedConnection.js';
import { indexedField, sortFields, timeValue } from '../sortValues.js';
import { podSortedPage } from './pods.js';
import type { KindName } from '../../fleet/kinds.js';
import { connectionOf, pageArgs } from '../connection.js';
import type { GraphQLContext } from '../context.js';
import { clusterFailure } from '../errors.js';
import { WORKLOAD_KIND, WORKLOAD_KIND_NAME } from '../kindMap.js';
import type { Located, ObjectModel, PlacementModel, RefModel } from '../models.js';
import { checkMember, getOne, listIn, listInOrThrow, reportPartial } from '../reads.js';
import { metaValue } from '../shapes.js';
import { checkLabelName, checkLabelSelector, checkObjectName } from '../validation.js';
import { refOf, resourceFields } from './resourceFields.js';
import { isApiNotServed } from '../../fleet/UpstreamError.js';
import type { ErrorCode, Reason } from '../../errors/codes.js';

type Page = { first?: number | null; after?: string | null };

export interface MemberWorkloadFilterArgs {
  cluster?: string | null;
  namespace?: string | null;
  kind?: string | null;
  labelSelector?: string | null;
}

interface WorkloadFilterArgs extends MemberWorkloadFilterArgs {
  name?: string | null;
}

const MEMBER_WORKLOAD_KINDS: KindName[] = ['deployments', 'statefulsets', 'daemonsets'];
const TEMPLATE_KINDS: KindName[] = ['deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'];

export const workloadKeyOf = (w: Located) => [w.obj.metadata.namespace ?? '', w.obj.kind, w.obj.metadata.name];

function checkWorkloadFilter(f: WorkloadFilterArgs): void {
  checkLabelName(f.namespace, 'filter.namespace');
  checkLabelSelector(f.labelSelector, 'filter.labelSelector');
  checkObjectName(f.name, 'filter.name');
}

/** Lists workload kinds in one cluster; kinds the cluster does not serve are skipped, failures thrown. */
async function workloadsIn(ctx: GraphQLContext, cluster: string | null, kinds: KindName[], f: WorkloadFilterArgs): Promise<Located[]> {
  const filter = {
    ...(f.namespace ? { namespace: f.namespace } : {}),
    ...(f.labelSelector ? { labelSelector: f.labelSelector } : {}),
    ...(f.name ? { name: f.name } : {}),
  };
  const type = cluster === null ? 'Workload' : 'MemberWorkload';
  const results = await Promise.all(kinds.map((k) => listIn(ctx, k, cluster, type, Object.keys(filter).length ? filter : undefined)));
  const out: Located[] = [];
  for (const r of results) {
    if (r.ok) out.push(...r.value);
    else if (!isApiNotServed(r.error)) throw clusterFailure(r.error);
  }
  return out;
}

/** The list filter of a workload filter (kind aside: it picks the kinds listed). */
function workloadListFilter(f: WorkloadFilterArgs): ListFilter | undefined {
  const filter = {
    ...(f.namespace ? { namespace: f.namespace } : {}),
    ...(f.labelSelector ? { labelSelector: f.labelSelector } : {}),
    ...(f.name ? { name: f.name } : {}),
  };
  return Object.keys(filter).length ? filter : undefined;
}

/** workloadsIn for a sorted connection: one source per kind (kinds not served skipped, failures thrown). */
async function workloadSourcesIn(ctx: GraphQLContext, cluster: string | null, kinds: KindName[], f: WorkloadFilterArgs): Promise<SortedSource[]> {
  const type = cluster === null ? 'Workload' : 'MemberWorkload';
  const results = await Promise.all(kinds.map((k) => sortedSourceIn(ctx, k, cluster, type, workloadListFilter(f))));
  const out: SortedSource[] = [];
  for (const r of results) {
    if (r.ok) out.push(r.value);
    else if (!isApiNotServed(r.error)) throw clusterFailure(r.error);
  }
  return out;
}

function memberWorkloadKinds(f: MemberWorkloadFilterArgs): KindName[] {
  return f.kind ? [WORKLOAD_KIND_NAME[f.kind]!].filter((k) => MEMBER_WORKLOAD_KINDS.includes(k)) : MEMBER_WORKLOAD_KINDS;
}

/** Sorted member workloads of one member (Cluster.workloads with orderBy). */
export async function sortedMemberWorkloadsIn(ctx: GraphQLContext, cluster: string, f: MemberWorkloadFilterArgs, page: SortedPage) {
  checkWorkloadFilter(f);
  return sortedConnection(ctx, await workloadSourcesIn(ctx, cluster, memberWorkloadKinds(f), f), page);
}

/** What `orderBy` can sort workloads (templates and member workloads) by; all indexed. */
export const WORKLOAD_SORT_FIELDS = sortFields(
  indexedField('Workload', 'NAME', 'string', (o) => o.metadata.name),
  indexedField('Workload', 'NAMESPACE', 'string', (o) => o.metadata.namespace ?? ''),
  indexedField('Workload', 'KIND', 'string', (o) => o.kind),
  indexedField('Workload', 'CREATED', 'number', (o) => timeValue(o.metadata.creationTimestamp)),
  indexedField('Workload', 'REPLICAS', 'number', (o) => replicasOf(o).desired),
  indexedField('Workload', 'READY', 'number', (o) => replicasOf(o).ready),
  indexedField('Workload', 'AVAILABLE', 'number', (o) => replicasOf(o).available),
);

/** `orderBy` of a workload connection (`typeName`: Workload or MemberWorkload, kept apart in cursors). */
export function workloadSortedPage(typeName: 'Workload' | 'MemberWorkload', orderBy: OrderArg, args: Page): SortedPage {
  return sortedPageArgs(typeName, WORKLOAD_SORT_FIELDS, orderBy, args);
}

export async function memberWorkloadsIn(ctx: GraphQLContext, cluster: string, f: MemberWorkloadFilterArgs): Promise<Located[]> {
  checkWorkloadFilter(f);
  return workloadsIn(ctx, cluster, memberWorkloadKinds(f), f);
}

interface BindingSpec {
  resource?: { apiVersion?: string; kind?: string; namespace?: string; name?: string; uid?: string };
  replicas?: number;
  clusters?: Array<{ name: string; replicas?: number }>;
  placement?: PlacementSpec;
}
interface PlacementSpec {
  replicaScheduling?: {
    replicaSchedulingType?: string;
    replicaDivisionPreference?: string;
    weightPreference?: {
      staticWeightList?: Array<{ targetCluster?: { clusterNames?: string[] }; weight?: number }>;
      dynamicWeight?: string;
    };
  };
}
interface AggregatedItem { clusterName: string; applied?: boolean; health?: string; status?: Record<string, unknown> }

/**
 * The binding of a template: Karmada names it `<name>-<kind>` in the template's namespace; the member
 * object's annotations name it too. We check `spec.resource` so a name collision cannot mislead.
 */
export async function bindingForTemplate(ctx: GraphQLContext, template: Located, memberObject?: Located): Promise<ObjectModel | null> {
  const ns = template.obj.metadata.namespace ?? null;
  const names = [
    memberObject ? metaValue(memberObject.obj.metadata, 'resourcebinding.karmada.io/name') : undefined,
    `${template.obj.metadata.name}-${template.obj.kind.toLowerCase()}`,
  ].filter((n): n is string => Boolean(n));
  const kind: KindName = ns ? 'resourcebindings' : 'clusterresourcebindings';
  for (const name of names) {
    const r = await getOne(ctx, kind, null, 'ResourceBinding', ns, name);
    if (!r.ok) {
      if (isApiNotServed(r.error)) return null;
      throw clusterFailure(r.error);
    }
    const res = (r.value?.obj.spec as BindingSpec | undefined)?.resource;
    if (r.value && res?.kind === template.obj.kind && res?.name === template.obj.metadata.name) return r.value;
  }
  return null;
}

/** The policy that propagated a template, from the binding's (or template's) Karmada labels/annotations. */
export function policyRefOf(binding: Located | null, template: Located | null): RefModel | null {
  for (const source of [binding, template]) {
    if (!source) continue;
    const m = source.obj.metadata;
    const ppName = metaValue(m, 'propagationpolicy.karmada.io/name');
    if (ppName) {
      return {
        cluster: null, apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy',
        namespace: metaValue(m, 'propagationpolicy.karmada.io/namespace') ?? m.namespace ?? null, name: ppName, uid: null,
      };
    }
    const cppName = metaValue(m, 'clusterpropagationpolicy.karmada.io/name');
    if (cppName) return { cluster: null, apiVersion: 'policy.karmada.io/v1alpha1', kind: 'ClusterPropagationPolicy', namespace: null, name: cppName, uid: null };
  }
  return null;
}

function weightOf(placement: PlacementSpec | undefined, cluster: string): PlacementModel['weight'] {
  const rs = placement?.replicaScheduling;
  if (!rs || rs.replicaSchedulingType === 'Duplicated') return { kind: 'DUPLICATED', static: null, dynamicFactor: null };
  if (rs.replicaDivisionPreference === 'Aggregated') return { kind: 'AGGREGATED', static: null, dynamicFactor: null };
  const wp = rs.weightPreference;
  if (wp?.dynamicWeight) return { kind: 'DYNAMIC', static: null, dynamicFactor: wp.dynamicWeight };
  const entry = (wp?.staticWeightList ?? []).find((w) => (w.targetCluster?.clusterNames ?? []).includes(cluster));
  // A Weighted division without a list gives every cluster weight 1 (Karmada's default).
  return { kind: 'STATIC', static: entry?.weight ?? (wp?.staticWeightList?.length ? 0 : 1), dynamicFactor: null };
}

function replicasOf(obj: SlimObject) {
  const spec = (obj.spec ?? {}) as { replicas?: number };
  const st = (obj.status ?? {}) as Record<string, number | undefined>;
  const current = st.replicas ?? st.currentNumberScheduled ?? st.active ?? 0;
  return {
    desired: typeof spec.replicas === 'number' ? spec.replicas : (st.desiredNumberScheduled ?? null),
    current,
    ready: st.readyReplicas ?? st.numberReady ?? st.ready ?? 0,
    available: st.availableReplicas ?? st.numberAvailable ?? 0,
    updated: st.updatedReplicas ?? st.updatedNumberScheduled ?? 0,
  };
}

function imagesOf(obj: SlimObject): string[] {
  const spec = obj.spec as Record<string, any> | undefined;
  const podSpec = spec?.jobTemplate?.spec?.template?.spec ?? spec?.template?.spec;
  const containers = (podSpec?.containers ?? []) as Array<{ image?: string }>;
  return containers.map((c) => c.image ?? '').filter(Boolean);
}

async function placementsOf(ctx: GraphQLContext, w: ObjectModel): Promise<PlacementModel[]> {
  const binding = await bindingForTemplate(ctx, w);
  if (!binding) return [];
  const spec = (binding.obj.spec ?? {}) as BindingSpec;
  const aggregated = ((binding.obj.status as { aggregatedStatus?: AggregatedItem[] } | undefined)?.aggregatedStatus) ?? [];
  return (spec.clusters ?? []).map((c) => {
    const agg = aggregated.find((a) => a.clusterName === c.name);
    const st = (agg?.status ?? {}) as Record<string, number | undefined>;
    return {
      cluster: c.name,
      scheduledReplicas: c.replicas ?? null,
      weight: weightOf(spec.placement, c.name),
      readyReplicas: st.readyReplicas ?? st.numberReady ?? null,
      availableReplicas: st.availableReplicas ?? st.numberAvailable ?? null,
      applied: agg ? Boolean(agg.applied) : null,
      health: agg?.health ?? null,
      template: { apiVersion: w.obj.apiVersion, kind: w.obj.kind, namespace: w.obj.metadata.namespace ?? null, name: w.obj.metadata.name },
    };
  }).sort((a, b) => (a.cluster < b.cluster ? -1 : 1));
}

/** Override policies whose resource selectors name this template (kind, and name/namespace when given). */
async function overridesOf(ctx: GraphQLContext, w: ObjectModel): Promise<RefModel[]> {
  const ns = w.obj.metadata.namespace;
  const lists = await Promise.all([
    listIn(ctx, 'overridepolicies', null, 'OverridePolicy', ns ? { namespace: ns } : undefined),
    listIn(ctx, 'clusteroverridepolicies', null, 'ClusterOverridePolicy'),
  ]);
  const out: RefModel[] = [];
  for (const r of lists) {
    if (!r.ok) {
      if (isApiNotServed(r.error)) continue;
      throw clusterFailure(r.error);
    }
    for (const p of r.value) {
      const selectors = ((p.obj.spec as { resourceSelectors?: Array<{ kind?: string; name?: string; namespace?: string; labelSelector?: { matchLabels?: Record<string, string> } }> } | undefined)?.resourceSelectors) ?? [];
      const hit = selectors.some((s) =>
        s.kind === w.obj.kind && (!s.name || s.name === w.obj.metadata.name) && (!s.namespace || s.namespace === ns) &&
        Object.entries(s.labelSelector?.matchLabels ?? {}).every(([k, v]) => w.obj.metadata.labels?.[k] === v));
      if (hit) out.push(refOf(p));
    }
  }
  return out;
}

async function policyOfType(ctx: GraphQLContext, w: ObjectModel, kind: 'PropagationPolicy' | 'ClusterPropagationPolicy') {
  const ref = policyRefOf(await bindingForTemplate(ctx, w), w);
  if (!ref || ref.kind !== kind) return null;
  const r = await getOne(ctx, kind === 'PropagationPolicy' ? 'propagationpolicies' : 'clusterpropagationpolicies', null, kind, ref.namespace, ref.name);
  if (!r.ok) throw clusterFailure(r.error);
  return r.value;
}

export const workloadResolvers = {
  Query: {
    memberWorkloads: async (
      _p: unknown, args: Page & { filter?: MemberWorkloadFilterArgs | null; orderBy?: OrderArg | null }, ctx: GraphQLContext, info: GraphQLResolveInfo,
    ) => {
      const sorted = args.orderBy ? workloadSortedPage('MemberWorkload', args.orderBy, args) : undefined;
      const page = sorted ? undefined : pageArgs(args);
      const f = args.filter ?? {};
      checkLabelName(f.cluster, 'filter.cluster');
      checkWorkloadFilter(f);
      if (f.cluster) checkMember(ctx, f.cluster, 'filter.cluster');
      const clusters = f.cluster ? [f.cluster] : [...ctx.fleet.members()].sort();
      const settled = await Promise.allSettled(clusters.map((m) => (sorted ? workloadSourcesIn(ctx, m, memberWorkloadKinds(f), f) : memberWorkloadsIn(ctx, m, f))));
      const items: Located[] = [];
      const sources: SortedSource[] = [];
      settled.forEach((s, i) => {
        if (s.status === 'fulfilled') {
          if (sorted) sources.push(...(s.value as SortedSource[]));
          else items.push(...(s.value as Located[]));
        } else {
          // One member failing must not fail the merged list: report it beside the answer.
          // Any typed per-member failure (it names its cluster): member down, timeout, refused, throttled.
          const ext = (s.reason as { extensions?: { code?: ErrorCode; reason?: Reason; cluster?: string } }).extensions;
          if (!ext?.code || !ext.cluster) throw s.reason;
          reportPartial(ctx, [{ code: ext.code, ...(ext.reason ? { reason: ext.reason } : {}), message: (s.reason as Error).message, cluster: clusters[i]! }], info);
        }
      });
      if (sorted) return sortedConnection(ctx, sources, sorted);
      return connectionOf(items, (w: Located) => [w.cluster ?? '', ...workloadKeyOf(w)], page!);
    },
    workloads: async (_p: unknown, args: Page & { filter?: WorkloadFilterArgs | null; orderBy?: OrderArg | null }, ctx: GraphQLContext) => {
      const sorted = args.orderBy ? workloadSortedPage('Workload', args.orderBy, args) : undefined;
      const page = sorted ? undefined : pageArgs(args);
      const f = args.filter ?? {};
      checkWorkloadFilter(f);
      const kinds = f.kind ? [WORKLOAD_KIND_NAME[f.kind]!] : TEMPLATE_KINDS;
      if (sorted) return sortedConnection(ctx, await workloadSourcesIn(ctx, null, kinds, f), sorted);
      return connectionOf(await workloadsIn(ctx, null, kinds, f), workloadKeyOf, page!);
    },
    workload: async (_p: unknown, args: { kind: string; namespace: string; name: string }, ctx: GraphQLContext) => {
      checkLabelName(args.namespace, 'namespace');
      checkObjectName(args.name, 'name');
      const r = await getOne(ctx, WORKLOAD_KIND_NAME[args.kind]!, null, 'Workload', args.namespace, args.name);
      if (!r.ok) {
        if (isApiNotServed(r.error)) return null;
        throw clusterFailure(r.error);
      }
      return r.value;
    },
  },
  Workload: {
    ...resourceFields,
    workloadKind: (w: ObjectModel) => WORKLOAD_KIND[w.obj.kind] ?? 'DEPLOYMENT',
    replicas: (w: ObjectModel) => replicasOf(w.obj),
    images: (w: ObjectModel) => imagesOf(w.obj),
    binding: (w: ObjectModel, _a: unknown, ctx: GraphQLContext) => bindingForTemplate(ctx, w),
    policy: async (w: ObjectModel, _a: unknown, ctx: GraphQLContext) => policyRefOf(await bindingForTemplate(ctx, w), w),
    propagationPolicy: (w: ObjectModel, _a: unknown, ctx: GraphQLContext) => policyOfType(ctx, w, 'PropagationPolicy'),
    clusterPropagationPolicy: (w: ObjectModel, _a: unknown, ctx: GraphQLContext) => policyOfType(ctx, w, 'ClusterPropagationPolicy'),
    overridePolicies: (w: ObjectModel, _a: unknown, ctx: GraphQLContext) => overridesOf(ctx, w),
    placements: (w: ObjectModel, _a: unknown, ctx: GraphQLContext) => placementsOf(ctx, w),
  },
  Placement: {
    member: async (p: PlacementModel, _a: unknown, ctx: GraphQLContext) => {
      const kind = WORKLOAD_KIND_NAME[WORKLOAD_KIND[p.template.kind] ?? ''];
      if (!kind || !ctx.fleet.members().includes(p.cluster)) return null;
      const r = await getOne(ctx, kind, p.cluster, 'MemberWorkload', p.template.namespace, p.template.name);
      if (!r.ok) throw clusterFailure(r.error);
      return r.value;
    },
  },
  MemberWorkload: {
    ...resourceFields,
    workloadKind: (w: ObjectModel) => WORKLOAD_KIND[w.obj.kind] ?? 'DEPLOYMENT',
    replicas: (w: ObjectModel) => replicasOf(w.obj),
    images: (w: ObjectModel) => imagesOf(w.obj),
    template: (w: ObjectModel): RefModel => ({
      cluster: null, apiVersion: w.obj.apiVersion, kind: w.obj.kind, namespace: w.obj.metadata.namespace ?? null,
      name: w.obj.metadata.name, uid: metaValue(w.obj.metadata, 'resourcetemplate.karmada.io/uid') ?? null,
    }),
    pods: async (w: ObjectModel, args: Page & { orderBy?: OrderArg | null }, ctx: GraphQLContext) => {
      const sorted = args.orderBy ? podSortedPage(args.orderBy, args) : undefined;
      const page = sorted ? undefined : pageArgs(args);
      const sel = (w.obj.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
      const labelSelector = Object.entries(sel ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
      const filter = {
        ...(w.obj.metadata.namespace ? { namespace: w.obj.metadata.namespace } : {}),
        ...(labelSelector ? { labelSelector } : {}),
      };
      if (sorted) return sortedConnectionIn<SlimPod>(ctx, 'pods', w.cluster, 'Pod', sorted, filter);
      const items = await listInOrThrow<SlimPod>(ctx, 'pods', w.cluster, 'Pod', filter);
      return connectionOf(items, (p: Located) => [p.obj.metadata.namespace ?? '', p.obj.metadata.name], page!);
    },
  },
};
