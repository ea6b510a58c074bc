/**
 * Nodes: Query.nodes (fleet-wide, merged), Query.node, and the Node type with requested resources summed
 * from its pods and usage from the metrics API.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { SlimNode, SlimPod } from '../../cache/types.js';
import { connectionOf, orderBy, pageArgs } from '../connection.js';
import type { GraphQLContext } from '../context.js';
import { clusterFailure } from '../errors.js';
import type { NodeModel, PodModel } from '../models.js';
import { resourceList, ResourceSum } from '../quantity.js';
import type { ClusterResult } from '../../fleet/types.js';
import { authorize } from '../authorize.js';
import { checkMember, getOne, listAcross, listIn, listInOrThrow, reportPartial, nodeMetricsOf } from '../reads.js';
import { conditionsOf, taintsOf } from '../shapes.js';
import { checkLabelName, checkLabelSelector, checkObjectName } from '../validation.js';
import { resourceFields } from './resourceFields.js';
import { filterPodsLocally, podOrder, podListFilter, podRequestValues, validatePodFilter, type PodFilterArgs } from './pods.js';
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

export function isNodeReady(n: SlimNode): boolean {
  return (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function filterNodes(items: NodeModel[], f: NodeFilterArgs): NodeModel[] {
  return items.filter((n) =>
    (f.ready === null || f.ready === undefined || isNodeReady(n.obj) === f.ready) &&
    (f.unschedulable === null || f.unschedulable === undefined || Boolean(n.obj.spec?.unschedulable) === f.unschedulable));
}

/** Connection order of nodes: cluster, name. */
export const nodeOrder = orderBy<NodeModel>((n) => n.cluster ?? '', (n) => n.obj.metadata.name);

/** Pods that count against a node's allocatable: bound and not finished. */
export function isActivePod(p: SlimPod): boolean {
  const phase = p.status?.phase;
  return Boolean(p.spec?.nodeName) && phase !== 'Succeeded' && phase !== 'Failed';
}

/** Per request and member: its pods grouped by node name (or the member's failure). */
const podsByNode = new WeakMap<GraphQLContext, Map<string, Promise<ClusterResult<Map<string, PodModel[]>>>>>();

/**
 * The pods bound to a node. A traversal asks this for every node of a member: one list of the member's
 * pods, grouped once per request, answers them all, where a list per node would cost a loader round and,
 * for fetch-mode pods, a scan of the member's pods per node. Each group keeps the list's order.
 */
async function podsOnNode(n: NodeModel, ctx: GraphQLContext): Promise<PodModel[]> {
  let perCtx = podsByNode.get(ctx);
  if (!perCtx) podsByNode.set(ctx, (perCtx = new Map()));
  const cluster = n.cluster ?? '';
  let grouped = perCtx.get(cluster);
  if (!grouped) {
    grouped = listIn<SlimPod>(ctx, 'pods', n.cluster, 'Pod').then((r) => {
      if (!r.ok) return r;
      const byNode = new Map<string, PodModel[]>();
      for (const p of r.value as PodModel[]) {
        const node = p.obj.spec?.nodeName;
        if (!node) continue;
        const list = byNode.get(node);
        if (list) list.push(p);
        else byNode.set(node, [p]);
      }
      return { ok: true as const, cluster: r.cluster, value: byNode };
    });
    perCtx.set(cluster, grouped);
  } else {
    // The same read as the first call's (kind, cluster, all namespaces): authorized again all the same.
    authorize(ctx.identity, 'read', { kind: 'pods', cluster: cluster || 'karmada', namespace: null });
  }
  const r = await grouped;
  if (!r.ok) throw clusterFailure(r.error);
  return r.value.get(n.obj.metadata.name) ?? [];
}

export const nodeResolvers = {
  Query: {
    nodes: async (_p: unknown, args: Page & { filter?: NodeFilterArgs | null }, ctx: GraphQLContext, info: GraphQLResolveInfo) => {
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
    ...resourceFields,
    roles: (n: NodeModel) => {
      const roles = Object.keys(n.obj.metadata.labels ?? {})
        .filter((k) => k.startsWith('node-role.kubernetes.io/'))
        .map((k) => k.slice('node-role.kubernetes.io/'.length))
        .filter(Boolean);
      const legacy = n.obj.metadata.labels?.['kubernetes.io/role'];
      if (legacy && !roles.includes(legacy)) roles.push(legacy);
      return roles.sort();
    },
    ready: (n: NodeModel) => isNodeReady(n.obj),
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
    pods: async (n: NodeModel, args: Page & { filter?: PodFilterArgs | null }, ctx: GraphQLContext) => {
      const page = pageArgs(args);
      const f = validatePodFilter(args.filter);
      // Filters the data layer applies (a namespace also narrows the authorization) take the list path.
      const items = f.namespace || f.labelSelector || f.phase
        ? await listInOrThrow<SlimPod>(ctx, 'pods', n.cluster, 'Pod', { ...podListFilter(f), nodeName: n.obj.metadata.name }) as PodModel[]
        : await podsOnNode(n, ctx);
      return connectionOf(filterPodsLocally(items, f), podOrder, page);
    },
  },
};

