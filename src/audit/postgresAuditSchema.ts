/**
 * The audit tables in PostgreSQL (the same tables and columns as auditSchema.ts for SQLite) and the migrations
 * that make them, applied at open.
 *
 * Why numbered migrations rather than CREATE IF NOT EXISTS as for SQLite: several replicas share one
 * database and may run different versions during a rolling update; the applied versions are recorded in
 * `fleetgraph_schema_migrations`, and each migration runs once, inside one transaction holding an advisory
 * lock, so replicas starting together migrate once and a failed migration leaves nothing half done.
 *
 * Type choices, so that reads give the same JS values as SQLite: times stay ISO 8601 TEXT (compared as
 * strings by the filters, as in SQLite), `success` is BOOLEAN (SQLite's 0/1 is mapped to a boolean on read),
 * ids are BIGSERIAL and counters BIGINT (read as strings by `pg`, turned into numbers on read), and every TEXT
 * column uses the "C" collation: SQLite compares text byte by byte, so filters and orderings agree on both.
 * `user` is a reserved word in PostgreSQL, hence always quoted.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

export interface Migration {
  version: number;
  /** Statements run in the migration's transaction (several, separated by `;`). */
  sql: string;
}

/** In order; never edit an applied one: add the next. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE audit_entries (
        id BIGSERIAL PRIMARY KEY,
        at TEXT COLLATE "C" NOT NULL,
        "user" TEXT COLLATE "C" NOT NULL,
        action TEXT COLLATE "C" NOT NULL,
        target_kind TEXT COLLATE "C",
        target_name TEXT COLLATE "C",
        cluster TEXT COLLATE "C",
        namespace TEXT COLLATE "C",
        success BOOLEAN NOT NULL,
        error TEXT COLLATE "C",
        error_code TEXT COLLATE "C",
        request_id TEXT COLLATE "C",
        source_ip TEXT COLLATE "C",
        user_agent TEXT COLLATE "C",
        duration_ms BIGINT NOT NULL,
        operation_id TEXT COLLATE "C",
        arguments TEXT COLLATE "C"
      );
      CREATE INDEX audit_entries_user_at ON audit_entries ("user", at);
      CREATE INDEX audit_entries_cluster_at ON audit_entries (cluster, at);
      CREATE INDEX audit_entries_at ON audit_entries (at);
      CREATE TABLE resource_changes (
        id BIGSERIAL PRIMARY KEY,
        at TEXT COLLATE "C" NOT NULL,
        operation_id TEXT COLLATE "C",
        "user" TEXT COLLATE "C" NOT NULL,
        verb TEXT COLLATE "C" NOT NULL,
        cluster TEXT COLLATE "C" NOT NULL,
        kind TEXT COLLATE "C" NOT NULL,
        namespace TEXT COLLATE "C",
        name TEXT COLLATE "C" NOT NULL,
        before TEXT COLLATE "C",
        after TEXT COLLATE "C"
      );
      CREATE INDEX resource_changes_at ON resource_changes (at);
      CREATE INDEX resource_changes_op ON resource_changes (operation_id);
      CREATE TABLE request_statistics (
        operation_name TEXT COLLATE "C" NOT NULL,
        transport TEXT COLLATE "C" NOT NULL,
        count BIGINT NOT NULL,
        errors BIGINT NOT NULL,
        total_ms BIGINT NOT NULL,
        max_ms BIGINT NOT NULL,
        last_at TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (operation_name, transport)
      );
      CREATE TABLE operations (
        id TEXT COLLATE "C" PRIMARY KEY,
        created_at TEXT COLLATE "C" NOT NULL,
        updated_at TEXT COLLATE "C" NOT NULL,
        phase TEXT COLLATE "C" NOT NULL,
        executor TEXT COLLATE "C" NOT NULL,
        record TEXT COLLATE "C" NOT NULL
      );
      CREATE INDEX operations_created ON operations (created_at);
      CREATE TABLE idempotency_keys (
        scope TEXT COLLATE "C" NOT NULL,
        key TEXT COLLATE "C" NOT NULL,
        arguments_hash TEXT COLLATE "C" NOT NULL,
        operation_id TEXT COLLATE "C" NOT NULL,
        created_at TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (scope, key)
      );`,
  },
];

/** A 64-bit advisory lock key for a name (PostgreSQL advisory locks take a bigint). */
export function advisoryKey(name: string): bigint {
  return createHash('sha256').update(name).digest().readBigInt64BE(0);
}

/**
 * Creates the schema (when one is named) and applies the migrations not applied yet, in one transaction under
 * an advisory lock per schema: a second replica waits for the first, then finds everything applied. Returns
 * how many this call applied.
 */
export async function migrate(client: pg.PoolClient, schema: string | null, escapeIdentifier: (s: string) => string): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryKey(`fleetgraph-audit-migrations\u0000${schema ?? ''}`).toString()]);
    // Inside the lock: two replicas creating the schema at once would otherwise race on its name.
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${escapeIdentifier(schema)}`);
    await client.query('CREATE TABLE IF NOT EXISTS fleetgraph_schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM fleetgraph_schema_migrations')).rows.map((r) => r.version));
    let applied = 0;
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO fleetgraph_schema_migrations (version) VALUES ($1)', [m.version]);
      applied++;
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
