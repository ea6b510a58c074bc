/**
 * The audit log and operation log in PostgreSQL (`pg`), for replicas that share one: the same tables, queries
 * and retention as the SQLite AuditLog, behind the same AuditStore interface.
 *
 * Why writes are queued, as in SQLite: the request path must not wait for the database. Writes go to an
 * in-memory queue; one writer at a time takes up to `maxBatch` of them and commits them in one transaction,
 * one multi-row INSERT per table; what was queued meanwhile goes in the next batch (group commit). `flush()`
 * resolves once what was queued before it is committed, or rejects with why its batch failed: the mutation
 * path awaits it, so a mutation answers only once its audit row is committed.
 *
 * Why request statistics are additive upserts: several replicas count into one row per (operation name,
 * transport); each folds its own counts as increments (`count = count + EXCLUDED.count`), never as totals,
 * so they add up whatever the order. A fold that fails puts its counts back in memory for the next one.
 *
 * Why errors never throw out of a timer: the database may be down for a while; every write or read fails as a
 * rejection naming the database (password removed), and an idle connection's error is reported to `onError`
 * rather than crashing the process (pg emits it on the pool).
 */
import { hostname } from 'node:os';
import pg from 'pg';
import type { OperationRecord } from '../operations/OperationRecord.js';
import {
  keyGraceCutoff, type AuditEntry, type AuditQuery, type AuditStore, type ChangeQuery, type IdempotencyReservation, type OperationsLock,
  type PruneResult, type RequestStatistic, type ResourceChange, type StoredAuditEntry, type StoredResourceChange,
} from './AuditStore.js';
import { advisoryKey, migrate } from './postgresAuditSchema.js';
import { CommitTracker } from './CommitTracker.js';
import { parsePostgresUrl, type PostgresTarget } from './postgresUrl.js';
import type { RequestTransport } from './requestStatistics.js';
import { RequestStatisticsBuffer, statisticRows, type PendingStatistics } from './RequestStatisticsBuffer.js';

export interface PostgresAuditLogOptions {
  /** `postgres://` or `postgresql://` URL; `?schema=<name>` puts the tables in that schema (created if missing). */
  url: string;
  /** Most queued writes committed in one transaction. @default 500 */
  maxBatch?: number;
  /** Longest time request statistics stay in memory before they are folded into the table. @default 500 */
  statisticsFlushMs?: number;
  /** Distinct operation names with a statistics row of their own (per replica); the rest count as `other`. @default 200 */
  maxOperationNames?: number;
  /** Connections in the pool. @default 4 */
  poolSize?: number;
  /** Longest wait for a new connection before the call fails. @default 5000 */
  connectTimeoutMs?: number;
  /** Errors no caller is waiting for (a pooled idle connection lost, a lock connection dropped). @default ignored */
  onError?: (err: Error) => void;
}

/** An error of the audit database, its message naming the database (never its password). */
export class AuditDatabaseError extends Error {
  constructor(target: string, cause: unknown) {
    super(`audit database ${target}: ${messageOf(cause)}`, { cause });
    this.name = 'AuditDatabaseError';
  }
}

/** A message for any error; a connection refused on both IPv4 and IPv6 is an AggregateError with no message of its own. */
function messageOf(err: unknown): string {
  if (err instanceof AggregateError && !err.message) return err.errors.map(messageOf).join('; ');
  if (err instanceof Error) return err.message || (err as NodeJS.ErrnoException).code || err.name;
  return String(err);
}

/** PostgreSQL TEXT cannot hold NUL: audit text keeps its shape with U+FFFD in its place. */
function text(v: string | null): string | null {
  return v !== null && v.includes('\u0000') ? v.replace(/\u0000/g, '\uFFFD') : v;
}

/**
 * Idempotency scopes join user and mutation with NUL (OperationService), and keys are the caller's: escaped
 * reversibly (`\` → `\\`, NUL → `\0`) so that distinct keys stay distinct.
 */
function keyText(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\u0000/g, '\\0');
}

type QueuedWrite = { table: 'entry'; row: unknown[] } | { table: 'change'; row: unknown[] } | { table: 'operation'; id: string };

interface OperationRow {
  id: string;
  createdAt: string;
  updatedAt: string;
  phase: string;
  executor: string;
  record: string;
}

const ENTRY_COLUMNS = '(at, "user", action, target_kind, target_name, cluster, namespace, success, error, error_code, request_id, source_ip, user_agent, duration_ms, operation_id, arguments)';
const CHANGE_COLUMNS = '(at, operation_id, "user", verb, cluster, kind, namespace, name, before, after)';
const TERMINAL = "phase IN ('SUCCEEDED', 'FAILED', 'CANCELLED')";

export class PostgresAuditLog implements AuditStore {
  readonly kind = 'postgres' as const;
  /** Migrations this process applied at open (0 when another replica, or an earlier start, had applied them). */
  migrationsApplied = 0;
  private readonly target: PostgresTarget;
  private readonly pool: pg.Pool;
  private readonly clientConfig: pg.ClientConfig;
  private readonly maxBatch: number;
  private readonly onError: (err: Error) => void;
  private queue: QueuedWrite[] = [];
  private scheduled = false;
  private writing = false;
  /** Which flush waits for which queued write. */
  private readonly commits = new CommitTracker();
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly pendingOperations = new Map<string, OperationRow>();
  /** Counts not yet folded into the table. */
  private readonly stats: RequestStatisticsBuffer;
  /** The last fold; the next one runs after it, so folds never overlap. */
  private folding: Promise<void> = Promise.resolve();
  /** The schema the tables are in (the named one, or the database's default), for lock keys. */
  private schemaName = '';
  private readonly locks = new Set<OperationsLock>();

  private constructor(options: PostgresAuditLogOptions) {
    this.target = parsePostgresUrl(options.url);
    this.maxBatch = options.maxBatch ?? 500;
    this.stats = new RequestStatisticsBuffer({
      flushMs: options.statisticsFlushMs ?? 500, maxOperationNames: options.maxOperationNames ?? 200, fold: () => void this.foldStats().catch(() => undefined),
    });
    this.onError = options.onError ?? (() => undefined);
    this.clientConfig = {
      connectionString: this.target.connectionString,
      ...(this.target.options ? { options: this.target.options } : {}),
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      application_name: 'fleetgraph-audit',
    };
    this.pool = new pg.Pool({ ...this.clientConfig, max: options.poolSize ?? 4, idleTimeoutMillis: 30_000 });
    // Without a listener, an idle connection's error (the server restarted) would crash the process.
    this.pool.on('error', (err) => this.onError(new AuditDatabaseError(this.target.redacted, err)));
  }

  /**
   * Connects, creates the schema when the URL names one, applies the migrations, and reads what the counters
   * need. Rejects with an AuditDatabaseError (one line, no password) when any of it fails.
   */
  static async open(options: PostgresAuditLogOptions): Promise<PostgresAuditLog> {
    const log = new PostgresAuditLog(options);
    try {
      const { client, release } = await log.checkout();
      try {
        log.migrationsApplied = await migrate(client, log.target.schema, (s) => client.escapeIdentifier(s));
        log.schemaName = (await client.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]?.s ?? '';
        // The names that already have rows (kept by the database) count against the bound.
        const names = await client.query<{ name: string }>('SELECT DISTINCT operation_name AS name FROM request_statistics');
        log.stats.knowNames(names.rows.map((r) => r.name), { capped: true });
      } finally {
        release();
      }
    } catch (err) {
      await log.pool.end().catch(() => undefined);
      throw err instanceof AuditDatabaseError ? err : new AuditDatabaseError(log.target.redacted, err);
    }
    return log;
  }

  describe(): string {
    return this.target.redacted;
  }

  recordMutation(e: AuditEntry): void {
    this.enqueue({
      table: 'entry',
      row: [
        e.at, text(e.user), text(e.action), text(e.targetKind), text(e.targetName), text(e.cluster), text(e.namespace), e.success, text(e.error),
        text(e.errorCode), text(e.requestId), text(e.sourceIp), text(e.userAgent), Math.round(e.durationMs), text(e.operationId), text(e.arguments),
      ],
    });
  }

  recordChange(c: ResourceChange): void {
    this.enqueue({
      table: 'change',
      row: [c.at, text(c.operationId), text(c.user), text(c.verb), text(c.cluster), text(c.kind), text(c.namespace), text(c.name), text(c.before), text(c.after)],
    });
  }

  recordRequest(operationName: string, transport: RequestTransport, durationMs: number, failed: boolean): void {
    if (this.closed || this.closing) return;
    this.stats.record(operationName, transport, durationMs, failed);
  }

  saveOperation(op: OperationRecord): void {
    const row: OperationRow = {
      id: op.id, createdAt: op.createdAt, updatedAt: new Date().toISOString(), phase: op.phase, executor: op.executor, record: JSON.stringify(op),
    };
    // Only the newest state of each Operation is written: a drain moves its record many times per turn.
    const queued = this.pendingOperations.has(op.id);
    this.pendingOperations.set(op.id, row);
    if (!queued) this.enqueue({ table: 'operation', id: op.id });
  }

  async flush(): Promise<void> {
    const writes = this.commits.wait();
    // Statistics are best effort (their counts stay in memory when a fold fails); the writes are not.
    const stats = this.foldStats().catch(() => undefined);
    await Promise.all([writes, stats]);
  }

  async entries(q: AuditQuery = {}): Promise<StoredAuditEntry[]> {
    const filter = new PgRowFilter(q);
    filter.eq('"user"', q.user);
    filter.eq('action', q.action);
    filter.eq('cluster', q.cluster);
    filter.eq('namespace', q.namespace);
    filter.eq('target_name', q.targetName);
    if (q.success !== undefined && q.success !== null) filter.eq('success', q.success);
    const rows = await this.query<Omit<StoredAuditEntry, 'id' | 'durationMs'> & { id: string; durationMs: string }>(
      `SELECT id, at, "user", action, target_kind AS "targetKind", target_name AS "targetName", cluster, namespace, success, error,
         error_code AS "errorCode", request_id AS "requestId", source_ip AS "sourceIp", user_agent AS "userAgent",
         duration_ms AS "durationMs", operation_id AS "operationId", arguments
       FROM audit_entries ${filter.where()} ORDER BY id DESC LIMIT ${filter.limitParam()}`,
      filter.args,
    );
    return rows.map((r) => ({ ...r, id: Number(r.id), durationMs: Number(r.durationMs) }));
  }

  async changes(q: ChangeQuery = {}): Promise<StoredResourceChange[]> {
    const filter = new PgRowFilter(q);
    filter.eq('"user"', q.user);
    filter.eq('cluster', q.cluster);
    filter.eq('namespace', q.namespace);
    filter.eq('name', q.targetName);
    filter.eq('operation_id', q.operationId);
    const rows = await this.query<Omit<StoredResourceChange, 'id'> & { id: string }>(
      `SELECT id, at, operation_id AS "operationId", "user", verb, cluster, kind, namespace, name, before, after
       FROM resource_changes ${filter.where()} ORDER BY id DESC LIMIT ${filter.limitParam()}`,
      filter.args,
    );
    return rows.map((r) => ({ ...r, id: Number(r.id) }));
  }

  async statistics(): Promise<RequestStatistic[]> {
    // Folding first makes the answer exact; a failed fold keeps the counts for later, and the read says why.
    await this.foldStats().catch(() => undefined);
    const rows = await this.query<{ operationName: string; transport: RequestTransport; count: string; errors: string; totalMs: string; maxMs: string; lastAt: string }>(
      `SELECT operation_name AS "operationName", transport, count, errors, total_ms AS "totalMs", max_ms AS "maxMs", last_at AS "lastAt"
       FROM request_statistics ORDER BY count DESC, operation_name, transport`,
    );
    return rows.map((r) => ({
      operationName: r.operationName, transport: r.transport, count: Number(r.count), errors: Number(r.errors), totalMs: Number(r.totalMs), maxMs: Number(r.maxMs), lastAt: r.lastAt,
    }));
  }

  async loadOperations(): Promise<OperationRecord[]> {
    const rows = await this.query<{ record: string }>('SELECT record FROM operations ORDER BY created_at, id');
    return rows.map((r) => JSON.parse(r.record) as OperationRecord);
  }

  /**
   * Atomic across replicas: the INSERT either takes the key or does nothing because another request (on any
   * replica) holds it, which the read then names.
   */
  async reserveIdempotencyKey(scope: string, key: string, argumentsHash: string, operationId: string): Promise<IdempotencyReservation> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await this.query(
        `INSERT INTO idempotency_keys (scope, key, arguments_hash, operation_id, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (scope, key) DO NOTHING RETURNING operation_id`,
        [keyText(scope), keyText(key), argumentsHash, operationId, new Date().toISOString()],
      );
      if (inserted.length === 1) return { reserved: true, operationId, argumentsHash };
      const held = await this.lookupIdempotencyKey(scope, key);
      if (held) return { reserved: false, ...held };
      // The holder released it between the two statements: try to take it again.
    }
    throw new AuditDatabaseError(this.target.redacted, new Error(`idempotency key "${key}" kept changing hands`));
  }

  async lookupIdempotencyKey(scope: string, key: string): Promise<{ operationId: string; argumentsHash: string } | null> {
    const rows = await this.query<{ h: string; id: string }>('SELECT arguments_hash AS h, operation_id AS id FROM idempotency_keys WHERE scope = $1 AND key = $2', [
      keyText(scope), keyText(key),
    ]);
    const row = rows[0];
    return row ? { operationId: row.id, argumentsHash: row.h } : null;
  }

  async releaseIdempotencyKey(scope: string, key: string, operationId: string): Promise<void> {
    await this.query('DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND operation_id = $3', [keyText(scope), keyText(key), operationId]);
  }

  /**
   * As SQLite's prune, in one transaction. Replicas sharing the database each run retention on their timer;
   * one run at a time is enough (and two deleting the same rows in different orders could deadlock), so a run
   * that finds another in progress deletes nothing.
   */
  async prune(maxAgeMs: number, maxRows: number): Promise<PruneResult> {
    const cutoff = new Date(Date.now() - maxAgeMs).toISOString();
    return this.transaction(async (c) => {
      const locked = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS ok', [advisoryKey(`fleetgraph-audit-prune\u0000${this.schemaName}`).toString()]);
      if (!locked.rows[0]?.ok) return { entries: 0, changes: 0, operations: 0 };
      const n = async (sql: string, params: unknown[]) => (await c.query(sql, params)).rowCount ?? 0;
      let entries = await n('DELETE FROM audit_entries WHERE at < $1', [cutoff]);
      let changes = await n('DELETE FROM resource_changes WHERE at < $1', [cutoff]);
      // The keys of the Operations deleted go with them (each deletion's predicate, asked just before it).
      await n(`DELETE FROM idempotency_keys WHERE operation_id IN (SELECT id FROM operations WHERE created_at < $1 AND ${TERMINAL})`, [cutoff]);
      let operations = await n(`DELETE FROM operations WHERE created_at < $1 AND ${TERMINAL}`, [cutoff]);
      entries += await n('DELETE FROM audit_entries WHERE id <= (SELECT id FROM audit_entries ORDER BY id DESC LIMIT 1 OFFSET $1)', [maxRows]);
      changes += await n('DELETE FROM resource_changes WHERE id <= (SELECT id FROM resource_changes ORDER BY id DESC LIMIT 1 OFFSET $1)', [maxRows]);
      const beyondCount = `${TERMINAL} AND created_at <= (SELECT created_at FROM operations ORDER BY created_at DESC LIMIT 1 OFFSET $1)`;
      await n(`DELETE FROM idempotency_keys WHERE operation_id IN (SELECT id FROM operations WHERE ${beyondCount})`, [maxRows]);
      operations += await n(`DELETE FROM operations WHERE ${beyondCount}`, [maxRows]);
      await c.query('DELETE FROM idempotency_keys WHERE operation_id NOT IN (SELECT id FROM operations) AND created_at < $1', [keyGraceCutoff()]);
      return { entries, changes, operations };
    });
  }

  /**
   * The Operations lock on this database: a session-level advisory lock (key from the schema and `fleetId`) on
   * a connection of its own, outside the pool, held until released or closed. The holder is named from
   * pg_stat_activity: this connection's application_name carries its host and pid.
   */
  async acquireOperationsLock(fleetId: string): Promise<OperationsLock> {
    const key = advisoryKey(`fleetgraph-operations\u0000${this.schemaName}\u0000${fleetId}`);
    const client = new pg.Client({ ...this.clientConfig, application_name: `fleetgraph ${hostname()} pid ${process.pid}`.slice(0, 63) });
    let released = false;
    client.on('error', (err) => {
      // The connection is gone, and the lock with it: whoever holds the lock must learn it, not crash.
      if (!released) this.onError(new AuditDatabaseError(this.target.redacted, new Error(`the Operations lock of fleet ${fleetId} was lost: ${messageOf(err)}`)));
    });
    try {
      await client.connect();
      const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key.toString()]);
      if (got.rows[0]?.ok) {
        const lock: OperationsLock = {
          acquired: true,
          release: async () => {
            if (released) return;
            released = true;
            this.locks.delete(lock);
            // Ending the session releases its advisory locks; the explicit unlock is for a server that keeps it.
            await client.query('SELECT pg_advisory_unlock($1::bigint)', [key.toString()]).catch(() => undefined);
            await client.end().catch(() => undefined);
          },
        };
        this.locks.add(lock);
        return lock;
      }
      const holder = await this.lockHolder(client, key);
      released = true;
      await client.end().catch(() => undefined);
      return { acquired: false, ...(holder ? { holder } : {}), release: async () => undefined };
    } catch (err) {
      released = true;
      await client.end().catch(() => undefined);
      throw new AuditDatabaseError(this.target.redacted, err);
    }
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      let failure: unknown;
      try {
        await this.flush();
        // Writes queued while the first flush ran (a request finishing during shutdown).
        if (!this.commits.idle) await this.flush();
      } catch (err) {
        failure = err;
      }
      this.closed = true;
      this.stats.disarm();
      for (const lock of [...this.locks]) await lock.release();
      await this.pool.end().catch(() => undefined);
      if (failure) throw failure;
    })();
    return this.closing;
  }

  /** Who holds an advisory lock: the session's application name, client address and start. */
  private async lockHolder(client: pg.Client, key: bigint): Promise<string | undefined> {
    const unsigned = BigInt.asUintN(64, key);
    const rows = await client.query<{ app: string; addr: string | null; pid: number; since: Date }>(
      `SELECT a.application_name AS app, host(a.client_addr) AS addr, a.pid, a.backend_start AS since
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [(unsigned >> 32n).toString(), (unsigned & 0xffffffffn).toString()],
    );
    const r = rows.rows[0];
    if (!r) return undefined;
    return `${r.app || 'a session'} (server pid ${r.pid}${r.addr ? ` from ${r.addr}` : ''}, since ${new Date(r.since).toISOString()})`;
  }

  private enqueue(write: QueuedWrite): void {
    if (this.closed) throw new Error(`audit log ${this.target.redacted} is closed`);
    this.queue.push(write);
    this.commits.queued();
    if (!this.scheduled && !this.writing) {
      this.scheduled = true;
      setImmediate(() => void this.writeQueued());
    }
  }

  /** The one writer: commits batches until the queue is empty; each batch settles the flushes it covers. */
  private async writeQueued(): Promise<void> {
    this.scheduled = false;
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await this.commitBatch(batch);
          this.commits.settled(batch.length);
        } catch (err) {
          // A failed batch is dropped as a whole (its transaction rolled back); the flushes waiting on it learn why.
          this.commits.settled(batch.length, err instanceof AuditDatabaseError ? err : new AuditDatabaseError(this.target.redacted, err));
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async commitBatch(batch: QueuedWrite[]): Promise<void> {
    const entries: unknown[][] = [];
    const changes: unknown[][] = [];
    const operations: OperationRow[] = [];
    for (const w of batch) {
      if (w.table === 'entry') entries.push(w.row);
      else if (w.table === 'change') changes.push(w.row);
      else {
        // Taken now: a save after this point queues the Operation again, for the next batch.
        const latest = this.pendingOperations.get(w.id);
        this.pendingOperations.delete(w.id);
        if (latest) operations.push(latest);
      }
    }
    await this.transaction(async (c) => {
      if (entries.length) await c.query(`INSERT INTO audit_entries ${ENTRY_COLUMNS} VALUES ${placeholders(entries)}`, entries.flat());
      if (changes.length) await c.query(`INSERT INTO resource_changes ${CHANGE_COLUMNS} VALUES ${placeholders(changes)}`, changes.flat());
      if (operations.length) {
        const rows = operations.map((o) => [o.id, o.createdAt, o.updatedAt, o.phase, o.executor, o.record]);
        await c.query(
          `INSERT INTO operations (id, created_at, updated_at, phase, executor, record) VALUES ${placeholders(rows)}
           ON CONFLICT (id) DO UPDATE SET updated_at = EXCLUDED.updated_at, phase = EXCLUDED.phase, record = EXCLUDED.record`,
          rows.flat(),
        );
      }
    });
  }


  /**
   * Folds the pending counts as one additive upsert, after any fold in flight. The counts leave memory when the
   * fold starts (counts arriving meanwhile start a new set) and are merged back if it fails.
   */
  private foldStats(): Promise<void> {
    const pending = this.stats.take();
    if (!pending) return this.folding;
    const run = this.folding.then(() => this.upsertStats(pending)).catch((err: unknown) => {
      this.mergeBack(pending);
      throw err instanceof AuditDatabaseError ? err : new AuditDatabaseError(this.target.redacted, err);
    });
    this.folding = run.catch(() => undefined);
    return run;
  }

  private async upsertStats(pending: PendingStatistics): Promise<void> {
    const rows = statisticRows(pending).map((s) => [s.operationName, s.transport, s.count, s.errors, s.totalMs, s.maxMs, s.lastAt]);
    await this.pool.query(
      `INSERT INTO request_statistics (operation_name, transport, count, errors, total_ms, max_ms, last_at) VALUES ${placeholders(rows)}
       ON CONFLICT (operation_name, transport) DO UPDATE SET count = request_statistics.count + EXCLUDED.count,
         errors = request_statistics.errors + EXCLUDED.errors, total_ms = request_statistics.total_ms + EXCLUDED.total_ms,
         max_ms = GREATEST(request_statistics.max_ms, EXCLUDED.max_ms), last_at = GREATEST(request_statistics.last_at, EXCLUDED.last_at)`,
      rows.flat(),
    );
  }

  /** Puts the counts of a failed fold back, adding to those counted since, and retries them within the interval. */
  private mergeBack(pending: PendingStatistics): void {
    if (this.closed) return;
    this.stats.restore(pending);
    this.stats.arm();
  }

  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (err) {
      throw new AuditDatabaseError(this.target.redacted, err);
    }
  }

  /**
   * A pooled connection for several statements. Why the listener: pg emits a lost connection as an 'error'
   * event on a checked-out client, which without a listener would crash the process; the statement in flight
   * fails with it anyway, and `release(err)` keeps a broken connection out of the pool.
   */
  private async checkout(): Promise<{ client: pg.PoolClient; release: (err?: Error) => void }> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new AuditDatabaseError(this.target.redacted, err);
    }
    let lost: Error | undefined;
    const onError = (err: Error) => (lost = err);
    client.on('error', onError);
    return {
      client,
      release: (err) => {
        client.removeListener('error', onError);
        client.release(err ?? lost);
      },
    };
  }

  private async transaction<T>(body: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const { client, release } = await this.checkout();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await body(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw new AuditDatabaseError(this.target.redacted, err);
    } finally {
      // A connection that could not even roll back is dropped rather than handed to the next caller.
      release(broken);
    }
  }
}

/** `($1, $2), ($3, $4)` for rows of equal length. */
function placeholders(rows: unknown[][]): string {
  let n = 0;
  return rows.map((r) => `(${r.map(() => `$${++n}`).join(', ')})`).join(', ');
}

/** The WHERE clause, bound arguments and clamped limit of an audit read, as AuditLog's RowFilter. */
class PgRowFilter {
  readonly args: unknown[] = [];
  private readonly clauses: string[] = [];
  private readonly limit: number;

  constructor(q: { since?: string | null; until?: string | null; limit?: number | null }) {
    if (q.since) this.push('at >=', q.since);
    if (q.until) this.push('at <', q.until);
    this.limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
  }

  eq(column: string, value: unknown): void {
    if (value !== undefined && value !== null) this.push(`${column} =`, typeof value === 'string' ? text(value) : value);
  }

  where(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }

  limitParam(): string {
    this.args.push(this.limit);
    return `$${this.args.length}`;
  }

  private push(clause: string, value: unknown): void {
    this.args.push(value);
    this.clauses.push(`${clause} $${this.args.length}`);
  }
}
