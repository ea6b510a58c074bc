/**
 * How resolvers read the fleet: always through the per-request loaders (so a request makes at most one
 * list per cluster and kind), always after `authorize`, and with per-cluster failures kept as values
 * until the resolver decides whether they null its field (one cluster) or are reported beside a merged
 * answer (fleet-wide lists).
 */
import type { GraphQLResolveInfo } from 'graphql';
import { responsePathAsArray } from 'graphql';
import type { SlimObject, ListFilter } from '../cache/types.js';
import type { KindName } from '../fleet/kinds.js';
import { CONTROL_PLANE, type ClusterError, type ClusterResult } from '../fleet/types.js';
import { authorize } from './authorize.js';
import type { GraphQLContext } from './context.js';
import { Reason } from '../errors/codes.js';
import { clusterFailure, notFound } from './errors.js';
import type { Located, ResourceTypeName } from './models.js';
import { isApiNotServed } from '../fleet/UpstreamError.js';

/** The control plane is `null` in the API and CONTROL_PLANE in the data layer. */
export function fleetClusterKey(cluster: string | null): string {
  return cluster ?? CONTROL_PLANE;
}

function locate<T extends SlimObject>(objs: readonly SlimObject[], cluster: string | null, type: ResourceTypeName): Array<Located<T>> {
  return objs.map((obj) => ({ cluster, obj: obj as T, type }));
}

/**
 * Refuses a read that names (or is filtered to) a cluster the fleet does not have: NOT_FOUND with reason
 * UNKNOWN_CLUSTER and the members it has (`extensions.members`), as mutations answer — before any upstream
 * call, rather than an empty list that looks like an answer.
 */
export function checkMember(ctx: GraphQLContext, cluster: string, field: string): void {
  const members = ctx.fleet.members();
  if (members.includes(cluster)) return;
  throw notFound(`${field}: no member cluster named "${cluster}" (members: ${members.join(', ')})`, {
    field,
    cluster,
    reason: Reason.UNKNOWN_CLUSTER,
    members,
  });
}

/** Objects of one kind in one cluster (null = control plane), as a typed result. */
export async function listIn<T extends SlimObject = SlimObject>(
  ctx: GraphQLContext,
  kind: KindName,
  cluster: string | null,
  type: ResourceTypeName,
  filter?: ListFilter,
): Promise<ClusterResult<Array<Located<T>>>> {
  const result = await objectsIn(ctx, kind, cluster, filter);
  if (!result.ok) return result;
  return { ok: true, cluster: result.cluster, value: locate<T>(result.value, cluster, type) };
}

/**
 * listIn without the Located wrappers, for roll-ups that only count and sum: the same authorization, the
 * same loader key, the cached objects themselves (read-only).
 */
export async function objectsIn<T extends SlimObject = SlimObject>(
  ctx: GraphQLContext, kind: KindName, cluster: string | null, filter?: ListFilter,
): Promise<ClusterResult<readonly T[]>> {
  authorize(ctx.identity, 'read', { kind, cluster: cluster ?? 'karmada', namespace: filter?.namespace ?? null });
  const key = filter && Object.values(filter).some((v) => v !== undefined)
    ? { kind, cluster: fleetClusterKey(cluster), filter: stripUndefined(filter) }
    : { kind, cluster: fleetClusterKey(cluster) };
  return ctx.loaders.list.load(key) as Promise<ClusterResult<readonly T[]>>;
}

/** Like listIn, but a failure is thrown as the GraphQL error that nulls the calling field. */
export async function listInOrThrow<T extends SlimObject = SlimObject>(
  ctx: GraphQLContext, kind: KindName, cluster: string | null, type: ResourceTypeName, filter?: ListFilter,
): Promise<Array<Located<T>>> {
  const result = await listIn<T>(ctx, kind, cluster, type, filter);
  if (!result.ok) throw clusterFailure(result.error);
  return result.value;
}

export interface Gathered<T extends SlimObject> {
  items: Array<Located<T>>;
  failures: ClusterError[];
}

/** One kind across members (all, or `clusters`), merged; failures kept apart. */
export async function listAcross<T extends SlimObject = SlimObject>(
  ctx: GraphQLContext, kind: KindName, type: ResourceTypeName, filter?: ListFilter, clusters?: readonly string[],
): Promise<Gathered<T>> {
  const members = clusters ?? [...ctx.fleet.members()].sort();
  const results = await Promise.all(members.map((m) => listIn<T>(ctx, kind, m, type, filter)));
  const out: Gathered<T> = { items: [], failures: [] };
  for (const r of results) {
    if (r.ok) out.items.push(...r.value);
    else if (!isApiNotServed(r.error)) out.failures.push(r.error);
  }
  return out;
}

export interface GatheredObjects<T extends SlimObject> {
  /** Members that answered, in the order asked, each with its objects. */
  perCluster: Array<{ cluster: string; objects: readonly T[] }>;
  failures: ClusterError[];
}

/** listAcross without the Located wrappers, kept per member (see objectsIn). */
export async function objectsAcross<T extends SlimObject = SlimObject>(
  ctx: GraphQLContext, kind: KindName, filter?: ListFilter, clusters?: readonly string[],
): Promise<GatheredObjects<T>> {
  const members = clusters ?? [...ctx.fleet.members()].sort();
  const results = await Promise.all(members.map((m) => objectsIn<T>(ctx, kind, m, filter)));
  const out: GatheredObjects<T> = { perCluster: [], failures: [] };
  results.forEach((r, i) => {
    if (r.ok) out.perCluster.push({ cluster: members[i]!, objects: r.value });
    else if (!isApiNotServed(r.error)) out.failures.push(r.error);
  });
  return out;
}

/** Node usage of one member (metrics API), after authorization; never cached beyond the request. */
export function nodeMetricsOf(ctx: GraphQLContext, cluster: string) {
  authorize(ctx.identity, 'read', { kind: 'nodes/metrics', cluster });
  return ctx.loaders.nodeMetrics.load(cluster);
}

/** Pod usage of one member (metrics API), after authorization. */
export function podMetricsOf(ctx: GraphQLContext, cluster: string) {
  authorize(ctx.identity, 'read', { kind: 'pods/metrics', cluster });
  return ctx.loaders.podMetrics.load(cluster);
}

/** Records failures beside a field that still answers (added to the response's errors). */
export function reportPartial(ctx: GraphQLContext, failures: readonly ClusterError[], info?: GraphQLResolveInfo): void {
  const path = info ? responsePathAsArray(info.path) : undefined;
  for (const f of failures) ctx.partial.add(f, path);
}

/** Per-request `namespace/name` indexes, so repeated lookups cost one list per (cluster, kind). */
const indexes = new WeakMap<GraphQLContext, Map<string, Promise<ClusterResult<Map<string, Located>>>>>();

/** One object by name through the per-request index; `ok` with `null` when absent. */
export async function getOne<T extends SlimObject = SlimObject>(
  ctx: GraphQLContext, kind: KindName, cluster: string | null, type: ResourceTypeName,
  namespace: string | null | undefined, name: string,
): Promise<ClusterResult<Located<T> | null>> {
  let perCtx = indexes.get(ctx);
  if (!perCtx) indexes.set(ctx, (perCtx = new Map()));
  const key = `${kind}\u0000${cluster ?? ''}\u0000${type}`;
  let index = perCtx.get(key);
  if (!index) {
    index = listIn(ctx, kind, cluster, type).then((r) => {
      if (!r.ok) return r;
      const map = new Map<string, Located>();
      for (const item of r.value) map.set(`${item.obj.metadata.namespace ?? ''}/${item.obj.metadata.name}`, item);
      return { ok: true as const, cluster: r.cluster, value: map };
    });
    perCtx.set(key, index);
  } else {
    authorize(ctx.identity, 'read', { kind, cluster: cluster ?? 'karmada', namespace: namespace ?? null });
  }
  const r = await index;
  if (!r.ok) return r;
  return { ok: true, cluster: r.cluster, value: (r.value.get(`${namespace ?? ''}/${name}`) as Located<T> | undefined) ?? null };
}

function stripUndefined(filter: ListFilter): ListFilter {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== null) out[k] = v;
  return out as ListFilter;
}
