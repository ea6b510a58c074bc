/**
 * Gateway-run Operations kept on the Karmada control plane, so that every replica answers the same. Each
 * Operation is a FleetOperation in the Operations namespace; every replica watches them (one informer) and
 * mirrors them into its OperationStore, so `operation(id)`, `operations` and `operationProgress` answer the
 * same everywhere. The replica running an Operation holds its Lease (OperationLeases) and is the only one
 * writing its status: step by step, coalesced (one write in flight per Operation, the newest state wins).
 *
 * Takeover: every couple of seconds a replica looks at the Leases of the unfinished Operations it does not run;
 * one whose Lease has not moved for a whole lease duration (its holder was killed, its node lost) or that was
 * handed over (no holder) is taken, compare-and-swap, and `onTakeOver` continues it (OperationService).
 *
 * Cancel: any replica asks through the resource (`spec.cancel`); the holder sees it in its watch and stops the
 * run; a replica taking an Operation over with a cancel pending settles it CANCELLED instead of continuing.
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { KindInformer } from '../../cache/KindInformer.js';
import type { SlimObject } from '../../cache/types.js';
import { ClusterClient } from '../../fleet/ClusterClient.js';
import { keepAliveConfiguration } from '../../fleet/keepAliveConfiguration.js';
import { toWriteError, UpstreamWriteError } from '../ClusterWriter.js';
import { cloneOperation, TERMINAL_PHASES, type OperationRecord } from '../OperationRecord.js';
import type { OperationStore } from '../OperationStore.js';
import {
  FLEET_OPERATION_GROUP, FLEET_OPERATION_KIND_DESCRIPTOR, FLEET_OPERATION_PLURAL, FLEET_OPERATION_VERSION, recordOf, statusOf, toResource,
  type CancelRequest, type FleetOperationObject, type RequestFacts,
} from './fleetOperationResource.js';
import { HANDED_OVER_BY, OperationLeases } from './OperationLeases.js';

export interface SharedOperationsOptions {
  /** The control plane's KubeConfig (the gateway's own identity). */
  kubeConfig: KubeConfig;
  /** Where the FleetOperations and their Leases are. */
  namespace: string;
  /** This replica's identity (Lease holder). */
  replicaId: string;
  /** @default 15 */
  leaseDurationSeconds?: number;
  /** How often unfinished Operations run elsewhere are looked at for takeover, ms. @default min(2000, lease/5) */
  takeoverCheckMs?: number;
  /**
   * Continues an Operation this replica just took over. `facts`: what its resource says was asked; `cancel`: a
   * cancel asked meanwhile; `from`: who held it (null when unknown) and whether it stopped renewing its Lease
   * (`expired`) or handed it over at shutdown.
   */
  onTakeOver: (op: OperationRecord, facts: RequestFacts, cancel: CancelRequest | null, from: TakeoverOrigin) => Promise<void>;
  /** A cancel was asked (on another replica) of an Operation this replica runs. */
  onCancelRequested: (id: string, cancel: CancelRequest) => void;
  /** This replica lost the Lease of an Operation it ran (`by`: the new holder): its run must stop at once. */
  onLost: (id: string, by: string | null) => void;
  logger?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

/** From whom, and how, an Operation was taken over. */
export interface TakeoverOrigin {
  holder: string | null;
  how: 'expired' | 'handed-over';
}

/** What a create found: made by this call, or already made (by a twin request on another replica). */
export type CreateOutcome = { created: true } | { created: false; existing: FleetOperationObject };

export class SharedOperations {
  readonly leases: OperationLeases;
  private readonly api: CustomObjectsApi;
  private readonly client: ClusterClient;
  private readonly informer: KindInformer;
  private store: OperationStore | undefined;
  private readonly facts = new Map<string, RequestFacts>();
  private readonly cancels = new Map<string, CancelRequest>();
  /** Newest unsaved state per Operation, and the Operations with a status write in flight. */
  private readonly pending = new Map<string, OperationRecord>();
  private readonly writing = new Map<string, Promise<void>>();
  /** Operations this replica is creating (no Lease yet): never taken over by itself. */
  private readonly creating = new Set<string>();
  /** Held Operations whose run is being given up (shutdown, lost): their states are no longer written. */
  private readonly closing = new Set<string>();
  private takeoverTimer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = false;

  constructor(private readonly options: SharedOperationsOptions) {
    this.api = new CustomObjectsApi(keepAliveConfiguration(options.kubeConfig));
    this.client = new ClusterClient({ name: 'karmada', kubeConfig: options.kubeConfig });
    this.leases = new OperationLeases({
      kubeConfig: options.kubeConfig,
      namespace: options.namespace,
      holder: options.replicaId,
      ...(options.leaseDurationSeconds ? { leaseDurationSeconds: options.leaseDurationSeconds } : {}),
      onLost: (name, by) => {
        this.closing.add(name);
        options.logger?.warn({ operationId: name, newHolder: by }, 'operation lease lost: this replica stops running it');
        options.onLost(name, by);
      },
      onError: (name, err) => options.logger?.warn({ operationId: name, err: err.message }, 'operation lease renewal failed (retried)'),
    });
    this.informer = new KindInformer({
      client: this.client,
      kind: FLEET_OPERATION_KIND_DESCRIPTOR,
      cluster: 'karmada',
      namespace: options.namespace,
      // Whole objects: a FleetOperation is small and all of it is the Operation.
      project: (_kind, raw) => raw as SlimObject,
      onChange: (e) => {
        if (e.type === 'RESYNC') {
          for (const o of e.added) this.observe(o as unknown as FleetOperationObject);
          for (const m of e.modified) this.observe(m.after as unknown as FleetOperationObject);
          for (const o of e.deleted) this.forget((o as unknown as FleetOperationObject).metadata.name);
        } else if (e.type === 'DELETED') this.forget((e.before as unknown as FleetOperationObject).metadata.name);
        else this.observe(e.after as unknown as FleetOperationObject);
      },
    });
  }

  get namespace(): string {
    return this.options.namespace;
  }

  get replicaId(): string {
    return this.options.replicaId;
  }

  /**
   * Starts following the FleetOperations into `store` and resolves once they are listed (or the list failed:
   * the informer goes on retrying), then starts renewing Leases and looking for Operations to take over.
   */
  async start(store: OperationStore): Promise<void> {
    this.store = store;
    this.informer.start();
    await this.informer.settled();
    // The first list emits no change events: its content is taken whole.
    for (const o of this.informer.list()) this.observe(o as unknown as FleetOperationObject);
    this.leases.start();
    const period = this.options.takeoverCheckMs ?? Math.min(2_000, Math.floor(this.leases.leaseDurationMs / 5));
    this.takeoverTimer = setInterval(() => void this.lookForTakeovers(), period);
    this.takeoverTimer.unref();
  }

  /** Whether this replica writes the Operation's state (it holds its Lease and is not giving it up). */
  owns(id: string): boolean {
    return (this.leases.holds(id) || this.creating.has(id)) && !this.closing.has(id);
  }

  /** What the resource says was asked, when known. */
  factsOf(id: string): RequestFacts | undefined {
    return this.facts.get(id);
  }

  /**
   * Creates the resource of a new Operation and takes its Lease. When an Operation of that name exists
   * already (the same idempotency key sent to two replicas at once), nothing is created: the existing one is
   * answered.
   * @throws UpstreamWriteError when the control plane refuses or cannot be reached
   */
  async create(op: OperationRecord, facts: RequestFacts): Promise<CreateOutcome> {
    this.creating.add(op.id);
    try {
      try {
        await this.api.createNamespacedCustomObject({
          group: FLEET_OPERATION_GROUP, version: FLEET_OPERATION_VERSION, namespace: this.options.namespace, plural: FLEET_OPERATION_PLURAL,
          body: toResource(op, facts, this.options.namespace),
        });
      } catch (err) {
        const e = toWriteError(err, `create FleetOperation ${this.options.namespace}/${op.id}`);
        if (e.status !== 409) throw e;
        const existing = await this.read(op.id);
        if (!existing) throw e;
        return { created: false, existing };
      }
      this.facts.set(op.id, facts);
      // The object is ours: a Lease left by an earlier Operation of the same name (a reused idempotency key
      // after retention) is taken whatever it says.
      if (!(await this.leases.create(op.id))) {
        const stale = (await this.leases.list()).get(op.id);
        await this.leases.take(op.id, stale);
      }
      return { created: true };
    } finally {
      this.creating.delete(op.id);
    }
  }

  /** Reads one FleetOperation directly (not from the watch); null when there is none. */
  async read(id: string): Promise<FleetOperationObject | null> {
    try {
      return (await this.api.getNamespacedCustomObject({
        group: FLEET_OPERATION_GROUP, version: FLEET_OPERATION_VERSION, namespace: this.options.namespace, plural: FLEET_OPERATION_PLURAL, name: id,
      })) as FleetOperationObject;
    } catch (err) {
      const e = toWriteError(err, `read FleetOperation ${this.options.namespace}/${id}`);
      if (e.status === 404) return null;
      throw e;
    }
  }

  /** The Operation, read directly when the watch has not brought it yet (it was just made on another replica). */
  async find(id: string): Promise<OperationRecord | undefined> {
    const known = this.store?.get(id);
    if (known) return known;
    const obj = await this.read(id).catch(() => null);
    if (!obj || (obj.metadata as { deletionTimestamp?: string }).deletionTimestamp) return undefined;
    this.observe(obj);
    return this.store?.get(id);
  }

  /**
   * Queues a write of the Operation's status (the newest state wins; one write in flight per Operation).
   * Dropped when this replica does not own it any more.
   */
  save(op: OperationRecord): void {
    if (!this.owns(op.id)) return;
    this.pending.set(op.id, cloneOperation(op));
    if (!this.writing.has(op.id)) {
      const done = this.pump(op.id).finally(() => this.writing.delete(op.id));
      this.writing.set(op.id, done);
    }
  }

  /** Resolves once every queued status write of `id` (or of every Operation) has been made or given up. */
  async flush(id?: string): Promise<void> {
    for (;;) {
      const inFlight = id !== undefined ? [this.writing.get(id)].filter((p): p is Promise<void> => !!p) : [...this.writing.values()];
      if (inFlight.length === 0) return;
      await Promise.allSettled(inFlight);
    }
  }

  /** The Operation ended on this replica: its last state is written, then its Lease deleted. */
  async finished(id: string): Promise<void> {
    // Handed over or lost: the Lease is another replica's business now.
    if (this.closing.has(id)) return;
    await this.flush(id);
    await this.leases.release(id);
    this.closing.delete(id);
  }

  /** Asks the holder of an Operation to cancel it, through its resource. */
  async requestCancel(id: string, cancel: CancelRequest): Promise<void> {
    try {
      await this.api.patchNamespacedCustomObject(
        { group: FLEET_OPERATION_GROUP, version: FLEET_OPERATION_VERSION, namespace: this.options.namespace, plural: FLEET_OPERATION_PLURAL, name: id, body: { spec: { cancel } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (err) {
      throw toWriteError(err, `cancel FleetOperation ${this.options.namespace}/${id}`);
    }
    this.cancels.set(id, cancel);
  }

  /** The cancel asked of an Operation through its resource, if any. */
  cancelOf(id: string): CancelRequest | undefined {
    return this.cancels.get(id);
  }

  /**
   * Shutdown: stops writing the states of the Operations this replica runs (after writing what is queued) and
   * frees their Leases, so that another replica continues them at once, from their first unfinished step.
   * `stopRuns` stops the runs in between (their last states are not written).
   */
  async handOver(stopRuns: () => Promise<void>): Promise<string[]> {
    const held = this.leases.heldNames();
    await this.flush();
    for (const id of held) this.closing.add(id);
    await stopRuns();
    this.leases.stop();
    await Promise.all(held.map((id) => this.leases.handOver(id)));
    return held;
  }

  /**
   * Deletes finished FleetOperations beyond the retention (older than `maxAgeMs`, or beyond the newest
   * `maxCount`), as the audit retention does with rows. Any replica may; a second delete finds nothing.
   */
  async prune(maxAgeMs: number, maxCount: number): Promise<number> {
    const cutoff = new Date(Date.now() - maxAgeMs).toISOString();
    const finished = this.informer.list()
      .map((o) => recordOf(o as unknown as FleetOperationObject))
      .filter((o) => TERMINAL_PHASES.has(o.phase))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    let removed = 0;
    for (const [i, op] of finished.entries()) {
      if (op.createdAt >= cutoff && i < maxCount) continue;
      try {
        await this.api.deleteNamespacedCustomObject({ group: FLEET_OPERATION_GROUP, version: FLEET_OPERATION_VERSION, namespace: this.options.namespace, plural: FLEET_OPERATION_PLURAL, name: op.id });
        removed++;
      } catch {
        // Gone already (another replica pruned it) or refused: the next run tries again.
      }
    }
    return removed;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.takeoverTimer) clearInterval(this.takeoverTimer);
    this.leases.stop();
    await this.flush();
    await this.informer.stop();
    this.client.close();
  }

  // ---- following the resources ----------------------------------------------------------------------

  private observe(obj: FleetOperationObject): void {
    const id = obj.metadata.name;
    if (!obj.spec) return;
    this.facts.set(id, factsOf(obj));
    const cancel = obj.spec.cancel ?? null;
    const newCancel = cancel && !this.cancels.has(id);
    if (cancel) this.cancels.set(id, cancel);
    // What this replica runs, it knows better than its own echoes; a cancel asked elsewhere reaches the run.
    if (this.leases.holds(id) || this.creating.has(id)) {
      if (newCancel) this.options.onCancelRequested(id, cancel);
      return;
    }
    this.store?.applyRemote(recordOf(obj));
  }

  private forget(id: string): void {
    if (this.leases.holds(id)) return;
    this.facts.delete(id);
    this.cancels.delete(id);
    this.leases.forget(id);
    this.store?.forget(id);
  }

  private async pump(id: string): Promise<void> {
    let failures = 0;
    for (;;) {
      const op = this.pending.get(id);
      if (!op) return;
      this.pending.delete(id);
      if (!this.owns(id) && !TERMINAL_PHASES.has(op.phase)) return;
      try {
        await this.api.patchNamespacedCustomObjectStatus(
          {
            group: FLEET_OPERATION_GROUP, version: FLEET_OPERATION_VERSION, namespace: this.options.namespace, plural: FLEET_OPERATION_PLURAL, name: id,
            body: { status: statusOf(op, this.options.replicaId) },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        failures = 0;
      } catch (err) {
        const e = err instanceof UpstreamWriteError ? err : toWriteError(err, `write the status of FleetOperation ${id}`);
        if (e.status === 404) return;
        failures++;
        this.options.logger?.warn({ operationId: id, err: e.message, attempt: failures }, 'operation status write failed');
        if (failures >= 10 || this.stopped) return;
        // Retried with the newest state (a newer one may have been queued meanwhile).
        if (!this.pending.has(id)) this.pending.set(id, op);
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** failures)).unref());
      }
    }
  }

  private async lookForTakeovers(): Promise<void> {
    if (this.ticking || this.stopped || !this.store) return;
    this.ticking = true;
    try {
      const candidates = this.store
        .list({ phase: ['PENDING', 'RUNNING'] })
        .filter((o) => o.executor === 'GATEWAY' && !this.leases.holds(o.id) && !this.creating.has(o.id) && this.facts.has(o.id));
      if (candidates.length === 0) return;
      const leases = await this.leases.list();
      for (const op of candidates) {
        if (this.stopped) return;
        const lease = leases.get(op.id);
        const free = lease !== undefined && !lease.spec?.holderIdentity;
        if (!free && !this.leases.expired(op.id, lease)) continue;
        if (!(await this.leases.take(op.id, lease))) continue;
        const from: TakeoverOrigin = free
          ? { holder: lease?.metadata?.annotations?.[HANDED_OVER_BY] ?? null, how: 'handed-over' }
          : { holder: lease?.spec?.holderIdentity ?? null, how: 'expired' };
        // The watch may lag: continue from what the resource says now.
        const now = await this.read(op.id).catch(() => null);
        if (!now) {
          await this.leases.release(op.id);
          continue;
        }
        this.observeOwn(now);
        const record = recordOf(now);
        if (TERMINAL_PHASES.has(record.phase)) {
          await this.leases.release(op.id);
          this.store.applyRemote(record);
          continue;
        }
        this.options.logger?.info({ operationId: op.id, previousHolder: from.holder, how: from.how, holder: this.options.replicaId }, 'operation taken over');
        this.store.applyRemote(record);
        await this.options.onTakeOver(record, this.facts.get(op.id)!, this.cancels.get(op.id) ?? null, from);
      }
    } catch (err) {
      this.options.logger?.warn({ err: (err as Error)?.message ?? String(err) }, 'looking for operations to take over failed (retried)');
    } finally {
      this.ticking = false;
    }
  }

  /** Records the spec facts of an object this replica now holds (without mirroring its status). */
  private observeOwn(obj: FleetOperationObject): void {
    this.facts.set(obj.metadata.name, factsOf(obj));
    if (obj.spec.cancel) this.cancels.set(obj.metadata.name, obj.spec.cancel);
  }
}

/** The request facts a resource's spec keeps. */
function factsOf(obj: FleetOperationObject): RequestFacts {
  return {
    arguments: obj.spec.arguments ?? '{}',
    argumentsHash: obj.spec.argumentsHash ?? '',
    idempotencyKeyHash: obj.spec.idempotencyKeyHash ?? null,
    requestedGroups: obj.spec.requestedGroups ?? [],
    impersonate: obj.spec.impersonate ?? false,
    requestId: obj.spec.requestId ?? null,
  };
}
