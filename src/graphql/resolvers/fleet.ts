/**
 * Query.fleet: roll-ups node → cluster → fleet, and the same per provider and per region. Members that
 * cannot be read are left out of the totals, named in `missingClusters` and reported as errors.
 */
import { Kind, type GraphQLResolveInfo, type SelectionNode } from 'graphql';
import type { SlimCluster, SlimNode, SlimPod } from '../../cache/types.js';
import type { GraphQLContext } from '../context.js';
import type { ClusterModel } from '../models.js';
import { parsedResources, ResourceSum } from '../quantity.js';
import { objectsAcross, reportPartial, nodeMetricsOf } from '../reads.js';
import { podPhase } from '../shapes.js';
import { allClusters, isClusterReady } from './clusters.js';
import { isActivePod, isNodeReady } from './nodes.js';
import { podRequestValues } from './pods.js';

/**
 * Whether the selection can show `resources.used`, at the top or per provider / region: usage costs one
 * metrics call per member, so it is fetched only then. Fragments count as yes (they may select it).
 */
function selectsUsage(info: GraphQLResolveInfo): boolean {
  const reaches = (selections: readonly SelectionNode[], path: readonly string[]): boolean =>
    selections.some((sel) => {
      if (sel.kind !== Kind.FIELD) return true;
      if (sel.name.value !== path[0]) return false;
      return path.length === 1 || reaches(sel.selectionSet?.selections ?? [], path.slice(1));
    });
  const paths = [['resources', 'used'], ['byProvider', 'resources', 'used'], ['byRegion', 'resources', 'used']];
  return info.fieldNodes.some((node) => paths.some((path) => reaches(node.selectionSet?.selections ?? [], path)));
}

const PHASES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'UNKNOWN'] as const;

interface Accumulator {
  clusters: { total: number; ready: number; unreachable: number };
  nodes: { total: number; ready: number; cordoned: number };
  pods: Map<string, number>;
  capacity: ResourceSum;
  allocatable: ResourceSum;
  requested: ResourceSum;
  used: ResourceSum;
  hasUsage: boolean;
}

function newAccumulator(): Accumulator {
  return {
    clusters: { total: 0, ready: 0, unreachable: 0 },
    nodes: { total: 0, ready: 0, cordoned: 0 },
    pods: new Map(PHASES.map((p) => [p, 0])),
    capacity: new ResourceSum(),
    allocatable: new ResourceSum(),
    requested: new ResourceSum(),
    used: new ResourceSum(),
    hasUsage: false,
  };
}

function render(a: Accumulator) {
  const byPhase = PHASES.map((phase) => ({ phase, count: a.pods.get(phase) ?? 0 }));
  return {
    clusters: a.clusters,
    nodes: a.nodes,
    pods: { total: byPhase.reduce((n, p) => n + p.count, 0), byPhase },
    resources: {
      capacity: a.capacity.toList(),
      allocatable: a.allocatable.toList(),
      requested: a.requested.toList(),
      used: a.hasUsage ? a.used.toList() : null,
    },
  };
}

export const fleetResolvers = {
  Query: {
    fleet: async (_p: unknown, _a: unknown, ctx: GraphQLContext, info: GraphQLResolveInfo) => {
      const clusters = await allClusters(ctx);
      const members = clusters.map((c) => c.obj.metadata.name).filter((n) => ctx.fleet.members().includes(n)).sort();
      const [nodes, pods, usage] = await Promise.all([
        objectsAcross<SlimNode>(ctx, 'nodes', undefined, members),
        objectsAcross<SlimPod>(ctx, 'pods', undefined, members),
        selectsUsage(info) ? Promise.all(members.map((m) => nodeMetricsOf(ctx, m))) : Promise.resolve([]),
      ]);
      const failures = [...nodes.failures, ...pods.failures];
      reportPartial(ctx, failures, info);
      const missing = new Set(failures.map((f) => f.cluster));

      const total = newAccumulator();
      const byProvider = new Map<string, Accumulator>();
      const byRegion = new Map<string, Accumulator>();
      const groupsOf = new Map<string, Accumulator[]>();
      for (const c of clusters as ClusterModel[]) {
        const name = c.obj.metadata.name;
        const provider = (c.obj as SlimCluster).spec?.provider ?? 'unknown';
        const region = (c.obj as SlimCluster).spec?.region ?? 'unknown';
        if (!byProvider.has(provider)) byProvider.set(provider, newAccumulator());
        if (!byRegion.has(region)) byRegion.set(region, newAccumulator());
        const accs = [total, byProvider.get(provider)!, byRegion.get(region)!];
        groupsOf.set(name, accs);
        const unreachable = Boolean(ctx.fleet.health(name)?.unreachableSince);
        for (const a of accs) {
          a.clusters.total++;
          if (isClusterReady(c.obj)) a.clusters.ready++;
          if (unreachable) a.clusters.unreachable++;
        }
      }
      // Per member: its accumulators looked up once; pods counted per phase locally (integers: the order of
      // additions does not matter), while resource sums are added pod by pod, in the same order as ever.
      const accsOf = (cluster: string) => groupsOf.get(cluster) ?? [total];
      for (const { cluster, objects } of nodes.perCluster) {
        const accs = accsOf(cluster);
        for (const n of objects) {
          const ready = isNodeReady(n);
          const cordoned = Boolean(n.spec?.unschedulable);
          const capacity = parsedResources(n.status?.capacity);
          const allocatable = parsedResources(n.status?.allocatable);
          for (const a of accs) {
            a.nodes.total++;
            if (ready) a.nodes.ready++;
            if (cordoned) a.nodes.cordoned++;
            a.capacity.addParsed(capacity);
            a.allocatable.addParsed(allocatable);
          }
        }
      }
      for (const { cluster, objects } of pods.perCluster) {
        const accs = accsOf(cluster);
        const phases = new Map<string, number>();
        for (const pod of objects) {
          const phase = podPhase(pod.status?.phase);
          phases.set(phase, (phases.get(phase) ?? 0) + 1);
          if (!isActivePod(pod)) continue;
          const requests = podRequestValues(pod);
          for (const a of accs) a.requested.addParsed(requests);
        }
        for (const a of accs) for (const [phase, n] of phases) a.pods.set(phase, (a.pods.get(phase) ?? 0) + n);
      }
      usage.forEach((r, i) => {
        if (!r.ok) return;
        const accs = groupsOf.get(members[i]!) ?? [total];
        for (const u of r.value) for (const a of accs) {
          a.used.add({ cpu: u.cpu, memory: u.memory });
          a.hasUsage = true;
        }
      });
      const breakdown = (m: Map<string, Accumulator>) =>
        [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, a]) => ({ key, ...render(a) }));
      return {
        ...render(total),
        byProvider: breakdown(byProvider),
        byRegion: breakdown(byRegion),
        missingClusters: [...missing].sort(),
      };
    },
  },
};
