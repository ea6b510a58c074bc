/**
 * Picks the store backend from the `--store` option: `memory` (default) or `sqlite:<path>` (one
 * file holding every simulated cluster's objects, each cluster with its own resourceVersion counter).
 */
import type { Store } from './Store.js';
import { MemoryStore } from './MemoryStore.js';
import { SqliteDatabase } from './SqliteStore.js';

export interface StoreFactory {
  /** The store of one cluster (`karmada` for the control plane, else the member name). */
  storeFor(cluster: string): Store;
  /** Closes what the factory opened (the database file). */
  close(): void;
}

export function openStore(spec: string): StoreFactory {
  if (spec === 'memory') return { storeFor: () => new MemoryStore(), close: () => {} };
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    if (!path) throw new Error('--store sqlite:<path> needs a file path');
    const db = new SqliteDatabase(path);
    return { storeFor: (cluster) => db.storeFor(cluster), close: () => db.close() };
  }
  throw new Error(`unknown store "${spec}" (expected "memory" or "sqlite:<path>")`);
}
