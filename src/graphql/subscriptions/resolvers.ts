/**
 * Subscription resolvers. Each `subscribe` validates its arguments (BAD_USER_INPUT before anything is
 * opened), authorizes, opens a route in the subscription engine and returns a source stream; each
 * `resolve` turns a SourceItem into the event object the selection is executed against. Payloads are
 * shared between subscribers by sharedExecution.ts, so nothing here may depend on who is asking beyond
 * the identity (which is part of the sharing key).
 */
import type { GraphQLResolveInfo } from 'graphql';
import { matchesLabels } from '../../cache/labelSelector.js';
import type { SlimObject } from '../../cache/types.js';
import type { KindName } from '../../fleet/kinds.js';
import { CONTROL_PLANE } from '../../fleet/types.js';
import type { OperationFilter } from '../../generated/graphql.js';
import type { OperationRecord } from '../../operations/OperationRecord.js';
import { operationMatches } from '../../operations/OperationStore.js';
import { TERMINAL_OPERATION_PHASES } from '../../subscriptions/OperationFeed.js';
import { resourceMatches } from '../../subscriptions/routeMatches.js';
import { SubscriptionQueue, type Delivered } from '../../subscriptions/SubscriptionQueue.js';
import type { EngineEvent } from '../../subscriptions/SubscriptionEngine.js';
import type { ResourceEvent, SubscriptionFilter } from '../../subscriptions/types.js';
import { authorize } from '../authorize.js';
import type { GraphQLContext } from '../context.js';
import { apiError, badUserInput, ErrorCode, notFound } from '../errors.js';
import { WORKLOAD_KIND_NAME } from '../kindMap.js';
import { mayReadOperation, type OperationVisibilityFacts } from '../operationVisibility.js';
import { operationQueryOf } from '../operations/resolvers.js';
import { fleetResolvers } from '../resolvers/fleet.js';
import { requireAccess } from '../reads.js';
import { checkLabelName, checkNonNegative, checkObjectName } from '../validation.js';
import { commonOf, locate, overflowOf, resourceEventOf } from './eventPayloads.js';
import { sourceStream, type SourceItem } from './sourceStreams.js';
import { servicesOf } from './subscriptionContext.js';
import { buildFilter, clusterKey, one } from './subscriptionFilters.js';
import { isQualifiedKind, resolveSubscriptionKinds } from './dynamicKinds.js';
import { OPEN_GATE, openWarmGate, requireWatch, type AccessGate } from './accessGate.js';

type Args = Record<string, unknown>;
type Stream = AsyncIterableIterator<SourceItem>;

const TEMPLATE_KINDS: readonly KindName[] = ['deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'];
const BINDING_KINDS: readonly KindName[] = ['resourcebindings', 'clusterresourcebindings'];
const TEMPLATE_KIND_OF: Record<string, KindName> = {
  Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets', Job: 'jobs', CronJob: 'cronjobs',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strs = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);

/** A source item for a routed event (shared under the event) or an overflow notice (not shared). */
function itemOf(d: Delivered<EngineEvent>, build: (e: ResourceEvent) => unknown): SourceItem | null {
  if (d.item.kind === 'overflow') return { variant: 'overflow', payload: overflowOf(d.item.dropped, d.item.at) };
  const e = resourceEventOf(d);
  if (!e) return null;
  return { share: e, variant: String(d.coalesced), payload: { ...commonOf(e, d.coalesced), ...(build(e) as object) } };
}

/** What the subscriber named itself (clusters as data-layer keys): refused with FORBIDDEN when it may not watch there. */
interface Explicit {
  /** The kinds checked (default: the filter's). */
  kinds?: readonly KindName[];
  clusters?: readonly string[] | undefined;
  namespaces?: readonly string[] | undefined;
}

/**
 * Opens a route and maps resource events with `build`. Events pass the caller's access gate (what it may
 * watch) at routing time; an explicit cluster or namespace it may not watch is FORBIDDEN before anything
 * opens; a change of its rights sends RESYNC.
 */
async function resourceStream(
  ctx: GraphQLContext,
  filter: SubscriptionFilter,
  explicit: Explicit,
  build: (e: ResourceEvent) => unknown,
  extra: { memberHealth?: { clusters?: readonly string[] }; match?: (e: ResourceEvent) => boolean } = {},
  mapOther?: (d: Delivered<EngineEvent>, gate: AccessGate) => SourceItem | null,
): Promise<Stream> {
  const { queue, gate } = await openGated(ctx, filter, explicit, extra);
  return sourceStream(queue, (d) => (d.item.kind === 'event' && d.item.event.topic !== 'resource' && mapOther ? mapOther(d, gate) : itemOf(d, build)));
}

/** requireWatch, then a route whose events pass the residual filter (or `extra.match`) and the gate. */
async function openGated(
  ctx: GraphQLContext,
  filter: SubscriptionFilter,
  explicit: Explicit,
  extra: { memberHealth?: { clusters?: readonly string[] }; match?: (e: ResourceEvent) => boolean } = {},
): Promise<{ queue: SubscriptionQueue<EngineEvent>; gate: AccessGate }> {
  await requireWatch(ctx, explicit.kinds ?? filter.kinds, explicit.clusters, explicit.namespaces);
  let queue: SubscriptionQueue<EngineEvent> | undefined;
  const gate = await openWarmGate(ctx, filter.kinds, filter.clusters, () => queue?.resync());
  const residual = extra.match ?? ((e: ResourceEvent) => resourceMatches(filter, e));
  const match = gate === OPEN_GATE ? extra.match : (e: ResourceEvent) => residual(e) && gate.allows(e.cluster, e.kind, e.namespace);
  queue = servicesOf(ctx).engine.open({ filter, ...extra, ...(match ? { match } : {}) });
  queue.onClose(() => gate.close());
  return { queue, gate };
}

const payloadOf = (item: SourceItem) => item.payload;

export const subscriptionResolvers = {
  Subscription: {
    resourceChanged: {
      subscribe: async (_p: unknown, args: { filter: Args }, ctx: GraphQLContext): Promise<Stream> => {
        const f = args.filter;
        // Checked before the kinds reach discovery (cluster names), then again, all of it, by buildFilter.
        for (const c of strs(f.clusters) ?? []) checkLabelName(c, 'filter.clusters');
        const kinds = await resolveSubscriptionKinds(ctx, strs(f.kinds) ?? [], strs(f.clusters));
        const filter = buildFilter(ctx, {
          kinds, clusters: strs(f.clusters), namespaces: strs(f.namespaces), labelSelector: str(f.labelSelector), names: strs(f.names),
        }, { clusters: 'filter.clusters', namespaces: 'filter.namespaces', labelSelector: 'filter.labelSelector', names: 'filter.names' });
        return resourceStream(ctx, filter, filter, (e) => ({
          kind: e.object.kind,
          namespace: e.namespace ?? null,
          name: e.name,
          // Kinds the schema does not model arrive under their `group/version/Kind` key: KubernetesObjects.
          resource: locate(e.cluster, e.object, isQualifiedKind(e.kind) ? 'KubernetesObject' : undefined),
        }));
      },
      resolve: payloadOf,
    },

    podChanged: {
      subscribe: (_p: unknown, args: Args, ctx: GraphQLContext): Promise<Stream> => {
        const filter = buildFilter(ctx, {
          kinds: ['pods'], clusters: one(str(args.cluster)), namespaces: one(str(args.namespace)), labelSelector: str(args.labelSelector), names: one(str(args.name)),
        }, { clusters: 'cluster', namespaces: 'namespace', labelSelector: 'labelSelector', names: 'name' });
        return resourceStream(ctx, filter, filter, (e) => ({ pod: locate(e.cluster, e.object, 'Pod') }));
      },
      resolve: payloadOf,
    },

    nodeChanged: {
      subscribe: (_p: unknown, args: Args, ctx: GraphQLContext): Promise<Stream> => {
        const filter = buildFilter(ctx, {
          kinds: ['nodes'], clusters: one(str(args.cluster)), labelSelector: str(args.labelSelector), names: one(str(args.name)),
        }, { clusters: 'cluster', namespaces: 'namespace', labelSelector: 'labelSelector', names: 'name' });
        return resourceStream(ctx, filter, filter, (e) => ({ node: locate(e.cluster, e.object, 'Node') }));
      },
      resolve: payloadOf,
    },

    clusterChanged: {
      subscribe: (_p: unknown, args: Args, ctx: GraphQLContext): Promise<Stream> => {
        const cluster = str(args.cluster);
        checkLabelName(cluster, 'cluster');
        authorize(ctx.identity, 'read', { kind: 'clusters', cluster: 'karmada' });
        // Cluster objects live on the control plane, named after the member.
        const filter: SubscriptionFilter = { kinds: ['clusters'], clusters: [CONTROL_PLANE], ...(cluster ? { names: [cluster] } : {}) };
        return resourceStream(
          ctx,
          filter,
          cluster ? { clusters: [CONTROL_PLANE] } : {},
          (e) => ({
            cluster: e.name,
            cause: 'OBJECT',
            reachable: ctx.fleet.health(e.name)?.unreachableSince == null,
            reason: null,
            member: locate(CONTROL_PLANE, e.object, 'Cluster'),
          }),
          { memberHealth: cluster ? { clusters: [cluster] } : {} },
          (d, gate) => {
            if (d.item.kind !== 'event' || d.item.event.topic !== 'member-health') return null;
            // Member health is news about the Cluster object: for those who may watch it.
            if (!gate.allows(CONTROL_PLANE, 'clusters', undefined)) return null;
            const h = d.item.event;
            return {
              share: h,
              variant: '0',
              payload: {
                type: 'MODIFIED',
                cluster: h.cluster,
                resourceVersion: null,
                at: h.at,
                cause: h.reachable ? 'REACHABLE' : 'UNREACHABLE',
                reachable: h.reachable,
                reason: h.reason ?? null,
                // The Cluster object as the cache holds it now (it may itself be stale during an outage).
                member: async (_a: unknown, c: GraphQLContext) => {
                  const r = await c.fleet.get('clusters', CONTROL_PLANE, undefined, h.cluster);
                  return r.ok ? locate(CONTROL_PLANE, r.value, 'Cluster') : null;
                },
                coalesced: 0,
                dropped: 0,
              },
            };
          },
        );
      },
      resolve: payloadOf,
    },

    workloadChanged: {
      subscribe: async (_p: unknown, args: Args, ctx: GraphQLContext): Promise<Stream> => {
        const kindArg = str(args.kind);
        const templateKinds = kindArg ? [WORKLOAD_KIND_NAME[kindArg]!] : [...TEMPLATE_KINDS];
        const base = buildFilter(ctx, {
          kinds: templateKinds, clusters: ['karmada'], namespaces: one(str(args.namespace)), labelSelector: str(args.labelSelector), names: one(str(args.name)),
        }, { clusters: 'cluster', namespaces: 'namespace', labelSelector: 'labelSelector', names: 'name' });
        authorize(ctx.identity, 'read', { kind: 'resourcebindings', cluster: 'karmada', namespace: str(args.namespace) ?? null });
        const filter: SubscriptionFilter = { ...base, kinds: [...templateKinds, ...BINDING_KINDS] };
        const selector = base.labelSelector;
        // A binding passes when the template it binds passes the name/namespace/kind filter; the label
        // selector is checked against the template itself when the event is resolved (below).
        const match = (e: ResourceEvent): boolean => {
          if (!BINDING_KINDS.includes(e.kind)) return resourceMatches(base, e);
          const ref = bindingRef(e.object);
          if (!ref || !templateKinds.includes(TEMPLATE_KIND_OF[ref.kind] as KindName)) return false;
          if (base.namespaces?.length && !base.namespaces.includes(ref.namespace ?? '')) return false;
          if (base.names?.length && !base.names.includes(ref.name)) return false;
          return true;
        };
        const { queue } = await openGated(ctx, filter, base.namespaces ? { kinds: [...templateKinds, 'resourcebindings'], clusters: [CONTROL_PLANE], namespaces: base.namespaces } : {}, { match });
        return sourceStream(queue, async (d) => {
          const e = resourceEventOf(d);
          if (!e || !BINDING_KINDS.includes(e.kind)) {
            return itemOf(d, (ev) => ({
              cause: 'TEMPLATE', kind: ev.object.kind, namespace: ev.namespace ?? null, name: ev.name,
              workload: locate(CONTROL_PLANE, ev.object, 'Workload'),
            }));
          }
          const ref = bindingRef(e.object)!;
          const r = await ctx.fleet.get(TEMPLATE_KIND_OF[ref.kind]!, CONTROL_PLANE, ref.namespace, ref.name);
          const template = r.ok ? r.value : null;
          if (selector?.length && !(template && matchesLabels(selector, template.metadata.labels))) return null;
          return {
            share: e,
            variant: String(d.coalesced),
            payload: {
              ...commonOf(e, d.coalesced),
              // The workload is still there when only its binding went away.
              type: e.type === 'DELETED' && template ? 'MODIFIED' : e.type,
              cluster: null,
              cause: 'BINDING',
              kind: ref.kind,
              namespace: ref.namespace ?? null,
              name: ref.name,
              workload: template ? locate(CONTROL_PLANE, template, 'Workload') : null,
            },
          };
        });
      },
      resolve: payloadOf,
    },

    middlewareInstanceChanged: {
      subscribe: (_p: unknown, args: Args, ctx: GraphQLContext): Promise<Stream> => {
        const filter = buildFilter(ctx, {
          kinds: ['applications'], clusters: one(str(args.cluster)), namespaces: one(str(args.namespace)), names: one(str(args.name)),
        }, { clusters: 'cluster', namespaces: 'namespace', labelSelector: 'labelSelector', names: 'name' });
        return resourceStream(ctx, filter, filter, (e) => ({ instance: locate(e.cluster, e.object, 'MiddlewareInstance') }));
      },
      resolve: payloadOf,
    },

    fleetChanged: {
      subscribe: (_p: unknown, args: { minIntervalMs?: number | null }, ctx: GraphQLContext): Stream => {
        const interval = args.minIntervalMs ?? 1000;
        if (!Number.isInteger(interval) || interval < 100 || interval > 3_600_000) {
          throw badUserInput(`minIntervalMs: ${interval} is out of range (100 to 3600000)`, 'minIntervalMs');
        }
        authorize(ctx.identity, 'read', { kind: 'fleet' });
        const queue = servicesOf(ctx).engine.openFleetTicks(interval);
        return sourceStream(
          queue,
          (d) => (d.item.kind === 'event' ? { share: d.item.event, variant: '0', payload: d.item.event } : null),
          // The current roll-up first, not shared (it is this subscriber's starting point).
          { initial: async () => ({ variant: 'initial', payload: { topic: 'fleet', initial: true } }) },
        );
      },
      // The roll-up is computed by the query's own resolver, once per tick and selection (shared).
      resolve: (_item: SourceItem, _a: Args, ctx: GraphQLContext, info: GraphQLResolveInfo) =>
        fleetResolvers.Query.fleet(undefined, {}, ctx, info),
    },

    podLogs: {
      subscribe: async (_p: unknown, args: Args, ctx: GraphQLContext): Promise<Stream> => {
        const cluster = str(args.cluster)!;
        const namespace = str(args.namespace)!;
        const name = str(args.name)!;
        const container = str(args.container);
        const tailLines = typeof args.tailLines === 'number' ? args.tailLines : undefined;
        checkLabelName(cluster, 'cluster');
        checkLabelName(namespace, 'namespace');
        checkObjectName(name, 'name');
        if (container !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(container)) {
          throw badUserInput(`container: "${container}" is not a valid container name`, 'container');
        }
        checkNonNegative(tailLines, 'tailLines', 100_000);
        authorize(ctx.identity, 'read', { kind: 'pods/log', cluster, namespace });
        await requireAccess(ctx, cluster, ctx.access.checkOf('get', 'pods', namespace, name, 'log'));
        return followPodLogs(ctx, { cluster, namespace, name, container, tailLines });
      },
      resolve: payloadOf,
    },

    operationProgress: {
      subscribe: async (_p: unknown, args: { id: string }, ctx: GraphQLContext): Promise<Stream> => {
        const { engine, operations } = servicesOf(ctx);
        if (!operations) throw apiError(ErrorCode.INTERNAL, 'this gateway runs without the Operations engine');
        authorize(ctx.identity, 'read', { kind: 'operations' });
        // Open the route before reading the current state, so that no move falls between the two.
        const queue = engine.openOperation(args.id);
        const current = await visibleOperation(ctx, await operations.get(args.id));
        const moveOf = (d: Delivered<EngineEvent>): Promise<SourceItem | null> => visibleMove(ctx, args.id, d, 'skip');
        if (!current) {
          // Another replica may be running it (its moves arrive through the shared hub): wait for the first
          // one a bounded time. In-process, an unknown id is simply not found.
          if (!engine.hub.shared) {
            queue.close();
            throw notFound(`operation "${args.id}" not found`, { field: 'id' });
          }
          return sourceStream(queue, moveOf, { initial: () => firstMoveOrNotFound(queue, args.id, servicesOf(ctx).remoteOperationWaitMs ?? 30_000, (d) => visibleMove(ctx, args.id, d, 'notFound')) });
        }
        if (TERMINAL_OPERATION_PHASES.has(current.phase)) queue.close();
        return sourceStream(queue, moveOf, { initial: async () => ({ variant: 'initial', payload: current }) });
      },
      resolve: payloadOf,
    },

    operationChanged: {
      subscribe: (_p: unknown, args: { filter?: OperationFilter | null }, ctx: GraphQLContext): Stream => {
        const query = operationQueryOf(args.filter);
        const { engine, operations } = servicesOf(ctx);
        if (!operations) throw apiError(ErrorCode.INTERNAL, 'this gateway runs without the Operations engine');
        authorize(ctx.identity, 'read', { kind: 'operations' });
        return sourceStream(engine.openOperationFeed(), async (d) => {
          if (d.item.kind === 'overflow') return { variant: 'overflow', payload: { type: 'RESYNC', at: d.item.at, operation: null, coalesced: 0, dropped: d.item.dropped } };
          if (d.item.event.topic !== 'operation') return null;
          const event = d.item.event;
          const op = event.operation as OperationRecord;
          if (!operationMatches(op, query)) return null;
          // Who sees it is decided per move (the caller's current rights), as operationProgress does.
          if (!(await visibleOperation(ctx, op))) return null;
          return {
            share: event,
            variant: String(d.coalesced),
            payload: { type: event.type ?? 'MODIFIED', at: event.at, operation: op, coalesced: d.coalesced, dropped: 0 },
          };
        });
      },
      resolve: payloadOf,
    },
  },
};

/** The first move of an Operation this replica does not know, or NOT_FOUND once `waitMs` passed without one. */
async function firstMoveOrNotFound(
  queue: SubscriptionQueue<EngineEvent>,
  id: string,
  waitMs: number,
  moveOf: (d: Delivered<EngineEvent>) => Promise<SourceItem | null>,
): Promise<SourceItem | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), waitMs);
  });
  const first = await Promise.race([queue.next(), timeout]);
  clearTimeout(timer);
  if (first === 'timeout' || first.done) {
    queue.close();
    throw notFound(`operation "${id}" not found on any replica`, { field: 'id' });
  }
  return moveOf(first.value);
}

// ---- Operation visibility (issue 12): operationProgress follows only Operations the caller may see ----

/**
 * `op` when the caller may see it (operationVisibility.ts), decided anew each time so that a move follows the
 * caller's current rights; undefined, answered as an unknown id, otherwise.
 */
async function visibleOperation<T extends object>(ctx: GraphQLContext, op: T | undefined): Promise<T | undefined> {
  return op && (await mayReadOperation(ctx, op as unknown as OperationVisibilityFacts)) ? op : undefined;
}

/**
 * A move of the followed Operation as a source item, or null when it is not one. A move the caller may not see
 * (its rights changed since it subscribed) is skipped; `notFound`: the first move of an Operation another
 * replica runs, which the caller may not see, ends the subscription with NOT_FOUND as an unknown id does.
 */
async function visibleMove(ctx: GraphQLContext, id: string, d: Delivered<EngineEvent>, hidden: 'skip' | 'notFound'): Promise<SourceItem | null> {
  if (d.item.kind !== 'event' || d.item.event.topic !== 'operation') return null;
  const event = d.item.event;
  if (await visibleOperation(ctx, event.operation as object)) return { share: event, variant: '0', payload: event.operation };
  if (hidden === 'skip') return null;
  throw notFound(`operation "${id}" not found on any replica`, { field: 'id' });
}

/** ResourceBinding.spec.resource: the template it binds. */
function bindingRef(obj: SlimObject): { kind: string; namespace?: string; name: string } | null {
  const r = (obj.spec as { resource?: { kind?: string; namespace?: string; name?: string } } | undefined)?.resource;
  if (!r?.kind || !r.name) return null;
  return { kind: r.kind, name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) };
}

interface LogTarget {
  cluster: string;
  namespace: string;
  name: string;
  container: string | undefined;
  tailLines: number | undefined;
}

interface LogLine {
  line: string;
  at: string;
}

/**
 * Follows a pod log through the data layer into a bounded queue (lines a slow reader cannot take are
 * dropped and counted in the next line's `dropped`). Ends when the log stream ends, when the pod is
 * deleted (seen in the cache), or when the client stops.
 */
async function followPodLogs(ctx: GraphQLContext, t: LogTarget): Promise<Stream> {
  const services = servicesOf(ctx);
  const got = await ctx.fleet.get('pods', clusterKey(t.cluster), t.namespace, t.name);
  if (!got.ok) {
    if (got.error.code === 'NOT_FOUND') throw notFound(`pod ${t.namespace}/${t.name} not found in cluster ${t.cluster}`, { cluster: t.cluster });
    throw apiError(got.error.code, got.error.message, { cluster: t.cluster });
  }
  const lines = new SubscriptionQueue<LogLine>({ capacity: services.logQueueCapacity ?? 1000 });
  const podGone = services.engine.open({
    filter: { kinds: ['pods'], clusters: [clusterKey(t.cluster)], namespaces: [t.namespace], names: [t.name] },
  });
  void (async () => {
    for await (const d of podGone) {
      if (d.item.kind === 'event' && d.item.event.topic === 'resource' && d.item.event.type === 'DELETED') {
        lines.finish();
        podGone.close();
      }
    }
  })();
  let stop: () => void;
  try {
    stop = await ctx.fleet.followLogs(
      clusterKey(t.cluster),
      t.namespace,
      t.name,
      {
        ...(t.container ? { container: t.container } : {}),
        ...(t.tailLines !== undefined ? { tailLines: t.tailLines } : {}),
        // Read as the caller, so the member decides and audits too (as Pod.logs does).
        ...(ctx.access.unrestricted ? {} : { impersonate: ctx.access.subject }),
      },
      (line) => lines.push({ line, at: new Date().toISOString() }),
      () => {
        lines.finish();
        podGone.close();
      },
    );
  } catch (error) {
    // Nothing may stay routed for a stream that never started.
    podGone.close();
    lines.close();
    throw error;
  }
  lines.onClose(() => {
    podGone.close();
    stop();
  });
  let dropped = 0;
  const base = { cluster: t.cluster, namespace: t.namespace, pod: t.name, container: t.container ?? null };
  return sourceStream(lines, (d) => {
    if (d.item.kind === 'overflow') {
      dropped += d.item.dropped;
      return null;
    }
    const payload = { ...base, line: d.item.event.line, at: d.item.event.at, dropped };
    dropped = 0;
    return { variant: 'log', payload };
  }, { onReturn: () => stop() });
}
