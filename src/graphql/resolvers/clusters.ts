/**
 * Member clusters: Query.clusters / Query.cluster and the Cluster type (health, summaries, and the
 * connections into the member: nodes, pods, namespaces, workloads, events).
 */
import type { SlimCluster, SlimEvent, SlimNode, SlimPod } from '../../cache/types.js';
import { authorize } from '../authorize.js';
import { connectionOf, orderBy, pageArgs } from '../connection.js';
import type { GraphQLContext } from '../context.js';
import { clusterFailure, notFound } from '../errors.js';
import type { ClusterModel, EventModel, Located, NodeModel, PodModel } from '../models.js';
import { resourceList } from '../quantity.js';
import { listInOrThrow, requireAccess } from '../reads.js';
import { conditionsOf, taintsOf } from '../shapes.js';
import { checkLabelName, checkLabelSelector } from '../validation.js';
import { eventKey, locatedFields } from './resourceFields.js';
import { filterNodes, nodeLocalFilter, nodeOrder, nodeSortedPage, validateNodeFilter, type NodeFilterArgs } from './nodes.js';
import { podOrder, podListFilter, podLocalFilter, podSortedPage, filterPodsLocally, validatePodFilter, type PodFilterArgs } from './pods.js';
import { memberWorkloadsIn, sortedMemberWorkloadsIn, workloadKeyOf, workloadSortedPage, type MemberWorkloadFilterArgs } from './workloads.js';
import { sortedConnectionIn, type OrderArg } from '../sortedConnection.js';

interface ClusterFilterArgs {
  name?: string | null;
  labelSelector?: string | null;
  provider?: string | null;
  region?: string | null;
  ready?: boolean | null;
}

type Page = { first?: number | null; after?: string | null };

export function isClusterReady(c: SlimCluster): boolean {
  return (c.status?.conditions ?? []).some((x) => x.type === 'Ready' && x.status === 'True');
}

/** All member Cluster objects (throws when the control plane cannot be read: nothing to answer then). */
export async function allClusters(ctx: GraphQLContext): Promise<readonly ClusterModel[]> {
  return listInOrThrow<SlimCluster>(ctx, 'clusters', null, 'Cluster');
}

/** Throws NOT_FOUND when `name` is not a member, so that filters on unknown clusters say so. */
export function requireMember(ctx: GraphQLContext, name: string, field: string): void {
  if (!ctx.fleet.members().includes(name)) throw notFound(`${field}: cluster "${name}" is not a member of the fleet`, { field });
}

function matchesSimpleSelector(labels: Record<string, string> | undefined, selector: string): boolean {
  // Cluster objects are few; equality, inequality and existence cover what clients use on them.
  return selector.split(',').map((s) => s.trim()).filter(Boolean).every((req) => {
    const ne = req.match(/^([^!=\s]+)\s*!=\s*(.*)$/);
    if (ne) return labels?.[ne[1]!] !== ne[2];
    const eq = req.match(/^([^!=\s]+)\s*==?\s*(.*)$/);
    if (eq) return labels?.[eq[1]!] === eq[2];
    const inm = req.match(/^(\S+)\s+(in|notin)\s*\((.*)\)$/);
    if (inm) {
      const has = inm[3]!.split(',').map((v) => v.trim()).includes(labels?.[inm[1]!] ?? '\u0000');
      return inm[2] === 'in' ? has : !has;
    }
    if (req.startsWith('!')) return labels?.[req.slice(1).trim()] === undefined;
    return labels?.[req] !== undefined;
  });
}

/** Connection order of clusters and namespaces: name. */
const nameOrder = orderBy<Located>((n) => n.obj.metadata.name);

export const clusterResolvers = {
  Query: {
    clusters: async (_p: unknown, args: Page & { filter?: ClusterFilterArgs | null }, ctx: GraphQLContext) => {
      const page = pageArgs(args);
      const f = args.filter ?? {};
      checkLabelName(f.name, 'filter.name');
      checkLabelSelector(f.labelSelector, 'filter.labelSelector');
      let items = await allClusters(ctx);
      if (f.name) items = items.filter((c) => c.obj.metadata.name === f.name);
      if (f.provider) items = items.filter((c) => c.obj.spec?.provider === f.provider);
      if (f.region) items = items.filter((c) => c.obj.spec?.region === f.region);
      if (f.ready !== null && f.ready !== undefined) items = items.filter((c) => isClusterReady(c.obj) === f.ready);
      if (f.labelSelector) items = items.filter((c) => matchesSimpleSelector(c.obj.metadata.labels, f.labelSelector!));
      return connectionOf(items, nameOrder, page);
    },
    cluster: async (_p: unknown, args: { name: string }, ctx: GraphQLContext) => {
      checkLabelName(args.name, 'name');
      const items = await allClusters(ctx);
      return items.find((c) => c.obj.metadata.name === args.name) ?? null;
    },
  },
  Cluster: {
    // name, namespace and cluster are properties of the parent (located.ts).
    ...locatedFields,
    provider: (c: ClusterModel) => c.obj.spec?.provider ?? null,
    region: (c: ClusterModel) => c.obj.spec?.region ?? null,
    zones: (c: ClusterModel) => c.obj.spec?.zones ?? (c.obj.spec?.zone ? [c.obj.spec.zone] : []),
    syncMode: (c: ClusterModel) => (c.obj.spec?.syncMode === 'Pull' ? 'PULL' : c.obj.spec?.syncMode === 'Push' ? 'PUSH' : null),
    apiEndpoint: (c: ClusterModel) => c.obj.spec?.apiEndpoint ?? null,
    kubernetesVersion: (c: ClusterModel) => c.obj.status?.kubernetesVersion ?? null,
    taints: (c: ClusterModel) => taintsOf(c.obj.spec?.taints),
    apiEnablements: (c: ClusterModel) => (c.obj.status?.apiEnablements ?? []).map((a) => a.groupVersion).sort(),
    health: (c: ClusterModel, _a: unknown, ctx: GraphQLContext) => {
      const conditions = conditionsOf(c.obj.status?.conditions);
      const h = ctx.fleet.health(c.obj.metadata.name);
      return {
        ready: isClusterReady(c.obj),
        readyCondition: conditions.find((x) => x.type === 'Ready') ?? null,
        conditions,
        gateway: {
          synced: h?.synced ?? false,
          unreachableSince: h?.unreachableSince ?? null,
          lastError: h?.lastError?.message ?? null,
          apisNotServed: [...(h?.notServed ?? [])].sort(),
        },
      };
    },
    nodeSummary: (c: ClusterModel) => {
      const s = c.obj.status?.nodeSummary;
      return s ? { totalNum: s.totalNum ?? 0, readyNum: s.readyNum ?? 0 } : null;
    },
    resourceSummary: (c: ClusterModel) => {
      const s = c.obj.status?.resourceSummary as Record<string, Record<string, string> | undefined> | undefined;
      if (!s) return null;
      return { allocatable: resourceList(s.allocatable), allocating: resourceList(s.allocating), allocated: resourceList(s.allocated) };
    },
    nodes: async (c: ClusterModel, args: Page & { filter?: NodeFilterArgs | null; orderBy?: OrderArg | null }, ctx: GraphQLContext) => {
      if (args.orderBy) {
        const sorted = nodeSortedPage(args.orderBy, args);
        const f = validateNodeFilter(args.filter);
        return sortedConnectionIn<SlimNode>(ctx, 'nodes', c.obj.metadata.name, 'Node', sorted, f.labelSelector ? { labelSelector: f.labelSelector } : undefined, nodeLocalFilter(f));
      }
      const page = pageArgs(args);
      const f = validateNodeFilter(args.filter);
      const items = await listInOrThrow(ctx, 'nodes', c.obj.metadata.name, 'Node', f.labelSelector ? { labelSelector: f.labelSelector } : undefined);
      return connectionOf(filterNodes(items as readonly NodeModel[], f), nodeOrder, page);
    },
    pods: async (c: ClusterModel, args: Page & { filter?: PodFilterArgs | null; orderBy?: OrderArg | null }, ctx: GraphQLContext) => {
      if (args.orderBy) {
        const sorted = podSortedPage(args.orderBy, args);
        const f = validatePodFilter(args.filter);
        return sortedConnectionIn<SlimPod>(ctx, 'pods', c.obj.metadata.name, 'Pod', sorted, podListFilter(f), podLocalFilter(f));
      }
      const page = pageArgs(args);
      const f = validatePodFilter(args.filter);
      const items = await listInOrThrow(ctx, 'pods', c.obj.metadata.name, 'Pod', podListFilter(f));
      return connectionOf(filterPodsLocally(items as readonly PodModel[], f), podOrder, page);
    },
    namespaces: async (c: ClusterModel, args: Page, ctx: GraphQLContext) => {
      const page = pageArgs(args);
      const items = await listInOrThrow(ctx, 'namespaces', c.obj.metadata.name, 'Namespace');
      return connectionOf(items, nameOrder, page);
    },
    workloads: async (c: ClusterModel, args: Page & { filter?: MemberWorkloadFilterArgs | null; orderBy?: OrderArg | null }, ctx: GraphQLContext) => {
      if (args.orderBy) return sortedMemberWorkloadsIn(ctx, c.obj.metadata.name, args.filter ?? {}, workloadSortedPage('MemberWorkload', args.orderBy, args));
      const page = pageArgs(args);
      const items = await memberWorkloadsIn(ctx, c.obj.metadata.name, args.filter ?? {});
      return connectionOf(items, workloadKeyOf, page);
    },
    clusterEvents: async (c: ClusterModel, args: Page & { filter?: { namespace?: string | null; type?: string | null; involvedKind?: string | null; involvedName?: string | null } | null }, ctx: GraphQLContext) => {
      const page = pageArgs(args);
      const f = args.filter ?? {};
      checkLabelName(f.namespace, 'filter.namespace');
      const events = await memberEvents(ctx, c.obj.metadata.name, f.namespace ?? undefined);
      return connectionOf(filterEvents(events, f), eventKey, page);
    },
  },
};

/** Events of one member (all namespaces or one), through the events loader. */
export async function memberEvents(ctx: GraphQLContext, cluster: string, namespace?: string): Promise<EventModel[]> {
  authorize(ctx.identity, 'read', { kind: 'events', cluster, namespace: namespace ?? null });
  await requireAccess(ctx, cluster, ctx.access.checkOf('list', 'events', namespace));
  const r = await ctx.loaders.events.load({ cluster, ...(namespace ? { namespace } : {}) });
  if (!r.ok) throw clusterFailure(r.error);
  return r.value.map((obj: SlimEvent) => ({ cluster, obj }));
}

export function filterEvents(events: EventModel[], f: { type?: string | null; involvedKind?: string | null; involvedName?: string | null }): EventModel[] {
  return events.filter((e) =>
    (!f.type || (e.obj.type === 'Warning' ? 'WARNING' : 'NORMAL') === f.type) &&
    (!f.involvedKind || e.obj.involvedObject.kind === f.involvedKind) &&
    (!f.involvedName || e.obj.involvedObject.name === f.involvedName));
}

