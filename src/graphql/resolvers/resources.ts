/**
 * Any kind a cluster serves (schema/resources.graphql): `apiResources` (discovery), `resources` (a connection
 * of KubernetesObjects, fleet-wide over the members or in one cluster), and `dynamicResource`, which
 * `Query.resource(id)` falls back to for kinds no modelled type renders (resourceFields.ts).
 *
 * Reads go through the fleet's DynamicKinds (src/fleet/DynamicKinds.ts): discovery is cached per cluster;
 * objects are listed upstream once per cluster and distinct arguments per request (a per-request memo, as
 * the loaders of modelled kinds) and paged in memory. Authorization is the caller's RBAC on the kind's
 * group and plural, as for every read: a list is cut to the namespaces the caller may list there; a
 * caller who may list nothing in a cluster it named gets FORBIDDEN for that cluster.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { SlimObject } from '../../cache/types.js';
import type { ApiResourceInfo, DynamicKinds } from '../../fleet/DynamicKinds.js';
import { CONTROL_PLANE, type ClusterError, type ClusterResult } from '../../fleet/types.js';
import { isApiNotServed } from '../../fleet/UpstreamError.js';
import type { ResourceCheck } from '../../authz/types.js';
import { authorize } from '../authorize.js';
import { connectionOf, orderBy, pageArgs } from '../connection.js';
import type { GraphQLContext } from '../context.js';
import { apiError, badUserInput, clusterFailure, ErrorCode, Reason } from '../errors.js';
import { located } from '../located.js';
import type { Located, ObjectModel } from '../models.js';
import { checkMember, reportPartial } from '../reads.js';
import { checkLabelName, checkLabelSelector } from '../validation.js';

/** The API's name of the control plane in `cluster` arguments (as in subscription filters). */
const KARMADA = 'karmada';

const API_VERSION = /^(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Za-z][A-Za-z0-9]{0,62}$/;
/** One field selector term: `path=value`, `path==value`, `path!=value` (values without commas). */
const FIELD_TERM = /^[A-Za-z0-9_.\-/[\]]+\s*(==|!=|=)\s*[^,=!]*$/;

function fleetOf(ctx: GraphQLContext): DynamicKinds {
  const d = ctx.fleet.dynamic;
  if (!d) throw apiError(ErrorCode.INTERNAL, 'this fleet does not read kinds it does not model');
  return d;
}

/** `karmada` (or nothing, where allowed) → CONTROL_PLANE; a member's name as is, after checking it exists. */
function clusterArg(ctx: GraphQLContext, cluster: string | null | undefined, field: string): string {
  if (cluster === KARMADA) return CONTROL_PLANE;
  checkLabelName(cluster, field);
  checkMember(ctx, cluster!, field);
  return cluster!;
}

export function checkApiVersion(apiVersion: string, field = 'apiVersion'): void {
  if (!API_VERSION.test(apiVersion)) throw badUserInput(`${field}: "${apiVersion.slice(0, 80)}" is not an apiVersion (group/version, or v1 for the core group)`, field);
}

export function checkKind(kind: string, field = 'kind'): void {
  if (!KIND.test(kind)) throw badUserInput(`${field}: "${kind.slice(0, 80)}" is not a Kubernetes kind (e.g. PodDisruptionBudget)`, field);
}

/** Field selector syntax (which fields a kind supports is the server's business: its 400 is BAD_USER_INPUT). */
export function checkFieldSelector(selector: string | null | undefined, field = 'fieldSelector'): void {
  if (!selector?.trim()) return;
  for (const term of selector.split(',')) {
    if (!FIELD_TERM.test(term.trim())) throw badUserInput(`${field}: invalid field selector "${selector.slice(0, 80)}": "${term.slice(0, 40)}" is not key=value, key==value or key!=value`, field);
  }
}

const apiCluster = (cluster: string): string | null => (cluster === CONTROL_PLANE ? null : cluster);

/** Connection order: cluster, namespace, name. */
const objectOrder = orderBy<Located>((o) => o.cluster ?? '', (o) => o.obj.metadata.namespace ?? '', (o) => o.obj.metadata.name);

interface ListArgs {
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
}

/** Per-request memo of list answers (by the request's loaders): one upstream list per (cluster, kind, arguments) per request. */
const lists = new WeakMap<object, Map<string, Promise<ClusterResult<{ items: SlimObject[]; truncated: boolean }>>>>();

function listOnce(ctx: GraphQLContext, cluster: string, r: ApiResourceInfo, args: ListArgs) {
  // Keyed by the request's loaders, which every run of one request shares (differential execution copies the context).
  let memo = lists.get(ctx.loaders);
  if (!memo) lists.set(ctx.loaders, (memo = new Map()));
  const key = [cluster, r.apiVersion, r.kind, r.namespaced ? args.namespace ?? '' : '', args.labelSelector ?? '', args.fieldSelector ?? ''].join('\u0000');
  let p = memo.get(key);
  if (!p) {
    p = fleetOf(ctx).list(cluster, r, {
      ...(r.namespaced && args.namespace ? { namespace: args.namespace } : {}),
      ...(args.labelSelector ? { labelSelector: args.labelSelector } : {}),
      ...(args.fieldSelector ? { fieldSelector: args.fieldSelector } : {}),
    });
    memo.set(key, p);
  }
  return p;
}

/**
 * Refusals of the caller's own RBAC (as opposed to a cluster refusing the gateway, which is always reported):
 * over every member they are left out silently when another member answered, as for the other fleet-wide lists.
 */
const callerRefusals = new WeakSet<ClusterError>();

function refusedCaller(cluster: string, error: ClusterError): { ok: false; cluster: string; error: ClusterError } {
  if (error.code === ErrorCode.FORBIDDEN) callerRefusals.add(error);
  return { ok: false, cluster, error };
}

function check(verb: string, r: ApiResourceInfo, namespace?: string | null, name?: string): ResourceCheck {
  return { verb, apiGroup: r.group, resource: r.name, ...(r.namespaced && namespace ? { namespace } : {}), ...(name ? { name } : {}) };
}

/**
 * The objects of `r` in one cluster the caller may see, as Located values; failures (the cluster's, or the
 * caller's FORBIDDEN) as values.
 */
async function objectsIn(ctx: GraphQLContext, cluster: string, r: ApiResourceInfo, args: ListArgs, explicit: boolean): Promise<ClusterResult<{ items: Located[]; truncated: boolean }>> {
  const access = ctx.access;
  if (!access.unrestricted && r.namespaced && args.namespace) {
    const refused = await access.refusal(cluster, check('list', r, args.namespace));
    if (refused) return refusedCaller(cluster, refused);
  } else if (!access.unrestricted && !r.namespaced && access.decideLocally(cluster, check('list', r)) === false) {
    // Cluster-scoped: all or nothing, known before listing.
    return refusedCaller(cluster, access.forbidden(cluster, check('list', r)));
  }
  const listed = await listOnce(ctx, cluster, r, args);
  if (!listed.ok) return listed;
  let items = listed.value.items;
  if (!access.unrestricted && !(r.namespaced && args.namespace)) {
    let scope;
    try {
      scope = await access.listScopeFor(cluster, { apiGroup: r.group, resource: r.name, namespaced: r.namespaced }, () => new Set(items.flatMap((o) => (o.metadata.namespace ? [o.metadata.namespace] : []))));
    } catch (err) {
      return { ok: false, cluster, error: { code: ErrorCode.CLUSTER_UNAVAILABLE, cluster, message: `${cluster}: ${(err as Error).message}` } };
    }
    if (!scope.all) {
      if (scope.namespaces.size === 0 && (explicit || !r.namespaced)) return refusedCaller(cluster, access.forbidden(cluster, check('list', r)));
      items = items.filter((o) => o.metadata.namespace !== undefined && scope.namespaces.has(o.metadata.namespace));
    }
  }
  const c = apiCluster(cluster);
  return { ok: true, cluster, value: { items: items.map((o) => located(c, o, 'KubernetesObject')), truncated: listed.value.truncated } };
}

/** Which of `clusters` serve apiVersion/kind (from cached discovery), and the discovery failures. */
async function servingClusters(ctx: GraphQLContext, clusters: readonly string[], apiVersion: string, kind: string) {
  const dynamic = fleetOf(ctx);
  const found = await Promise.all(clusters.map((c) => dynamic.find(c, apiVersion, kind)));
  const serving: Array<{ cluster: string; resource: ApiResourceInfo }> = [];
  const failures: ClusterError[] = [];
  found.forEach((f, i) => {
    if (!f.ok) failures.push(f.error);
    else if (f.value) serving.push({ cluster: clusters[i]!, resource: f.value });
  });
  return { serving, failures };
}

export const resourcesResolvers = {
  Query: {
    apiResources: async (_p: unknown, args: { cluster?: string | null }, ctx: GraphQLContext) => {
      const cluster = args.cluster === null || args.cluster === undefined ? CONTROL_PLANE : clusterArg(ctx, args.cluster, 'cluster');
      authorize(ctx.identity, 'read', { kind: 'apiResources', cluster: apiCluster(cluster) ?? KARMADA });
      // Discovery is readable by every authenticated user on a kube-apiserver (system:discovery).
      const r = await fleetOf(ctx).resources(cluster);
      if (!r.ok) throw clusterFailure(r.error);
      return r.value;
    },

    resources: async (
      _p: unknown,
      args: { cluster?: string | null; apiVersion: string; kind: string; namespace?: string | null; labelSelector?: string | null; fieldSelector?: string | null; first?: number | null; after?: string | null },
      ctx: GraphQLContext,
      info: GraphQLResolveInfo,
    ) => {
      // Every argument is checked before any upstream call.
      const page = pageArgs(args);
      checkApiVersion(args.apiVersion);
      checkKind(args.kind);
      if (args.namespace !== null && args.namespace !== undefined) checkLabelName(args.namespace, 'namespace');
      checkLabelSelector(args.labelSelector, 'labelSelector');
      checkFieldSelector(args.fieldSelector);
      const explicit = args.cluster !== null && args.cluster !== undefined;
      const clusters = explicit ? [clusterArg(ctx, args.cluster, 'cluster')] : [...ctx.fleet.members()].sort();
      authorize(ctx.identity, 'read', { kind: `${args.apiVersion}/${args.kind}`, cluster: args.cluster ?? null, namespace: args.namespace ?? null });

      const { serving, failures } = await servingClusters(ctx, clusters, args.apiVersion, args.kind);
      if (serving.length === 0 && failures.length === 0) {
        let hint = '';
        if (!explicit && (await fleetOf(ctx).find(CONTROL_PLANE, args.apiVersion, args.kind).then((r) => r.ok && r.value !== null))) {
          hint = ' (the Karmada control plane serves it: pass cluster: "karmada")';
        }
        const where = explicit ? `cluster ${args.cluster}` : 'any member cluster';
        throw badUserInput(`kind: ${args.apiVersion} ${args.kind} is not served by ${where}${hint}; see apiResources`, 'kind');
      }
      const listArgs: ListArgs = {
        ...(args.namespace ? { namespace: args.namespace } : {}),
        ...(args.labelSelector?.trim() ? { labelSelector: args.labelSelector.trim() } : {}),
        ...(args.fieldSelector?.trim() ? { fieldSelector: args.fieldSelector.trim() } : {}),
      };
      const results = await Promise.all(serving.map((s) => objectsIn(ctx, s.cluster, s.resource, listArgs, explicit)));
      const items: Located[] = [];
      let answered = false;
      for (const r of results) {
        if (!r.ok) {
          // The request's own mistake (a field selector the kind does not support): its error, not the cluster's.
          if (r.error.code === ErrorCode.BAD_USER_INPUT && listArgs.fieldSelector) {
            throw badUserInput(`fieldSelector: ${r.error.message}`, 'fieldSelector');
          }
          if (!isApiNotServed(r.error) || explicit) failures.push(r.error);
          continue;
        }
        answered = true;
        items.push(...r.value.items);
        if (r.value.truncated) {
          failures.push({
            code: ErrorCode.QUERY_TOO_COMPLEX,
            reason: Reason.COST_LIMIT,
            cluster: r.cluster,
            message: `${r.cluster}: more than ${fleetOf(ctx).maxObjects} ${args.kind} objects; only the first ${fleetOf(ctx).maxObjects} were read (narrow with namespace or a selector)`,
          });
        }
      }
      // Over every member, a member where the caller may list nothing is left out silently when another answered;
      // a member refusing the gateway itself (its ServiceAccount lacks the kind) is always reported.
      const reported = !explicit && answered ? failures.filter((f) => !callerRefusals.has(f)) : failures;
      reportPartial(ctx, reported, info);
      const connection = connectionOf(items, objectOrder, page);
      return { ...connection, nodes: connection.edges.map((e) => e.node) };
    },
  },

  /** Its own field; the Resource fields are resourceFields' (merged in index.ts: that module imports this one). */
  KubernetesObject: {
    object: (p: ObjectModel) => p.obj,
  },
};

/**
 * `Query.resource(id)` for a kind no modelled type renders: the kind looked up in the cluster's discovery,
 * the caller's `get` checked, one GET. Null when the cluster does not serve the kind or the object is gone.
 */
export async function dynamicResource(
  ctx: GraphQLContext,
  parts: { cluster: string | null; apiVersion: string; kind: string; namespace: string | null; name: string },
): Promise<Located | null> {
  if (!API_VERSION.test(parts.apiVersion) || !KIND.test(parts.kind)) return null;
  const dynamic = ctx.fleet.dynamic;
  if (!dynamic) return null;
  const cluster = parts.cluster ?? CONTROL_PLANE;
  const found = await dynamic.find(cluster, parts.apiVersion, parts.kind);
  if (!found.ok) throw clusterFailure(found.error);
  const r = found.value;
  if (!r) return null;
  if (!ctx.access.unrestricted) {
    const refused = await ctx.access.refusal(cluster, check('get', r, parts.namespace, parts.name));
    if (refused) throw clusterFailure(refused);
  }
  let memo = gets.get(ctx.loaders);
  if (!memo) gets.set(ctx.loaders, (memo = new Map()));
  const key = [cluster, parts.apiVersion, parts.kind, parts.namespace ?? '', parts.name].join('\u0000');
  let p = memo.get(key);
  if (!p) memo.set(key, (p = dynamic.get(cluster, r, r.namespaced ? parts.namespace : null, parts.name)));
  const got = await p;
  if (!got.ok) throw clusterFailure(got.error);
  return got.value ? located(parts.cluster, got.value, 'KubernetesObject') : null;
}

/** Per-request memo of GETs (the same id asked twice costs one call). */
const gets = new WeakMap<object, Map<string, Promise<ClusterResult<SlimObject | null>>>>();
