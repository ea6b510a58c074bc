/**
 * `Node.usageHistory`, `Cluster.usageHistory` and `Fleet.usageHistory` (issue 16): points read from the
 * usage history of the context (src/history: the sampling ring, or Prometheus). The window and step are
 * validated before anything is read; the caller needs `list nodes.metrics.k8s.io` in a member to see its
 * history (as `Node.usage`), and the fleet's sums cover the members the caller may read.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { parseDuration } from '../../config/duration.js';
import { ErrorCode } from '../../errors/codes.js';
import { CONTROL_PLANE, type ClusterError } from '../../fleet/types.js';
import type { HistoryPoint, HistoryScope, UsageHistory } from '../../history/UsageHistory.js';
import { MAX_POINTS } from '../../history/UsageHistory.js';
import { PrometheusError } from '../../history/PrometheusHistory.js';
import { authorize } from '../authorize.js';
import type { GraphQLContext } from '../context.js';
import { apiError, badUserInput, clusterFailure } from '../errors.js';
import type { ClusterModel, NodeModel } from '../models.js';
import { reportPartial } from '../reads.js';

interface HistoryArgs {
  window?: string | null;
  step?: string | null;
}

export interface UsageHistoryModel {
  source: 'SAMPLES' | 'PROMETHEUS';
  windowSeconds: number;
  stepSeconds: number;
  sampleIntervalSeconds: number;
  points: Array<{ time: string; cpuUsage: number | null; memoryUsage: number | null; cpuRequests: number | null; memoryRequests: number | null; nodes: number }>;
}

/** A duration argument with its unit (`30s`, `5m`, `1h`, `1h30m`), whole seconds; ms. */
function durationArg(value: string, field: string): number {
  const ms = /^\s*\d+\s*$/.test(value) ? undefined : parseDuration(value);
  if (ms === undefined) throw badUserInput(`${field}: "${value.slice(0, 40)}" is not a duration with a unit (e.g. 30s, 5m, 1h)`, field);
  if (ms <= 0 || ms % 1000 !== 0) throw badUserInput(`${field}: "${value}" is not a positive whole number of seconds`, field);
  return ms;
}

/** The window and step, checked against what the history holds; the number of points. */
export function historyRange(history: UsageHistory, args: HistoryArgs): { stepMs: number; windowMs: number; count: number } {
  const stepMs = args.step != null ? durationArg(args.step, 'step') : history.sampleIntervalMs;
  if (stepMs < history.sampleIntervalMs) {
    throw badUserInput(`step: ${stepMs / 1000}s is below the sampling interval (${history.sampleIntervalMs / 1000}s)`, 'step');
  }
  const longest = history.keepMs ?? 3_600_000;
  const windowMs = args.window != null ? durationArg(args.window, 'window') : Math.max(stepMs, Math.floor(longest / stepMs) * stepMs);
  if (history.keepMs !== undefined && windowMs > history.keepMs) {
    throw badUserInput(`window: ${windowMs / 1000}s is beyond the history kept (${history.keepMs / 1000}s, --usage-history)`, 'window');
  }
  if (windowMs < stepMs || windowMs % stepMs !== 0) {
    throw badUserInput(`window: ${windowMs / 1000}s is not a whole number of steps of ${stepMs / 1000}s`, 'window');
  }
  const count = windowMs / stepMs;
  if (count > MAX_POINTS) throw badUserInput(`window: ${count} points of ${stepMs / 1000}s; at most ${MAX_POINTS} (a longer step)`, 'window');
  return { stepMs, windowMs, count };
}

function historyOf(ctx: GraphQLContext): UsageHistory {
  if (!ctx.usageHistory) throw apiError(ErrorCode.NOT_FOUND, 'usage history is not kept by this gateway');
  return ctx.usageHistory;
}

/** Undefined when the caller may read the member's node metrics, else why not. */
async function metricsRefusal(ctx: GraphQLContext, cluster: string): Promise<ClusterError | undefined> {
  authorize(ctx.identity, 'read', { kind: 'nodes/metrics', cluster });
  return ctx.access.unrestricted ? undefined : ctx.access.refusal(cluster, { verb: 'list', apiGroup: 'metrics.k8s.io', resource: 'nodes' });
}

function pointsModel(points: readonly HistoryPoint[]): UsageHistoryModel['points'] {
  return points.map((p) => ({
    time: new Date(p.time).toISOString(),
    cpuUsage: p.cpuUsage,
    memoryUsage: p.memoryUsage,
    cpuRequests: p.cpuRequests,
    memoryRequests: p.memoryRequests,
    nodes: p.nodes,
  }));
}

/**
 * Per request (keyed by its loaders, which the two runs of `--execution differential` share): the time its
 * reads end at, pinned at the first, and each distinct read's answer, so that one request sees one snapshot.
 */
const snapshots = new WeakMap<object, { endMs: number; reads: Map<string, Promise<HistoryPoint[]>> }>();

function pointsOf(ctx: GraphQLContext, history: UsageHistory, scope: HistoryScope, count: number, stepMs: number): Promise<HistoryPoint[]> {
  let snapshot = snapshots.get(ctx.loaders);
  if (!snapshot) snapshots.set(ctx.loaders, (snapshot = { endMs: history.endAt(Date.now()), reads: new Map() }));
  const key = JSON.stringify([scope.cluster ?? null, scope.node ?? null, scope.only ?? null, count, stepMs]);
  let read = snapshot.reads.get(key);
  if (!read) snapshot.reads.set(key, (read = history.points(scope, count, stepMs, snapshot.endMs)));
  return read;
}

async function read(ctx: GraphQLContext, args: HistoryArgs, scope: HistoryScope | undefined): Promise<UsageHistoryModel> {
  const history = historyOf(ctx);
  const { stepMs, windowMs, count } = historyRange(history, args);
  const model = {
    source: history.source,
    windowSeconds: windowMs / 1000,
    stepSeconds: stepMs / 1000,
    sampleIntervalSeconds: history.sampleIntervalMs / 1000,
  };
  let points: HistoryPoint[];
  if (!scope) {
    // No member may be read: every point is a gap.
    const now = Math.floor(Date.now() / stepMs) * stepMs;
    points = Array.from({ length: count }, (_, i) => ({ time: now - (count - 1 - i) * stepMs, cpuUsage: null, memoryUsage: null, cpuRequests: null, memoryRequests: null, nodes: 0 }));
  } else {
    try {
      points = await pointsOf(ctx, history, scope, count, stepMs);
    } catch (err) {
      if (err instanceof PrometheusError) throw apiError(ErrorCode.CLUSTER_UNAVAILABLE, err.message, { upstream: 'prometheus' });
      throw err;
    }
  }
  return { ...model, points: pointsModel(points) };
}

export const historyResolvers = {
  Node: {
    usageHistory: async (n: NodeModel, args: HistoryArgs, ctx: GraphQLContext) => {
      historyRange(historyOf(ctx), args);
      const cluster = n.cluster ?? '';
      const refused = await metricsRefusal(ctx, cluster);
      if (refused) throw clusterFailure(refused);
      return read(ctx, args, { cluster, node: n.obj.metadata.name });
    },
  },
  Cluster: {
    usageHistory: async (c: ClusterModel, args: HistoryArgs, ctx: GraphQLContext) => {
      historyRange(historyOf(ctx), args);
      const cluster = c.obj.metadata.name;
      const refused = await metricsRefusal(ctx, cluster);
      if (refused) throw clusterFailure(refused);
      return read(ctx, args, { cluster });
    },
  },
  Fleet: {
    usageHistory: async (_f: unknown, args: HistoryArgs, ctx: GraphQLContext, info: GraphQLResolveInfo) => {
      historyRange(historyOf(ctx), args);
      const members = ctx.fleet.members().filter((m) => m !== CONTROL_PLANE);
      const refusals = await Promise.all(members.map((m) => metricsRefusal(ctx, m)));
      const only = members.filter((_m, i) => !refusals[i]);
      reportPartial(ctx, refusals.filter((r): r is ClusterError => r !== undefined), info);
      if (only.length === members.length) return read(ctx, args, {});
      return read(ctx, args, only.length ? { only } : undefined);
    },
  },
};
