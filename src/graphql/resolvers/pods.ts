/**
 * Pods: Query.pods (fleet-wide, merged), Query.pod, and the Pod type: containers, owner chain, the trace
 * back to the Karmada template, binding and policy, logs (never cached) and usage.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { ListFilter, SlimContainer, SlimContainerState, SlimContainerStatus, SlimObject, SlimPod } from '../../cache/types.js';
import type { KindName } from '../../fleet/kinds.js';
import { authorize } from '../authorize.js';
import { connectionOf, orderBy, pageArgs } from '../connection.js';
import type { GraphQLContext } from '../context.js';
import { clusterFailure } from '../errors.js';
import type { Located, PodModel, PodTraceModel, RefModel } from '../models.js';
import { parseResources, resourceList, ResourceSum, type ParsedResources } from '../quantity.js';
import { checkMember, getOne, listAcross, podMetricsOf, reportPartial, requireAccess } from '../reads.js';
import { conditionsOf, metaValue, podPhase, POD_PHASE_K8S } from '../shapes.js';
import { checkLabelName, checkLabelSelector, checkNonNegative, checkObjectName } from '../validation.js';
import { locatedFields, refOf } from './resourceFields.js';
import { located } from '../located.js';
import { bindingForTemplate, policyRefOf } from './workloads.js';
import { isApiNotServed } from '../../fleet/UpstreamError.js';
import { sortedConnection, sortedPageArgs, sortedSourcesAcross, type OrderArg, type SortedPage, type SortField } from '../sortedConnection.js';
import { commonNamespace, indexedField, quantityValue, sortFields, timeValue } from '../sortValues.js';

export interface PodFilterArgs {
  cluster?: string | null;
  namespace?: string | null;
  labelSelector?: string | null;
  phase?: string | null;
  node?: string | null;
  owner?: string | null;
}

type Page = { first?: number | null; after?: string | null };

export function validatePodFilter(filter: PodFilterArgs | null | undefined): PodFilterArgs {
  const f = filter ?? {};
  checkLabelName(f.cluster, 'filter.cluster');
  checkLabelName(f.namespace, 'filter.namespace');
  checkLabelSelector(f.labelSelector, 'filter.labelSelector');
  checkObjectName(f.node, 'filter.node');
  checkObjectName(f.owner, 'filter.owner');
  return f;
}

/** The part of a pod filter the data layer applies (indexes, selectors). */
export function podListFilter(f: PodFilterArgs): ListFilter | undefined {
  const out: ListFilter = {};
  if (f.namespace) out.namespace = f.namespace;
  if (f.labelSelector) out.labelSelector = f.labelSelector;
  if (f.node) out.nodeName = f.node;
  if (f.phase) out.phase = POD_PHASE_K8S[f.phase]!;
  return Object.keys(out).length ? out : undefined;
}

/** The rest, applied here: the owner name (the data layer indexes owners by uid). */
export function filterPodsLocally(items: readonly PodModel[], f: PodFilterArgs): readonly PodModel[] {
  const local = podLocalFilter(f);
  return local ? items.filter((p) => local(p.obj)) : items;
}

/** filterPodsLocally as a predicate on objects; undefined when it keeps everything. */
export function podLocalFilter(f: PodFilterArgs): ((obj: SlimObject) => boolean) | undefined {
  const owner = f.owner;
  if (!owner) return undefined;
  return (obj) => (obj.metadata.ownerReferences ?? []).some((o) => o.controller && o.name === owner);
}

/** Sum of the pod's container restarts (Pod.restarts). */
export function podRestarts(p: SlimPod): number {
  return (p.status?.containerStatuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0);
}

/** Pod usage per (namespace/name) of a source's member, as Pod.usage sums it; null values when not served. */
function podUsageField(name: 'CPU_USAGE' | 'MEMORY_USAGE', resource: 'cpu' | 'memory'): SortField {
  return {
    name,
    valueType: 'number',
    perRequest: async (ctx, source) => {
      const r = await podMetricsOf(ctx, source.cluster ?? '', commonNamespace(source.matches));
      // Items of a member without metrics (not served, refused, failing) still appear, last: Pod.usage
      // answers for each of them (null, or the member's error).
      if (!r.ok) return () => null;
      const values = new Map<string, number | null>();
      for (const u of r.value) {
        const sum = new ResourceSum();
        for (const c of u.containers) sum.add({ [resource]: resource === 'cpu' ? c.cpu : c.memory });
        const list = sum.toList();
        values.set(`${u.namespace}/${u.name}`, resource === 'cpu' ? list.cpuCores : list.memoryBytes);
      }
      return (o) => values.get(`${o.metadata.namespace}/${o.metadata.name}`) ?? null;
    },
  };
}

/**
 * What `orderBy` can sort pods by. Requests are summed as Pod.requests sums them (a pod without one counts
 * as 0); usage comes from the metrics API per request.
 */
export const POD_SORT_FIELDS = sortFields(
  indexedField('Pod', 'NAME', 'string', (o) => o.metadata.name),
  indexedField('Pod', 'NAMESPACE', 'string', (o) => o.metadata.namespace ?? ''),
  indexedField('Pod', 'CREATED', 'number', (o) => timeValue(o.metadata.creationTimestamp)),
  indexedField('Pod', 'RESTARTS', 'number', (o) => podRestarts(o as SlimPod)),
  indexedField('Pod', 'PHASE', 'string', (o) => podPhase((o as SlimPod).status?.phase)),
  indexedField('Pod', 'NODE', 'string', (o) => (o as SlimPod).spec?.nodeName ?? null),
  indexedField('Pod', 'CPU_REQUEST', 'number', (o) => quantityValue(podRequestValues(o as SlimPod), 'cpu') ?? 0),
  indexedField('Pod', 'MEMORY_REQUEST', 'number', (o) => quantityValue(podRequestValues(o as SlimPod), 'memory') ?? 0),
  podUsageField('CPU_USAGE', 'cpu'),
  podUsageField('MEMORY_USAGE', 'memory'),
);

/** `orderBy` of a pod connection, with `first` and `after`, validated. */
export function podSortedPage(orderBy: OrderArg, args: Page): SortedPage {
  return sortedPageArgs('Pod', POD_SORT_FIELDS, orderBy, args);
}

/** Connection order of pods: cluster, namespace, name. */
export const podOrder = orderBy<PodModel>((p) => p.cluster ?? '', (p) => p.obj.metadata.namespace ?? '', (p) => p.obj.metadata.name);

/** Sum of container requests (init containers excluded: they do not run alongside). */
export function podRequests(p: SlimPod): Record<string, string> {
  const sum = new ResourceSum();
  for (const c of p.spec?.containers ?? []) sum.add(c.resources?.requests);
  const out: Record<string, string> = {};
  for (const q of sum.toList().all) out[q.name] = q.raw;
  return out;
}

const NO_CONTAINERS: readonly SlimContainer[] = Object.freeze([]);
const requestsByContainers = new WeakMap<readonly SlimContainer[], ParsedResources>();

/**
 * podRequests(p), parsed (what ResourceSum.add of it would add), computed once per container list: the
 * projection shares one frozen list between the replicas of a workload, so roll-ups over every pod parse
 * a handful of lists, not every pod on every request.
 */
export function podRequestValues(p: SlimPod): ParsedResources {
  const containers = p.spec?.containers ?? NO_CONTAINERS;
  let values = requestsByContainers.get(containers);
  if (!values) requestsByContainers.set(containers, (values = parseResources(podRequests(p))));
  return values;
}

function stateOf(s: SlimContainerState | undefined) {
  if (s?.running) return { state: 'RUNNING' as const, reason: null, message: null, startedAt: s.running.startedAt ?? null, finishedAt: null, exitCode: null };
  if (s?.terminated) {
    const t = s.terminated;
    return { state: 'TERMINATED' as const, reason: t.reason ?? null, message: t.message ?? null, startedAt: (t as { startedAt?: string }).startedAt ?? null, finishedAt: t.finishedAt ?? null, exitCode: t.exitCode ?? null };
  }
  if (s?.waiting) return { state: 'WAITING' as const, reason: s.waiting.reason ?? null, message: s.waiting.message ?? null, startedAt: null, finishedAt: null, exitCode: null };
  return { state: 'UNKNOWN' as const, reason: null, message: null, startedAt: null, finishedAt: null, exitCode: null };
}

function containerOf(c: SlimContainer, status: SlimContainerStatus | undefined, init: boolean) {
  return {
    name: c.name,
    image: c.image ?? status?.image ?? '',
    init,
    ready: status?.ready ?? false,
    restartCount: status?.restartCount ?? 0,
    state: stateOf(status?.state),
    requests: resourceList(c.resources?.requests),
    limits: resourceList(c.resources?.limits),
  };
}

/** Member kinds the owner chain can walk through. */
const OWNER_KINDS: Record<string, KindName> = {
  ReplicaSet: 'replicasets',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
};

function controllerRef(obj: SlimObject, cluster: string | null): RefModel | null {
  const o = (obj.metadata.ownerReferences ?? []).find((r) => r.controller) ?? obj.metadata.ownerReferences?.[0];
  if (!o) return null;
  return { cluster, apiVersion: o.apiVersion, kind: o.kind, namespace: obj.metadata.namespace ?? null, name: o.name, uid: o.uid };
}

/** Owner chain nearest first, plus the top object reached (the pod itself when it has no owner we serve). */
async function walkOwners(p: PodModel, ctx: GraphQLContext): Promise<{ chain: RefModel[]; top: Located }> {
  const chain: RefModel[] = [];
  let current: Located = p;
  for (let depth = 0; depth < 8; depth++) {
    const ref = controllerRef(current.obj, p.cluster);
    if (!ref) break;
    chain.push(ref);
    const kind = OWNER_KINDS[ref.kind];
    if (!kind) break;
    const r = await getOne(ctx, kind, p.cluster, 'MemberWorkload', ref.namespace, ref.name);
    if (!r.ok) throw clusterFailure(r.error);
    if (!r.value) break;
    current = r.value;
  }
  return { chain, top: current };
}

async function traceOf(p: PodModel, ctx: GraphQLContext): Promise<PodTraceModel> {
  const { chain, top } = await walkOwners(p, ctx);
  const trace: PodTraceModel = { ownerChain: chain, template: null, workload: null, binding: null, policy: null, scheduledReplicas: null };
  if (top === p) return trace;
  // Karmada propagates a template under the same kind, namespace and name.
  const kind = OWNER_KINDS[top.obj.kind];
  if (!kind || kind === 'replicasets') return trace;
  const t = await getOne(ctx, kind, null, 'Workload', top.obj.metadata.namespace, top.obj.metadata.name);
  if (!t.ok) throw clusterFailure(t.error);
  trace.template = t.value ? refOf(t.value) : { ...refOf(top), cluster: null, uid: metaValue(top.obj.metadata, 'resourcetemplate.karmada.io/uid') ?? null };
  trace.workload = t.value;
  const template = t.value ?? located(null, top.obj, 'Workload');
  const binding = await bindingForTemplate(ctx, template, top);
  if (binding) {
    trace.binding = refOf(binding);
    const target = ((binding.obj.spec as { clusters?: Array<{ name: string; replicas?: number }> } | undefined)?.clusters ?? [])
      .find((c) => c.name === p.cluster);
    trace.scheduledReplicas = target?.replicas ?? null;
  }
  trace.policy = policyRefOf(binding, t.value);
  return trace;
}

export const podResolvers = {
  Query: {
    pods: async (_p: unknown, args: Page & { filter?: PodFilterArgs | null; orderBy?: OrderArg | null }, ctx: GraphQLContext, info: GraphQLResolveInfo) => {
      if (args.orderBy) {
        const sorted = podSortedPage(args.orderBy, args);
        const f = validatePodFilter(args.filter);
        if (f.cluster) checkMember(ctx, f.cluster, 'filter.cluster');
        const { sources, failures } = await sortedSourcesAcross(ctx, 'pods', 'Pod', podListFilter(f), podLocalFilter(f), f.cluster ? [f.cluster] : undefined);
        reportPartial(ctx, failures, info);
        return sortedConnection<SlimPod>(ctx, sources, sorted);
      }
      const page = pageArgs(args);
      const f = validatePodFilter(args.filter);
      if (f.cluster) checkMember(ctx, f.cluster, 'filter.cluster');
      const { items, failures } = await listAcross<SlimPod>(ctx, 'pods', 'Pod', podListFilter(f), f.cluster ? [f.cluster] : undefined);
      reportPartial(ctx, failures, info);
      return connectionOf(filterPodsLocally(items, f), podOrder, page);
    },
    pod: async (_p: unknown, args: { cluster: string; namespace: string; name: string }, ctx: GraphQLContext) => {
      checkLabelName(args.cluster, 'cluster');
      checkLabelName(args.namespace, 'namespace');
      checkObjectName(args.name, 'name');
      checkMember(ctx, args.cluster, 'cluster');
      const r = await getOne<SlimPod>(ctx, 'pods', args.cluster, 'Pod', args.namespace, args.name);
      if (!r.ok) throw clusterFailure(r.error);
      return r.value;
    },
  },
  Pod: {
    // name, namespace, cluster and phase are properties of the parent (located.ts).
    ...locatedFields,
    ready: (p: PodModel) => {
      const statuses = p.obj.status?.containerStatuses ?? [];
      const total = p.obj.spec?.containers.length ?? statuses.length;
      return `${statuses.filter((s) => s.ready).length}/${total}`;
    },
    restarts: (p: PodModel) => podRestarts(p.obj),
    terminating: (p: PodModel) => Boolean(p.obj.metadata.deletionTimestamp),
    nodeName: (p: PodModel) => p.obj.spec?.nodeName ?? null,
    node: async (p: PodModel, _a: unknown, ctx: GraphQLContext) => {
      if (!p.obj.spec?.nodeName) return null;
      const r = await getOne(ctx, 'nodes', p.cluster, 'Node', null, p.obj.spec.nodeName);
      if (!r.ok) throw clusterFailure(r.error);
      return r.value;
    },
    podIP: (p: PodModel) => p.obj.status?.podIP ?? null,
    qosClass: (p: PodModel) => ({ Guaranteed: 'GUARANTEED', Burstable: 'BURSTABLE', BestEffort: 'BEST_EFFORT' } as const)[p.obj.status?.qosClass as 'Guaranteed'] ?? null,
    startTime: (p: PodModel) => p.obj.status?.startTime ?? null,
    containers: (p: PodModel) => {
      const find = (list: SlimContainerStatus[] | undefined, name: string) => list?.find((s) => s.name === name);
      return [
        ...(p.obj.spec?.initContainers ?? []).map((c) => containerOf(c, find(p.obj.status?.initContainerStatuses, c.name), true)),
        ...(p.obj.spec?.containers ?? []).map((c) => containerOf(c, find(p.obj.status?.containerStatuses, c.name), false)),
      ];
    },
    conditions: (p: PodModel) => conditionsOf(p.obj.status?.conditions),
    requests: (p: PodModel) => resourceList(podRequests(p.obj)),
    owner: (p: PodModel) => controllerRef(p.obj, p.cluster),
    ownerChain: async (p: PodModel, _a: unknown, ctx: GraphQLContext) => (await walkOwners(p, ctx)).chain,
    trace: (p: PodModel, _a: unknown, ctx: GraphQLContext) => traceOf(p, ctx),
    usage: async (p: PodModel, _a: unknown, ctx: GraphQLContext) => {
      const r = await podMetricsOf(ctx, p.cluster ?? '', p.obj.metadata.namespace);
      if (!r.ok) {
        if (isApiNotServed(r.error)) return null;
        throw clusterFailure(r.error);
      }
      const u = r.value.find((x) => x.namespace === p.obj.metadata.namespace && x.name === p.obj.metadata.name);
      if (!u) return null;
      const sum = new ResourceSum();
      for (const c of u.containers) sum.add({ cpu: c.cpu, memory: c.memory });
      return sum.toList();
    },
    logs: async (
      p: PodModel,
      args: { container?: string | null; tailLines?: number | null; sinceSeconds?: number | null; previous?: boolean | null },
      ctx: GraphQLContext,
    ) => {
      checkNonNegative(args.tailLines, 'tailLines', 100_000);
      checkNonNegative(args.sinceSeconds, 'sinceSeconds');
      if (args.container !== null && args.container !== undefined) checkLabelName(args.container, 'container');
      authorize(ctx.identity, 'read', { kind: 'pods/log', cluster: p.cluster, namespace: p.obj.metadata.namespace ?? null });
      await requireAccess(ctx, p.cluster, ctx.access.checkOf('get', 'pods', p.obj.metadata.namespace, p.obj.metadata.name, 'log'));
      const container = args.container ?? p.obj.spec?.containers[0]?.name;
      const r = await ctx.fleet.logs(p.cluster ?? '', p.obj.metadata.namespace ?? '', p.obj.metadata.name, {
        ...(container ? { container } : {}),
        ...(args.tailLines != null ? { tailLines: args.tailLines } : {}),
        ...(args.sinceSeconds != null ? { sinceSeconds: args.sinceSeconds } : {}),
        ...(args.previous != null ? { previous: args.previous } : {}),
        // A live read goes upstream anyway: as the caller, so the member decides too.
        ...(ctx.access.unrestricted ? {} : { impersonate: ctx.access.subject }),
      });
      if (!r.ok) throw clusterFailure(r.error);
      return r.value;
    },
  },
};
