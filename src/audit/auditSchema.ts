/**
 * Tables of the audit database (seed 000 §5: user operations, resource changes, request statistics) plus the
 * gateway's Operations, so that `operation(id)` answers after a restart. Created idempotently at open.
 */
import type Database from 'better-sqlite3';

/** Request statistics per (operation name, transport): `HTTP` (the Apollo plugin) or `WEBSOCKET` (graphql-ws). */
const REQUEST_STATISTICS = `CREATE TABLE IF NOT EXISTS request_statistics (
     operation_name TEXT NOT NULL,
     transport TEXT NOT NULL,
     count INTEGER NOT NULL,
     errors INTEGER NOT NULL,
     total_ms INTEGER NOT NULL,
     max_ms INTEGER NOT NULL,
     last_at TEXT NOT NULL,
     PRIMARY KEY (operation_name, transport)
   )`;

const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS audit_entries (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     user TEXT NOT NULL,
     action TEXT NOT NULL,
     target_kind TEXT,
     target_name TEXT,
     cluster TEXT,
     namespace TEXT,
     success INTEGER NOT NULL,
     error TEXT,
     error_code TEXT,
     request_id TEXT,
     source_ip TEXT,
     user_agent TEXT,
     duration_ms INTEGER NOT NULL,
     operation_id TEXT,
     arguments TEXT
   )`,
  'CREATE INDEX IF NOT EXISTS audit_entries_user_at ON audit_entries (user, at)',
  'CREATE INDEX IF NOT EXISTS audit_entries_cluster_at ON audit_entries (cluster, at)',
  'CREATE INDEX IF NOT EXISTS audit_entries_at ON audit_entries (at)',
  `CREATE TABLE IF NOT EXISTS resource_changes (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     operation_id TEXT,
     user TEXT NOT NULL,
     verb TEXT NOT NULL,
     cluster TEXT NOT NULL,
     kind TEXT NOT NULL,
     namespace TEXT,
     name TEXT NOT NULL,
     before TEXT,
     after TEXT
   )`,
  'CREATE INDEX IF NOT EXISTS resource_changes_at ON resource_changes (at)',
  'CREATE INDEX IF NOT EXISTS resource_changes_op ON resource_changes (operation_id)',
  REQUEST_STATISTICS,
  `CREATE TABLE IF NOT EXISTS operations (
     id TEXT PRIMARY KEY,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     phase TEXT NOT NULL,
     executor TEXT NOT NULL,
     record TEXT NOT NULL
   )`,
  'CREATE INDEX IF NOT EXISTS operations_created ON operations (created_at)',
  `CREATE TABLE IF NOT EXISTS idempotency_keys (
     scope TEXT NOT NULL,
     key TEXT NOT NULL,
     arguments_hash TEXT NOT NULL,
     operation_id TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (scope, key)
   )`,
];

export function createAuditSchema(db: Database.Database): void {
  db.transaction(() => {
    for (const sql of STATEMENTS) db.prepare(sql).run();
    migrateRequestStatistics(db);
  })();
}

/**
 * Databases written before the transport was recorded have `request_statistics` keyed by operation name
 * alone (the CREATE above left that table as it was). SQLite cannot change a primary key in place, so the
 * table is rebuilt keyed by (operation name, transport), its rows kept as `HTTP`: only the HTTP plugin
 * counted requests then. Runs inside createAuditSchema's transaction, so a crash leaves the old table whole.
 */
function migrateRequestStatistics(db: Database.Database): void {
  const columns = db.prepare('PRAGMA table_info(request_statistics)').all() as Array<{ name: string }>;
  if (columns.some((c) => c.name === 'transport')) return;
  db.prepare('ALTER TABLE request_statistics RENAME TO request_statistics_untransported').run();
  db.prepare(REQUEST_STATISTICS).run();
  db.prepare(
    `INSERT INTO request_statistics (operation_name, transport, count, errors, total_ms, max_ms, last_at)
     SELECT operation_name, 'HTTP', count, errors, total_ms, max_ms, last_at FROM request_statistics_untransported`,
  ).run();
  db.prepare('DROP TABLE request_statistics_untransported').run();
}
