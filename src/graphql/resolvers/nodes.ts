/**
 * Nodes: Query.nodes (fleet-wide, merged), Query.node, and the Node type with requested resources summed
 * from its pods and usage from the metrics API.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { SlimNode, SlimPod } from '../../cache/types.js';
import { connectionOf, pageArgs } from '../connection.js';
import type { GraphQLContext } from '../context.js';
import { clusterFailure } from '../errors.js';
import type { NodeModel, PodModel } from '../models.js';
import { resourceList, ResourceSum } from '../quantity.js';
import { getOne, listAcross, listInOrThrow, reportPartial, nodeMetricsOf } from '../reads.js';
import { conditionsOf, taintsOf } from '../shapes.js';
import { checkLabelName, checkLabelSelector, checkObjectName } from '../validation.js';
import { resourceFields } from './resourceFields.js';
import { filterPodsLocally, podKey, podListFilter, podRequests, validatePodFilter, type PodFilterArgs } from './pods.js';

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

export const nodeKey = (n: NodeModel) => [n.cluster ?? '', n.obj.metadata.name];

/** Pods that count against a node's allocatable: bound and not finished. */
export function isActivePod(p: SlimPod): boolean {
  const phase = p.status?.phase;
  return Boolean(p.spec?.nodeName) && phase !== 'Succeeded' && phase !== 'Failed';
}

async function podsOnNode(n: NodeModel, ctx: GraphQLContext): Promise<PodModel[]> {
  return listInOrThrow<SlimPod>(ctx, 'pods', n.cluster, 'Pod', { nodeName: n.obj.metadata.name }) as Promise<PodModel[]>;
}

export const nodeResolvers = {
  Query: {
    nodes: async (_p: unknown, args: Page & { filter?: NodeFilterArgs | null }, ctx: GraphQLContext, info: GraphQLResolveInfo) => {
      const page = pageArgs(args);
      const f = validateNodeFilter(args.filter);
      const clusters = f.cluster ? [f.cluster] : undefined;
      if (f.cluster && !ctx.fleet.members().includes(f.cluster)) return connectionOf([], nodeKey, page);
      const { items, failures } = await listAcross<SlimNode>(ctx, 'nodes', 'Node', f.labelSelector ? { labelSelector: f.labelSelector } : undefined, clusters);
      reportPartial(ctx, failures, info);
      return connectionOf(filterNodes(items, f), nodeKey, page);
    },
    node: async (_p: unknown, args: { cluster: string; name: string }, ctx: GraphQLContext) => {
      checkLabelName(args.cluster, 'cluster');
      checkObjectName(args.name, 'name');
      if (!ctx.fleet.members().includes(args.cluster)) return null;
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
      for (const p of await podsOnNode(n, ctx)) if (isActivePod(p.obj)) sum.add(podRequests(p.obj));
      return sum.toList();
    },
    usage: async (n: NodeModel, _a: unknown, ctx: GraphQLContext) => {
      const r = await nodeMetricsOf(ctx, n.cluster ?? '');
      if (!r.ok) {
        if (r.error.code === 'API_NOT_SERVED') return null;
        throw clusterFailure(r.error);
      }
      const u = r.value.find((x) => x.name === n.obj.metadata.name);
      return u ? resourceList({ cpu: u.cpu, memory: u.memory }) : null;
    },
    podCount: async (n: NodeModel, _a: unknown, ctx: GraphQLContext) => (await podsOnNode(n, ctx)).length,
    pods: async (n: NodeModel, args: Page & { filter?: PodFilterArgs | null }, ctx: GraphQLContext) => {
      const page = pageArgs(args);
      const f = validatePodFilter(args.filter);
      const items = await listInOrThrow<SlimPod>(ctx, 'pods', n.cluster, 'Pod', { ...podListFilter(f), nodeName: n.obj.metadata.name });
      return connectionOf(filterPodsLocally(items as PodModel[], f), podKey, page);
    },
  },
};

