/**
 * The informers of one cluster: one KindInformer per watched kind that the cluster serves, started once
 * discovery has answered (kinds not served are recorded, never listed; a later discovery that finds them
 * served starts them). Informer failures and successes
 * feed the connection's health; when the connection recovers, failing informers retry at once instead of
 * waiting out their backoff, and the others re-open their watches (a stream that outlived an outage may sit
 * on a dead connection).
 *
 * Kinds read in fetch mode have no informer, so nothing would ever tell a subscriber they changed. While someone
 * subscribes to one, `watchOnDemand` runs an informer for it; its changes reach the same `onChange`, but it is
 * no part of reads (fetch-mode reads stay as configured) nor of readiness (a subscriber must not make /readyz
 * wait), and `unwatchOnDemand` stops it when the last subscriber has left.
 */
import type { ClusterConnection } from '../fleet/ClusterConnection.js';
import { servesKind } from '../fleet/discoverApis.js';
import type { FleetSignals } from '../fleet/FleetSignals.js';
import type { KindDescriptor, KindName } from '../fleet/kinds.js';
import type { ClusterError, KindSyncState, ServedApis } from '../fleet/types.js';
import { KindInformer, type BackoffOptions } from './KindInformer.js';
import type { ChangeEvent } from './types.js';

export interface ClusterCacheOptions {
  connection: ClusterConnection;
  /** Kinds to watch on this cluster (already filtered by side and read mode). */
  kinds: readonly KindDescriptor[];
  onChange: (event: ChangeEvent) => void;
  /** Told each informer state change (for logs). @default none */
  onInformerState?: (kind: KindName, state: KindSyncState, error: ClusterError | null) => void;
  backoff?: BackoffOptions;
  /** Told each watch re-opened and each relist of this cluster's informers. @default none */
  signals?: FleetSignals;
}

export class ClusterCache {
  readonly connection: ClusterConnection;
  private readonly options: ClusterCacheOptions;
  private readonly informers = new Map<KindName, KindInformer>();
  private readonly unserved = new Set<KindName>();
  /** Kinds watched only while subscribed to, with their informer once the cluster serves them. */
  private readonly onDemand = new Map<KindName, { kind: KindDescriptor; informer?: KindInformer }>();
  private stopped = false;

  constructor(options: ClusterCacheOptions) {
    this.options = options;
    this.connection = options.connection;
  }

  start(): void {
    this.connection.onDiscovered((apis) => this.reconcileKinds(apis));
    this.connection.onApisChanged((apis) => this.reconcileKinds(apis));
    this.connection.onRecovered(() => {
      for (const informer of [...this.informers.values(), ...this.onDemandInformers()]) {
        if (informer.state === 'failed') informer.retryNow();
        else informer.restartWatch();
      }
    });
  }

  /**
   * Starts an informer for each configured kind the cluster serves and that has none yet, and stops the
   * informers of kinds it no longer serves (a CRD removed), which are then reported, not retried.
   */
  private reconcileKinds(apis: ServedApis): void {
    if (this.stopped) return;
    for (const kind of this.options.kinds) {
      const existing = this.informers.get(kind.name);
      if (!servesKind(apis, kind)) {
        this.unserved.add(kind.name);
        if (existing) {
          this.informers.delete(kind.name);
          void existing.stop();
        }
        continue;
      }
      if (existing) continue;
      this.unserved.delete(kind.name);
      const informer = new KindInformer({
        client: this.connection.client,
        kind,
        cluster: this.connection.name,
        onChange: this.options.onChange,
        onState: (state, error) => {
          this.onInformerState(state, error);
          this.options.onInformerState?.(kind.name, state, error);
        },
        ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
        ...(this.options.signals ? { signals: this.options.signals } : {}),
      });
      this.informers.set(kind.name, informer);
      informer.start();
    }
    this.reconcileOnDemand(apis);
  }

  /** Runs an informer for `kind` (once the cluster is discovered and serves it) until `unwatchOnDemand`. */
  watchOnDemand(kind: KindDescriptor): void {
    if (this.stopped || this.onDemand.has(kind.name) || this.options.kinds.some((k) => k.name === kind.name)) return;
    this.onDemand.set(kind.name, { kind });
    if (this.connection.apis) this.reconcileOnDemand(this.connection.apis);
  }

  /** Stops the on-demand informer of `kind`. */
  unwatchOnDemand(kind: KindName): void {
    const entry = this.onDemand.get(kind);
    if (!entry) return;
    this.onDemand.delete(kind);
    void entry.informer?.stop();
  }

  private reconcileOnDemand(apis: ServedApis): void {
    if (this.stopped) return;
    for (const entry of this.onDemand.values()) {
      if (!servesKind(apis, entry.kind)) {
        void entry.informer?.stop();
        delete entry.informer;
        continue;
      }
      if (entry.informer) continue;
      entry.informer = new KindInformer({
        client: this.connection.client,
        kind: entry.kind,
        cluster: this.connection.name,
        onChange: this.options.onChange,
        // Failures are retried with backoff by the informer; only the configured kinds move the member's health.
        onState: (state, error) => this.options.onInformerState?.(entry.kind.name, state, error),
        ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
        ...(this.options.signals ? { signals: this.options.signals } : {}),
      });
      entry.informer.start();
    }
  }

  private onDemandInformers(): KindInformer[] {
    return [...this.onDemand.values()].flatMap((e) => (e.informer ? [e.informer] : []));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.informers.values(), ...this.onDemandInformers()].map((i) => i.stop()));
  }

  informer(kind: KindName): KindInformer | undefined {
    return this.informers.get(kind);
  }

  /** Whether `kind` is watched here (configured) but the cluster does not serve it. */
  isUnserved(kind: KindName): boolean {
    return this.unserved.has(kind);
  }

  get notServed(): KindName[] {
    return [...this.unserved];
  }

  /** Objects held per informer (configured and on-demand kinds), for the cached-objects gauge. */
  cachedCounts(): Array<[KindName, number]> {
    const out: Array<[KindName, number]> = [];
    for (const [k, i] of this.informers) out.push([k, i.size]);
    for (const [k, e] of this.onDemand) if (e.informer) out.push([k, e.informer.size]);
    return out;
  }

  kindStates(): Partial<Record<KindName, KindSyncState>> {
    const out: Partial<Record<KindName, KindSyncState>> = {};
    for (const k of this.unserved) out[k] = 'not-served';
    for (const [k, i] of this.informers) out[k] = i.state;
    for (const [k, e] of this.onDemand) if (e.informer) out[k] = e.informer.state;
    return out;
  }

  /** Every informer listed at least once and is watching. */
  get synced(): boolean {
    if (!this.connection.apis) return false;
    return [...this.informers.values()].every((i) => i.state === 'synced');
  }

  /**
   * Resolves once this cluster's first discovery attempt failed, or every informer listed or failed:
   * readiness never waits for a down member.
   */
  async settled(): Promise<void> {
    await this.connection.firstAttempt();
    if (!this.connection.apis || this.stopped) return;
    await Promise.all([...this.informers.values()].map((i) => i.settled()));
  }

  /** The error of the first informer currently failing, if any. */
  firstFailure(): ClusterError | null {
    for (const i of this.informers.values()) if (i.state === 'failed' && i.lastError) return i.lastError;
    return null;
  }

  /** Whether settled() would resolve now. */
  get isSettled(): boolean {
    if (this.stopped) return true;
    if (!this.connection.apis) return this.connection.availabilityError() !== null;
    return [...this.informers.values()].every((i) => i.listed || i.state === 'failed');
  }

  private onInformerState(state: KindSyncState, error: ClusterError | null): void {
    if (state === 'failed' && error) this.connection.noteFailure(error);
    else if (state === 'synced') this.connection.noteSuccess();
  }
}
