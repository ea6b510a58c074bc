/**
 * Which Operations a caller may see (issue 12): the ones it started, and the ones whose target it may `get`
 * in the target's cluster, as that cluster's RBAC decides (through `ctx.access`, the one place that decides).
 * A middleware Operation is also seen by whoever may `get` its Operation custom resource, since that caller
 * can read the same record from the member directly. In auth mode `none` (or without an authorizer) every
 * Operation is seen.
 *
 * `operations` lists only these, `operation(id)` and `operationProgress(id)` answer an Operation the caller
 * may not see exactly as an unknown id (NOT_FOUND), and `cancelOperation` does the same, so an Operation's
 * existence, target and owner never leak to a caller who may not read them.
 *
 * The audit log is read the same way: a caller reads its own entries and changes; members of a group named by
 * `--audit-readers` (and every caller in auth mode `none`) read everyone's, and the request statistics.
 */
import { CONTROL_PLANE, type Fleet } from '../fleet/types.js';
import { kindTable, type KindDescriptor, type KindName } from '../fleet/kinds.js';
import type { OperationRecord, OperationTarget } from '../operations/OperationRecord.js';
import type { RequestAccess } from './authorize.js';

/** The facts of an Operation that decide who sees it (an OperationRecord, or its JSON copy from the hub). */
export type OperationVisibilityFacts = Pick<OperationRecord, 'requestedBy' | 'target' | 'executor' | 'resource'>;

/** The part of the request context the decision needs. */
export interface VisibilityContext {
  access: RequestAccess;
  /** For the kinds' API groups (the middleware group is configured). @default the built-in table */
  fleet?: Pick<Fleet, 'kinds'>;
}

/** Decides one Operation; decisions of one checker are memoised per object, so a list asks each target once. */
export type OperationVisibility = (op: OperationVisibilityFacts) => Promise<boolean>;

let builtInKinds: ReadonlyMap<KindName, KindDescriptor> | undefined;

/** The API group of an apiVersion (`apps/v1` → `apps`, `v1` → the core group ''). */
function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** A checker for one request (or one subscription). */
export function operationVisibility(ctx: VisibilityContext): OperationVisibility {
  const access = ctx.access;
  if (access.unrestricted) return () => Promise.resolve(true);
  const kinds = ctx.fleet?.kinds ?? (builtInKinds ??= kindTable({ group: 'middleware.fleetgraph.io', version: 'v1alpha1' }));
  const decided = new Map<string, Promise<boolean>>();

  /** Whether the caller may `get` the object `ref` names; false for a kind the gateway does not know. */
  const mayGet = (ref: OperationTarget): Promise<boolean> => {
    const group = groupOf(ref.apiVersion);
    const kind = [...kinds.values()].find((d) => d.kind === ref.kind && d.group === group);
    if (!kind || !ref.name) return Promise.resolve(false);
    const cluster = ref.cluster ?? CONTROL_PLANE;
    const key = [cluster, kind.name, ref.namespace ?? '', ref.name].join('\u0000');
    let verdict = decided.get(key);
    if (!verdict) {
      // A review that could not be made sees nothing: failing closed never shows what may not be shown.
      verdict = access.allows(cluster, access.checkOf('get', kind.name, ref.namespace, ref.name)).catch(() => false);
      decided.set(key, verdict);
    }
    return verdict;
  };

  return async (op) => {
    if (op.requestedBy === access.identity.user) return true;
    if (await mayGet(op.target)) return true;
    return op.executor === 'MIDDLEWARE_CONTROLLER' && op.resource !== null ? mayGet(op.resource) : false;
  };
}

/** Whether the caller may see `op` (one Operation; use `operationVisibility` for many). */
export function mayReadOperation(ctx: VisibilityContext, op: OperationVisibilityFacts): Promise<boolean> {
  return operationVisibility(ctx)(op);
}

/** The Operations of `list` the caller may see, in their order. */
export async function visibleOperations<T extends OperationVisibilityFacts>(ctx: VisibilityContext, list: readonly T[]): Promise<T[]> {
  if (ctx.access.unrestricted) return [...list];
  const visible = operationVisibility(ctx);
  const verdicts = await Promise.all(list.map((op) => visible(op)));
  return list.filter((_, i) => verdicts[i]);
}

/**
 * Whether the caller reads every caller's audit entries: a member of an `--audit-readers` group (the groups
 * as authorized, `system:authenticated` included), or unrestricted (auth mode `none`).
 */
export function readsEveryonesAudit(ctx: { access: RequestAccess; auditReaders?: readonly string[] }): boolean {
  if (ctx.access.unrestricted) return true;
  const readers = ctx.auditReaders ?? [];
  return ctx.access.subject.groups.some((g) => readers.includes(g));
}
