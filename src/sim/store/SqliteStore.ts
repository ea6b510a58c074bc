/**
 * The persistent Store (seed 003's pluggable storage): better-sqlite3 in WAL mode, one database file
 * for a whole simulated fleet, each cluster with its own rows and its own resourceVersion counter.
 * Objects are stored as JSON text and parsed on read, so memory stays flat however many objects the
 * fleet holds (the bench scenarios keep 300,000 pods). A simulator restarted on the same file finds
 * the same objects and keeps counting resourceVersions from where it stopped. Watch history is kept
 * in memory and starts at start-up, as documented for the simulator.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { StoreError } from './Store.js';
import type { KubeObject, Store, StoreEvent } from './Store.js';
import { WatchHistory } from './WatchHistory.js';

export interface SqliteStoreOptions {
  /**
   * How many past changes are kept (in memory) for watch replay.
   * @default 20000
   */
  historySize?: number;
}

/** One open database file shared by the stores of a fleet's clusters. */
export class SqliteDatabase {
  readonly db: Db;
  private readonly stores = new Set<SqliteStore>();

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // The simulator can afford to lose the last transactions on a power cut, not its speed.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS objects (
        cluster TEXT NOT NULL,
        resource TEXT NOT NULL,
        key TEXT NOT NULL,
        namespace TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (cluster, resource, key)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS objects_by_namespace ON objects (cluster, resource, namespace, key);
      CREATE TABLE IF NOT EXISTS clusters (
        cluster TEXT PRIMARY KEY,
        resource_version INTEGER NOT NULL
      );
    `);
  }

  storeFor(cluster: string, options: SqliteStoreOptions = {}): SqliteStore {
    const s = new SqliteStore(this, cluster, options);
    this.stores.add(s);
    return s;
  }

  close(): void {
    for (const s of this.stores) s.close();
    this.stores.clear();
    if (this.db.open) this.db.close();
  }
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class SqliteStore implements Store {
  private rv: number;
  private readonly history: WatchHistory;
  private readonly q: {
    get: Statement<[string, string, string], { body: string }>;
    listAll: Statement<[string, string], { body: string }>;
    listNs: Statement<[string, string, string], { body: string }>;
    insert: Statement<[string, string, string, string, string]>;
    update: Statement<[string, string, string, string]>;
    remove: Statement<[string, string, string]>;
    setRv: Statement<[string, number]>;
  };

  constructor(
    private readonly database: SqliteDatabase,
    private readonly cluster: string,
    options: SqliteStoreOptions = {},
  ) {
    const db = database.db;
    const row = db.prepare<[string], { resource_version: number }>('SELECT resource_version FROM clusters WHERE cluster = ?').get(cluster);
    this.rv = row?.resource_version ?? 1;
    this.history = new WatchHistory(this.rv, { size: options.historySize ?? 20_000 });
    this.q = {
      get: db.prepare('SELECT body FROM objects WHERE cluster = ? AND resource = ? AND key = ?'),
      listAll: db.prepare('SELECT body FROM objects WHERE cluster = ? AND resource = ? ORDER BY key'),
      listNs: db.prepare('SELECT body FROM objects WHERE cluster = ? AND resource = ? AND namespace = ? ORDER BY key'),
      insert: db.prepare('INSERT INTO objects (cluster, resource, key, namespace, body) VALUES (?, ?, ?, ?, ?)'),
      update: db.prepare('UPDATE objects SET body = ? WHERE cluster = ? AND resource = ? AND key = ?'),
      remove: db.prepare('DELETE FROM objects WHERE cluster = ? AND resource = ? AND key = ?'),
      setRv: db.prepare('INSERT INTO clusters (cluster, resource_version) VALUES (?, ?) ON CONFLICT(cluster) DO UPDATE SET resource_version = excluded.resource_version'),
    };
  }

  currentResourceVersion(): number {
    return this.rv;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const row = this.q.get.get(this.cluster, resource, objectKey(namespace, name));
    return row ? (JSON.parse(row.body) as KubeObject) : undefined;
  }

  list(resource: string, namespace?: string): KubeObject[] {
    const rows = namespace === undefined ? this.q.listAll.all(this.cluster, resource) : this.q.listNs.all(this.cluster, resource, namespace);
    return rows.map((r) => JSON.parse(r.body) as KubeObject);
  }

  create(resource: string, object: KubeObject): KubeObject {
    const meta = object.metadata;
    if (!meta?.name) throw new StoreError('NotFound', 'object has no name');
    const key = objectKey(meta.namespace, meta.name);
    if (this.q.get.get(this.cluster, resource, key)) throw new StoreError('AlreadyExists', `${resource} "${meta.name}" already exists`);
    const rv = this.rv + 1;
    const stored: KubeObject = {
      ...object,
      metadata: {
        ...meta,
        uid: meta.uid ?? randomUUID(),
        resourceVersion: String(rv),
        creationTimestamp: meta.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    };
    this.write(() => this.q.insert.run(this.cluster, resource, key, meta.namespace ?? '', JSON.stringify(stored)), rv);
    this.history.record({ type: 'ADDED', resource, object: stored, resourceVersion: rv });
    return stored;
  }

  update(resource: string, object: KubeObject): KubeObject {
    const meta = object.metadata;
    const key = objectKey(meta.namespace, meta.name ?? '');
    const current = this.get(resource, meta.namespace, meta.name ?? '');
    if (!current) throw new StoreError('NotFound', `${resource} "${meta.name}" not found`);
    if (meta.resourceVersion && meta.resourceVersion !== current.metadata.resourceVersion) {
      throw new StoreError('Conflict', `${resource} "${meta.name}": the object has been modified`);
    }
    const rv = this.rv + 1;
    const stored: KubeObject = { ...object, metadata: { ...meta, resourceVersion: String(rv) } };
    this.write(() => this.q.update.run(JSON.stringify(stored), this.cluster, resource, key), rv);
    this.history.record({ type: 'MODIFIED', resource, object: stored, resourceVersion: rv });
    return stored;
  }

  delete(resource: string, namespace: string | undefined, name: string): KubeObject {
    const current = this.get(resource, namespace, name);
    if (!current) throw new StoreError('NotFound', `${resource} "${name}" not found`);
    const rv = this.rv + 1;
    this.write(() => this.q.remove.run(this.cluster, resource, objectKey(namespace, name)), rv);
    const gone: KubeObject = { ...current, metadata: { ...current.metadata, resourceVersion: String(rv) } };
    this.history.record({ type: 'DELETED', resource, object: gone, resourceVersion: rv });
    return gone;
  }

  watch(resource: string, namespace: string | undefined, fromResourceVersion: number, listener: (event: StoreEvent) => void): () => void {
    return this.history.watch(resource, namespace, fromResourceVersion, listener);
  }

  compact(): void {
    this.history.compact(this.rv);
  }

  close(): void {
    this.history.close();
  }

  /** The row change and the new resourceVersion commit together. */
  private write(change: () => void, rv: number): void {
    this.database.db.transaction(() => {
      change();
      this.q.setRv.run(this.cluster, rv);
    })();
    this.rv = rv;
  }
}
