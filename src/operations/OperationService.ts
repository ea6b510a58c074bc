/**
 * The one door for every mutation. For each request, in order:
 *   1. switched off (read-only mode, a feature off)      → FORBIDDEN, nothing read or written
 *   2. idempotency key already used by this caller for this mutation
 *        same arguments → the first Operation, nothing done again; other arguments → CONFLICT
 *   3. input checked (validation, plugin manifest, target lookups: reads only) → BAD_USER_INPUT / NOT_FOUND
 *   4. the caller's permissions: every write the plan will make, in the cluster it makes it
 *        (mutationPermissions.ts), decided by that cluster's RBAC for the caller → FORBIDDEN naming the
 *        missing permission (`permission`, `cluster`); nothing is created or written
 *   5. the key is reserved (atomically), the Operation is created and started:
 *        gateway-run plans on the GatewayExecutor; middleware ones as an Operation custom resource
 *      (cancelOperation creates none: it acts on the Operation it names, which the audit row points to)
 * Every request, accepted or refused, leaves one audit row, committed before the mutation answers.
 *
 * A signed-in caller's Operation writes as the caller (Impersonate-User / Impersonate-Group, impersonation.ts):
 * the identity is captured in the plan's context when the Operation starts, so steps running later still
 * carry it; the cluster's own RBAC has the last word on every write. In auth mode `none` the gateway writes
 * as itself and nothing is checked.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AuditStore } from '../audit/AuditStore.js';
import type { ChangeEvent } from '../cache/types.js';
import type { ResourceCheck } from '../authz/types.js';
import { CONTROL_PLANE, type ClusterError } from '../fleet/types.js';
import { describeCheck } from '../authz/describeCheck.js';
import type { CachedTargetLookup } from './CachedTargetLookup.js';
import { ClusterWriter, resourceOfKind, UpstreamWriteError, type KubeObject, type ObjectRef } from './ClusterWriter.js';
import type { KubeConfigSource } from './ClusterKubeConfigs.js';
import { drainPlan } from './drainNode.js';
import { deletePodPlan } from './deletePod.js';
import { GatewayExecutor, type OperationPlan, type StepRunner } from './GatewayExecutor.js';
import type { FleetSignals } from '../fleet/FleetSignals.js';
import {
  applicationRef, backupPolicyPlan, checkBackupPolicy, checkCreateInstance, checkMiddlewareOperation, createInstancePlan, CR_TYPE, operationCr, readInstance,
  type BackupPolicyInput, type CreateInstanceInput, type MiddlewareApiVersion, type MiddlewareOperationInput,
} from './middlewareOperations.js';
import { reconcileInterrupted } from './interruptedOperations.js';
import { MiddlewareOperationMirror } from './MiddlewareOperationMirror.js';
import type { Impersonation } from './impersonation.js';
import { MutationRefusal } from './MutationRefusal.js';
import {
  applyPolicyPermissions, applyResourcesPermissions, backupPolicyPermissions, clusterPatchPermissions, createInstancePermissions, deleteResourcesPermissions,
  joinClusterPermissions, readPermissions, unjoinClusterPermissions, deletePodPermissions, deletePolicyPermissions, drainPermissions,
  middlewareOperationPermissions, nodePatchPermissions, proxyChecks, restartPermissions, rollbackPermissions, scalePermissions,
  type CallerAccess, type NeededPermission,
} from './mutationPermissions.js';
import { DEFAULT_FEATURES, switchedOff, type FeatureFlags } from './MutationSwitches.js';
import { cordonPlan, setNodeLabelsPlan, setNodeTaintsPlan } from './nodeOperations.js';
import {
  clusterRef, joinClusterPlan, memberCredentials, redactedJoinArguments, setClusterLabelsPlan, setClusterTaintsPlan, unjoinClusterPlan,
  type GatewayMembership,
} from './clusterMembership.js';
import { TERMINAL_PHASES, type OperationRecord, type OperationTarget } from './OperationRecord.js';
import { OperationStore, type OperationListener } from './OperationStore.js';
import { DEFAULT_TIMINGS, OperationInterrupted, type OperationTimings, type PlanContext } from './PlanContext.js';
import { applyPolicyPlan, deletePolicyPlan, policyRef, type PolicyKind } from './policyOperations.js';
import { restartPlan, rollbackPlan, scalePlan, workloadRef, type WorkloadKind } from './workloadOperations.js';
import { idempotencyKeyHash, keyedOperationId, recordOf, type CancelRequest, type RequestFacts } from './shared/fleetOperationResource.js';
import type { SharedOperations, TakeoverOrigin } from './shared/SharedOperations.js';
import { markInterrupted } from './interruptedOperations.js';
import { parseResourceDocuments, type DocumentProblem, type ResourceDocument } from './resourceDocuments.js';
import {
  applyResourcesPlan, deleteResourcesPlan, type KindCatalog, describeRef, documentRefusal, previewApply, previewDelete, readLive, resolveDocuments,
  type ObjectChange, type ResolvedObject,
} from './resourceApply.js';

/** Who asks, and the request's trace fields for the audit row. */
export interface Caller {
  user: string;
  /** The caller's groups, as authenticated (sent as Impersonate-Group). @default [] */
  groups?: readonly string[];
  /**
   * Whether the Operation's writes are made as the caller (a signed-in caller); false: the gateway's own
   * identity (auth mode `none`). @default false
   */
  impersonate?: boolean;
  /** What the caller may do (the permission preflight); absent or unrestricted: nothing is refused. */
  access?: CallerAccess;
  /**
   * Whether the caller may see an Operation (src/graphql/operationVisibility.ts): cancelOperation answers one it
   * may not see as unknown (NOT_FOUND), its audit row naming no cluster or namespace of it. @default every one
   */
  mayRead?: (op: OperationRecord) => Promise<boolean>;
  requestId?: string | null;
  sourceIp?: string | null;
  userAgent?: string | null;
}

export interface OperationServiceOptions {
  kubeConfigs: KubeConfigSource;
  /** null: nothing persisted (tests of pure logic only). */
  audit: AuditStore | null;
  middleware: MiddlewareApiVersion;
  /** @default false */
  readOnly?: boolean;
  /** @default DEFAULT_FEATURES */
  features?: FeatureFlags;
  /** @default DEFAULT_TIMINGS */
  timings?: Partial<OperationTimings>;
  /** Known member names (fleet.members()); an unknown cluster is refused with NOT_FOUND. @default no check */
  members?: () => string[];
  /**
   * What the gateway follows of its members (joinCluster waits for the new member's caches, unjoinCluster for
   * its informers to stop). @default none: those waits only follow Karmada
   */
  membership?: GatewayMembership;
  /**
   * Whether the gateway's cache holds a mutation's target (see CachedTargetLookup): when it does, the
   * preflight needs no upstream read. @default none (one direct read per preflight)
   */
  lookup?: CachedTargetLookup;
  /**
   * The kinds each cluster serves (Fleet.dynamic), for applyResources and deleteResources.
   * @default none: those two are refused
   */
  kinds?: KindCatalog;
  /** Change events of the data layer (fleet.onChange), for middleware Operation progress. @default none */
  subscribe?: (listener: (e: ChangeEvent) => void) => () => void;
  /** How often unfinished middleware Operations are re-read directly (backstop to the informer), ms. @default 15000 */
  refreshMs?: number;
  /**
   * Whether a member is reached through the Karmada cluster proxy (its writes then also need the caller's
   * `clusters/proxy` on the control plane). @default every member
   */
  viaProxy?: (member: string) => boolean;
  /**
   * Where the one line per mutation goes (`mutation`: user, Operation id, type, target, outcome, request id).
   * @default none
   */
  logger?: { info(obj: object, msg?: string): void };
  /** Told each upstream call the writers make (metrics, traces). @default none */
  signals?: FleetSignals;
  /** Runs each gateway step (traces). @default runs it as it is */
  stepRunner?: StepRunner;
  /**
   * The control plane store shared by the replicas (FleetOperations and their Leases): gateway-run Operations
   * are kept there, taken over when their replica dies, cancelled from any replica.
   * @default none: Operations live in this process (and its audit database)
   */
  shared?: SharedOperations | null;
}

/** Describes a request for the audit row and the Operation target. */
interface Request {
  mutation: string;
  args: Record<string, unknown>;
  idempotencyKey?: string | null | undefined;
  target: OperationTarget;
  /**
   * The permissions the plan's writes need (mutationPermissions.ts), asked once the input is checked; may
   * read (where a write goes can depend on what exists). @default none
   */
  permissions?: () => NeededPermission[] | Promise<NeededPermission[]>;
}

type Prepared =
  | { executor: 'GATEWAY'; plan: (ctx: PlanContext) => OperationPlan }
  | { executor: 'MIDDLEWARE_CONTROLLER'; crType: string; templateRef: string | null; parameters: Record<string, string>; instance: string }
  /** A mutation acting on an Operation that exists (cancelOperation): no new Operation; `act` answers. */
  | { executor: 'EXISTING'; act: () => Promise<OperationRecord> }
  /** A dry run (applyResources / deleteResources with `dryRun`): checked and answered, audited, no Operation. */
  | { executor: 'DRY_RUN' };

/** What applyResources and deleteResources answer: each object's change, and the Operation (null on a dry run). */
export interface ResourcesResult {
  objects: ObjectChange[];
  operation: OperationRecord | null;
}

/** The propagation policies of deleteResources, as the API spells them. */
const PROPAGATION: Record<string, string> = { BACKGROUND: 'Background', FOREGROUND: 'Foreground', ORPHAN: 'Orphan' };

/** How many answers of real applies are kept for idempotent replays (their `objects`). */
const KEPT_ANSWERS = 200;

/** The API version of the Operation itself as an audit target (it is the gateway's object, not a cluster's). */
const OPERATION_API_VERSION = 'fleetgraph.io/v1';

const CONTROL_PLANE_NAME = 'karmada';

/** Reads of an interrupted Operation's cluster tried at startup before its steps' outcome is called unknown. */
const RECONCILE_ATTEMPTS = 4;
/** Pause before the next attempt, ms, times the attempt number. */
const RECONCILE_RETRY_MS = 2_000;

export class OperationService {
  readonly store: OperationStore;
  readonly executor: GatewayExecutor;
  private readonly mirror: MiddlewareOperationMirror;
  private readonly timings: OperationTimings;
  private stopped = false;
  private readonly sleepers = new Set<() => void>();
  private refreshTimer: NodeJS.Timeout | undefined;
  /** The kinds each cluster serves (applyResources, deleteResources). */
  /** The `objects` of recent applyResources / deleteResources Operations, by Operation id, for replays. */
  private readonly answers = new Map<string, ObjectChange[]>();

  constructor(private readonly options: OperationServiceOptions) {
    const shared = options.shared ?? null;
    this.store = new OperationStore(options.audit, shared ? { owns: (id) => shared.owns(id), save: (op) => shared.save(op) } : null);
    this.executor = new GatewayExecutor(this.store, options.stepRunner);
    this.mirror = new MiddlewareOperationMirror(this.store);
    this.timings = { ...DEFAULT_TIMINGS, ...(options.timings ?? {}) };
  }

  /**
   * Reloads persisted Operations (interrupted ones marked FAILED) and follows middleware Operations. Shared:
   * follows the FleetOperations of every replica instead (an unfinished one whose replica is gone is taken over).
   */
  async start(): Promise<{ loaded: number; interrupted: string[] }> {
    const restored = await this.store.restore();
    if (this.options.shared) await this.options.shared.start(this.store);
    // Interrupted Operations are FAILED already, with no step RUNNING; what their in-flight steps really did is
    // read from the cluster now, in the background (reads only: nothing is resumed).
    if (restored.interrupted.length > 0) void this.reconcileInterrupted(restored.interrupted, restored.inFlight);
    if (this.options.subscribe) this.mirror.start(this.options.subscribe);
    // The informer's first list emits no change events, so a middleware Operation that moved while no gateway
    // was watching would stay stale; unfinished ones are read directly now and then as a backstop.
    const period = this.options.refreshMs ?? 15_000;
    this.refreshTimer = setInterval(() => void this.refreshMiddleware(), period);
    this.refreshTimer.unref();
    setTimeout(() => void this.refreshMiddleware(), Math.min(period, 2_000)).unref();
    return restored;
  }

  /** Reads the custom resource of every unfinished middleware Operation and applies its status. */
  async refreshMiddleware(): Promise<void> {
    const pending = this.store.list({ phase: ['PENDING', 'RUNNING'] }).filter((o) => o.executor === 'MIDDLEWARE_CONTROLLER' && o.resource?.cluster);
    for (const op of pending) {
      if (this.stopped) return;
      const ref = op.resource!;
      try {
        const cr = await this.readerFor(ref.cluster!).read({ apiVersion: ref.apiVersion, kind: 'Operation', namespace: ref.namespace, name: ref.name });
        if (cr) this.mirror.apply(ref.cluster!, cr as never);
      } catch {
        // The member is unreachable: the informer or the next round will catch up.
      }
    }
  }

  /**
   * Marks each step of the interrupted Operations with what the cluster says happened (interruptedOperations.ts).
   * A member that cannot be read yet is tried again a few times, then the step's outcome is recorded as unknown.
   */
  async reconcileInterrupted(ids: readonly string[], inFlight: ReadonlyMap<string, readonly string[]>): Promise<void> {
    let pending = [...ids];
    for (let attempt = 1; pending.length > 0 && !this.stopped; attempt++) {
      const final = attempt >= RECONCILE_ATTEMPTS;
      const retry: string[] = [];
      for (const id of pending) {
        const op = this.store.get(id);
        if (!op) continue;
        let reader: ClusterWriter | null = null;
        try {
          reader = this.readerFor(op.target.cluster ?? CONTROL_PLANE);
        } catch {
          // No kubeconfig for that cluster any more: the outcome stays unknown.
        }
        const { unsettled } = await reconcileInterrupted(op, inFlight.get(id) ?? [], reader, final);
        this.store.put(op);
        if (unsettled > 0) retry.push(id);
      }
      pending = retry;
      if (pending.length > 0 && !final) await this.sleep(RECONCILE_RETRY_MS * attempt);
    }
    await this.options.audit?.flush();
  }

  /**
   * Stops following, ends waits early, lets running plans finish their current call. With `interrupt`
   * (shutdown), running Operations stop at their next step boundary and are recorded FAILED, reason
   * INTERRUPTED, with `interrupt` as the message.
   */
  async stop(options: { interrupt?: string } = {}): Promise<void> {
    this.stopped = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.mirror.stop();
    const shared = this.options.shared;
    if (shared && options.interrupt) {
      // Shared: the Operations this replica runs are handed over (their Leases freed), not failed: another
      // replica, or this one restarted, continues them from their first unfinished step.
      const handed = await shared.handOver(async () => {
        for (const wake of this.sleepers) wake();
        await this.executor.interruptAll(options.interrupt!);
      });
      if (handed.length > 0) this.options.logger?.info({ operations: handed }, 'operations handed over to the other replicas');
    }
    for (const wake of this.sleepers) wake();
    if (options.interrupt) await this.executor.interruptAll(options.interrupt);
    await this.executor.idle();
    await shared?.stop();
  }

  /**
   * One Operation by id. Shared, an Operation just made on another replica may not have reached this one's
   * watch yet: it is then read from the control plane.
   */
  async find(id: string): Promise<OperationRecord | undefined> {
    return this.store.get(id) ?? (await this.options.shared?.find(id));
  }

  // ---- shared Operations: takeover, cancel, lost Leases ---------------------------------------------------

  /**
   * Continues an Operation this replica took over (its holder stopped renewing the Lease, or handed it over at
   * shutdown). A cancel asked meanwhile ends it CANCELLED. A mutation whose steps can be repeated safely
   * (resumablePlan) runs its plan again, which continues from the first unfinished step: finished steps find
   * their work done (cordoned, evicted pods gone, replicas set). Any other ends FAILED with reason INTERRUPTED,
   * its unfinished steps checked against the cluster (reconcileInterrupted). Either way a step records where
   * the work was taken over, and from whom.
   */
  async takeOver(op: OperationRecord, facts: RequestFacts, cancel: CancelRequest | null, origin: TakeoverOrigin): Promise<void> {
    const shared = this.options.shared!;
    const now = new Date().toISOString();
    if (cancel) {
      for (const st of op.steps) {
        if (st.phase === 'PENDING' || st.phase === 'RUNNING') Object.assign(st, { phase: 'CANCELLED', finishedAt: now, message: st.phase === 'RUNNING' ? 'stopped: the Operation was cancelled' : 'not run: the Operation was cancelled' });
      }
      Object.assign(op, { phase: 'CANCELLED', reason: 'CANCELLED', error: `cancelled by ${cancel.requestedBy}${cancel.reason ? `: ${cancel.reason}` : ''}`, completedAt: now });
      this.store.put(op);
      await shared.finished(op.id);
      return;
    }
    let args: Record<string, unknown> | null = null;
    try {
      args = JSON.parse(facts.arguments) as Record<string, unknown>;
    } catch {
      // Unreadable arguments: the plan cannot be rebuilt, the Operation ends INTERRUPTED below.
    }
    const plan = args ? this.resumablePlan(op, args) : null;
    const at = op.steps.findIndex((st) => st.phase === 'RUNNING' || st.phase === 'PENDING');
    const from = at >= 0 ? `step "${op.steps[at]!.name}"` : op.steps.length === 0 ? 'the start' : 'after its last step';
    const who = origin.holder ? `replica ${origin.holder}` : 'the replica running it';
    const what = origin.how === 'handed-over' ? `${who} handed the Operation over at shutdown` : `${who} stopped renewing the Operation's Lease`;
    const step = {
      name: `taken over by ${shared.replicaId}`,
      phase: 'SUCCEEDED' as const,
      message: plan
        ? `${what}; ${shared.replicaId} continued from ${from}`
        : `${what} at ${from}; ${op.type} cannot be repeated safely, so it was not continued`,
      startedAt: now,
      finishedAt: now,
    };
    if (at >= 0) op.steps.splice(at, 0, step);
    else op.steps.push(step);
    if (op.currentStep >= at && at >= 0) op.currentStep++;
    if (!plan) {
      const inFlight = markInterrupted(op, now);
      this.store.put(op);
      await this.reconcileInterrupted([op.id], new Map([[op.id, inFlight]])).catch(() => undefined);
      await shared.finished(op.id);
      return;
    }
    this.store.put(op);
    const caller: Caller = { user: op.requestedBy, groups: facts.requestedGroups, impersonate: facts.impersonate };
    this.run(op, caller, plan);
  }

  /** Another replica asked (through the resource) to cancel an Operation this replica runs. */
  cancelRequested(id: string, cancel: CancelRequest): void {
    const message = `cancelled by ${cancel.requestedBy}${cancel.reason ? `: ${cancel.reason}` : ''}`;
    void this.executor.cancel(id, message);
  }

  /** This replica lost an Operation's Lease (another replica took it): the run stops, writing nothing more. */
  leaseLost(id: string, by: string | null): void {
    this.executor.interrupt(id, `the Operation's Lease was taken by ${by ?? 'another replica'}`);
  }

  /**
   * The plan of a taken-over Operation whose steps can all be repeated safely, rebuilt from its arguments;
   * null for the others. Node patches set (cordon, labels, taints), a drain re-lists the node (evicted pods
   * are gone; a pod already terminating is waited for, not evicted again), a scale sets the replicas, a
   * policy is applied whole or deleted (gone is done).
   */
  private resumablePlan(op: OperationRecord, a: Record<string, any>): ((ctx: PlanContext) => OperationPlan) | null {
    switch (op.type) {
      case 'cordonNode':
      case 'uncordonNode':
        return (ctx) => cordonPlan(ctx, a.cluster, a.name, op.type === 'cordonNode');
      case 'drainNode':
        return (ctx) => drainPlan(ctx, a.cluster, a.name, this.drainSettings(a.options ?? {}));
      case 'setNodeLabels':
        return (ctx) => setNodeLabelsPlan(ctx, a.cluster, a.name, a.labels ?? [], a.remove ?? []);
      case 'setNodeTaints':
        return (ctx) => setNodeTaintsPlan(ctx, a.cluster, a.name, taintsOf(a.taints ?? []));
      case 'setClusterLabels':
        return (ctx) => setClusterLabelsPlan(ctx, a.name, a.labels ?? [], a.remove ?? []);
      case 'setClusterTaints':
        return (ctx) => setClusterTaintsPlan(ctx, a.name, taintsOf(a.taints ?? []));
      case 'scaleWorkload':
        return (ctx) => scalePlan(ctx, a.kind, a.namespace, a.name, a.replicas);
      default: {
        const kind = op.target.kind as PolicyKind;
        if (/^apply\w*Policy$/.test(op.type)) {
          const ref = policyRef(kind, a.namespace ?? null, a.name);
          return (ctx) => applyPolicyPlan(ctx, ref, a.spec as Record<string, unknown>);
        }
        if (/^delete\w*Policy$/.test(op.type)) return (ctx) => deletePolicyPlan(ctx, policyRef(kind, a.namespace ?? null, a.name));
        return null;
      }
    }
  }

  private drainSettings(o: { force?: boolean | null; deleteEmptyDirData?: boolean | null; gracePeriodSeconds?: number | null; podTimeoutSeconds?: number | null; deletionTimeoutSeconds?: number | null }) {
    return {
      force: o.force ?? false,
      deleteEmptyDirData: o.deleteEmptyDirData ?? false,
      gracePeriodSeconds: o.gracePeriodSeconds ?? undefined,
      podTimeoutMs: o.podTimeoutSeconds != null ? o.podTimeoutSeconds * 1000 : this.timings.drainPodTimeoutMs,
      deletionTimeoutMs: o.deletionTimeoutSeconds != null ? o.deletionTimeoutSeconds * 1000 : this.timings.podDeletionTimeoutMs,
    };
  }

  /** Deletes the finished FleetOperations beyond the retention (shared store only). */
  async pruneShared(maxAgeMs: number, maxCount: number): Promise<number> {
    return (await this.options.shared?.prune(maxAgeMs, maxCount).catch(() => 0)) ?? 0;
  }

  /** Follows every Operation change (for `operationProgress` and `operationChanged`); `created` on its first. */
  onChange(listener: OperationListener): () => void {
    return this.store.onChange(listener);
  }

  // ---- mutations -------------------------------------------------------------------------------------

  cordonNode(caller: Caller, a: { cluster: string; name: string; idempotencyKey?: string | null }): Promise<OperationRecord> {
    return this.nodeMutation(caller, 'cordonNode', a, (ctx) => cordonPlan(ctx, a.cluster, a.name, true));
  }

  uncordonNode(caller: Caller, a: { cluster: string; name: string; idempotencyKey?: string | null }): Promise<OperationRecord> {
    return this.nodeMutation(caller, 'uncordonNode', a, (ctx) => cordonPlan(ctx, a.cluster, a.name, false));
  }

  drainNode(
    caller: Caller,
    a: { cluster: string; name: string; options?: { force?: boolean | null; deleteEmptyDirData?: boolean | null; gracePeriodSeconds?: number | null; podTimeoutSeconds?: number | null; deletionTimeoutSeconds?: number | null } | null; idempotencyKey?: string | null },
  ): Promise<OperationRecord> {
    const o = a.options ?? {};
    const check = () => {
      for (const f of ['gracePeriodSeconds', 'podTimeoutSeconds', 'deletionTimeoutSeconds'] as const) {
        const v = o[f];
        if (v != null && (!Number.isInteger(v) || v < 0)) throw MutationRefusal.badInput(`options.${f}: ${v} must be a non-negative integer`, `options.${f}`);
      }
    };
    const settings = this.drainSettings(o);
    return this.nodeMutation(caller, 'drainNode', a, (ctx) => drainPlan(ctx, a.cluster, a.name, settings), check, drainPermissions(a.cluster, a.name));
  }

  setNodeLabels(caller: Caller, a: { cluster: string; name: string; labels: Array<{ key: string; value: string }>; remove?: string[] | null; idempotencyKey?: string | null }): Promise<OperationRecord> {
    const check = () => {
      const bad = a.labels.map((l) => l.key).concat(a.remove ?? []).find((k) => !LABEL_KEY.test(k));
      if (bad !== undefined) throw MutationRefusal.badInput(`labels: "${bad}" is not a valid label key`, 'labels');
      const badValue = a.labels.find((l) => l.value !== '' && !LABEL_VALUE.test(l.value));
      if (badValue) throw MutationRefusal.badInput(`labels: "${badValue.value}" is not a valid label value`, 'labels');
    };
    return this.nodeMutation(caller, 'setNodeLabels', a, (ctx) => setNodeLabelsPlan(ctx, a.cluster, a.name, a.labels, a.remove ?? []), check);
  }

  setNodeTaints(caller: Caller, a: { cluster: string; name: string; taints: Array<{ key: string; value?: string | null; effect: string }>; idempotencyKey?: string | null }): Promise<OperationRecord> {
    const check = () => {
      const bad = a.taints.find((t) => !LABEL_KEY.test(t.key));
      if (bad) throw MutationRefusal.badInput(`taints: "${bad.key}" is not a valid taint key`, 'taints');
    };
    return this.nodeMutation(caller, 'setNodeTaints', a, (ctx) => setNodeTaintsPlan(ctx, a.cluster, a.name, taintsOf(a.taints)), check);
  }

  // ---- members: join, unjoin, labels and taints of the Cluster object (clusterMembership.ts) ---------------

  joinCluster(
    caller: Caller,
    a: {
      name: string; kubeconfig: string; context?: string | null; provider?: string | null; region?: string | null; zone?: string | null;
      labels?: Array<{ key: string; value: string }> | null; idempotencyKey?: string | null;
    },
  ): Promise<OperationRecord> {
    const ref = clusterRef(a.name);
    const target = this.targetOf(null, ref.apiVersion, ref.kind, null, a.name);
    // The kubeconfig carries a credential: the audit row and the Operation keep a digest of it only.
    const args = redactedJoinArguments(a);
    return this.submit(caller, { mutation: 'joinCluster', args, idempotencyKey: a.idempotencyKey, target, permissions: () => joinClusterPermissions() }, async () => {
      checkClusterName(a.name, 'name');
      const members = this.options.members?.() ?? [];
      if (members.includes(a.name)) throw MutationRefusal.badInput(`name: "${a.name}" is already a member of the fleet`, 'name');
      for (const [field, value] of [['provider', a.provider], ['region', a.region], ['zone', a.zone]] as const) {
        if (value != null && (value === '' || value.length > 253 || /[\s\u0000-\u001f]/.test(value))) {
          throw MutationRefusal.badInput(`${field}: "${value.slice(0, 60)}" must be a non-empty word without spaces`, field);
        }
      }
      checkLabels(a.labels ?? [], []);
      const credentials = memberCredentials(a.kubeconfig, a.context);
      const input = { name: a.name, credentials, provider: a.provider ?? null, region: a.region ?? null, zone: a.zone ?? null, labels: a.labels ?? [] };
      return { executor: 'GATEWAY', plan: (ctx) => joinClusterPlan(ctx, input, this.options.membership) };
    });
  }

  unjoinCluster(caller: Caller, a: { name: string; idempotencyKey?: string | null }): Promise<OperationRecord> {
    const ref = clusterRef(a.name);
    const target = this.targetOf(null, ref.apiVersion, ref.kind, null, a.name);
    return this.submit(caller, { mutation: 'unjoinCluster', args: a, idempotencyKey: a.idempotencyKey, target, permissions: () => unjoinClusterPermissions(a.name) }, async () => {
      checkClusterName(a.name, 'name');
      await this.checkExists(null, ref, 'name');
      return { executor: 'GATEWAY', plan: (ctx) => unjoinClusterPlan(ctx, a.name, this.options.membership) };
    });
  }

  setClusterLabels(caller: Caller, a: { name: string; labels: Array<{ key: string; value: string }>; remove?: string[] | null; idempotencyKey?: string | null }): Promise<OperationRecord> {
    const ref = clusterRef(a.name);
    const target = this.targetOf(null, ref.apiVersion, ref.kind, null, a.name);
    return this.submit(caller, { mutation: 'setClusterLabels', args: a, idempotencyKey: a.idempotencyKey, target, permissions: () => clusterPatchPermissions(a.name) }, async () => {
      checkClusterName(a.name, 'name');
      checkLabels(a.labels, a.remove ?? []);
      await this.checkExists(null, ref, 'name');
      return { executor: 'GATEWAY', plan: (ctx) => setClusterLabelsPlan(ctx, a.name, a.labels, a.remove ?? []) };
    });
  }

  setClusterTaints(caller: Caller, a: { name: string; taints: Array<{ key: string; value?: string | null; effect: string }>; idempotencyKey?: string | null }): Promise<OperationRecord> {
    const ref = clusterRef(a.name);
    const target = this.targetOf(null, ref.apiVersion, ref.kind, null, a.name);
    return this.submit(caller, { mutation: 'setClusterTaints', args: a, idempotencyKey: a.idempotencyKey, target, permissions: () => clusterPatchPermissions(a.name) }, async () => {
      checkClusterName(a.name, 'name');
      const bad = a.taints.find((t) => !LABEL_KEY.test(t.key));
      if (bad) throw MutationRefusal.badInput(`taints: "${bad.key}" is not a valid taint key`, 'taints');
      const reserved = a.taints.find((t) => t.key.startsWith('cluster.karmada.io/'));
      if (reserved) throw MutationRefusal.badInput(`taints: "${reserved.key}" is kept by Karmada's cluster controller and cannot be set`, 'taints');
      const badValue = a.taints.find((t) => t.value && !LABEL_VALUE.test(t.value));
      if (badValue) throw MutationRefusal.badInput(`taints: "${badValue.value}" is not a valid taint value`, 'taints');
      const seen = new Set<string>();
      for (const t of a.taints) {
        const key = `${t.key}:${t.effect}`;
        if (seen.has(key)) throw MutationRefusal.badInput(`taints: "${t.key}" with effect ${t.effect} is given twice`, 'taints');
        seen.add(key);
      }
      await this.checkExists(null, ref, 'name');
      return { executor: 'GATEWAY', plan: (ctx) => setClusterTaintsPlan(ctx, a.name, taintsOf(a.taints)) };
    });
  }

  scaleWorkload(caller: Caller, a: { kind: WorkloadKind; namespace: string; name: string; replicas: number; idempotencyKey?: string | null }): Promise<OperationRecord> {
    const target = this.targetOf(null, 'apps/v1', a.kind, a.namespace, a.name);
    const permissions = () => scalePermissions(a.kind, a.namespace, a.name);
    return this.submit(caller, { mutation: 'scaleWorkload', args: a, idempotencyKey: a.idempotencyKey, target, permissions }, async () => {
      checkName(a.namespace, 'namespace');
      checkName(a.name, 'name');
      if (a.kind === 'DaemonSet') throw MutationRefusal.badInput('kind: a DaemonSet has no replicas to scale', 'kind');
      if (!Number.isInteger(a.replicas) || a.replicas < 0) throw MutationRefusal.badInput(`replicas: ${a.replicas} must be a non-negative integer`, 'replicas');
      await this.checkExists(null, workloadRef(a.kind, a.namespace, a.name), 'name');
      return { executor: 'GATEWAY', plan: (ctx) => scalePlan(ctx, a.kind, a.namespace, a.name, a.replicas) };
    });
  }

  restartWorkload(caller: Caller, a: { kind: WorkloadKind; namespace: string; name: string; cluster?: string | null; idempotencyKey?: string | null }): Promise<OperationRecord> {
    const target = this.targetOf(a.cluster ?? null, 'apps/v1', a.kind, a.namespace, a.name);
    const permissions = () => restartPermissions(a.cluster ?? null, a.kind, a.namespace, a.name);
    return this.submit(caller, { mutation: 'restartWorkload', args: a, idempotencyKey: a.idempotencyKey, target, permissions }, async () => {
      if (a.cluster) this.checkCluster(a.cluster);
      checkName(a.namespace, 'namespace');
      checkName(a.name, 'name');
      await this.checkExists(a.cluster ?? null, workloadRef(a.kind, a.namespace, a.name), 'name');
      return { executor: 'GATEWAY', plan: (ctx) => restartPlan(ctx, a.kind, a.namespace, a.name, a.cluster ?? null) };
    });
  }

  rollbackWorkload(caller: Caller, a: { kind: WorkloadKind; namespace: string; name: string; cluster: string; revision: number; idempotencyKey?: string | null }): Promise<OperationRecord> {
    const target = this.targetOf(a.cluster, 'apps/v1', a.kind, a.namespace, a.name);
    const permissions = async () => rollbackPermissions(await this.rollbackWritesIn(a.cluster, workloadRef(a.kind, a.namespace, a.name)), a.kind, a.namespace, a.name);
    return this.submit(caller, { mutation: 'rollbackWorkload', args: a, idempotencyKey: a.idempotencyKey, target, permissions }, async () => {
      this.checkCluster(a.cluster);
      checkName(a.namespace, 'namespace');
      checkName(a.name, 'name');
      if (!Number.isInteger(a.revision) || a.revision < 1) throw MutationRefusal.badInput(`revision: ${a.revision} must be a positive integer`, 'revision');
      await this.checkExists(a.cluster, workloadRef(a.kind, a.namespace, a.name), 'name');
      return { executor: 'GATEWAY', plan: (ctx) => rollbackPlan(ctx, a.kind, a.namespace, a.name, a.cluster, a.revision) };
    });
  }

  deletePod(caller: Caller, a: { cluster: string; namespace: string; name: string; gracePeriodSeconds?: number | null; idempotencyKey?: string | null }): Promise<OperationRecord> {
    const target = this.targetOf(a.cluster, 'v1', 'Pod', a.namespace, a.name);
    const permissions = () => deletePodPermissions(a.cluster, a.namespace, a.name);
    return this.submit(caller, { mutation: 'deletePod', args: a, idempotencyKey: a.idempotencyKey, target, permissions }, async () => {
      this.checkCluster(a.cluster);
      checkName(a.namespace, 'namespace');
      checkName(a.name, 'name');
      if (a.gracePeriodSeconds != null && (!Number.isInteger(a.gracePeriodSeconds) || a.gracePeriodSeconds < 0)) {
        throw MutationRefusal.badInput(`gracePeriodSeconds: ${a.gracePeriodSeconds} must be a non-negative integer`, 'gracePeriodSeconds');
      }
      await this.checkExists(a.cluster, { apiVersion: 'v1', kind: 'Pod', namespace: a.namespace, name: a.name }, 'name');
      return { executor: 'GATEWAY', plan: (ctx) => deletePodPlan(ctx, a.cluster, a.namespace, a.name, a.gracePeriodSeconds ?? undefined) };
    });
  }

  applyPolicy(caller: Caller, mutation: string, kind: PolicyKind, a: { namespace?: string | null; name: string; spec: unknown; idempotencyKey?: string | null }): Promise<OperationRecord> {
    const ref = policyRef(kind, a.namespace ?? null, a.name);
    const target = this.targetOf(null, ref.apiVersion, kind, ref.namespace ?? null, a.name);
    const permissions = () => applyPolicyPermissions(kind, ref.namespace ?? null, a.name);
    return this.submit(caller, { mutation, args: a, idempotencyKey: a.idempotencyKey, target, permissions }, async () => {
      if (ref.namespace) checkName(ref.namespace, 'namespace');
      checkName(a.name, 'name');
      if (!a.spec || typeof a.spec !== 'object' || Array.isArray(a.spec)) throw MutationRefusal.badInput('spec: must be a JSON object (the policy spec)', 'spec');
      const spec = a.spec as Record<string, unknown>;
      if (kind.endsWith('PropagationPolicy') && !Array.isArray(spec['resourceSelectors'])) {
        throw MutationRefusal.badInput('spec.resourceSelectors: a propagation policy needs a list of resource selectors', 'spec.resourceSelectors');
      }
      return { executor: 'GATEWAY', plan: (ctx) => applyPolicyPlan(ctx, ref, spec) };
    });
  }

  deletePolicy(caller: Caller, mutation: string, kind: PolicyKind, a: { namespace?: string | null; name: string; idempotencyKey?: string | null }): Promise<OperationRecord> {
    const ref = policyRef(kind, a.namespace ?? null, a.name);
    const target = this.targetOf(null, ref.apiVersion, kind, ref.namespace ?? null, a.name);
    const permissions = () => deletePolicyPermissions(kind, ref.namespace ?? null, a.name);
    return this.submit(caller, { mutation, args: a, idempotencyKey: a.idempotencyKey, target, permissions }, async () => {
      if (ref.namespace) checkName(ref.namespace, 'namespace');
      checkName(a.name, 'name');
      await this.checkExists(null, ref, 'name');
      return { executor: 'GATEWAY', plan: (ctx) => deletePolicyPlan(ctx, ref) };
    });
  }

  createMiddlewareInstance(caller: Caller, a: { input: CreateInstanceInput; idempotencyKey?: string | null }): Promise<OperationRecord> {
    const i = a.input;
    const target = this.targetOf(i.cluster, `${this.options.middleware.group}/${this.options.middleware.version}`, 'Application', i.namespace, i.name);
    const permissions = () => createInstancePermissions(this.options.middleware.group, i.cluster, i.namespace);
    return this.submit(caller, { mutation: 'createMiddlewareInstance', args: a, idempotencyKey: a.idempotencyKey, target, permissions }, async () => {
      this.checkCluster(i.cluster, 'input.cluster');
      checkName(i.namespace, 'input.namespace');
      checkName(i.name, 'input.name');
      const w = this.readerFor(i.cluster);
      const app = await checkCreateInstance(w, this.options.middleware, i);
      if (await w.read(applicationRef(this.options.middleware, i.namespace, i.name))) {
        throw new MutationRefusal('CONFLICT', `middleware instance ${i.namespace}/${i.name} already exists in cluster ${i.cluster}`, { cluster: i.cluster });
      }
      return { executor: 'GATEWAY', plan: (ctx) => createInstancePlan(ctx, i.cluster, app) };
    });
  }

  deleteMiddlewareInstance(caller: Caller, a: { cluster: string; namespace: string; name: string; idempotencyKey?: string | null }): Promise<OperationRecord> {
    const target = this.targetOf(a.cluster, `${this.options.middleware.group}/${this.options.middleware.version}`, 'Application', a.namespace, a.name);
    const permissions = () => middlewareOperationPermissions(this.options.middleware.group, a.cluster, a.namespace);
    return this.submit(caller, { mutation: 'deleteMiddlewareInstance', args: a, idempotencyKey: a.idempotencyKey, target, permissions }, async () => {
      this.checkCluster(a.cluster);
      checkName(a.namespace, 'namespace');
      checkName(a.name, 'name');
      await readInstance(this.readerFor(a.cluster), this.options.middleware, a.cluster, a.namespace, a.name);
      return { executor: 'MIDDLEWARE_CONTROLLER', crType: CR_TYPE.DELETE, templateRef: null, parameters: {}, instance: a.name };
    });
  }

  runMiddlewareOperation(caller: Caller, a: { input: MiddlewareOperationInput; idempotencyKey?: string | null }): Promise<OperationRecord> {
    const i = a.input;
    const target = this.targetOf(i.cluster, `${this.options.middleware.group}/${this.options.middleware.version}`, 'Application', i.namespace, i.name);
    const permissions = () => middlewareOperationPermissions(this.options.middleware.group, i.cluster, i.namespace);
    return this.submit(caller, { mutation: 'runMiddlewareOperation', args: a, idempotencyKey: a.idempotencyKey, target, permissions }, async () => {
      this.checkCluster(i.cluster, 'input.cluster');
      checkName(i.namespace, 'input.namespace');
      checkName(i.name, 'input.name');
      const w = this.readerFor(i.cluster);
      const app = await readInstance(w, this.options.middleware, i.cluster, i.namespace, i.name);
      const checked = await checkMiddlewareOperation(w, app, i);
      return { executor: 'MIDDLEWARE_CONTROLLER', crType: checked.crType, templateRef: checked.templateRef, parameters: checked.parameters, instance: i.name };
    });
  }

  setMiddlewareBackupPolicy(caller: Caller, a: { cluster: string; namespace: string; name: string; policy: BackupPolicyInput; idempotencyKey?: string | null }): Promise<OperationRecord> {
    const target = this.targetOf(a.cluster, `${this.options.middleware.group}/${this.options.middleware.version}`, 'Application', a.namespace, a.name);
    const permissions = () => backupPolicyPermissions(this.options.middleware.group, a.cluster, a.namespace, a.name);
    return this.submit(caller, { mutation: 'setMiddlewareBackupPolicy', args: a, idempotencyKey: a.idempotencyKey, target, permissions }, async () => {
      this.checkCluster(a.cluster);
      checkName(a.namespace, 'namespace');
      checkName(a.name, 'name');
      checkBackupPolicy(a.policy, 'policy');
      await readInstance(this.readerFor(a.cluster), this.options.middleware, a.cluster, a.namespace, a.name);
      return { executor: 'GATEWAY', plan: (ctx) => backupPolicyPlan(ctx, a.cluster, this.options.middleware, a.namespace, a.name, a.policy) };
    });
  }

  /**
   * applyResources (issue 16): the objects of `yaml` server-side applied (field manager `fleetgraph`) to the
   * Karmada control plane, or to the member `cluster`. In order: the YAML parsed (every document needs apiVersion,
   * kind and metadata.name), the cluster known, each kind resolved by the target's discovery (BAD_USER_INPUT naming
   * document and line, before any write), the live objects read (as the gateway), the caller's permissions
   * (`patch`, and `create` for an absent object: FORBIDDEN before any write), then the server's dry run of every
   * object as the caller (resourceApply.ts). `dryRun`: answered with that, audited, no Operation. Otherwise an
   * object the server finds invalid refuses the whole request (BAD_USER_INPUT naming it), and an Operation applies
   * them one step each, then waits for Karmada's scheduling of the templates; `objects` is the preview made just
   * before (a replay of an idempotency key answers the first Operation with the same `objects`).
   */
  async applyResources(caller: Caller, a: { yaml: string; cluster?: string | null; namespace?: string | null; dryRun?: boolean | null; idempotencyKey?: string | null }): Promise<ResourcesResult> {
    const parsed = parseResourceDocuments(a.yaml ?? '');
    const dryRun = a.dryRun ?? false;
    let objects: ObjectChange[] | undefined;
    const req: Request = {
      mutation: 'applyResources',
      args: { yaml: a.yaml, cluster: a.cluster ?? null, namespace: a.namespace ?? null, dryRun, ...(dryRun ? {} : { idempotencyKey: a.idempotencyKey }) },
      // A dry run writes nothing: there is no Operation for a key to name again.
      idempotencyKey: dryRun ? null : a.idempotencyKey,
      target: this.resourcesTarget(a.cluster ?? null, parsed.documents, a.namespace ?? null),
    };
    const op = await this.submitRequest(caller, req, async () => {
      if (parsed.problems.length > 0) throw documentRefusal(parsed.problems);
      const { cluster, objects: resolved, lives } = await this.resolveResources(caller, a.cluster ?? null, a.namespace ?? null, parsed.documents, 'yaml', 'apply');
      const writer = this.writerFor(cluster, caller.user, null, impersonationOf(caller));
      const creates = new Set<string>();
      const changes: ObjectChange[] = [];
      for (let i = 0; i < resolved.length; i++) {
        const o = resolved[i]!;
        changes.push(await previewApply(writer, o, lives[i]!, creates));
        if (o.ref.kind === 'Namespace' && o.resource.group === '' && !lives[i]) creates.add(o.ref.name);
      }
      objects = changes;
      if (dryRun) return { executor: 'DRY_RUN' };
      const invalid = changes.filter((c) => c.errors.length > 0);
      if (invalid.length > 0) {
        throw documentRefusal(invalid.map((c): DocumentProblem => ({
          index: c.document, line: c.line,
          message: `${describeRef(c)} is invalid: ${c.errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join(', ')}`,
        })));
      }
      return { executor: 'GATEWAY', plan: (ctx) => applyResourcesPlan(ctx, resolved, cluster) };
    });
    return this.resourcesAnswer(op, objects);
  }

  /**
   * deleteResources: the objects named by `yaml` (documents as for applyResources; only apiVersion, kind and
   * metadata are read) or by `refs`, deleted with `propagationPolicy` (Background by default) from the control
   * plane or `cluster`. Checked as applyResources is (`delete` on each object that exists); `dryRun` asks the
   * server with `dryRun=All` and answers DELETE or ABSENT per object; otherwise an Operation deletes them, one
   * step each, in reverse order.
   */
  async deleteResources(
    caller: Caller,
    a: {
      yaml?: string | null; refs?: Array<{ apiVersion: string; kind: string; namespace?: string | null; name: string }> | null;
      cluster?: string | null; namespace?: string | null; propagationPolicy?: string | null; dryRun?: boolean | null; idempotencyKey?: string | null;
    },
  ): Promise<ResourcesResult> {
    const dryRun = a.dryRun ?? false;
    const propagation = PROPAGATION[a.propagationPolicy ?? 'BACKGROUND'] ?? 'Background';
    const fromRefs = a.yaml == null && a.refs != null;
    const parsed = fromRefs ? refsAsDocuments(a.refs ?? []) : parseResourceDocuments(a.yaml ?? '');
    let objects: ObjectChange[] | undefined;
    const req: Request = {
      mutation: 'deleteResources',
      args: {
        yaml: a.yaml ?? null, refs: a.refs ?? null, cluster: a.cluster ?? null, namespace: a.namespace ?? null, propagationPolicy: propagation, dryRun,
        ...(dryRun ? {} : { idempotencyKey: a.idempotencyKey }),
      },
      idempotencyKey: dryRun ? null : a.idempotencyKey,
      target: this.resourcesTarget(a.cluster ?? null, parsed.documents, a.namespace ?? null),
    };
    const op = await this.submitRequest(caller, req, async () => {
      if (a.yaml != null && a.refs != null) throw MutationRefusal.badInput('give either yaml or refs, not both', 'refs');
      if (a.yaml == null && a.refs == null) throw MutationRefusal.badInput('give the objects to delete: yaml or refs', 'yaml');
      const field = fromRefs ? 'refs' : 'yaml';
      if (parsed.problems.length > 0) throw documentRefusal(parsed.problems, field);
      const { cluster, objects: resolved, lives } = await this.resolveResources(caller, a.cluster ?? null, a.namespace ?? null, parsed.documents, field, 'delete');
      const writer = this.writerFor(cluster, caller.user, null, impersonationOf(caller));
      const changes: ObjectChange[] = [];
      for (let i = 0; i < resolved.length; i++) changes.push(await previewDelete(writer, resolved[i]!, lives[i]!, propagation));
      objects = changes;
      if (dryRun) return { executor: 'DRY_RUN' };
      const refused = changes.filter((c) => c.errors.length > 0);
      if (refused.length > 0) {
        throw documentRefusal(refused.map((c): DocumentProblem => ({ index: c.document, line: c.line, message: `${describeRef(c)} cannot be deleted: ${c.errors.map((e) => e.message).join(', ')}` })), field);
      }
      return { executor: 'GATEWAY', plan: (ctx) => deleteResourcesPlan(ctx, resolved, cluster, propagation) };
    });
    return this.resourcesAnswer(op, objects);
  }

  /**
   * The checks applyResources and deleteResources share: the cluster known (BAD_USER_INPUT otherwise), each
   * document's kind served by it (discovery), the live objects read as the gateway, then the caller's
   * permissions for the writes (FORBIDDEN naming the permission) — all before anything is written.
   */
  private async resolveResources(
    caller: Caller, member: string | null, namespace: string | null, documents: readonly ResourceDocument[], field: string, verb: 'apply' | 'delete',
  ): Promise<{ cluster: string; objects: ResolvedObject[]; lives: Array<KubeObject | null> }> {
    if (member !== null) {
      const members = this.options.members?.() ?? [];
      if (!member || (members.length > 0 && !members.includes(member))) {
        throw MutationRefusal.badInput(`cluster: no member cluster named "${member}"${members.length ? ` (members: ${members.join(', ')})` : ''}`, 'cluster');
      }
    }
    if (namespace !== null) checkName(namespace, 'namespace');
    const cluster = member ?? CONTROL_PLANE;
    const catalog = this.options.kinds;
    if (!catalog) throw MutationRefusal.badInput('applyResources and deleteResources need the fleet\'s discovery, which this gateway does not have', 'yaml');
    const resolved = await resolveDocuments(documents, { cluster, catalog, namespace });
    if (resolved.problems.length > 0) throw documentRefusal(resolved.problems, field);
    const ask = (needs: NeededPermission[]) => this.checkPermissions(caller, {
      mutation: verb === 'apply' ? 'applyResources' : 'deleteResources', args: {}, target: this.resourcesTarget(member, documents, namespace), permissions: () => needs,
    });
    const writes = (exists: (i: number) => boolean) =>
      resolved.objects.map((o, i) => ({ cluster, group: o.resource.group, resource: o.resource.plural, namespace: o.ref.namespace ?? null, name: o.ref.name, exists: exists(i) }));
    // What does not depend on existence first (get, and patch or delete), then, the live objects read as the
    // caller, `create` for the absent ones an apply creates.
    const everyObject = writes(() => true);
    await ask([...readPermissions(everyObject), ...(verb === 'apply' ? applyResourcesPermissions(everyObject) : deleteResourcesPermissions(everyObject))]);
    const reader = this.writerFor(cluster, caller.user, null, impersonationOf(caller));
    const lives = await Promise.all(resolved.objects.map((o) => readLive(reader, o)));
    if (verb === 'apply') await ask(applyResourcesPermissions(writes((i) => lives[i] !== null)).filter((n) => n.check.verb === 'create'));
    return { cluster, objects: resolved.objects, lives };
  }

  /** The answer of applyResources / deleteResources: the preview just made, or a replayed Operation's kept one. */
  private resourcesAnswer(op: OperationRecord | null, objects: ObjectChange[] | undefined): ResourcesResult {
    if (op && objects) {
      if (this.answers.size >= KEPT_ANSWERS) this.answers.delete(this.answers.keys().next().value!);
      this.answers.set(op.id, objects);
    }
    return { objects: objects ?? (op ? (this.answers.get(op.id) ?? []) : []), operation: op };
  }

  /** The Operation target of a request on many objects: its first object (its parameters hold them all). */
  private resourcesTarget(member: string | null, documents: readonly ResourceDocument[], namespace: string | null): OperationTarget {
    const first = documents[0]?.object;
    if (!first) return this.targetOf(member, 'v1', 'List', namespace, '');
    return this.targetOf(member, first.apiVersion ?? '', first.kind ?? '', first.metadata?.namespace ?? namespace, first.metadata?.name ?? '');
  }

  /**
   * Cancels a PENDING or RUNNING gateway-run Operation and answers once it has stopped (CANCELLED). Refused:
   * an unknown id (NOT_FOUND), a finished Operation (CONFLICT), a middleware Operation (BAD_USER_INPUT,
   * reason NOT_CANCELLABLE: seed 002's Operation custom resource has no cancel, and deleting it would only
   * hide the work the controller goes on doing).
   */
  async cancelOperation(caller: Caller, a: { id: string; reason?: string | null; idempotencyKey?: string | null }): Promise<OperationRecord> {
    const known = await this.visibleTo(caller, await this.find(a.id));
    const target: OperationTarget = {
      cluster: known?.target.cluster ?? null,
      apiVersion: OPERATION_API_VERSION,
      kind: 'Operation',
      namespace: known?.target.namespace ?? null,
      name: a.id,
      uid: null,
    };
    // Cancelling needs what the Operation's own mutation needed (its writes, on its target).
    const permissions = () => {
      const op = this.store.get(a.id);
      return op ? this.permissionsOf(op) : [];
    };
    return this.submit(caller, { mutation: 'cancelOperation', args: a, idempotencyKey: a.idempotencyKey, target, permissions }, async () => {
      if (a.reason != null && a.reason.length > 1000) throw MutationRefusal.badInput('reason: at most 1000 characters', 'reason');
      const op = await this.visibleTo(caller, await this.find(a.id));
      if (!op) throw new MutationRefusal('NOT_FOUND', `operation "${a.id}" not found`, { field: 'id' });
      if (op.executor === 'MIDDLEWARE_CONTROLLER') {
        throw new MutationRefusal(
          'BAD_USER_INPUT',
          `operation "${a.id}" (${op.type}) is carried out by the middleware controller of ${op.target.cluster}; its Operation custom resource (seed 002 §10) has no cancel, so it cannot be cancelled`,
          { field: 'id', reason: 'NOT_CANCELLABLE' },
        );
      }
      if (TERMINAL_PHASES.has(op.phase)) {
        throw new MutationRefusal('CONFLICT', `operation "${a.id}" already finished (${op.phase}); only PENDING or RUNNING Operations can be cancelled`, { field: 'id', reason: 'ALREADY_FINISHED' });
      }
      const message = `cancelled by ${caller.user}${a.reason ? `: ${a.reason}` : ''}`;
      return {
        executor: 'EXISTING',
        act: async () => {
          const shared = this.options.shared;
          if (shared && !this.executor.isRunning(a.id) && op.executor === 'GATEWAY') {
            // Another replica runs it (or nobody does, until one takes it over): asked through its resource.
            const request: CancelRequest = { requestedBy: caller.user, reason: a.reason ?? null, at: new Date().toISOString() };
            await this.withUpstreamErrors(null, () => shared.requestCancel(a.id, request));
            return this.cancelledElsewhere(a.id, 2 * (shared.leases.leaseDurationMs + 2_000));
          }
          if (!(await this.executor.cancel(a.id, message))) {
            // Known but not running here (it never started, or its run ended in between): settle it directly.
            const now = this.store.get(a.id);
            if (now && !TERMINAL_PHASES.has(now.phase)) {
              const t = new Date().toISOString();
              for (const st of now.steps) {
                if (st.phase === 'PENDING' || st.phase === 'RUNNING') Object.assign(st, { phase: 'CANCELLED', finishedAt: t, message: 'not run: the Operation was cancelled' });
              }
              Object.assign(now, { phase: 'CANCELLED', reason: 'CANCELLED', error: message, completedAt: t });
              this.store.put(now);
            }
          }
          const after = this.store.get(a.id)!;
          if (after.phase !== 'CANCELLED' && TERMINAL_PHASES.has(after.phase)) {
            throw new MutationRefusal('CONFLICT', `operation "${a.id}" finished (${after.phase}) before the cancel took effect`, { field: 'id', reason: 'ALREADY_FINISHED' });
          }
          return after;
        },
      };
    });
  }

  /**
   * Waits (at most `waitMs`) for an Operation cancelled through its resource to end, and answers it: CANCELLED,
   * or CONFLICT when it finished otherwise first. Still running at the deadline (its holder is gone and no
   * replica has taken it over yet): answered as it is, the cancel recorded on it and honoured at the takeover.
   */
  private async cancelledElsewhere(id: string, waitMs: number): Promise<OperationRecord> {
    const ended = await new Promise<OperationRecord | undefined>((resolve) => {
      const now = this.store.get(id);
      if (now && TERMINAL_PHASES.has(now.phase)) return resolve(now);
      const timer = setTimeout(() => {
        off();
        resolve(undefined);
      }, waitMs);
      timer.unref();
      const off = this.store.onChange((op) => {
        if (op.id !== id || !TERMINAL_PHASES.has(op.phase)) return;
        clearTimeout(timer);
        off();
        resolve(op);
      });
    });
    const after = ended ?? this.store.get(id)!;
    if (after.phase !== 'CANCELLED' && TERMINAL_PHASES.has(after.phase)) {
      throw new MutationRefusal('CONFLICT', `operation "${id}" finished (${after.phase}) before the cancel took effect`, { field: 'id', reason: 'ALREADY_FINISHED' });
    }
    return after;
  }

  /** `op` when the caller may see it; undefined when unknown or not the caller's to see. */
  private async visibleTo(caller: Caller, op: OperationRecord | undefined): Promise<OperationRecord | undefined> {
    if (!op || !caller.mayRead) return op;
    return (await caller.mayRead(op).catch(() => false)) ? op : undefined;
  }

  // ---- the door ----------------------------------------------------------------------------------------

  private nodeMutation(
    caller: Caller,
    mutation: string,
    a: { cluster: string; name: string; idempotencyKey?: string | null },
    plan: (ctx: PlanContext) => OperationPlan,
    check: () => void = () => {},
    needs: NeededPermission[] = nodePatchPermissions(a.cluster, a.name),
  ): Promise<OperationRecord> {
    const target = this.targetOf(a.cluster, 'v1', 'Node', null, a.name);
    return this.submit(caller, { mutation, args: a, idempotencyKey: a.idempotencyKey, target, permissions: () => needs }, async () => {
      this.checkCluster(a.cluster);
      checkName(a.name, 'name');
      check();
      await this.checkExists(a.cluster, { apiVersion: 'v1', kind: 'Node', name: a.name }, 'name');
      return { executor: 'GATEWAY', plan };
    });
  }

  private async submit(caller: Caller, req: Request, prepare: () => Promise<Exclude<Prepared, { executor: 'DRY_RUN' }>>): Promise<OperationRecord> {
    return (await this.submitRequest(caller, req, prepare))!;
  }

  /** The door (see the file comment); null for a dry run, which makes no Operation. */
  private async submitRequest(caller: Caller, req: Request, prepare: () => Promise<Prepared>): Promise<OperationRecord | null> {
    const started = Date.now();
    const args = { ...req.args };
    delete args['idempotencyKey'];
    let operationId: string | null = null;
    try {
      const off = switchedOff(req.mutation, this.options.readOnly ?? false, this.options.features ?? DEFAULT_FEATURES);
      if (off) throw new MutationRefusal('FORBIDDEN', off);

      const key = req.idempotencyKey ?? null;
      const scope = `${caller.user}\u0000${req.mutation}`;
      const hash = createHash('sha256').update(canonicalJson(args)).digest('hex');
      if (key !== null && key.length > 200) throw MutationRefusal.badInput('idempotencyKey: at most 200 characters', 'idempotencyKey');
      const shared = this.options.shared ?? null;
      // Shared: a key names the Operation itself (a hash of the caller, the mutation and the key), on every replica.
      const sharedHash = createHash('sha256').update(`${req.mutation}\u0000${canonicalJson(args)}`).digest('hex');
      if (key !== null && shared) {
        const keyed = keyedOperationId(caller.user, req.mutation, key);
        const existing = await shared.find(keyed);
        if (existing) {
          const replay = this.sharedReplay(key, sharedHash, existing, shared.factsOf(keyed));
          operationId = replay.id;
          return await this.replayed(caller, req, started, replay);
        }
      }
      if (key !== null) {
        const replay = await this.replay(scope, key, hash);
        if (replay) {
          operationId = replay.id;
          return await this.replayed(caller, req, started, replay);
        }
      }

      const prepared = await this.withUpstreamErrors(req.target.cluster, prepare);
      await this.checkPermissions(caller, req);

      if (prepared.executor === 'DRY_RUN') {
        // Nothing written, nothing to follow: audited as accepted, with no Operation; a key is not reserved.
        this.audit(caller, req, started, true, null, null, false);
        await this.options.audit?.flush();
        return null;
      }

      if (prepared.executor === 'EXISTING') {
        const result = await prepared.act();
        operationId = result.id;
        // Reserved after acting: a refused attempt leaves the key free; a concurrent twin just acted twice
        // on the same Operation (cancelling twice is the same as once) and both answer with it.
        if (key !== null) await this.options.audit?.reserveIdempotencyKey(scope, key, hash, result.id);
        this.audit(caller, req, started, true, null, result.id, false);
        await this.options.audit?.flush();
        return result;
      }

      if (prepared.executor === 'GATEWAY' && shared) {
        const id = key !== null ? keyedOperationId(caller.user, req.mutation, key) : newOperationId();
        const op = this.newRecord(id, caller, req, prepared);
        const facts: RequestFacts = {
          arguments: JSON.stringify(args),
          argumentsHash: sharedHash,
          idempotencyKeyHash: key !== null ? idempotencyKeyHash(caller.user, key) : null,
          requestedGroups: [...(caller.groups ?? [])],
          impersonate: caller.impersonate ?? false,
          requestId: caller.requestId ?? null,
        };
        const outcome = await this.withUpstreamErrors(null, () => shared.create(op, facts));
        if (!outcome.created) {
          // The twin of this request (same caller, same key) reached another replica first: its Operation.
          const replay = this.sharedReplay(key ?? '', sharedHash, recordOf(outcome.existing), { ...facts, argumentsHash: outcome.existing.spec.argumentsHash });
          operationId = replay.id;
          return await this.replayed(caller, req, started, replay);
        }
        operationId = id;
        this.store.put(op);
        await this.auditBeforeRunning(caller, req, started, op);
        this.run(op, caller, prepared.plan);
        return this.store.get(id)!;
      }

      const id = newOperationId();
      if (key !== null) {
        const r = await this.options.audit?.reserveIdempotencyKey(scope, key, hash, id);
        if (r && !r.reserved) {
          // Another request with this key won the race while this one was being checked.
          const replay = await this.replay(scope, key, hash);
          if (replay) {
            operationId = replay.id;
            return await this.replayed(caller, req, started, replay);
          }
        }
      }
      operationId = id;
      const op = this.newRecord(id, caller, req, prepared);
      this.store.put(op);
      if (prepared.executor === 'GATEWAY') {
        await this.auditBeforeRunning(caller, req, started, op);
        this.run(op, caller, prepared.plan);
        return this.store.get(id)!;
      }
      await this.createOperationCr(caller, op, prepared);
      this.audit(caller, req, started, true, null, id, false);
      await this.options.audit?.flush();
      return this.store.get(id)!;
    } catch (err) {
      const refusal = err instanceof MutationRefusal ? err : new MutationRefusal('INTERNAL', (err as Error)?.message ?? String(err));
      this.audit(caller, req, started, false, refusal, operationId, false);
      await this.options.audit?.flush().catch(() => undefined);
      throw refusal;
    }
  }

  /** Answers a request with the Operation its idempotency key already names, once its audit row is committed. */
  private async replayed(caller: Caller, req: Request, started: number, replay: OperationRecord): Promise<OperationRecord> {
    this.audit(caller, req, started, true, null, replay.id, true);
    await this.options.audit?.flush();
    return replay;
  }

  /**
   * Commits the audit row of an accepted gateway-run Operation before its first step: an Operation whose row
   * cannot be written (the audit database is down) never runs. It ends FAILED, reason AUDIT_UNAVAILABLE, and
   * the mutation answers with the error.
   */
  private async auditBeforeRunning(caller: Caller, req: Request, started: number, op: OperationRecord): Promise<void> {
    this.audit(caller, req, started, true, null, op.id, false);
    try {
      await this.options.audit?.flush();
    } catch (err) {
      const message = `not started: its audit row could not be written: ${(err as Error)?.message ?? String(err)}`;
      Object.assign(op, { phase: 'FAILED', reason: 'AUDIT_UNAVAILABLE', error: message, completedAt: new Date().toISOString() });
      this.store.put(op);
      void this.options.shared?.finished(op.id);
      throw new MutationRefusal('INTERNAL', `operation ${op.id} ${message}`);
    }
  }

  /**
   * Starts a gateway-run Operation (already in the store) on the executor; shared, its Lease is released once
   * it has ended and its last state is written.
   */
  private run(op: OperationRecord, caller: Caller, plan: (ctx: PlanContext) => OperationPlan): void {
    const cancel = new AbortController();
    // A mutation still in flight while the gateway shuts down: recorded, but no step starts (INTERRUPTED).
    if (this.stopped) cancel.abort(new OperationInterrupted('the gateway was shutting down'));
    const done = this.executor.start(op, plan(this.planContext(caller, op.id, cancel.signal)), cancel);
    const shared = this.options.shared;
    if (shared) void done.then(() => shared.finished(op.id)).catch(() => undefined);
  }

  /** The shared Operation a key names: answered again with the same arguments, CONFLICT with others. */
  private sharedReplay(key: string, hash: string, existing: OperationRecord, facts: RequestFacts | undefined): OperationRecord {
    if (facts && facts.argumentsHash !== hash) {
      throw new MutationRefusal('CONFLICT', `idempotencyKey "${key}" was already used for ${existing.type} with different arguments (Operation ${existing.id})`, { field: 'idempotencyKey' });
    }
    return existing;
  }

  /** The first Operation of an idempotency key with the same arguments; CONFLICT with other arguments. */
  private async replay(scope: string, key: string, hash: string): Promise<OperationRecord | null> {
    const audit = this.options.audit;
    if (!audit) return null;
    const r = await audit.lookupIdempotencyKey(scope, key);
    if (!r) return null;
    if (r.argumentsHash !== hash) {
      throw new MutationRefusal('CONFLICT', `idempotencyKey "${key}" was already used for ${scope.split('\u0000')[1]} with different arguments (Operation ${r.operationId})`, { field: 'idempotencyKey' });
    }
    const op = this.store.get(r.operationId);
    if (!op) throw new MutationRefusal('CONFLICT', `idempotencyKey "${key}" belongs to Operation ${r.operationId}, which is no longer kept`, { field: 'idempotencyKey' });
    return op;
  }

  private newRecord(id: string, caller: Caller, req: Request, prepared: Exclude<Prepared, { executor: 'EXISTING' } | { executor: 'DRY_RUN' }>): OperationRecord {
    const parameters: Record<string, string> = {};
    const flat = (prefix: string, v: unknown) => {
      if (v === undefined || v === null) return;
      if (typeof v === 'object' && !Array.isArray(v) && prefix !== 'spec') {
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) flat(prefix ? `${prefix}.${k}` : k, x);
      } else parameters[prefix] = typeof v === 'string' ? v : JSON.stringify(v);
    };
    for (const [k, v] of Object.entries(req.args)) if (k !== 'idempotencyKey') flat(k, v);
    const middleware = prepared.executor === 'MIDDLEWARE_CONTROLLER';
    return {
      id,
      type: middleware ? prepared.crType : req.mutation,
      target: req.target,
      parameters: middleware ? { ...prepared.parameters } : parameters,
      phase: 'PENDING',
      steps: [],
      currentStep: -1,
      requestedBy: caller.user,
      createdAt: new Date().toISOString(),
      startedAt: null,
      completedAt: null,
      error: null,
      reason: null,
      executor: prepared.executor,
      resource: middleware
        ? { cluster: req.target.cluster, apiVersion: `${this.options.middleware.group}/${this.options.middleware.version}`, kind: 'Operation', namespace: req.target.namespace, name: crNameOf(id), uid: null }
        : null,
    };
  }

  private async createOperationCr(caller: Caller, op: OperationRecord, prepared: Extract<Prepared, { executor: 'MIDDLEWARE_CONTROLLER' }>): Promise<void> {
    const cluster = op.target.cluster!;
    const cr = operationCr(this.options.middleware, {
      id: op.id,
      crName: crNameOf(op.id),
      namespace: op.target.namespace!,
      instance: prepared.instance,
      crType: prepared.crType,
      templateRef: prepared.templateRef,
      parameters: prepared.parameters,
      requestedBy: caller.user,
    });
    try {
      const created = await this.writerFor(cluster, caller.user, op.id, impersonationOf(caller)).create(cr);
      this.mirror.apply(cluster, created as never);
    } catch (err) {
      const e = err instanceof UpstreamWriteError ? err : new UpstreamWriteError(String(err), 0, null);
      op.phase = 'FAILED';
      op.reason = 'CREATE_FAILED';
      op.error = `writing the Operation custom resource failed: ${e.message}`;
      op.completedAt = new Date().toISOString();
      this.store.put(op);
    }
  }

  private audit(caller: Caller, req: Request, started: number, success: boolean, refusal: MutationRefusal | null, operationId: string | null, replayed: boolean): void {
    const args = { ...req.args };
    const t = req.target;
    // One log line per mutation, whatever its outcome, carrying the request's id as every line it causes.
    this.options.logger?.info({
      ...(caller.requestId ? { reqId: caller.requestId } : {}),
      user: caller.user,
      operationId,
      type: req.mutation,
      target: { cluster: t.cluster ?? CONTROL_PLANE_NAME, kind: t.kind, namespace: t.namespace, name: t.name },
      outcome: refusal ? 'refused' : replayed ? 'replayed' : 'accepted',
      ...(refusal ? { code: refusal.code, error: refusal.message } : {}),
      durationMs: Date.now() - started,
    }, 'mutation');
    this.options.audit?.recordMutation({
      at: new Date().toISOString(),
      user: caller.user,
      action: req.mutation,
      targetKind: req.target.kind,
      targetName: req.target.name,
      cluster: req.target.cluster ?? CONTROL_PLANE_NAME,
      namespace: req.target.namespace,
      success,
      error: refusal ? refusal.message : replayed ? 'replayed: idempotency key already used with the same arguments' : null,
      errorCode: refusal ? refusal.code : null,
      requestId: caller.requestId ?? null,
      sourceIp: caller.sourceIp ?? null,
      userAgent: caller.userAgent ?? null,
      durationMs: Date.now() - started,
      operationId,
      arguments: JSON.stringify(args),
    });
  }

  private async withUpstreamErrors<T>(cluster: string | null, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof MutationRefusal) throw err;
      if (err instanceof UpstreamWriteError) {
        const where = cluster ?? CONTROL_PLANE_NAME;
        if (err.status === 403) throw new MutationRefusal('FORBIDDEN', err.message, { cluster: where });
        if (err.status === 404) throw new MutationRefusal('NOT_FOUND', err.message, { cluster: where });
        if (err.status === 0 || err.status >= 500) throw new MutationRefusal('CLUSTER_UNAVAILABLE', err.message, { cluster: where });
      }
      throw err;
    }
  }

  private planContext(caller: Caller, operationId: string, signal: AbortSignal): PlanContext {
    const writers = new Map<string, ClusterWriter>();
    return {
      writer: (cluster) => {
        let w = writers.get(cluster);
        if (!w) writers.set(cluster, (w = this.writerFor(cluster, caller.user, operationId, impersonationOf(caller))));
        return w;
      },
      timings: this.timings,
      sleep: (ms) => this.sleep(ms, signal),
      stopping: () => this.stopped,
      signal,
    };
  }

  /** A writer for `cluster` whose changes are audited under `user` and `operationId`, writing as `impersonate`. */
  private writerFor(cluster: string, user: string, operationId: string | null, impersonate: Impersonation | null = null): ClusterWriter {
    const name = cluster;
    return new ClusterWriter({
      cluster: name,
      kubeConfig: this.options.kubeConfigs.kubeConfig(name),
      impersonate,
      ...(this.options.signals ? { signals: this.options.signals } : {}),
      onChange: (c) =>
        this.options.audit?.recordChange({
          at: new Date().toISOString(),
          operationId,
          user,
          verb: c.verb,
          cluster: c.cluster === CONTROL_PLANE ? CONTROL_PLANE_NAME : c.cluster,
          kind: c.kind,
          namespace: c.namespace,
          name: c.name,
          before: c.before ? JSON.stringify(c.before) : null,
          after: c.after ? JSON.stringify(c.after) : null,
        }),
    });
  }

  /** A writer used only to read during checks (no Operation yet, so no change can be attributed). */
  private readerFor(cluster: string): ClusterWriter {
    return this.writerFor(cluster, 'checks', null);
  }

  /**
   * The permission preflight: FORBIDDEN (with `cluster` and `permission`) for the first permission the
   * caller lacks; a review that could not be made is that cluster's failure (CLUSTER_UNAVAILABLE ...).
   * Members' permissions are asked before the control plane's `clusters/proxy`, so a refusal names the
   * member's own RBAC first.
   */
  private async checkPermissions(caller: Caller, req: Request): Promise<void> {
    const access = caller.access;
    if (!access || access.unrestricted || !req.permissions) return;
    const refused = await this.firstRefusal(access, await req.permissions());
    if (!refused) return;
    const { error, check } = refused;
    throw new MutationRefusal(error.code, error.message, {
      // The API's name of the control plane, as every other error says it.
      cluster: error.cluster === CONTROL_PLANE ? 'karmada' : error.cluster,
      ...(error.reason ? { reason: error.reason } : {}),
      ...(error.code === 'FORBIDDEN' ? { permission: describeCheck(check) } : {}),
    });
  }

  /**
   * The first of `needed` (then the `clusters/proxy` checks they add) that `access` refuses, with the
   * refusal; undefined when every one is allowed. The preflight of every mutation, and of the `can` fields.
   */
  private async firstRefusal(access: CallerAccess, needed: readonly NeededPermission[]): Promise<{ error: ClusterError; check: ResourceCheck } | undefined> {
    const all = [...needed, ...proxyChecks(needed, this.options.viaProxy ?? (() => true))];
    const refusals = await Promise.all(all.map((n) => access.refusal(n.cluster, n.check)));
    const i = refusals.findIndex((r) => r !== undefined);
    return i < 0 ? undefined : { error: refusals[i]!, check: all[i]!.check };
  }

  /**
   * Whether `mutation` would pass its switches (read-only mode, feature switches) and its permission
   * preflight for a caller with `access`, needing `needed` (mutationPermissions.ts, as the mutation itself
   * asks): what the `can` fields answer (src/graphql/resolvers/capabilities.ts). The same checks as `submit`
   * in the same order, so the answer is the mutation's own; a review that could not be made answers false
   * (the mutation would fail). The arguments' validation and the object's existence are not part of it.
   */
  async permits(access: CallerAccess | undefined, mutation: string, needed: () => readonly NeededPermission[]): Promise<boolean> {
    if (switchedOff(mutation, this.options.readOnly ?? false, this.options.features ?? DEFAULT_FEATURES)) return false;
    if (!access || access.unrestricted) return true;
    return (await this.firstRefusal(access, needed())) === undefined;
  }

  /** What a gateway-run Operation's mutation needed, from its record (for cancelOperation). */
  private permissionsOf(op: OperationRecord): NeededPermission[] {
    const t = op.target;
    const cluster = t.cluster ?? CONTROL_PLANE;
    const kind = t.kind as WorkloadKind;
    switch (op.type) {
      case 'cordonNode': case 'uncordonNode': case 'setNodeLabels': case 'setNodeTaints':
        return nodePatchPermissions(cluster, t.name);
      case 'drainNode':
        return drainPermissions(cluster, t.name);
      case 'joinCluster':
        return joinClusterPermissions();
      case 'unjoinCluster':
        return unjoinClusterPermissions(t.name);
      case 'setClusterLabels': case 'setClusterTaints':
        return clusterPatchPermissions(t.name);
      case 'deletePod':
        return deletePodPermissions(cluster, t.namespace ?? '', t.name);
      case 'scaleWorkload':
        return scalePermissions(kind, t.namespace ?? '', t.name);
      case 'restartWorkload':
        return restartPermissions(t.cluster, kind, t.namespace ?? '', t.name);
      case 'rollbackWorkload':
        return rollbackPermissions(cluster, kind, t.namespace ?? '', t.name);
      case 'createMiddlewareInstance':
        return createInstancePermissions(this.options.middleware.group, cluster, t.namespace ?? '');
      case 'setMiddlewareBackupPolicy':
        return backupPolicyPermissions(this.options.middleware.group, cluster, t.namespace ?? '', t.name);
      case 'applyResources':
      case 'deleteResources': {
        // The first object's write (the target); its plural by Kubernetes' default rule (the record keeps no discovery).
        const write = { cluster, group: t.apiVersion.includes('/') ? t.apiVersion.slice(0, t.apiVersion.indexOf('/')) : '', resource: resourceOfKind(t.kind), namespace: t.namespace, name: t.name, exists: true };
        return op.type === 'applyResources' ? applyResourcesPermissions([write]) : deleteResourcesPermissions([write]);
      }
      default:
        if (/^apply\w*Policy$/.test(op.type)) return applyPolicyPermissions(t.kind as PolicyKind, t.namespace, t.name);
        if (/^delete\w*Policy$/.test(op.type)) return deletePolicyPermissions(t.kind as PolicyKind, t.namespace, t.name);
        return [];
    }
  }

  /** Where rollbackPlan writes the pod template: the Karmada resource template when there is one, else the member's workload. */
  private async rollbackWritesIn(member: string, ref: ObjectRef): Promise<string> {
    if (await this.options.lookup?.(ref, null).catch(() => false)) return CONTROL_PLANE;
    try {
      return (await this.readerFor(CONTROL_PLANE).read(ref)) ? CONTROL_PLANE : member;
    } catch {
      // The control plane cannot be read now: ask for the template's permission, where the plan writes normally.
      return CONTROL_PLANE;
    }
  }

  private targetOf(cluster: string | null, apiVersion: string, kind: string, namespace: string | null, name: string): OperationTarget {
    return { cluster, apiVersion, kind, namespace, name, uid: null };
  }

  /**
   * The preflight: refuses with NOT_FOUND, before any Operation exists, a mutation whose target does not
   * exist. The cache answers when it holds the target (no upstream call); otherwise one direct read decides,
   * so a stale cache never refuses an object that exists. When that read fails (the member unreachable),
   * nothing is refused here: the Operation runs and reports what it finds, as before.
   */
  private async checkExists(cluster: string | null, ref: ObjectRef, field: string): Promise<void> {
    if (await this.options.lookup?.(ref, cluster).catch(() => false)) return;
    let found: KubeObject | null;
    try {
      found = await this.readerFor(cluster ?? CONTROL_PLANE).read(ref);
    } catch {
      return;
    }
    if (found) return;
    const where = cluster ?? CONTROL_PLANE_NAME;
    const what = `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
    throw new MutationRefusal('NOT_FOUND', `${field}: ${what} not found in ${cluster ? `cluster ${cluster}` : 'the Karmada control plane'}`, { field, cluster: where });
  }

  private checkCluster(cluster: string, field = 'cluster'): void {
    checkName(cluster, field);
    const members = this.options.members?.() ?? [];
    if (members.length > 0 && !members.includes(cluster)) {
      throw new MutationRefusal('NOT_FOUND', `${field}: no member cluster named "${cluster}" (members: ${members.join(', ')})`, { field, cluster });
    }
  }

  /** Resolves after `ms`, or at once when the gateway stops or `signal` (the Operation's cancel) aborts. */
  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.stopped || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A member's name: what Karmada accepts for a Cluster (a DNS-1123 label of at most 48 characters, as karmadactl checks). */
function checkClusterName(value: string, field: string): void {
  if (!value || value.length > 48 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
    throw MutationRefusal.badInput(`${field}: "${String(value).slice(0, 60)}" is not a valid cluster name (at most 48 lowercase letters, digits and '-')`, field);
  }
}

function checkLabels(labels: Array<{ key: string; value: string }>, remove: string[]): void {
  const bad = labels.map((l) => l.key).concat(remove).find((k) => !LABEL_KEY.test(k));
  if (bad !== undefined) throw MutationRefusal.badInput(`labels: "${bad}" is not a valid label key`, 'labels');
  const badValue = labels.find((l) => l.value !== '' && !LABEL_VALUE.test(l.value));
  if (badValue) throw MutationRefusal.badInput(`labels: "${badValue.value}" is not a valid label value`, 'labels');
}

function checkName(value: string, field: string): void {
  if (!value || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw MutationRefusal.badInput(`${field}: "${String(value).slice(0, 60)}" is not a valid name (lowercase letters, digits, '-' and '.')`, field);
  }
}

const EFFECTS: Record<string, string> = { NO_SCHEDULE: 'NoSchedule', PREFER_NO_SCHEDULE: 'PreferNoSchedule', NO_EXECUTE: 'NoExecute' };

/** The API's taints as the Node spells them. */
function taintsOf(taints: Array<{ key: string; value?: string | null; effect: string }>): Array<{ key: string; value: string | null; effect: string }> {
  return taints.map((t) => ({ key: t.key, value: t.value ?? null, effect: EFFECTS[t.effect] ?? t.effect }));
}

/** Whom a caller's writes are made as: the caller when signed in, else (auth `none`) the gateway itself. */
function impersonationOf(caller: Caller): Impersonation | null {
  return caller.impersonate ? { user: caller.user, groups: caller.groups ?? [] } : null;
}

/** Sortable by creation, unique across gateway replicas. */
function newOperationId(): string {
  return `op-${Date.now().toString(36)}-${randomBytes(5).toString('hex')}`;
}

/** The Operation CR name of a gateway Operation ID (a DNS-1123 name). */
export function crNameOf(id: string): string {
  return `fg-${id.replace(/^op-/, '')}`;
}

/** JSON with sorted keys, so equal arguments hash equally whatever their order. */
function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined && x !== null).sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
}

/** deleteResources' `refs` as documents (line 0: problems are named `refs[i]`). */
function refsAsDocuments(refs: ReadonlyArray<{ apiVersion: string; kind: string; namespace?: string | null; name: string }>): { documents: ResourceDocument[]; problems: DocumentProblem[] } {
  const problems: DocumentProblem[] = [];
  const documents: ResourceDocument[] = [];
  refs.forEach((r, i) => {
    const missing = (['apiVersion', 'kind', 'name'] as const).filter((k) => !r[k]);
    if (missing.length > 0) problems.push({ index: i + 1, line: 0, message: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} empty` });
    else documents.push({ index: i + 1, line: 0, object: { apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) } } });
  });
  if (refs.length === 0) problems.push({ index: 1, line: 0, message: 'no object: the list is empty' });
  return { documents, problems };
}

export type { KubeObject };
