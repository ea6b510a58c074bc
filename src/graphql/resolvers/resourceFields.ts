/**
 * Resolvers shared by every type implementing `Resource` (id, labels, events, yaml, ...), the interface's
 * type resolution, `ResourceRef`, and `Query.resource(id)`.
 */
import yaml from 'js-yaml';
import type { GraphQLResolveInfo } from 'graphql';
import type { SlimEvent } from '../../cache/types.js';
import { CONTROL_PLANE } from '../../fleet/types.js';
import { authorize } from '../authorize.js';
import { connectionOf, pageArgs } from '../connection.js';
import type { GraphQLContext } from '../context.js';
import { clusterFailure } from '../errors.js';
import { decodeGlobalId, encodeGlobalId } from '../globalId.js';
import { routeOf } from '../kindMap.js';
import type { EventModel, Located, RefModel } from '../models.js';
import { getOne, requireAccess } from '../reads.js';
import { dynamicResource } from './resources.js';
import { labelsOf } from '../shapes.js';
import { checkLabelName, checkObjectName } from '../validation.js';

type Args = Record<string, unknown>;

export function idOf(item: Located): string {
  return encodeGlobalId({
    cluster: item.cluster,
    apiVersion: item.obj.apiVersion,
    kind: item.obj.kind,
    namespace: item.obj.metadata.namespace ?? null,
    name: item.obj.metadata.name,
  });
}

/** Newest first: the key inverts the timestamp so that ascending key order is descending time. */
export function eventKey(e: EventModel): string[] {
  const t = Date.parse(e.obj.lastTimestamp ?? e.obj.eventTime ?? e.obj.firstTimestamp ?? e.obj.metadata.creationTimestamp ?? '') || 0;
  return [String(9e15 - t).padStart(16, '0'), e.cluster ?? '', e.obj.metadata.namespace ?? '', e.obj.metadata.name];
}

/** Events about one object, through the per-request events loader (one list per cluster per request). */
export async function eventsOf(item: Located, args: Args, ctx: GraphQLContext) {
  const page = pageArgs(args as { first?: number; after?: string });
  authorize(ctx.identity, 'read', { kind: 'events', cluster: item.cluster ?? 'karmada', namespace: item.obj.metadata.namespace ?? null });
  await requireAccess(ctx, item.cluster, ctx.access.checkOf('list', 'events', item.obj.metadata.namespace));
  const result = await ctx.loaders.events.load({
    cluster: item.cluster ?? CONTROL_PLANE,
    ...(item.obj.metadata.namespace ? { namespace: item.obj.metadata.namespace } : {}),
    uid: item.obj.metadata.uid,
    kind: item.obj.kind,
    name: item.obj.metadata.name,
  });
  if (!result.ok) throw clusterFailure(result.error);
  const events: EventModel[] = result.value.map((obj: SlimEvent) => ({ cluster: item.cluster, obj }));
  return connectionOf(events, eventKey, page);
}

/** Field resolvers every Resource type spreads into its own. */
export const resourceFields = {
  id: (p: Located) => idOf(p),
  cluster: (p: Located) => p.cluster,
  apiVersion: (p: Located) => p.obj.apiVersion,
  kind: (p: Located) => p.obj.kind,
  namespace: (p: Located) => p.obj.metadata.namespace ?? null,
  name: (p: Located) => p.obj.metadata.name,
  uid: (p: Located) => p.obj.metadata.uid ?? null,
  labels: (p: Located) => labelsOf(p.obj.metadata.labels),
  annotations: (p: Located) => labelsOf(p.obj.metadata.annotations),
  createdAt: (p: Located) => p.obj.metadata.creationTimestamp ?? null,
  resourceVersion: (p: Located) => p.obj.metadata.resourceVersion ?? null,
  events: (p: Located, args: Args, ctx: GraphQLContext) => eventsOf(p, args, ctx),
  yaml: (p: Located) => yaml.dump(p.obj, { noRefs: true, sortKeys: false, lineWidth: 120 }),
};

/**
 * resourceFields without the fields a Located answers as properties (located.ts: `cluster`, `name`,
 * `namespace`): the types every traversal walks (Cluster, Node, Pod) read them inline under compiled
 * execution. Only for types whose parents are always made by `located()`.
 */
export const locatedFields = (({ cluster: _c, name: _n, namespace: _ns, ...rest }) => rest)(resourceFields);

/** Follows a reference: null when its kind is not served or it does not exist. */
export async function resolveRef(ref: RefModel, ctx: GraphQLContext): Promise<Located | null> {
  const route = routeOf(ref.kind, ref.cluster);
  if (!route) return null;
  const result = await getOne(ctx, route.kind, ref.cluster, route.type, ref.namespace, ref.name);
  if (!result.ok) throw clusterFailure(result.error);
  return result.value;
}

export function refOf(item: Located): RefModel {
  return {
    cluster: item.cluster,
    apiVersion: item.obj.apiVersion,
    kind: item.obj.kind,
    namespace: item.obj.metadata.namespace ?? null,
    name: item.obj.metadata.name,
    uid: item.obj.metadata.uid ?? null,
  };
}

export const resourceResolvers = {
  Resource: {
    __resolveType: (p: Located) => p.type,
  },
  ResourceRef: {
    id: (r: RefModel) => encodeGlobalId(r),
    resource: (r: RefModel, _a: Args, ctx: GraphQLContext) => resolveRef(r, ctx),
  },
  Query: {
    resource: async (_p: unknown, args: { id: string }, ctx: GraphQLContext, _info: GraphQLResolveInfo) => {
      const parts = decodeGlobalId(args.id);
      checkLabelName(parts.cluster, 'id');
      checkObjectName(parts.name, 'id');
      if (parts.cluster !== null && !ctx.fleet.members().includes(parts.cluster)) return null;
      // Kinds no modelled type renders (a PodDisruptionBudget, a Work, a WorkloadSet): a KubernetesObject.
      if (!routeOf(parts.kind, parts.cluster)) return dynamicResource(ctx, parts);
      return resolveRef({ ...parts, uid: null }, ctx);
    },
  },
};
