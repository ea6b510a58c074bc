/**
 * Resolvers of schema/operations.graphql: the Operation type (over the OperationRecord model), the
 * `operation`, `operations` and `auditLog` queries, and every mutation, each a thin call into the
 * OperationService with the caller taken from the request context (who, groups, and `ctx.access` for the
 * permission preflight). A MutationRefusal becomes a GraphQL error with the same code (and `field` /
 * `cluster` / `reason` / `permission`).
 */
import type { MutationResolvers, OperationFilter, OperationResolvers, QueryResolvers, Resolvers } from '../../generated/graphql.js';
import type { OperationQuery } from '../../operations/OperationStore.js';
import type { Caller, OperationService } from '../../operations/OperationService.js';
import { MutationRefusal } from '../../operations/MutationRefusal.js';
import type { OperationRecord } from '../../operations/OperationRecord.js';
import type { PolicyKind } from '../../operations/policyOperations.js';
import type { WorkloadKind } from '../../operations/workloadOperations.js';
import { authorize } from '../authorize.js';
import { connectionOf, pageArgs } from '../connection.js';
import type { GraphQLContext } from '../context.js';
import { apiError, badUserInput, ErrorCode } from '../errors.js';
import type { RefModel } from '../models.js';
import { mayReadOperation, operationVisibility, readsEveryonesAudit, visibleOperations } from '../operationVisibility.js';

function serviceOf(ctx: GraphQLContext): OperationService {
  const s = ctx.operations;
  if (!s) throw apiError(ErrorCode.INTERNAL, 'this gateway runs without the Operations engine');
  return s;
}

function callerOf(ctx: GraphQLContext): Caller {
  return {
    user: ctx.identity.user,
    groups: ctx.identity.groups,
    // A signed-in caller's Operation writes as the caller; in auth `none` the gateway writes as itself.
    impersonate: !ctx.identity.anonymous,
    access: ctx.access,
    // cancelOperation answers an Operation the caller may not see as unknown (NOT_FOUND).
    mayRead: operationVisibility(ctx),
    requestId: ctx.request?.id ?? null,
    sourceIp: ctx.request?.sourceIp ?? null,
    userAgent: ctx.request?.userAgent ?? null,
  };
}

/** Runs a mutation after the authorization check, turning a refusal into the API's error. */
async function mutate<T = OperationRecord>(
  ctx: GraphQLContext,
  target: { kind: string; cluster?: string | null; namespace?: string | null },
  run: (s: OperationService, caller: Caller) => Promise<T>,
): Promise<T> {
  authorize(ctx.identity, 'write', target);
  const service = serviceOf(ctx);
  try {
    return await run(service, callerOf(ctx));
  } catch (err) {
    if (err instanceof MutationRefusal) {
      const ext: Record<string, unknown> = {};
      if (err.extensions.field) ext['field'] = err.extensions.field;
      if (err.extensions.cluster) ext['cluster'] = err.extensions.cluster;
      if (err.extensions.reason) ext['reason'] = err.extensions.reason;
      if (err.extensions.permission) ext['permission'] = err.extensions.permission;
      if (err.extensions.document !== undefined) ext['document'] = err.extensions.document;
      if (err.extensions.line !== undefined) ext['line'] = err.extensions.line;
      throw apiError(err.code, err.message, ext);
    }
    throw err;
  }
}

const WORKLOAD_KINDS: Record<string, WorkloadKind> = { DEPLOYMENT: 'Deployment', STATEFULSET: 'StatefulSet', DAEMONSET: 'DaemonSet' };

function checkTime(value: string | null | undefined, field: string): string | null {
  if (!value) return null;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw badUserInput(`${field}: "${value}" is not an RFC 3339 time`, field);
  return new Date(t).toISOString();
}

/** The store query of an `OperationFilter` (`operations` and `operationChanged`); bad times are BAD_USER_INPUT. */
export function operationQueryOf(f: OperationFilter | null | undefined): OperationQuery {
  return {
    cluster: f?.cluster ?? null,
    type: f?.type ?? null,
    phase: f?.phase ?? null,
    targetKind: f?.targetKind ?? null,
    targetName: f?.targetName ?? null,
    targetNamespace: f?.targetNamespace ?? null,
    since: checkTime(f?.since, 'filter.since'),
    until: checkTime(f?.until, 'filter.until'),
  };
}

const refOf = (t: OperationRecord['target']): RefModel => ({ cluster: t.cluster, apiVersion: t.apiVersion, kind: t.kind, namespace: t.namespace, name: t.name, uid: t.uid });

const Operation: OperationResolvers<GraphQLContext> = {
  id: (op) => op.id,
  type: (op) => op.type,
  target: (op) => refOf(op.target),
  cluster: (op) => op.target.cluster,
  parameters: (op) => Object.entries(op.parameters).sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]) => ({ key, value })),
  phase: (op) => op.phase,
  steps: (op) => op.steps,
  currentStep: (op) => (op.currentStep >= 0 ? (op.steps[op.currentStep] ?? null) : null),
  requestedBy: (op) => op.requestedBy,
  createdAt: (op) => op.createdAt,
  startedAt: (op) => op.startedAt,
  completedAt: (op) => op.completedAt,
  error: (op) => op.error,
  reason: (op) => op.reason,
  executor: (op) => op.executor,
  resource: (op) => (op.resource ? refOf(op.resource) : null),
};

const Query: Pick<QueryResolvers<GraphQLContext>, 'operation' | 'operations' | 'auditLog'> = {
  operation: async (_p, args, ctx) => {
    authorize(ctx.identity, 'read', { kind: 'operations' });
    // Shared Operations: one just made on another replica is read from the control plane if not seen yet.
    const op = await serviceOf(ctx).find(args.id);
    // One the caller may not see answers as an unknown id does: null, nothing about it leaks.
    return op && (await mayReadOperation(ctx, op)) ? op : null;
  },
  operations: async (_p, args, ctx) => {
    authorize(ctx.identity, 'read', { kind: 'operations' });
    const page = pageArgs(args);
    const matching = serviceOf(ctx).store.list(operationQueryOf(args.filter));
    // Only what the caller may see is paged and counted (totalCount, cursors).
    const list = await visibleOperations(ctx, matching);
    // Newest first: the key inverts the creation time so the ascending connection order is newest first.
    const key = (op: OperationRecord) => [String(9_999_999_999_999 - Date.parse(op.createdAt)).padStart(13, '0'), op.id];
    return connectionOf(list, key, page);
  },
  auditLog: async (_p, args, ctx) => {
    authorize(ctx.identity, 'read', { kind: 'audit' });
    const audit = ctx.auditLog;
    if (!audit) throw apiError(ErrorCode.INTERNAL, 'this gateway runs without an audit log');
    const f = args.filter ?? {};
    if (f.limit != null && (f.limit < 1 || f.limit > 1000)) throw badUserInput(`filter.limit: ${f.limit} must be between 1 and 1000`, 'filter.limit');
    const everyone = readsEveryonesAudit(ctx);
    if (!everyone && f.user != null && f.user !== ctx.identity.user) {
      throw apiError(ErrorCode.FORBIDDEN, `${ctx.identity.user} may read only its own audit entries (other callers' need a group named by --audit-readers)`, { field: 'filter.user' });
    }
    const q = {
      // The store filters by user (an index), so a caller's own page is as long as its `limit`.
      user: everyone ? (f.user ?? null) : ctx.identity.user,
      action: f.action ?? null,
      cluster: f.cluster ?? null,
      namespace: f.namespace ?? null,
      targetName: f.targetName ?? null,
      success: f.success ?? null,
      since: checkTime(f.since, 'filter.since'),
      until: checkTime(f.until, 'filter.until'),
      limit: f.limit ?? 100,
    };
    // The three reads at once: with PostgreSQL each is a round trip.
    const [entries, changes, statistics] = await Promise.all([audit.entries(q), audit.changes(q), everyone ? audit.statistics() : []]);
    return {
      entries: entries.map((e) => ({ ...e, id: String(e.id) })),
      changes: changes.map((c) => ({ ...c, id: String(c.id) })),
      // Counts of every caller's requests: audit readers only.
      statistics: statistics.map((s) => ({
        operationName: s.operationName,
        transport: s.transport,
        count: s.count,
        errors: s.errors,
        meanMs: s.count ? s.totalMs / s.count : 0,
        maxMs: s.maxMs,
        lastAt: s.lastAt,
      })),
    };
  },
};

const policy = (mutation: string, kind: PolicyKind, apply: boolean) =>
  ((_p: unknown, a: { namespace?: string | null; name: string; spec?: unknown; idempotencyKey?: string | null }, ctx: GraphQLContext) =>
    mutate(ctx, { kind: `${kind.toLowerCase()}s`, cluster: 'karmada', namespace: a.namespace ?? null }, (s, c) => (apply ? s.applyPolicy(c, mutation, kind, { ...a, spec: a.spec }) : s.deletePolicy(c, mutation, kind, a)))) as never;

const Mutation: MutationResolvers<GraphQLContext> = {
  cordonNode: (_p, a, ctx) => mutate(ctx, { kind: 'nodes', cluster: a.cluster }, (s, c) => s.cordonNode(c, a)),
  uncordonNode: (_p, a, ctx) => mutate(ctx, { kind: 'nodes', cluster: a.cluster }, (s, c) => s.uncordonNode(c, a)),
  drainNode: (_p, a, ctx) => mutate(ctx, { kind: 'nodes', cluster: a.cluster }, (s, c) => s.drainNode(c, a)),
  setNodeLabels: (_p, a, ctx) => mutate(ctx, { kind: 'nodes', cluster: a.cluster }, (s, c) => s.setNodeLabels(c, a)),
  setNodeTaints: (_p, a, ctx) => mutate(ctx, { kind: 'nodes', cluster: a.cluster }, (s, c) => s.setNodeTaints(c, a)),
  joinCluster: (_p, a, ctx) => mutate(ctx, { kind: 'clusters', cluster: 'karmada' }, (s, c) => s.joinCluster(c, a)),
  unjoinCluster: (_p, a, ctx) => mutate(ctx, { kind: 'clusters', cluster: 'karmada' }, (s, c) => s.unjoinCluster(c, a)),
  setClusterLabels: (_p, a, ctx) => mutate(ctx, { kind: 'clusters', cluster: 'karmada' }, (s, c) => s.setClusterLabels(c, a)),
  setClusterTaints: (_p, a, ctx) => mutate(ctx, { kind: 'clusters', cluster: 'karmada' }, (s, c) => s.setClusterTaints(c, a)),
  scaleWorkload: (_p, a, ctx) => mutate(ctx, { kind: a.kind.toLowerCase() + 's', cluster: 'karmada', namespace: a.namespace }, (s, c) => s.scaleWorkload(c, { ...a, kind: WORKLOAD_KINDS[a.kind]! })),
  restartWorkload: (_p, a, ctx) => mutate(ctx, { kind: a.kind.toLowerCase() + 's', cluster: a.cluster ?? 'karmada', namespace: a.namespace }, (s, c) => s.restartWorkload(c, { ...a, kind: WORKLOAD_KINDS[a.kind]! })),
  rollbackWorkload: (_p, a, ctx) => mutate(ctx, { kind: a.kind.toLowerCase() + 's', cluster: a.cluster, namespace: a.namespace }, (s, c) => s.rollbackWorkload(c, { ...a, kind: WORKLOAD_KINDS[a.kind]! })),
  deletePod: (_p, a, ctx) => mutate(ctx, { kind: 'pods', cluster: a.cluster, namespace: a.namespace }, (s, c) => s.deletePod(c, a)),
  applyPropagationPolicy: policy('applyPropagationPolicy', 'PropagationPolicy', true),
  deletePropagationPolicy: policy('deletePropagationPolicy', 'PropagationPolicy', false),
  applyClusterPropagationPolicy: policy('applyClusterPropagationPolicy', 'ClusterPropagationPolicy', true),
  deleteClusterPropagationPolicy: policy('deleteClusterPropagationPolicy', 'ClusterPropagationPolicy', false),
  applyOverridePolicy: policy('applyOverridePolicy', 'OverridePolicy', true),
  deleteOverridePolicy: policy('deleteOverridePolicy', 'OverridePolicy', false),
  applyClusterOverridePolicy: policy('applyClusterOverridePolicy', 'ClusterOverridePolicy', true),
  deleteClusterOverridePolicy: policy('deleteClusterOverridePolicy', 'ClusterOverridePolicy', false),
  createMiddlewareInstance: (_p, a, ctx) => mutate(ctx, { kind: 'applications', cluster: a.input.cluster, namespace: a.input.namespace }, (s, c) => s.createMiddlewareInstance(c, a)),
  deleteMiddlewareInstance: (_p, a, ctx) => mutate(ctx, { kind: 'applications', cluster: a.cluster, namespace: a.namespace }, (s, c) => s.deleteMiddlewareInstance(c, a)),
  runMiddlewareOperation: (_p, a, ctx) => mutate(ctx, { kind: 'operations', cluster: a.input.cluster, namespace: a.input.namespace }, (s, c) => s.runMiddlewareOperation(c, a)),
  setMiddlewareBackupPolicy: (_p, a, ctx) => mutate(ctx, { kind: 'applications', cluster: a.cluster, namespace: a.namespace }, (s, c) => s.setMiddlewareBackupPolicy(c, a)),
  // Any kind: the permissions are each object's own, checked by the service once the YAML is resolved.
  applyResources: (_p, a, ctx) => mutate(ctx, { kind: 'resources', cluster: a.cluster ?? 'karmada', namespace: a.namespace ?? null }, (s, c) => s.applyResources(c, a)),
  deleteResources: (_p, a, ctx) => mutate(ctx, { kind: 'resources', cluster: a.cluster ?? 'karmada', namespace: a.namespace ?? null }, (s, c) => s.deleteResources(c, a)),
  // Cancelling needs the write permission the Operation's own mutation needed (on its target).
  cancelOperation: (_p, a, ctx) => mutate(ctx, cancelTarget(serviceOf(ctx).store.get(a.id)), (s, c) => s.cancelOperation(c, a)),
};

/** What cancelling an Operation writes to: its target (as its mutation authorized it); unknown: `operations`. */
function cancelTarget(op: OperationRecord | undefined): { kind: string; cluster?: string | null; namespace?: string | null } {
  if (!op) return { kind: 'operations' };
  if (op.executor === 'MIDDLEWARE_CONTROLLER') return { kind: 'operations', cluster: op.target.cluster, namespace: op.target.namespace };
  return { kind: `${op.target.kind.toLowerCase()}s`, cluster: op.target.cluster ?? 'karmada', namespace: op.target.namespace };
}

export const operationResolvers: Pick<Resolvers<GraphQLContext>, 'Operation' | 'Mutation'> & { Query: typeof Query } = { Operation, Query, Mutation };
