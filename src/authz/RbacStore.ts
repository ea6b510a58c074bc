/**
 * The gateway's RBAC knowledge of the whole fleet: one RbacSnapshot per cluster (the control plane and each
 * member), how far each is known, and the memoised access sets. The authorizer asks `accessSet(cluster,
 * caller)`: undefined means "not decidable here" (RBAC not listed yet, or not readable with the gateway's
 * identity) and the caller falls back to a SubjectAccessReview of that cluster.
 */
import { AccessSetCache, type AccessSetCacheOptions } from './AccessSetCache.js';
import type { AccessSet } from './AccessSet.js';
import { RbacSnapshot } from './RbacSnapshot.js';
import type { Subject } from './types.js';

/**
 * - `syncing`: the RBAC kinds are being listed;
 * - `local`: all four are listed and watched: decisions are made here;
 * - `review`: the gateway may not read this cluster's RBAC (403 on a list or watch), or `--authz sar`:
 *   every decision is a SubjectAccessReview.
 */
export type ClusterAuthzMode = 'syncing' | 'local' | 'review';

export class RbacStore {
  private readonly snapshots = new Map<string, RbacSnapshot>();
  private readonly modes = new Map<string, ClusterAuthzMode>();
  private readonly listeners = new Set<(cluster: string) => void>();
  readonly accessSets: AccessSetCache;

  constructor(options: AccessSetCacheOptions = {}) {
    this.accessSets = new AccessSetCache(options);
  }

  /** The cluster's snapshot, created empty on first use. */
  snapshot(cluster: string): RbacSnapshot {
    let s = this.snapshots.get(cluster);
    if (!s) {
      s = new RbacSnapshot(cluster);
      this.snapshots.set(cluster, s);
      s.onChange(() => this.emit(cluster));
      if (!this.modes.has(cluster)) this.modes.set(cluster, 'syncing');
    }
    return s;
  }

  clusters(): string[] {
    return [...this.snapshots.keys()];
  }

  mode(cluster: string): ClusterAuthzMode {
    return this.modes.get(cluster) ?? 'syncing';
  }

  setMode(cluster: string, mode: ClusterAuthzMode): void {
    this.snapshot(cluster);
    if (this.modes.get(cluster) === mode) return;
    this.modes.set(cluster, mode);
    this.emit(cluster);
  }

  /**
   * Called when what callers may do in `cluster` may have changed (an RBAC object changed, or the cluster's
   * mode): the subscription router re-checks its subscribers of that cluster then (RESYNC to those who lost
   * or gained access).
   */
  onChange(listener: (cluster: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(cluster: string): void {
    for (const l of this.listeners) l(cluster);
  }

  /** The caller's access set in `cluster`, or undefined when that cluster's RBAC is not known here. */
  accessSet(cluster: string, caller: Subject): AccessSet | undefined {
    if (this.modes.get(cluster) !== 'local') return undefined;
    return this.accessSets.get(this.snapshot(cluster), caller);
  }

  /** A cluster left the fleet. */
  drop(cluster: string): void {
    this.snapshots.delete(cluster);
    this.modes.delete(cluster);
    this.accessSets.dropCluster(cluster);
  }
}
