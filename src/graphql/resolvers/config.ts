/**
 * Namespaces, Services, ConfigMaps, Secrets (type and keys only: values never reach this layer) and
 * Events (per object through Resource.events, per cluster, and fleet-wide here).
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { SlimConfigMap, SlimSecret } from '../../cache/types.js';
import type { KindName } from '../../fleet/kinds.js';
import { connectionOf, pageArgs } from '../connection.js';
import type { GraphQLContext } from '../context.js';
import { clusterFailure } from '../errors.js';
import { encodeGlobalId } from '../globalId.js';
import type { EventModel, Located, ObjectModel, ResourceTypeName } from '../models.js';
import { checkMember, listAcross, listIn, reportPartial, accessRefusal } from '../reads.js';
import { labelsOf, selectorText } from '../shapes.js';
import { checkLabelName, checkLabelSelector } from '../validation.js';
import { filterEvents, memberEvents } from './clusters.js';
import { eventKey, resourceFields } from './resourceFields.js';

type Page = { first?: number | null; after?: string | null };
interface MemberObjectFilterArgs { cluster?: string | null; namespace?: string | null; labelSelector?: string | null }
interface EventFilterArgs { cluster?: string | null; namespace?: string | null; type?: string | null; involvedKind?: string | null; involvedName?: string | null }
type Raw = Record<string, any>;

const objectKey = (o: Located) => [o.cluster ?? '', o.obj.metadata.namespace ?? '', o.obj.metadata.name];

async function memberObjects(ctx: GraphQLContext, info: GraphQLResolveInfo, kind: KindName, type: ResourceTypeName, args: Page & { filter?: MemberObjectFilterArgs | null }) {
  const page = pageArgs(args);
  const f = args.filter ?? {};
  checkLabelName(f.cluster, 'filter.cluster');
  checkLabelName(f.namespace, 'filter.namespace');
  checkLabelSelector(f.labelSelector, 'filter.labelSelector');
  if (f.cluster) checkMember(ctx, f.cluster, 'filter.cluster');
  const filter = { ...(f.namespace ? { namespace: f.namespace } : {}), ...(f.labelSelector ? { labelSelector: f.labelSelector } : {}) };
  const { items, failures } = await listAcross(ctx, kind, type, Object.keys(filter).length ? filter : undefined, f.cluster ? [f.cluster] : undefined);
  reportPartial(ctx, failures, info);
  return connectionOf(items, objectKey, page);
}

export const configResolvers = {
  Query: {
    namespaces: async (_p: unknown, args: Page & { cluster?: string | null; controlPlane?: boolean | null }, ctx: GraphQLContext, info: GraphQLResolveInfo) => {
      const page = pageArgs(args);
      checkLabelName(args.cluster, 'cluster');
      if (args.controlPlane) {
        const r = await listIn(ctx, 'namespaces', null, 'Namespace');
        if (!r.ok) throw clusterFailure(r.error);
        return connectionOf(r.value, objectKey, page);
      }
      if (args.cluster) checkMember(ctx, args.cluster, 'cluster');
      const { items, failures } = await listAcross(ctx, 'namespaces', 'Namespace', undefined, args.cluster ? [args.cluster] : undefined);
      reportPartial(ctx, failures, info);
      return connectionOf(items, objectKey, page);
    },
    services: (_p: unknown, a: Page & { filter?: MemberObjectFilterArgs | null }, ctx: GraphQLContext, info: GraphQLResolveInfo) => memberObjects(ctx, info, 'services', 'Service', a),
    configMaps: (_p: unknown, a: Page & { filter?: MemberObjectFilterArgs | null }, ctx: GraphQLContext, info: GraphQLResolveInfo) => memberObjects(ctx, info, 'configmaps', 'ConfigMap', a),
    secrets: (_p: unknown, a: Page & { filter?: MemberObjectFilterArgs | null }, ctx: GraphQLContext, info: GraphQLResolveInfo) => memberObjects(ctx, info, 'secrets', 'Secret', a),
    events: async (_p: unknown, args: Page & { filter?: EventFilterArgs | null }, ctx: GraphQLContext, info: GraphQLResolveInfo) => {
      const page = pageArgs(args);
      const f = args.filter ?? {};
      checkLabelName(f.cluster, 'filter.cluster');
      checkLabelName(f.namespace, 'filter.namespace');
      if (f.cluster) checkMember(ctx, f.cluster, 'filter.cluster');
      const members = f.cluster ? [f.cluster] : [...ctx.fleet.members()].sort();
      const settled = await Promise.allSettled(members.map((m) => memberEvents(ctx, m, f.namespace ?? undefined)));
      const events: EventModel[] = [];
      settled.forEach((s, i) => {
        if (s.status === 'fulfilled') events.push(...s.value);
        else {
          const ext = (s.reason as { extensions?: Raw }).extensions;
          if (ext?.cluster) reportPartial(ctx, [{ code: ext.code, message: String((s.reason as Error).message), cluster: members[i]! }], info);
          else throw s.reason;
        }
      });
      return connectionOf(filterEvents(events, f), eventKey, page);
    },
  },
  Namespace: {
    ...resourceFields,
    phase: (n: ObjectModel) => (n.obj.status as Raw | undefined)?.phase ?? (n.obj.metadata.deletionTimestamp ? 'Terminating' : 'Active'),
  },
  Service: {
    ...resourceFields,
    type: (s: ObjectModel) => (s.obj.spec as Raw | undefined)?.type ?? 'ClusterIP',
    clusterIP: (s: ObjectModel) => (s.obj.spec as Raw | undefined)?.clusterIP ?? null,
    selector: (s: ObjectModel) => selectorText({ matchLabels: (s.obj.spec as Raw | undefined)?.selector ?? {} }),
    ports: (s: ObjectModel) => (((s.obj.spec as Raw | undefined)?.ports ?? []) as Raw[]).map((p) => ({
      name: p.name ?? null, protocol: p.protocol ?? 'TCP', port: p.port, targetPort: p.targetPort === undefined ? null : String(p.targetPort), nodePort: p.nodePort ?? null,
    })),
  },
  ConfigMap: {
    ...resourceFields,
    keys: (c: ObjectModel) => [...Object.keys((c.obj as unknown as SlimConfigMap).data ?? {}), ...((c.obj as unknown as SlimConfigMap).binaryDataKeys ?? [])].sort(),
    data: (c: ObjectModel) => labelsOf((c.obj as unknown as SlimConfigMap).data),
  },
  Secret: {
    ...resourceFields,
    // Belt and braces: the projection already dropped values; never serve this annotation, it can hold them.
    annotations: (s: ObjectModel) => labelsOf(s.obj.metadata.annotations).filter((a) => a.key !== 'kubectl.kubernetes.io/last-applied-configuration'),
    type: (s: ObjectModel) => (s.obj as unknown as SlimSecret).type ?? 'Opaque',
    // Listing Secrets shows that they exist; their keys need `get` on the Secret itself. The field is
    // non-null: a refusal answers no keys and FORBIDDEN beside, rather than nulling the whole list.
    keys: async (s: ObjectModel, _a: unknown, ctx: GraphQLContext, info: GraphQLResolveInfo) => {
      const refused = await accessRefusal(ctx, s.cluster, ctx.access.checkOf('get', 'secrets', s.obj.metadata.namespace, s.obj.metadata.name));
      if (refused) {
        reportPartial(ctx, [refused], info);
        return [];
      }
      return [...((s.obj as unknown as SlimSecret).dataKeys ?? [])].sort();
    },
  },
  Event: {
    id: (e: EventModel) => encodeGlobalId({ cluster: e.cluster, apiVersion: 'v1', kind: 'Event', namespace: e.obj.metadata.namespace ?? null, name: e.obj.metadata.name }),
    cluster: (e: EventModel) => e.cluster,
    namespace: (e: EventModel) => e.obj.metadata.namespace ?? null,
    name: (e: EventModel) => e.obj.metadata.name,
    type: (e: EventModel) => (e.obj.type === 'Warning' ? 'WARNING' : 'NORMAL'),
    reason: (e: EventModel) => e.obj.reason ?? null,
    message: (e: EventModel) => e.obj.message ?? null,
    involvedObject: (e: EventModel) => ({
      cluster: e.cluster, apiVersion: e.obj.involvedObject.apiVersion ?? 'v1', kind: e.obj.involvedObject.kind ?? '',
      namespace: e.obj.involvedObject.namespace ?? null, name: e.obj.involvedObject.name ?? '', uid: e.obj.involvedObject.uid ?? null,
    }),
    count: (e: EventModel) => e.obj.count ?? 1,
    firstTimestamp: (e: EventModel) => e.obj.firstTimestamp ?? e.obj.eventTime ?? null,
    lastTimestamp: (e: EventModel) => e.obj.lastTimestamp ?? e.obj.eventTime ?? null,
    source: (e: EventModel) => e.obj.source?.component ?? null,
  },
};
