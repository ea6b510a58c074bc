/**
 * The audit log and operation log in SQLite (better-sqlite3, WAL): audited mutations, resource changes with
 * the object before and after, request statistics per GraphQL operation name, and gateway-run Operations.
 *
 * Why writes are queued: better-sqlite3 is synchronous, so a burst of inserts on the request path would hold
 * the event loop. Writes are appended to an in-memory queue and committed together, in one transaction, on the
 * next turn of the event loop (setImmediate), in batches of at most `maxBatch` rows, so one turn never holds the
 * loop for more than one small transaction. `flush()` resolves once everything queued so far is committed: the
 * mutation path awaits it before answering, so an acknowledged mutation is on disk.
 *
 * Why request statistics are not queued: every GraphQL request is counted, and under load a commit on every
 * turn of the event loop (what queueing them did) costs more than the request itself. Counts accumulate in
 * memory and are folded into SQLite on a short timer (`statisticsFlushMs`), before every read of them (so a
 * reader sees exact counts), with `flush()`, and on `close()`; only a killed process loses the last interval.
 *
 * Why WAL with synchronous=NORMAL: a committed transaction is in the WAL file before `commit` returns, so a
 * killed process (SIGKILL, OOM) loses nothing committed; only a power cut may lose the last transactions,
 * which `synchronous: 'FULL'` prevents at the cost of one fsync per batch.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { OperationRecord } from '../operations/OperationRecord.js';
import { createAuditSchema } from './auditSchema.js';
import { CommitTracker } from './CommitTracker.js';
import {
  keyGraceCutoff, OTHER_OPERATIONS, type AuditEntry, type AuditQuery, type AuditStore, type ChangeQuery, type IdempotencyReservation, type OperationsLock,
  type PruneResult, type RequestStatistic, type ResourceChange, type StoredAuditEntry, type StoredResourceChange,
} from './AuditStore.js';
import { acquireFileLock } from './fileOperationsLock.js';
import type { RequestTransport } from './requestStatistics.js';
import { RequestStatisticsBuffer, statisticRows, type PendingStatistics } from './RequestStatisticsBuffer.js';

// The row types were first defined here; importers of this module keep finding them.
export {
  OTHER_OPERATIONS, type AuditEntry, type AuditQuery, type IdempotencyReservation, type RequestStatistic, type ResourceChange, type StoredAuditEntry,
  type StoredResourceChange,
};

export interface AuditLogOptions {
  /** SQLite file; `:memory:` keeps nothing across restarts. */
  path: string;
  /** SQLite `synchronous` pragma. @default 'NORMAL' */
  synchronous?: 'NORMAL' | 'FULL';
  /** Most rows committed in one event-loop turn. @default 500 */
  maxBatch?: number;
  /**
   * Longest time request statistics stay in memory before they are folded into SQLite. Reads, `flush()`
   * and `close()` fold them at once; the interval bounds what a killed process loses. @default 500
   */
  statisticsFlushMs?: number;
  /**
   * Distinct operation names with a statistics row of their own; requests under any further name are
   * counted under OTHER_OPERATIONS. Operation names are chosen by clients: without a bound, a client naming
   * each request anew grows the table (and this process's memory) by a row per request. @default 200
   */
  maxOperationNames?: number;
}

type Write = (db: Database.Database) => void;

export class AuditLog implements AuditStore {
  readonly kind = 'sqlite' as const;
  readonly path: string;
  private readonly db: Database.Database;
  private readonly maxBatch: number;
  private queue: Write[] = [];
  private scheduled = false;
  /** Which flush waits for which queued write. */
  private readonly commits = new CommitTracker();
  private closed = false;
  private readonly pendingOperations = new Map<string, Record<string, string>>();
  /** Counts not yet folded into SQLite. */
  private readonly stats: RequestStatisticsBuffer;
  /** Operations locks taken through this log, released on close. */
  private readonly locks = new Set<OperationsLock>();
  private readonly statements: {
    insertEntry: Database.Statement;
    insertChange: Database.Statement;
    upsertStat: Database.Statement;
    upsertOperation: Database.Statement;
  };

  constructor(options: AuditLogOptions) {
    this.path = options.path;
    this.maxBatch = options.maxBatch ?? 500;
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    this.db.pragma('busy_timeout = 2000');
    createAuditSchema(this.db);
    this.stats = new RequestStatisticsBuffer({
      flushMs: options.statisticsFlushMs ?? 500, maxOperationNames: options.maxOperationNames ?? 200, fold: () => this.foldStatsNow(),
    });
    // The names already in the table (a file kept across restarts) keep their rows and count against the bound.
    this.stats.knowNames((this.db.prepare('SELECT DISTINCT operation_name AS name FROM request_statistics').all() as Array<{ name: string }>).map((r) => r.name));
    this.statements = {
      insertEntry: this.db.prepare(
        `INSERT INTO audit_entries (at, user, action, target_kind, target_name, cluster, namespace, success, error, error_code,
           request_id, source_ip, user_agent, duration_ms, operation_id, arguments)
         VALUES (@at, @user, @action, @targetKind, @targetName, @cluster, @namespace, @success, @error, @errorCode,
           @requestId, @sourceIp, @userAgent, @durationMs, @operationId, @arguments)`,
      ),
      insertChange: this.db.prepare(
        `INSERT INTO resource_changes (at, operation_id, user, verb, cluster, kind, namespace, name, before, after)
         VALUES (@at, @operationId, @user, @verb, @cluster, @kind, @namespace, @name, @before, @after)`,
      ),
      upsertStat: this.db.prepare(
        `INSERT INTO request_statistics (operation_name, transport, count, errors, total_ms, max_ms, last_at)
         VALUES (@operationName, @transport, @count, @errors, @totalMs, @maxMs, @lastAt)
         ON CONFLICT(operation_name, transport) DO UPDATE SET count = count + excluded.count, errors = errors + excluded.errors,
           total_ms = total_ms + excluded.total_ms, max_ms = MAX(max_ms, excluded.max_ms), last_at = excluded.last_at`,
      ),
      upsertOperation: this.db.prepare(
        `INSERT INTO operations (id, created_at, updated_at, phase, executor, record) VALUES (@id, @createdAt, @updatedAt, @phase, @executor, @record)
         ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at, phase = excluded.phase, record = excluded.record`,
      ),
    };
  }

  describe(): string {
    return this.path;
  }

  /** Queues an audited mutation. */
  recordMutation(entry: AuditEntry): void {
    const row = { ...entry, success: entry.success ? 1 : 0 };
    this.enqueue(() => this.statements.insertEntry.run(row));
  }

  /** Queues an object change. */
  recordChange(change: ResourceChange): void {
    this.enqueue(() => this.statements.insertChange.run(change));
  }

  /**
   * Counts one GraphQL request. Counted in memory and folded into the table within `statisticsFlushMs`, so
   * a busy read path costs one map update per request, not one row or one commit. Transports call it
   * through `startRequestCount` (requestStatistics.ts), which times the request and names it the same way
   * for both.
   */
  recordRequest(operationName: string, transport: RequestTransport, durationMs: number, failed: boolean): void {
    // A request still finishing while the gateway stops has nowhere to be counted; it must not fail for it.
    if (this.closed) return;
    this.stats.record(operationName, transport, durationMs, failed);
  }

  /** Queues the current state of a gateway-run Operation (insert or replace). */
  saveOperation(op: OperationRecord): void {
    const row = { id: op.id, createdAt: op.createdAt, updatedAt: new Date().toISOString(), phase: op.phase, executor: op.executor, record: JSON.stringify(op) };
    // A drain moves its record many times per turn: only the newest state of each Operation is written.
    const queued = this.pendingOperations.has(op.id);
    this.pendingOperations.set(op.id, row);
    if (queued) return;
    this.enqueue(() => {
      const latest = this.pendingOperations.get(op.id);
      this.pendingOperations.delete(op.id);
      if (latest) this.statements.upsertOperation.run(latest);
    });
  }

  /** Every stored Operation (read once at startup). */
  async loadOperations(): Promise<OperationRecord[]> {
    const rows = this.db.prepare('SELECT record FROM operations ORDER BY created_at').all() as Array<{ record: string }>;
    return rows.map((r) => JSON.parse(r.record) as OperationRecord);
  }

  /**
   * Reserves an idempotency key for (scope, key) synchronously — a check and an insert in one small
   * transaction — so two concurrent requests with one key can never both create an Operation.
   */
  async reserveIdempotencyKey(scope: string, key: string, argumentsHash: string, operationId: string): Promise<IdempotencyReservation> {
    return this.db.transaction((): IdempotencyReservation => {
      const row = this.db.prepare('SELECT arguments_hash AS h, operation_id AS id FROM idempotency_keys WHERE scope = ? AND key = ?').get(scope, key) as
        | { h: string; id: string }
        | undefined;
      if (row) return { reserved: false, operationId: row.id, argumentsHash: row.h };
      this.db
        .prepare('INSERT INTO idempotency_keys (scope, key, arguments_hash, operation_id, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(scope, key, argumentsHash, operationId, new Date().toISOString());
      return { reserved: true, operationId, argumentsHash };
    })();
  }

  /** The Operation and arguments hash an idempotency key was first used with, if any. */
  async lookupIdempotencyKey(scope: string, key: string): Promise<{ operationId: string; argumentsHash: string } | null> {
    const row = this.db.prepare('SELECT arguments_hash AS h, operation_id AS id FROM idempotency_keys WHERE scope = ? AND key = ?').get(scope, key) as
      | { h: string; id: string }
      | undefined;
    return row ? { operationId: row.id, argumentsHash: row.h } : null;
  }

  /** Frees a reserved key whose request was refused before any Operation existed. */
  async releaseIdempotencyKey(scope: string, key: string, operationId: string): Promise<void> {
    this.db.prepare('DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND operation_id = ?').run(scope, key, operationId);
  }

  /** Resolves once every write queued and every request counted before the call is committed. */
  flush(): Promise<void> {
    this.foldStatsNow();
    return this.commits.wait();
  }

  async entries(q: AuditQuery = {}): Promise<StoredAuditEntry[]> {
    const filter = new RowFilter(q);
    filter.eq('user', q.user);
    filter.eq('action', q.action);
    filter.eq('cluster', q.cluster);
    filter.eq('namespace', q.namespace);
    filter.eq('target_name', q.targetName);
    if (q.success !== undefined && q.success !== null) filter.eq('success', q.success ? 1 : 0);
    const rows = this.db
      .prepare(
        `SELECT id, at, user, action, target_kind AS targetKind, target_name AS targetName, cluster, namespace, success, error,
           error_code AS errorCode, request_id AS requestId, source_ip AS sourceIp, user_agent AS userAgent,
           duration_ms AS durationMs, operation_id AS operationId, arguments
         FROM audit_entries ${filter.where()} ORDER BY id DESC LIMIT ${filter.limit}`,
      )
      .all(...filter.args) as Array<Omit<StoredAuditEntry, 'success'> & { success: number }>;
    return rows.map((r) => ({ ...r, success: r.success === 1 }));
  }

  async changes(q: ChangeQuery = {}): Promise<StoredResourceChange[]> {
    const filter = new RowFilter(q);
    filter.eq('user', q.user);
    filter.eq('cluster', q.cluster);
    filter.eq('namespace', q.namespace);
    filter.eq('name', q.targetName);
    filter.eq('operation_id', q.operationId);
    return this.db
      .prepare(
        `SELECT id, at, operation_id AS operationId, user, verb, cluster, kind, namespace, name, before, after
         FROM resource_changes ${filter.where()} ORDER BY id DESC LIMIT ${filter.limit}`,
      )
      .all(...filter.args) as StoredResourceChange[];
  }

  /** Request statistics per (operation name, transport), counts not yet folded included. */
  async statistics(): Promise<RequestStatistic[]> {
    // Folding first makes the answer exact, and is cheap: reads are rare next to the requests they count.
    this.foldStatsNow();
    return this.db
      .prepare(
        `SELECT operation_name AS operationName, transport, count, errors, total_ms AS totalMs, max_ms AS maxMs, last_at AS lastAt
         FROM request_statistics ORDER BY count DESC, operation_name, transport`,
      )
      .all() as RequestStatistic[];
  }

  /**
   * Deletes audit rows, changes and terminal Operations older than `maxAgeMs`, then keeps only the newest
   * `maxRows` of each table (seed 002 §10.6: by time and by count). Runs in one transaction.
   */
  async prune(maxAgeMs: number, maxRows: number): Promise<PruneResult> {
    const cutoff = new Date(Date.now() - maxAgeMs).toISOString();
    return this.db.transaction(() => {
      let entries = this.db.prepare('DELETE FROM audit_entries WHERE at < ?').run(cutoff).changes;
      let changes = this.db.prepare('DELETE FROM resource_changes WHERE at < ?').run(cutoff).changes;
      const terminal = "phase IN ('SUCCEEDED', 'FAILED', 'CANCELLED')";
      // The keys of the Operations deleted go with them (each deletion's predicate, asked just before it).
      this.db.prepare(`DELETE FROM idempotency_keys WHERE operation_id IN (SELECT id FROM operations WHERE created_at < ? AND ${terminal})`).run(cutoff);
      let operations = this.db.prepare(`DELETE FROM operations WHERE created_at < ? AND ${terminal}`).run(cutoff).changes;
      entries += this.db.prepare('DELETE FROM audit_entries WHERE id <= (SELECT id FROM audit_entries ORDER BY id DESC LIMIT 1 OFFSET ?)').run(maxRows).changes;
      changes += this.db.prepare('DELETE FROM resource_changes WHERE id <= (SELECT id FROM resource_changes ORDER BY id DESC LIMIT 1 OFFSET ?)').run(maxRows).changes;
      const beyondCount = `${terminal} AND created_at <= (SELECT created_at FROM operations ORDER BY created_at DESC LIMIT 1 OFFSET ?)`;
      this.db.prepare(`DELETE FROM idempotency_keys WHERE operation_id IN (SELECT id FROM operations WHERE ${beyondCount})`).run(maxRows);
      operations += this.db.prepare(`DELETE FROM operations WHERE ${beyondCount}`).run(maxRows).changes;
      this.db.prepare('DELETE FROM idempotency_keys WHERE operation_id NOT IN (SELECT id FROM operations) AND created_at < ?').run(keyGraceCutoff());
      return { entries, changes, operations };
    })();
  }

  /**
   * The Operations lock of this file (fileOperationsLock.ts): `<path>.lock` naming the holding process. A
   * `:memory:` log is this process's alone, so its lock is always acquired.
   */
  async acquireOperationsLock(fleetId: string): Promise<OperationsLock> {
    if (this.path === ':memory:') return { acquired: true, release: async () => undefined };
    const lock = acquireFileLock(`${this.path}.lock`, fleetId);
    if (lock.acquired) {
      this.locks.add(lock);
      const release = lock.release;
      lock.release = async () => {
        this.locks.delete(lock);
        await release();
      };
    }
    return lock;
  }

  /** Commits what is queued, then closes the database and releases the Operations locks it gave. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const lock of [...this.locks]) await lock.release();
    this.foldStatsNow();
    this.drain();
    this.closed = true;
    this.db.close();
  }

  private enqueue(write: Write): void {
    if (this.closed) throw new Error(`audit log ${this.path} is closed`);
    this.queue.push(write);
    this.commits.queued();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.commitBatch());
    }
  }

  private commitBatch(): void {
    this.scheduled = false;
    if (this.closed) return;
    const batch = this.queue.splice(0, this.maxBatch);
    try {
      this.db.transaction(() => {
        for (const w of batch) w(this.db);
      })();
      this.commits.settled(batch.length);
    } catch (err) {
      // A failed batch is dropped as a whole (the transaction rolled back); its waiters learn why.
      this.commits.settled(batch.length, err);
    }
    if (this.queue.length > 0) {
      this.scheduled = true;
      setImmediate(() => this.commitBatch());
    }
  }

  /** Synchronously commits everything (shutdown only). */
  private drain(): void {
    while (this.queue.length > 0) this.commitBatch();
    this.scheduled = false;
  }


  /** Folds the pending counts in a transaction of their own, outside the write queue. */
  private foldStatsNow(): void {
    const pending = this.stats.take();
    if (this.closed || !pending) return;
    try {
      this.db.transaction(() => this.foldStats(pending))();
    } catch {
      // The transaction rolled back: the counts go back to memory (nothing else was counted meanwhile, the
      // fold being synchronous) and the next count, read or close folds them again: statistics are not
      // dropped for a busy or failing database.
      this.stats.restore(pending);
    }
  }

  /**
   * Upserts the pending counts; inside a transaction, so a failure leaves the table as it was. Counts are
   * additive and folds run in order, so folding from the timer, a read, `flush()` or `close()` in any mix
   * gives the same rows.
   */
  private foldStats(pending: PendingStatistics): void {
    for (const row of statisticRows(pending)) this.statements.upsertStat.run(row);
  }
}

/**
 * The WHERE clause and bound arguments of an audit read: equality on the columns given a value, the time
 * window every audit query has (`since` inclusive, `until` exclusive), and the clamped row limit.
 */
class RowFilter {
  readonly args: unknown[] = [];
  readonly limit: number;
  private readonly clauses: string[] = [];

  constructor(q: { since?: string | null; until?: string | null; limit?: number | null }) {
    if (q.since) this.push('at >= ?', q.since);
    if (q.until) this.push('at < ?', q.until);
    this.limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
  }

  /** `column = value`, unless the value is absent. */
  eq(column: string, value: unknown): void {
    if (value !== undefined && value !== null) this.push(`${column} = ?`, value);
  }

  where(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }

  private push(clause: string, value: unknown): void {
    this.clauses.push(clause);
    this.args.push(value);
  }
}

