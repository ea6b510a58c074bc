/**
 * Nodes: Query.nodes (fleet-wide, merged), Query.node, and the Node type with requested resources summed
 * from its pods and usage from the metrics API.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { SlimNode, SlimObject, SlimPod } from '../../cache/types.js';
import { connectionOf, orderBy, pageArgs } from '../connection.js';
import type { GraphQLContext } from '../context.js';
import { clusterFailure } from '../errors.js';
import type { NodeModel, PodModel } from '../models.js';
import { parsedResources, resourceList, ResourceSum } from '../quantity.js';
import type { ClusterResult } from '../../fleet/types.js';
import { authorize } from '../authorize.js';
import { checkMember, getOne, listAcross, listIn, listInOrThrow, objectsIn, reportPartial, nodeMetricsOf } from '../reads.js';
import { conditionsOf, isNodeReady, taintsOf } from '../shapes.js';
import { checkLabelName, checkLabelSelector, checkObjectName } from '../validation.js';
import { locatedFields } from './resourceFields.js';
import { filterPodsLocally, podLocalFilter, podOrder, podListFilter, podRequestValues, podSortedPage, validatePodFilter, type PodFilterArgs } from './pods.js';
import { sortedConnection, sortedConnectionIn, sortedPageArgs, sortedSourcesAcross, type OrderArg, type SortedPage, type SortField } from '../sortedConnection.js';
import { indexedField, quantityValue, sortFields, timeValue } from '../sortValues.js';
import { isApiNotServed } from '../../fleet/UpstreamError.js';

export interface NodeFilterArgs {
  cluster?: string | null;
  labelSelector?: string | null;
  ready?: boolean | null;
  unschedulable?: boolean | null;
}

type Page = { first?: number | null; after?: string | null };

export function validateNodeFilter(filter: NodeFilterArgs | null | undefined): NodeFilterArgs {
  const f = filter ?? {};
  checkLabelName(f.cluster, 'filter.cluster');
  checkLabelSelector(f.labelSelector, 'filter.labelSelector');
  return f;
}

export { isNodeReady };

export function filterNodes(items: readonly NodeModel[], f: NodeFilterArgs): readonly NodeModel[] {
  const local = nodeLocalFilter(f);
  return local ? items.filter((n) => local(n.obj)) : items;
}

/** The node filter's fields applied here (ready, unschedulable) as a predicate; undefined when none is set. */
export function nodeLocalFilter(f: NodeFilterArgs): ((obj: SlimObject) => boolean) | undefined {
  const ready = f.ready ?? null;
  const unschedulable = f.unschedulable ?? null;
  if (ready === null && unschedulable === null) return undefined;
  return (obj) => {
    const n = obj as SlimNode;
    return (ready === null || isNodeReady(n) === ready) && (unschedulable === null || Boolean(n.spec?.unschedulable) === unschedulable);
  };
}

/** Per-request roll-ups of a member's pods by node: requests of active pods (as Node.requested) and pods bound. */
function nodePodRollup(pick: (sum: ResourceSum, count: number) => number | null): SortField['perRequest'] {
  return async (ctx, source) => {
    const r = await objectsIn<SlimPod>(ctx, 'pods', source.cluster);
    if (!r.ok) return () => null;
    const sums = new Map<string, { sum: ResourceSum; count: number }>();
    for (const p of r.value) {
      const node = p.spec?.nodeName;
      if (!node) continue;
      let entry = sums.get(node);
      if (!entry) sums.set(node, (entry = { sum: new ResourceSum(), count: 0 }));
      entry.count++;
      if (isActivePod(p)) entry.sum.addParsed(podRequestValues(p));
    }
    const values = new Map<string, number | null>();
    for (const [node, e] of sums) values.set(node, pick(e.sum, e.count));
    const none = pick(new ResourceSum(), 0);
    return (o) => (values.has(o.metadata.name) ? values.get(o.metadata.name)! : none);
  };
}

function nodeUsageField(name: 'CPU_USAGE' | 'MEMORY_USAGE', resource: 'cpu' | 'memory'): SortField {
  return {
    name,
    valueType: 'number',
    perRequest: async (ctx, source) => {
      const r = await nodeMetricsOf(ctx, source.cluster ?? '');
      // Nodes of a member without metrics still appear, last (Node.usage answers null or the member's error).
      if (!r.ok) return () => null;
      const values = new Map<string, number | null>();
      for (const u of r.value) {
        const list = resourceList({ [resource]: resource === 'cpu' ? u.cpu : u.memory });
        values.set(u.name, resource === 'cpu' ? list.cpuCores : list.memoryBytes);
      }
      return (o) => values.get(o.metadata.name) ?? null;
    },
  };
}

const nodeQuantity = (which: 'capacity' | 'allocatable', resource: string) => (o: SlimObject) => quantityValue(parsedResources((o as SlimNode).status?.[which]), resource);

/** What `orderBy` can sort nodes by: the node's own fields are indexed; roll-ups and usage are per request. */
export const NODE_SORT_FIELDS = sortFields(
  indexedField('Node', 'NAME', 'string', (o) => o.metadata.name),
  indexedField('Node', 'CREATED', 'number', (o) => timeValue(o.metadata.creationTimestamp)),
  indexedField('Node', 'CPU_CAPACITY', 'number', nodeQuantity('capacity', 'cpu')),
  indexedField('Node', 'MEMORY_CAPACITY', 'number', nodeQuantity('capacity', 'memory')),
  indexedField('Node', 'CPU_ALLOCATABLE', 'number', nodeQuantity('allocatable', 'cpu')),
  indexedField('Node', 'MEMORY_ALLOCATABLE', 'number', nodeQuantity('allocatable', 'memory')),
  { name: 'CPU_REQUEST', valueType: 'number', perRequest: nodePodRollup((s) => s.toList().cpuCores ?? 0) },
  { name: 'MEMORY_REQUEST', valueType: 'number', perRequest: nodePodRollup((s) => s.toList().memoryBytes ?? 0) },
  { name: 'PODS', valueType: 'number', perRequest: nodePodRollup((_s, count) => count) },
  nodeUsageField('CPU_USAGE', 'cpu'),
  nodeUsageField('MEMORY_USAGE', 'memory'),
);

/** `orderBy` of a node connection, with `first` and `after`, validated. */
export function nodeSortedPage(orderBy: OrderArg, args: Page): SortedPage {
  return sortedPageArgs('Node', NODE_SORT_FIELDS, orderBy, args);
}

/** Connection order of nodes: cluster, name. */
export const nodeOrder = orderBy<NodeModel>((n) => n.cluster ?? '', (n) => n.obj.metadata.name);

/** Pods that count against a node's allocatable: bound and not finished. */
export function isActivePod(p: SlimPod): boolean {
  const phase = p.status?.phase;
  return Boolean(p.spec?.nodeName) && phase !== 'Succeeded' && phase !== 'Failed';
}

/** Per request and member: its pods grouped by node name (or the member's failure). */
const podsByNode = new WeakMap<GraphQLContext, Map<string, Promise<ClusterResult<ReadonlyMap<string, readonly PodModel[]>>>>>();

/**
 * A member's pods grouped by node, once per list: the list a request gets is the cache's own until the next
 * change (src/graphql/reads.ts `locate`), so the requests in between share the groups, and each group, an
 * array that stays the same, is checked for its order once (connection.ts). Each group keeps the list's order.
 */
const groupedLists = new WeakMap<readonly PodModel[], ReadonlyMap<string, readonly PodModel[]>>();

function groupByNode(pods: readonly PodModel[]): ReadonlyMap<string, readonly PodModel[]> {
  let byNode = groupedLists.get(pods) as Map<string, PodModel[]> | undefined;
  if (byNode) return byNode;
  byNode = new Map<string, PodModel[]>();
  for (const p of pods) {
    const node = p.obj.spec?.nodeName;
    if (!node) continue;
    const list = byNode.get(node);
    if (list) list.push(p);
    else byNode.set(node, [p]);
  }
  groupedLists.set(pods, byNode);
  return byNode;
}

const NO_PODS: readonly PodModel[] = Object.freeze([]);

/**
 * The pods bound to a node. A traversal asks this for every node of a member: one list of the member's
 * pods, grouped once, answers them all, where a list per node would cost a loader round and,
 * for fetch-mode pods, a scan of the member's pods per node. Shared with other requests: never modify it.
 */
async function podsOnNode(n: NodeModel, ctx: GraphQLContext): Promise<readonly PodModel[]> {
  let perCtx = podsByNode.get(ctx);
  if (!perCtx) podsByNode.set(ctx, (perCtx = new Map()));
  const cluster = n.cluster ?? '';
  let grouped = perCtx.get(cluster);
  if (!grouped) {
    grouped = listIn<SlimPod>(ctx, 'pods', n.cluster, 'Pod').then((r) => {
      if (!r.ok) return r;
      return { ok: true as const, cluster: r.cluster, value: groupByNode(r.value as readonly PodModel[]) };
    });
    perCtx.set(cluster, grouped);
  } else {
    // The same read as the first call's (kind, cluster, all namespaces): authorized again all the same.
    authorize(ctx.identity, 'read', { kind: 'pods', cluster: cluster || 'karmada', namespace: null });
  }
  const r = await grouped;
  if (!r.ok) throw clusterFailure(r.error);
  return r.value.get(n.obj.metadata.name) ?? NO_PODS;
}

export const nodeResolvers = {
  Query: {
    nodes: async (_p: unknown, args: Page & { filter?: NodeFilterArgs | null; orderBy?: OrderArg | null }, ctx: GraphQLContext, info: GraphQLResolveInfo) => {
      if (args.orderBy) {
        const sorted = nodeSortedPage(args.orderBy, args);
        const f = validateNodeFilter(args.filter);
        if (f.cluster) checkMember(ctx, f.cluster, 'filter.cluster');
        const { sources, failures } = await sortedSourcesAcross(ctx, 'nodes', 'Node', f.labelSelector ? { labelSelector: f.labelSelector } : undefined, nodeLocalFilter(f), f.cluster ? [f.cluster] : undefined);
        reportPartial(ctx, failures, info);
        return sortedConnection<SlimNode>(ctx, sources, sorted);
      }
      const page = pageArgs(args);
      const f = validateNodeFilter(args.filter);
      const clusters = f.cluster ? [f.cluster] : undefined;
      if (f.cluster) checkMember(ctx, f.cluster, 'filter.cluster');
      const { items, failures } = await listAcross<SlimNode>(ctx, 'nodes', 'Node', f.labelSelector ? { labelSelector: f.labelSelector } : undefined, clusters);
      reportPartial(ctx, failures, info);
      return connectionOf(filterNodes(items, f), nodeOrder, page);
    },
    node: async (_p: unknown, args: { cluster: string; name: string }, ctx: GraphQLContext) => {
      checkLabelName(args.cluster, 'cluster');
      checkObjectName(args.name, 'name');
      checkMember(ctx, args.cluster, 'cluster');
      const r = await getOne<SlimNode>(ctx, 'nodes', args.cluster, 'Node', null, args.name);
      if (!r.ok) throw clusterFailure(r.error);
      return r.value;
    },
  },
  Node: {
    // name, namespace, cluster and ready are properties of the parent (located.ts).
    ...locatedFields,
    roles: (n: NodeModel) => {
      const roles = Object.keys(n.obj.metadata.labels ?? {})
        .filter((k) => k.startsWith('node-role.kubernetes.io/'))
        .map((k) => k.slice('node-role.kubernetes.io/'.length))
        .filter(Boolean);
      const legacy = n.obj.metadata.labels?.['kubernetes.io/role'];
      if (legacy && !roles.includes(legacy)) roles.push(legacy);
      return roles.sort();
    },
    unschedulable: (n: NodeModel) => Boolean(n.obj.spec?.unschedulable),
    conditions: (n: NodeModel) => conditionsOf(n.obj.status?.conditions),
    taints: (n: NodeModel) => taintsOf(n.obj.spec?.taints),
    addresses: (n: NodeModel) => n.obj.status?.addresses ?? [],
    info: (n: NodeModel) => {
      const i = n.obj.status?.nodeInfo ?? {};
      return {
        osImage: i.osImage ?? null,
        operatingSystem: i.operatingSystem ?? null,
        architecture: i.architecture ?? null,
        kernelVersion: i.kernelVersion ?? null,
        kubeletVersion: i.kubeletVersion ?? null,
        containerRuntimeVersion: i.containerRuntimeVersion ?? null,
      };
    },
    instanceType: (n: NodeModel) => n.obj.metadata.labels?.['node.kubernetes.io/instance-type'] ?? n.obj.metadata.labels?.['beta.kubernetes.io/instance-type'] ?? null,
    zone: (n: NodeModel) => n.obj.metadata.labels?.['topology.kubernetes.io/zone'] ?? null,
    region: (n: NodeModel) => n.obj.metadata.labels?.['topology.kubernetes.io/region'] ?? null,
    capacity: (n: NodeModel) => resourceList(n.obj.status?.capacity),
    allocatable: (n: NodeModel) => resourceList(n.obj.status?.allocatable),
    requested: async (n: NodeModel, _a: unknown, ctx: GraphQLContext) => {
      const sum = new ResourceSum();
      for (const p of await podsOnNode(n, ctx)) if (isActivePod(p.obj)) sum.addParsed(podRequestValues(p.obj));
      return sum.toList();
    },
    usage: async (n: NodeModel, _a: unknown, ctx: GraphQLContext) => {
      const r = await nodeMetricsOf(ctx, n.cluster ?? '');
      if (!r.ok) {
        if (isApiNotServed(r.error)) return null;
        throw clusterFailure(r.error);
      }
      const u = r.value.find((x) => x.name === n.obj.metadata.name);
      return u ? resourceList({ cpu: u.cpu, memory: u.memory }) : null;
    },
    podCount: async (n: NodeModel, _a: unknown, ctx: GraphQLContext) => (await podsOnNode(n, ctx)).length,
    pods: async (n: NodeModel, args: Page & { filter?: PodFilterArgs | null; orderBy?: OrderArg | null }, ctx: GraphQLContext) => {
      if (args.orderBy) {
        const sorted = podSortedPage(args.orderBy, args);
        const f = validatePodFilter(args.filter);
        return sortedConnectionIn<SlimPod>(ctx, 'pods', n.cluster, 'Pod', sorted, { ...podListFilter(f), nodeName: n.obj.metadata.name }, podLocalFilter(f));
      }
      const page = pageArgs(args);
      const f = validatePodFilter(args.filter);
      // Filters the data layer applies (a namespace also narrows the authorization) take the list path.
      const items = f.namespace || f.labelSelector || f.phase
        ? await listInOrThrow<SlimPod>(ctx, 'pods', n.cluster, 'Pod', { ...podListFilter(f), nodeName: n.obj.metadata.name })
        : await podsOnNode(n, ctx);
      return connectionOf(filterPodsLocally(items, f), podOrder, page);
    },
  },
};

