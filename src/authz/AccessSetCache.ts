/**
 * Access sets memoised per (cluster, user, groups), bounded (least recently used dropped first). An entry
 * built from an older generation of its cluster's snapshot is rebuilt on its next use, so an RBAC change
 * takes effect on the very next check after its event, with no timer and no scan of the entries.
 */
import { AccessSet } from './AccessSet.js';
import type { RbacSnapshot } from './RbacSnapshot.js';
import type { Subject } from './types.js';

export interface AccessSetCacheOptions {
  /** Access sets kept across every cluster. @default 10000 */
  maxEntries?: number;
}

export class AccessSetCache {
  private readonly entries = new Map<string, AccessSet>();
  private readonly maxEntries: number;
  /** Built (first time or rebuilt after a change), for tests and /metrics. */
  builds = 0;

  constructor(options: AccessSetCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  get size(): number {
    return this.entries.size;
  }

  get(snapshot: RbacSnapshot, caller: Subject): AccessSet {
    // Groups sorted: the same caller's groups may come in any order from a token or an OIDC claim.
    const key = `${snapshot.cluster}\0${caller.user}\0${[...caller.groups].sort().join('\0')}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      if (hit.generation === snapshot.generation) {
        this.entries.set(key, hit);
        return hit;
      }
    }
    const built = new AccessSet(snapshot, caller);
    this.builds++;
    this.entries.set(key, built);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return built;
  }

  /** Forgets a cluster's sets (it left the fleet). */
  dropCluster(cluster: string): void {
    const prefix = `${cluster}\0`;
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
