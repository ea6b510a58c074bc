/**
 * The `can` fields (issue 17): what the caller may do on a Node, a Workload template, a Cluster and a Pod,
 * answered by the OperationService's own preflight (`permits`: read-only mode and the feature switches, then
 * the permission table of src/operations/mutationPermissions.ts checked by the request's RequestAccess), so
 * each answer is the one the mutation itself would give for this caller on this object. No second table.
 *
 * Cheap on lists: decisions come from the caller's access sets (memoised across requests) where the
 * cluster's RBAC is known; each check is asked once per request (a page of 500 nodes asks the
 * `clusters/proxy` check of their member once), and a SubjectAccessReview, where one must answer, is
 * cached and joined by the reviewer as it is for the mutations.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { ResourceCheck } from '../../authz/types.js';
import type { ClusterError } from '../../fleet/types.js';
import {
  clusterPatchPermissions, deletePodPermissions, drainPermissions, nodePatchPermissions, restartPermissions, rollbackPermissions,
  scalePermissions, unjoinClusterPermissions, type CallerAccess, type NeededPermission,
} from '../../operations/mutationPermissions.js';
import type { WorkloadKind } from '../../operations/workloadOperations.js';
import { CONTROL_PLANE } from '../../fleet/types.js';
import type { GraphQLContext } from '../context.js';
import type { ClusterModel, NodeModel, ObjectModel, PodModel } from '../models.js';

/** One request's checks, each asked once: the request's RequestAccess behind a per-request memo. */
class MemoAccess implements CallerAccess {
  private readonly verdicts = new Map<string, Promise<ClusterError | undefined>>();

  constructor(private readonly access: GraphQLContext['access']) {}

  get unrestricted(): boolean {
    return this.access.unrestricted;
  }

  refusal(cluster: string, check: ResourceCheck): Promise<ClusterError | undefined> {
    const key = `${cluster}\u0000${check.verb}\u0000${check.apiGroup}\u0000${check.resource}\u0000${check.subresource ?? ''}\u0000${check.namespace ?? ''}\u0000${check.name ?? ''}`;
    let verdict = this.verdicts.get(key);
    if (!verdict) {
      verdict = this.access.refusal(cluster, check);
      this.verdicts.set(key, verdict);
    }
    return verdict;
  }
}

/**
 * The memo of one execution. Each subscription event is executed with a context of its own (sharedExecution.ts)
 * and the event as root value; the memo is renewed when either changes, so an event answers from the RBAC
 * of its time and the memo never outgrows one execution.
 */
const memos = new WeakMap<GraphQLContext, { root: unknown; access: MemoAccess }>();

function accessOf(ctx: GraphQLContext, info: GraphQLResolveInfo): MemoAccess {
  let memo = memos.get(ctx);
  if (!memo || memo.root !== info.rootValue) {
    memo = { root: info.rootValue, access: new MemoAccess(ctx.access) };
    memos.set(ctx, memo);
  }
  return memo.access;
}

/** Whether `mutation` would be let through for this caller; false when the gateway runs without Operations. */
function permits(ctx: GraphQLContext, info: GraphQLResolveInfo, mutation: string, needed: () => readonly NeededPermission[]): Promise<boolean> {
  if (!ctx.operations) return Promise.resolve(false);
  return ctx.operations.permits(accessOf(ctx, info), mutation, needed);
}

/** The mutations' kind of a template (`Deployment` ...), or null for a kind no workload mutation takes. */
function workloadKindOf(w: ObjectModel): WorkloadKind | null {
  const k = w.obj.kind;
  return w.obj.apiVersion === 'apps/v1' && (k === 'Deployment' || k === 'StatefulSet' || k === 'DaemonSet') ? k : null;
}

/**
 * The parent of NodeCapabilities & co.: one thunk per field, run only when the field is selected (a page
 * that asks `can { cordon }` asks nothing for `drain`).
 */
export type CapabilitiesModel = Readonly<Record<string, () => Promise<boolean>>>;

function lazy(fields: Record<string, () => Promise<boolean>>): CapabilitiesModel {
  return fields;
}

/** The field resolvers of a capabilities type: each runs its thunk. */
function fieldsOf<K extends string>(...names: K[]): Record<K, (c: CapabilitiesModel) => Promise<boolean>> {
  const out = {} as Record<K, (c: CapabilitiesModel) => Promise<boolean>>;
  for (const name of names) out[name] = (c) => c[name]!();
  return out;
}

export const capabilityResolvers = {
  Node: {
    can: (n: NodeModel, _a: unknown, ctx: GraphQLContext, info: GraphQLResolveInfo) => {
      const cluster = n.cluster ?? '';
      return lazy({
        cordon: () => permits(ctx, info, 'cordonNode', () => nodePatchPermissions(cluster, n.name)),
        uncordon: () => permits(ctx, info, 'uncordonNode', () => nodePatchPermissions(cluster, n.name)),
        drain: () => permits(ctx, info, 'drainNode', () => drainPermissions(cluster, n.name)),
        setLabels: () => permits(ctx, info, 'setNodeLabels', () => nodePatchPermissions(cluster, n.name)),
        setTaints: () => permits(ctx, info, 'setNodeTaints', () => nodePatchPermissions(cluster, n.name)),
      });
    },
  },
  Workload: {
    can: (w: ObjectModel, _a: unknown, ctx: GraphQLContext, info: GraphQLResolveInfo) => {
      const kind = workloadKindOf(w);
      const ns = w.namespace ?? '';
      const no = () => Promise.resolve(false);
      return lazy({
        scale: kind && kind !== 'DaemonSet' ? () => permits(ctx, info, 'scaleWorkload', () => scalePermissions(kind, ns, w.name)) : no,
        restart: kind ? () => permits(ctx, info, 'restartWorkload', () => restartPermissions(null, kind, ns, w.name)) : no,
        // A template exists (this is it): rollbackWorkload writes the pod template to it (rollbackWritesIn).
        rollback: kind ? () => permits(ctx, info, 'rollbackWorkload', () => rollbackPermissions(CONTROL_PLANE, kind, ns, w.name)) : no,
      });
    },
  },
  Cluster: {
    can: (c: ClusterModel, _a: unknown, ctx: GraphQLContext, info: GraphQLResolveInfo) => lazy({
      setLabels: () => permits(ctx, info, 'setClusterLabels', () => clusterPatchPermissions(c.name)),
      setTaints: () => permits(ctx, info, 'setClusterTaints', () => clusterPatchPermissions(c.name)),
      unjoin: () => permits(ctx, info, 'unjoinCluster', () => unjoinClusterPermissions(c.name)),
    }),
  },
  Pod: {
    can: (p: PodModel, _a: unknown, ctx: GraphQLContext, info: GraphQLResolveInfo) => lazy({
      delete: () => permits(ctx, info, 'deletePod', () => deletePodPermissions(p.cluster ?? '', p.namespace ?? '', p.name)),
    }),
  },
  NodeCapabilities: fieldsOf('cordon', 'uncordon', 'drain', 'setLabels', 'setTaints'),
  WorkloadCapabilities: fieldsOf('scale', 'restart', 'rollback'),
  ClusterCapabilities: fieldsOf('setLabels', 'setTaints', 'unjoin'),
  PodCapabilities: fieldsOf('delete'),
};
