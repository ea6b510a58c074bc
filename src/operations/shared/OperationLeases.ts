/**
 * Who runs which shared Operation: one `coordination.k8s.io/v1` Lease per Operation, named like it, in the
 * Operations namespace of the control plane. The replica running an Operation holds its Lease and renews it
 * every third of the lease duration; the API server's optimistic concurrency (a replace carries the
 * resourceVersion read) makes every change of holder a compare-and-swap, so two replicas never both win.
 *
 * Expiry is judged as client-go's leader election judges it: by when this replica last SAW the Lease change
 * (holder or renewTime), on its own clock, never by comparing the holder's renewTime with local time, so
 * clock skew between nodes cannot make a live holder look dead. A replica that sees no change for a whole
 * lease duration may take the Lease; a holder whose renewal finds the Lease taken (409, or another holder)
 * is told at once (`onLost`) and must stop writing.
 */
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { keepAliveConfiguration } from '../../fleet/keepAliveConfiguration.js';
import { toWriteError } from '../ClusterWriter.js';
import { LEASE_LABEL } from './fleetOperationResource.js';

/** Annotation of a Lease freed at shutdown: the replica that handed it over. */
export const HANDED_OVER_BY = 'fleetgraph.io/handed-over-by';

export interface OperationLeasesOptions {
  /** The control plane's KubeConfig (the gateway's own identity). */
  kubeConfig: KubeConfig;
  /** Where the Leases are (the Operations namespace). */
  namespace: string;
  /** This replica's identity, written as `holderIdentity`. */
  holder: string;
  /** How long a Lease stays valid without renewal, s. @default 15 */
  leaseDurationSeconds?: number;
  /** A Lease this replica held was taken by another replica (`by`) or deleted (null): stop writing for it. */
  onLost?: (name: string, by: string | null) => void;
  /** Reports a renewal that failed for a reason other than losing the Lease (it is retried). @default none */
  onError?: (name: string, err: Error) => void;
}

/** What a replica observed of one Lease, and when (its own clock). */
interface Observation {
  key: string;
  sinceMs: number;
}

export class OperationLeases {
  private readonly api: CoordinationV1Api;
  private readonly durationMs: number;
  private readonly held = new Map<string, V1Lease>();
  private readonly observed = new Map<string, Observation>();
  private renewTimer: NodeJS.Timeout | undefined;
  private renewing = false;

  constructor(private readonly options: OperationLeasesOptions) {
    this.api = new CoordinationV1Api(keepAliveConfiguration(options.kubeConfig));
    this.durationMs = (options.leaseDurationSeconds ?? 15) * 1000;
  }

  get holder(): string {
    return this.options.holder;
  }

  get leaseDurationMs(): number {
    return this.durationMs;
  }

  /** Starts renewing the held Leases every third of the lease duration. */
  start(): void {
    this.renewTimer = setInterval(() => void this.renewAll(), Math.max(500, Math.floor(this.durationMs / 3)));
    this.renewTimer.unref();
  }

  stop(): void {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  /** Whether this replica holds the Lease of `name` (as far as it knows: a renewal may yet find it lost). */
  holds(name: string): boolean {
    return this.held.has(name);
  }

  /** Names of the Leases held. */
  heldNames(): string[] {
    return [...this.held.keys()];
  }

  /**
   * Creates the Lease of a new Operation, held by this replica. False when it exists already (another replica
   * created the same Operation first).
   * @throws UpstreamWriteError when the control plane refuses or cannot be reached
   */
  async create(name: string): Promise<boolean> {
    const now = new V1MicroTime();
    try {
      const lease = await this.api.createNamespacedLease({
        namespace: this.options.namespace,
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace: this.options.namespace, labels: { [LEASE_LABEL]: 'true' } },
          spec: { holderIdentity: this.options.holder, leaseDurationSeconds: this.durationMs / 1000, acquireTime: now, renewTime: now, leaseTransitions: 0 },
        },
      });
      this.held.set(name, lease);
      return true;
    } catch (err) {
      const e = toWriteError(err, `create Lease ${this.options.namespace}/${name}`);
      if (e.status === 409) return false;
      throw e;
    }
  }

  /** Every Operation Lease of the namespace, by name (one list call). */
  async list(): Promise<Map<string, V1Lease>> {
    try {
      const list = await this.api.listNamespacedLease({ namespace: this.options.namespace, labelSelector: `${LEASE_LABEL}=true` });
      return new Map(list.items.map((l) => [l.metadata!.name!, l]));
    } catch (err) {
      throw toWriteError(err, `list Leases in ${this.options.namespace}`);
    }
  }

  /**
   * Whether the Lease of `name` (`lease`: its current object, undefined when there is none) has not changed for
   * a whole lease duration since this replica first saw it as it is. Call it on every look: the first look at
   * a state starts its clock.
   */
  expired(name: string, lease: V1Lease | undefined, nowMs = Date.now()): boolean {
    const key = lease ? `${lease.spec?.holderIdentity ?? ''}|${String(lease.spec?.renewTime ?? '')}|${lease.metadata?.resourceVersion ?? ''}` : 'none';
    const seen = this.observed.get(name);
    if (!seen || seen.key !== key) {
      this.observed.set(name, { key, sinceMs: nowMs });
      return false;
    }
    const duration = lease?.spec?.leaseDurationSeconds ? lease.spec.leaseDurationSeconds * 1000 : this.durationMs;
    return nowMs - seen.sinceMs > duration;
  }

  /** Forgets what was observed of an Operation's Lease (the Operation is finished). */
  forget(name: string): void {
    this.observed.delete(name);
  }

  /**
   * Takes an expired Lease (or creates the missing one) for this replica. False when another replica changed
   * it first (the compare-and-swap failed).
   */
  async take(name: string, lease: V1Lease | undefined): Promise<boolean> {
    if (!lease) return this.create(name);
    const now = new V1MicroTime();
    try {
      const taken = await this.api.replaceNamespacedLease({
        name,
        namespace: this.options.namespace,
        body: {
          ...lease,
          metadata: { ...lease.metadata, annotations: withoutKey(lease.metadata?.annotations, HANDED_OVER_BY) },
          spec: {
            ...lease.spec,
            holderIdentity: this.options.holder,
            leaseDurationSeconds: this.durationMs / 1000,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + 1,
          },
        },
      });
      this.held.set(name, taken);
      this.observed.delete(name);
      return true;
    } catch (err) {
      const e = toWriteError(err, `take Lease ${this.options.namespace}/${name}`);
      if (e.status === 409 || e.status === 404) return false;
      throw e;
    }
  }

  /** Deletes a held Lease (its Operation is finished); a Lease changed or gone meanwhile is left alone. */
  async release(name: string): Promise<void> {
    const lease = this.held.get(name);
    this.held.delete(name);
    this.observed.delete(name);
    if (!lease) return;
    try {
      await this.api.deleteNamespacedLease({
        name,
        namespace: this.options.namespace,
        body: { preconditions: { resourceVersion: lease.metadata?.resourceVersion } },
      });
    } catch {
      // Changed (renewed by a late timer, taken) or already gone: nobody runs a finished Operation, so a
      // stale Lease only waits for the retention to delete it with its Operation.
    }
  }

  /** Gives up a held Lease without deleting it, so another replica takes it at once (shutdown hand-over). */
  async handOver(name: string): Promise<void> {
    const lease = this.held.get(name);
    this.held.delete(name);
    if (!lease) return;
    try {
      // A Lease with no holder is free: the next replica that looks takes it without waiting for expiry. The
      // annotation tells it from whom.
      const metadata = { ...lease.metadata, annotations: { ...(lease.metadata?.annotations ?? {}), [HANDED_OVER_BY]: this.options.holder } };
      await this.api.replaceNamespacedLease({ name, namespace: this.options.namespace, body: { ...lease, metadata, spec: { ...lease.spec, holderIdentity: undefined } } });
    } catch {
      // Changed meanwhile: whoever changed it holds it, or it expires.
    }
  }

  /** Renews every held Lease once; a Lease found taken or deleted is dropped and reported. */
  async renewAll(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      await Promise.all(this.heldNames().map((name) => this.renew(name)));
    } finally {
      this.renewing = false;
    }
  }

  private async renew(name: string): Promise<void> {
    const lease = this.held.get(name);
    if (!lease) return;
    try {
      const renewed = await this.api.replaceNamespacedLease({
        name,
        namespace: this.options.namespace,
        body: { ...lease, spec: { ...lease.spec, renewTime: new V1MicroTime() } },
      });
      // Released while the renewal was in flight: stays released.
      if (this.held.has(name)) this.held.set(name, renewed);
    } catch (err) {
      const e = toWriteError(err, `renew Lease ${this.options.namespace}/${name}`);
      if (e.status !== 409 && e.status !== 404) {
        this.options.onError?.(name, e);
        return;
      }
      if (!this.held.has(name)) return;
      let by: string | null = null;
      if (e.status === 409) {
        try {
          const now = await this.api.readNamespacedLease({ name, namespace: this.options.namespace });
          if (now.spec?.holderIdentity === this.options.holder) {
            // Our own write raced with this one (a renewal after a take): keep the newer object.
            this.held.set(name, now);
            return;
          }
          by = now.spec?.holderIdentity ?? null;
        } catch {
          // Unknown new holder.
        }
      }
      this.held.delete(name);
      this.options.onLost?.(name, by);
    }
  }
}

function withoutKey(map: Record<string, string> | undefined, key: string): Record<string, string> | undefined {
  if (!map || !(key in map)) return map;
  const { [key]: _dropped, ...rest } = map;
  return rest;
}
