/**
 * The audit and operation log as the rest of the gateway sees it, whatever holds it: SQLite (AuditLog.ts, the
 * embedded default) or PostgreSQL (PostgresAuditLog.ts, shared by replicas). `createAuditStore.ts` picks one
 * from `--audit-db`.
 *
 * Why writes are synchronous and reads are not: writes happen on the request path (every request is counted,
 * every mutation audited) and are queued, then committed in batches; the caller never waits for them except
 * through `flush()`, which the mutation path awaits so that an answered mutation's audit row is committed.
 * Reads and maintenance go to the database at once, which for PostgreSQL is a network round trip.
 */
import type { OperationRecord } from '../operations/OperationRecord.js';
import type { RequestTransport } from './requestStatistics.js';

/** The statistics row of the requests whose name came after the first `maxOperationNames`. */
export const OTHER_OPERATIONS = 'other';

/** One audited mutation (seed 000 §5.1 user_operations). */
export interface AuditEntry {
  at: string;
  user: string;
  action: string;
  targetKind: string | null;
  targetName: string | null;
  cluster: string | null;
  namespace: string | null;
  success: boolean;
  error: string | null;
  errorCode: string | null;
  requestId: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  durationMs: number;
  operationId: string | null;
  arguments: string | null;
}

export interface StoredAuditEntry extends AuditEntry {
  id: number;
}

/** One object change (seed 000 §5.1 resource_changes). */
export interface ResourceChange {
  at: string;
  operationId: string | null;
  user: string;
  verb: string;
  cluster: string;
  kind: string;
  namespace: string | null;
  name: string;
  /** JSON text, null when created. */
  before: string | null;
  /** JSON text, null when deleted. */
  after: string | null;
}

export interface StoredResourceChange extends ResourceChange {
  id: number;
}

export interface RequestStatistic {
  operationName: string;
  transport: RequestTransport;
  count: number;
  errors: number;
  totalMs: number;
  maxMs: number;
  lastAt: string;
}

export interface AuditQuery {
  user?: string | null;
  action?: string | null;
  cluster?: string | null;
  namespace?: string | null;
  targetName?: string | null;
  success?: boolean | null;
  since?: string | null;
  until?: string | null;
  /** @default 100 */
  limit?: number | null;
}

export type ChangeQuery = AuditQuery & { operationId?: string | null };

export interface IdempotencyReservation {
  /** True when this call reserved the key; false when it was taken already. */
  reserved: boolean;
  operationId: string;
  argumentsHash: string;
}

/** What one retention run deleted. */
export interface PruneResult {
  entries: number;
  changes: number;
  operations: number;
}

/**
 * The right to run Operations in process for one fleet on one audit database. Only one replica may hold it:
 * two replicas each restoring and failing the other's running Operations as "interrupted" would lose data.
 */
export interface OperationsLock {
  /** True when this call took the lock; false when another process holds it. */
  acquired: boolean;
  /** Who holds it when not acquired, as far as the store can tell (host, pid, since when). */
  holder?: string;
  /** Gives the lock up (a no-op when not acquired or already released). */
  release(): Promise<void>;
}

export interface AuditStore {
  /** Which database holds the log. */
  readonly kind: 'sqlite' | 'postgres';
  /** The file or URL (its password removed), for logs and error messages. */
  describe(): string;

  /** Queues an audited mutation. */
  recordMutation(entry: AuditEntry): void;
  /** Queues an object change. */
  recordChange(change: ResourceChange): void;
  /** Counts one GraphQL request (folded into the table within a short interval; never throws). */
  recordRequest(operationName: string, transport: RequestTransport, durationMs: number, failed: boolean): void;
  /** Queues the current state of a gateway-run Operation (insert or replace). */
  saveOperation(op: OperationRecord): void;
  /**
   * Resolves once every write queued and every request counted before the call is committed; rejects when
   * the batch holding one of those writes failed (the mutation path then does not answer as if audited).
   */
  flush(): Promise<void>;

  /** Audited mutations, newest first. */
  entries(q?: AuditQuery): Promise<StoredAuditEntry[]>;
  /** Object changes, newest first. */
  changes(q?: ChangeQuery): Promise<StoredResourceChange[]>;
  /** Request statistics per (operation name, transport), counts not yet folded included. */
  statistics(): Promise<RequestStatistic[]>;
  /** Every stored Operation, oldest first (read once at startup). */
  loadOperations(): Promise<OperationRecord[]>;
  /**
   * Reserves an idempotency key for (scope, key) atomically — across replicas sharing the database — so two
   * concurrent requests with one key can never both create an Operation.
   */
  reserveIdempotencyKey(scope: string, key: string, argumentsHash: string, operationId: string): Promise<IdempotencyReservation>;
  /** The Operation and arguments hash an idempotency key was first used with, if any. */
  lookupIdempotencyKey(scope: string, key: string): Promise<{ operationId: string; argumentsHash: string } | null>;
  /** Frees a reserved key whose request was refused before any Operation existed. */
  releaseIdempotencyKey(scope: string, key: string, operationId: string): Promise<void>;
  /**
   * Deletes audit rows, changes and terminal Operations older than `maxAgeMs`, then keeps only the newest
   * `maxRows` of each table (seed 002 §10.6: by time and by count).
   */
  prune(maxAgeMs: number, maxRows: number): Promise<PruneResult>;
  /** Commits what is queued, then closes the database (and gives up any Operations lock). */
  close(): Promise<void>;

  /**
   * Takes the right to run Operations in process for `fleetId` on this database (see OperationsLock); held
   * until released or until the store closes.
   */
  acquireOperationsLock?(fleetId: string): Promise<OperationsLock>;
}

/**
 * Retention deletes the keys of the Operations it deletes at once; a key with no Operation row at all only once
 * older than this: a key is reserved (committed at once) before its Operation's row, which the batched writes
 * commit a moment later, and a retention run in between must not free the key of an Operation just starting.
 */
export const KEY_GRACE_MS = 10 * 60_000;

export function keyGraceCutoff(now = Date.now()): string {
  return new Date(now - KEY_GRACE_MS).toISOString();
}
