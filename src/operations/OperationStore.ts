/**
 * Every Operation the gateway knows: the ones it runs itself and the middleware Operation custom resources it
 * mirrors from the informer. Each change is persisted to the audit database and announced to listeners
 * (`onChange`), which is how `Subscription.operationProgress` follows an Operation.
 *
 * At startup the store reloads what the database holds; a gateway-run Operation that was not finished when the
 * previous process stopped cannot be resumed safely (a half-done drain may have lost its PDB retries and
 * timers), so it is marked FAILED with reason INTERRUPTED, naming the steps that were in flight, with no step
 * left RUNNING (interruptedOperations.ts; the OperationService then checks those steps against the cluster).
 */
import type { AuditStore } from '../audit/AuditStore.js';
import { markInterrupted } from './interruptedOperations.js';
import { cloneOperation, TERMINAL_PHASES, type OperationPhase, type OperationRecord } from './OperationRecord.js';

/**
 * A change of an Operation: `created` is true the first time this store holds it (made here, or first seen
 * from another replica), false when a known Operation moved.
 */
export type OperationListener = (op: OperationRecord, created?: boolean) => void;

/**
 * Where the gateway-run Operations' changes go besides memory when they are shared between replicas (the
 * control plane, src/operations/shared/SharedOperations.ts). Without one, the audit database keeps them.
 */
export interface OperationSink {
  /** Whether this replica writes this Operation (it runs it); the changes of others come through applyRemote. */
  owns(id: string): boolean;
  save(op: OperationRecord): void;
}

export interface OperationQuery {
  cluster?: string | null;
  type?: string | null;
  phase?: readonly OperationPhase[] | null;
  targetKind?: string | null;
  targetName?: string | null;
  targetNamespace?: string | null;
  since?: string | null;
  until?: string | null;
}

/** The name the API uses for the Karmada control plane in `cluster` filters. */
export const CONTROL_PLANE_NAME = 'karmada';

/** Whether `op` passes every field of `q` (the `operations` list and the `operationChanged` stream share it). */
export function operationMatches(op: Pick<OperationRecord, 'target' | 'type' | 'phase' | 'createdAt'>, q: OperationQuery): boolean {
  if (q.cluster && (op.target.cluster ?? CONTROL_PLANE_NAME) !== q.cluster) return false;
  if (q.type && op.type !== q.type) return false;
  if (q.phase && q.phase.length > 0 && !q.phase.includes(op.phase)) return false;
  if (q.targetKind && op.target.kind !== q.targetKind) return false;
  if (q.targetName && op.target.name !== q.targetName) return false;
  if (q.targetNamespace && op.target.namespace !== q.targetNamespace) return false;
  if (q.since && op.createdAt < q.since) return false;
  if (q.until && op.createdAt >= q.until) return false;
  return true;
}

export class OperationStore {
  private readonly ops = new Map<string, OperationRecord>();
  private readonly listeners = new Set<OperationListener>();

  /**
   * @param audit keeps every Operation when there is no `shared` sink, and the middleware ones always
   * @param shared the shared store of gateway-run Operations (several replicas); null: this process alone
   */
  constructor(private readonly audit: AuditStore | null, private readonly shared: OperationSink | null = null) {}

  /** Loads persisted Operations, failing the gateway-run ones a previous process left unfinished. */
  async restore(): Promise<{ loaded: number; interrupted: string[]; inFlight: Map<string, string[]> }> {
    const inFlight = new Map<string, string[]>();
    if (!this.audit) return { loaded: 0, interrupted: [], inFlight };
    const interrupted: string[] = [];
    const now = new Date().toISOString();
    for (const op of await this.audit.loadOperations()) {
      // Shared: the control plane holds the gateway-run ones (a surviving replica takes unfinished ones over).
      if (this.shared && op.executor === 'GATEWAY') continue;
      if (op.executor === 'GATEWAY' && !TERMINAL_PHASES.has(op.phase)) {
        inFlight.set(op.id, markInterrupted(op, now));
        this.audit.saveOperation(op);
        interrupted.push(op.id);
      }
      this.ops.set(op.id, op);
    }
    return { loaded: this.ops.size, interrupted, inFlight };
  }

  get(id: string): OperationRecord | undefined {
    const op = this.ops.get(id);
    return op ? cloneOperation(op) : undefined;
  }

  /**
   * Inserts or replaces an Operation, persists it and tells listeners. A shared gateway-run Operation this
   * replica does not own (another runs it, or this one lost its Lease) is left as the control plane says.
   */
  put(op: OperationRecord): void {
    const shared = this.shared && op.executor === 'GATEWAY';
    if (shared && !this.shared!.owns(op.id)) return;
    const copy = cloneOperation(op);
    const created = !this.ops.has(op.id);
    this.ops.set(op.id, copy);
    if (shared) this.shared!.save(copy);
    else this.audit?.saveOperation(copy);
    this.announce(copy, created);
  }

  /**
   * A change another replica made (seen on the control plane): kept and told to listeners, not written. A
   * finished Operation stays finished: a late echo of an earlier state never takes it back.
   */
  applyRemote(op: OperationRecord): void {
    const known = this.ops.get(op.id);
    if (known && TERMINAL_PHASES.has(known.phase) && !TERMINAL_PHASES.has(op.phase)) return;
    if (known && JSON.stringify(known) === JSON.stringify(op)) return;
    const copy = cloneOperation(op);
    this.ops.set(op.id, copy);
    this.announce(copy, !known);
  }

  /** Drops an Operation deleted elsewhere (retention on another replica). */
  forget(id: string): void {
    this.ops.delete(id);
  }

  private announce(copy: OperationRecord, created: boolean): void {
    for (const l of this.listeners) {
      try {
        l(cloneOperation(copy), created);
      } catch {
        // A listener's failure (a closed subscription) must not stop the executor.
      }
    }
  }

  /** Matching Operations, newest first. */
  list(q: OperationQuery = {}): OperationRecord[] {
    const out: OperationRecord[] = [];
    for (const op of this.ops.values()) if (operationMatches(op, q)) out.push(cloneOperation(op));
    out.sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
    return out;
  }

  /**
   * Forgets finished Operations older than `maxAgeMs` and all but the newest `maxCount` finished ones, as the
   * audit database's retention does with their rows, so memory stays bounded. Running ones are kept.
   */
  prune(maxAgeMs: number, maxCount: number): number {
    const cutoff = new Date(Date.now() - maxAgeMs).toISOString();
    const finished = [...this.ops.values()].filter((o) => TERMINAL_PHASES.has(o.phase)).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    let removed = 0;
    finished.forEach((o, i) => {
      if (o.createdAt < cutoff || i >= maxCount) {
        this.ops.delete(o.id);
        removed++;
      }
    });
    return removed;
  }

  /** Follows every Operation change; returns the unsubscribe function. */
  onChange(listener: OperationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
