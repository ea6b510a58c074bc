/**
 * Opens the audit store `--audit-db` names: a PostgreSQL database for a `postgres://` or `postgresql://` URL
 * (connected and migrated before this resolves), else a SQLite file, `:memory:` by default (the embedded
 * default: nothing to run beside the gateway).
 *
 * A store that cannot be opened rejects with one line naming the file or URL (never the password) and the
 * flag, which `fleetgraph serve` prints as its start-up error.
 */
import { AuditLog } from './AuditLog.js';
import type { AuditStore } from './AuditStore.js';
import { PostgresAuditLog } from './PostgresAuditLog.js';
import { isPostgresUrl, redactPostgresUrl } from './postgresUrl.js';

export interface AuditStoreOptions {
  /** Errors no caller waits for (PostgreSQL: an idle pooled connection lost). @default ignored */
  onError?: (err: Error) => void;
  /** Most queued writes committed in one transaction. @default 500 */
  maxBatch?: number;
  /** Longest time request statistics stay in memory before they are folded. @default 500 */
  statisticsFlushMs?: number;
  /** PostgreSQL: connections in the pool. @default 4 */
  poolSize?: number;
  /** PostgreSQL: longest wait for a connection. @default 5000 */
  connectTimeoutMs?: number;
}

/** Whether `target` (the `--audit-db` value) names a PostgreSQL database. */
export { isPostgresUrl };

export async function createAuditStore(target: string, options: AuditStoreOptions = {}): Promise<AuditStore> {
  const common = {
    ...(options.maxBatch !== undefined ? { maxBatch: options.maxBatch } : {}),
    ...(options.statisticsFlushMs !== undefined ? { statisticsFlushMs: options.statisticsFlushMs } : {}),
  };
  if (isPostgresUrl(target)) {
    try {
      return await PostgresAuditLog.open({
        url: target,
        ...common,
        ...(options.onError ? { onError: options.onError } : {}),
        ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
        ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      });
    } catch (err) {
      // Its message names the database already (PostgresAuditLog errors do); the first line is enough.
      const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
      throw new Error(message.startsWith('audit database') ? `${message} (--audit-db)` : `audit database ${redactPostgresUrl(target)}: ${message} (--audit-db)`);
    }
  }
  try {
    return new AuditLog({ path: target, ...common });
  } catch (err) {
    throw new Error(`audit database ${target}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)} (--audit-db)`);
  }
}
