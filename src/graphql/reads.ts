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
import { CONTROL_PLANE, type ClusterError, type ClusterResult, type NodeUsage, type PodUsage } from '../fleet/types.js';
import { authorize } from './authorize.js';
import type { GraphQLContext } from './context.js';
import { Reason } from '../errors/codes.js';
import { clusterFailure, notFound } from './errors.js';
import type { Located, ResourceTypeName } from './models.js';
import { located } from './located.js';
import { isApiNotServed, toClusterError } from '../fleet/UpstreamError.js';
import type { ListScope, ResourceCheck } from '../authz/types.js';
import { ErrorCode } from '../errors/codes.js';

/** The control plane is `null` in the API and CONTROL_PLANE in the data layer. */
export function fleetClusterKey(cluster: string | null): string {
  return cluster ?? CONTROL_PLANE;
}

/** The Located wrappers of a list the cache keeps (see `locate`), with what they were made for. */
interface LocatedList {
  cluster: string | null;
  type: ResourceTypeName;
  items: ReadonlyArray<Located>;
}

const locatedLists = new WeakMap<readonly SlimObject[], LocatedList>();

/**
 * The objects wrapped for the resolvers, once per list the cache hands out: a watched kind's list is one
 * array kept until its next change (and a caller's RBAC cut one array per list, see withinScope), so
 * requests between two changes share its wrappers (immutable views) instead of wrapping every object again;
 * and an array that stays the same lets the connections remember that it is sorted (connection.ts). The
 * answer is shared: never modify it.
 */
function locate<T extends SlimObject>(objs: readonly SlimObject[], cluster: string | null, type: ResourceTypeName): ReadonlyArray<Located<T>> {
  const kept = locatedLists.get(objs);
  if (kept && kept.cluster === cluster && kept.type === type) return kept.items as ReadonlyArray<Located<T>>;
  const items = objs.map((obj) => located(cluster, obj as T, type));
  locatedLists.set(objs, { cluster, type, items });
  return items;
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
  explicit = false,
): Promise<ClusterResult<ReadonlyArray<Located<T>>>> {
  const result = await objectsIn(ctx, kind, cluster, filter, explicit);
  if (!result.ok) return result;
  return { ok: true, cluster: result.cluster, value: locate<T>(result.value, cluster, type) };
}

/**
 * listIn without the Located wrappers, for roll-ups that only count and sum: the same authorization, the
 * same loader key, the cached objects themselves (read-only).
 *
 * Per-user authorization happens here, on the shared cache's answer (src/graphql/authorize.ts decides):
 * - filtered to a namespace: `list` there, else FORBIDDEN for this cluster (a typed value);
 * - otherwise only the namespaces where the caller may `list` the kind (cluster-scoped kinds: all or
 *   nothing), silently; with `explicit` (the caller's filter named this cluster) a caller who may list
 *   nothing there gets FORBIDDEN rather than an empty answer that looks like one.
 * Counts, cursors and roll-ups are computed from what is returned, so they count only what the caller may see.
 */
export async function objectsIn<T extends SlimObject = SlimObject>(
  ctx: GraphQLContext, kind: KindName, cluster: string | null, filter?: ListFilter, explicit = false,
): Promise<ClusterResult<readonly T[]>> {
  const r = await scopedObjectsIn<T>(ctx, kind, cluster, filter, explicit);
  return r.ok ? { ok: true, cluster: r.cluster, value: r.value.objects } : r;
}

/** What scopedObjectsIn answers: the objects, and the namespaces they were cut to (null: no cut). */
export interface ScopedObjects<T extends SlimObject> {
  objects: readonly T[];
  /** The caller's namespaces when the list was cut to them; null when the caller sees the whole list. */
  namespaces: ReadonlySet<string> | null;
}

/**
 * objectsIn, telling also which namespaces the answer was cut to: a reader that walks the cache's own
 * order (sorted connections, src/graphql/sortedConnection.ts) applies the same cut as a predicate.
 */
export async function scopedObjectsIn<T extends SlimObject = SlimObject>(
  ctx: GraphQLContext, kind: KindName, cluster: string | null, filter?: ListFilter, explicit = false,
): Promise<ClusterResult<ScopedObjects<T>>> {
  const whole = (r: ClusterResult<readonly T[]>): ClusterResult<ScopedObjects<T>> => (r.ok ? { ok: true, cluster: r.cluster, value: { objects: r.value, namespaces: null } } : r);
  authorize(ctx.identity, 'read', { kind, cluster: cluster ?? 'karmada', namespace: filter?.namespace ?? null });
  const key = filter && Object.values(filter).some((v) => v !== undefined)
    ? { kind, cluster: fleetClusterKey(cluster), filter: stripUndefined(filter) }
    : { kind, cluster: fleetClusterKey(cluster) };
  const access = ctx.access;
  if (access.unrestricted) return whole((await ctx.loaders.list.load(key)) as ClusterResult<readonly T[]>);
  const c = fleetClusterKey(cluster);
  if (filter?.namespace) {
    const check = access.checkOf('list', kind, filter.namespace);
    const refused = await access.refusal(c, check);
    if (refused) return { ok: false, cluster: c, error: refused };
    return whole((await ctx.loaders.list.load(key)) as ClusterResult<readonly T[]>);
  }
  const result = (await ctx.loaders.list.load(key)) as ClusterResult<readonly T[]>;
  if (!result.ok) return result;
  let scope: ListScope;
  try {
    scope = await access.listScope(c, kind, () => namespacesOf(result.value));
  } catch (err) {
    return { ok: false, cluster: c, error: toClusterError(c, err) };
  }
  if (scope.all) return whole(result);
  if (scope.namespaces.size === 0 && explicit) return { ok: false, cluster: c, error: access.forbidden(c, access.checkOf('list', kind)) };
  return { ok: true, cluster: result.cluster, value: { objects: withinScope(result.value, scope), namespaces: scope.namespaces } };
}

/** The namespaces a list holds objects in (the candidates a SubjectAccessReview-mode scope is asked about). */
function namespacesOf(objects: readonly SlimObject[]): Set<string> {
  const out = new Set<string>();
  for (const o of objects) if (o.metadata.namespace) out.add(o.metadata.namespace);
  return out;
}

/**
 * A list cut to a scope, memoised per (list, scope): the loader answers one array per (cluster, kind) and
 * the access set one scope object per (caller, kind), so every resolver of a request that reads the same
 * list shares one cut, and callers with the same rights share it across concurrent requests.
 */
const cuts = new WeakMap<readonly SlimObject[], WeakMap<ListScope, readonly SlimObject[]>>();

function withinScope<T extends SlimObject>(objects: readonly T[], scope: ListScope): readonly T[] {
  if (scope.namespaces.size === 0) return [];
  let perList = cuts.get(objects);
  if (!perList) cuts.set(objects, (perList = new WeakMap()));
  let cut = perList.get(scope);
  if (!cut) {
    cut = objects.filter((o) => o.metadata.namespace !== undefined && scope.namespaces.has(o.metadata.namespace));
    perList.set(scope, cut);
  }
  return cut as readonly T[];
}

/** Like listIn, but a failure is thrown as the GraphQL error that nulls the calling field. */
export async function listInOrThrow<T extends SlimObject = SlimObject>(
  ctx: GraphQLContext, kind: KindName, cluster: string | null, type: ResourceTypeName, filter?: ListFilter,
): Promise<ReadonlyArray<Located<T>>> {
  const result = await listIn<T>(ctx, kind, cluster, type, filter);
  if (!result.ok) throw clusterFailure(result.error);
  return result.value;
}

export interface Gathered<T extends SlimObject> {
  items: Array<Located<T>>;
  failures: ClusterError[];
}

/**
 * One kind across members (all, or `clusters`: the ones the caller's filter named), merged; failures kept
 * apart. Over every member, a member where the caller may not list what the filter asks is left out
 * silently when another member answered (a namespace filter names a namespace the caller works in somewhere);
 * when none did, each refusal is reported.
 */
export async function listAcross<T extends SlimObject = SlimObject>(
  ctx: GraphQLContext, kind: KindName, type: ResourceTypeName, filter?: ListFilter, clusters?: readonly string[],
): Promise<Gathered<T>> {
  const members = clusters ?? [...ctx.fleet.members()].sort();
  const results = await Promise.all(members.map((m) => listIn<T>(ctx, kind, m, type, filter, clusters !== undefined)));
  const out: Gathered<T> = { items: [], failures: [] };
  let answered = false;
  for (const r of results) {
    if (r.ok) {
      answered = true;
      out.items.push(...r.value);
    } else if (!isApiNotServed(r.error)) out.failures.push(r.error);
  }
  if (clusters === undefined && answered) out.failures = out.failures.filter((f) => f.code !== ErrorCode.FORBIDDEN);
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

/** The metrics API's resources, as RBAC names them (`nodes`/`pods` of `metrics.k8s.io`). */
const METRICS_GROUP = 'metrics.k8s.io';

/**
 * Node usage of one member (metrics API), after authorization (`list nodes.metrics.k8s.io`, cluster-wide:
 * the loader reads every node's usage); never cached beyond the request. A refusal is FORBIDDEN as a value.
 */
export async function nodeMetricsOf(ctx: GraphQLContext, cluster: string): Promise<ClusterResult<NodeUsage[]>> {
  authorize(ctx.identity, 'read', { kind: 'nodes/metrics', cluster });
  const refused = ctx.access.unrestricted ? undefined : await ctx.access.refusal(cluster, { verb: 'list', apiGroup: METRICS_GROUP, resource: 'nodes' });
  if (refused) return { ok: false, cluster, error: refused };
  return ctx.loaders.nodeMetrics.load(cluster);
}

/** Pod usage of one member (metrics API), after authorization: `list pods.metrics.k8s.io` in the pod's namespace. */
export async function podMetricsOf(ctx: GraphQLContext, cluster: string, namespace?: string): Promise<ClusterResult<PodUsage[]>> {
  authorize(ctx.identity, 'read', { kind: 'pods/metrics', cluster });
  const refused = ctx.access.unrestricted ? undefined : await ctx.access.refusal(cluster, { verb: 'list', apiGroup: METRICS_GROUP, resource: 'pods', ...(namespace ? { namespace } : {}) });
  if (refused) return { ok: false, cluster, error: refused };
  return ctx.loaders.podMetrics.load(cluster);
}

/** Undefined when the caller may do `check` in `cluster` (decided locally when possible), else FORBIDDEN as a value. */
export async function accessRefusal(ctx: GraphQLContext, cluster: string | null, check: ResourceCheck): Promise<ClusterError | undefined> {
  if (ctx.access.unrestricted) return undefined;
  const c = fleetClusterKey(cluster);
  const local = ctx.access.decideLocally(c, check);
  if (local === true) return undefined;
  return local === false ? ctx.access.forbidden(c, check) : ctx.access.refusal(c, check);
}

/** Throws FORBIDDEN (the field's error) unless the caller may do `check` in `cluster`. */
export async function requireAccess(ctx: GraphQLContext, cluster: string | null, check: ResourceCheck): Promise<void> {
  const refused = await accessRefusal(ctx, cluster, check);
  if (refused) throw clusterFailure(refused);
}

/** Records failures beside a field that still answers (added to the response's errors). */
export function reportPartial(ctx: GraphQLContext, failures: readonly ClusterError[], info?: GraphQLResolveInfo): void {
  const path = info ? responsePathAsArray(info.path) : undefined;
  for (const f of failures) ctx.partial.add(f, path);
}

/** Per-request `namespace/name` indexes, so repeated lookups cost one list per (cluster, kind). */
const indexes = new WeakMap<GraphQLContext, Map<string, Promise<ClusterResult<Map<string, Located>>>>>();

/**
 * One object by name through the per-request index; `ok` with `null` when absent. The index is built from
 * the whole cached list (the caller may `get` an object it may not `list`): each object handed out is checked
 * with `get` on that object, and a refusal is FORBIDDEN for this field (as kube answers 403 before 404).
 */
export async function getOne<T extends SlimObject = SlimObject>(
  ctx: GraphQLContext, kind: KindName, cluster: string | null, type: ResourceTypeName,
  namespace: string | null | undefined, name: string,
): Promise<ClusterResult<Located<T> | null>> {
  authorize(ctx.identity, 'read', { kind, cluster: cluster ?? 'karmada', namespace: namespace ?? null });
  const c = fleetClusterKey(cluster);
  if (!ctx.access.unrestricted) {
    const check = ctx.access.checkOf('get', kind, namespace, name);
    const local = ctx.access.decideLocally(c, check);
    if (local === false) return { ok: false, cluster: c, error: ctx.access.forbidden(c, check) };
    if (local === undefined) {
      const refused = await ctx.access.refusal(c, check);
      if (refused) return { ok: false, cluster: c, error: refused };
    }
  }
  let perCtx = indexes.get(ctx);
  if (!perCtx) indexes.set(ctx, (perCtx = new Map()));
  const key = `${kind}\u0000${cluster ?? ''}\u0000${type}`;
  let index = perCtx.get(key);
  if (!index) {
    index = (ctx.loaders.list.load({ kind, cluster: c }) as Promise<ClusterResult<readonly SlimObject[]>>).then((r) => {
      if (!r.ok) return r;
      const map = new Map<string, Located>();
      for (const obj of r.value) map.set(`${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, located(cluster, obj, type));
      return { ok: true as const, cluster: r.cluster, value: map };
    });
    perCtx.set(key, index);
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
