/**
 * One cluster as the gateway sees it: its client, what it serves (discovery, retried until it succeeds), and
 * its health — its one circuit breaker (MemberBreaker): open since when, last error — kept current by a light
 * periodic probe (GET /api, the breaker's trial call) and by the failures and successes that informers and
 * fetches report. Only member failures (transport, 5xx, timeouts) count; a request's own 4xx never does. A member that stops answering is
 * noticed within one probe interval even when its open watch streams stay silent.
 */
import type { ClusterClient } from './ClusterClient.js';
import { discoverApis } from './discoverApis.js';
import { MemberBreaker } from './MemberBreaker.js';
import type { ClusterError, ServedApis } from './types.js';
import { API_NOT_SERVED, clusterError, toClusterError } from './UpstreamError.js';

export interface ClusterConnectionOptions {
  client: ClusterClient;
  middlewareGroup: string;
  /** Probe period, ms. @default 10000 */
  healthIntervalMs?: number;
  /** Timeout of one probe, ms (the per-call timeout). @default 30000 */
  probeTimeoutMs?: number;
  /**
   * How often a probe re-runs discovery instead of GET /api, so that APIs installed later (middleware CRDs,
   * a metrics server) are picked up. @default 300000 (5 min)
   */
  rediscoveryIntervalMs?: number;
  /**
   * The cluster is a member reached through the Karmada cluster proxy: a 404 on discovery then means the
   * control plane has no proxy for it (an older Karmada serving Cluster as a plain CRD), reported as
   * API_NOT_SERVED rather than as a missing object. @default false
   */
  viaProxy?: boolean;
}

export class ClusterConnection {
  readonly client: ClusterClient;
  readonly name: string;
  private readonly options: ClusterConnectionOptions;
  private served: ServedApis | undefined;
  private discoveryAttempted = false;
  private discoveryError: ClusterError | null = null;
  /** The read gate: the one breaker of this cluster. */
  readonly breaker: MemberBreaker;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private probing = false;
  private slowProbes = 0;
  private readonly discoveredListeners: Array<(apis: ServedApis) => void> = [];
  private readonly apisChangedListeners: Array<(apis: ServedApis) => void> = [];
  private discoveredAt = 0;
  private attemptWaiters: Array<() => void> = [];

  constructor(options: ClusterConnectionOptions) {
    this.options = options;
    this.client = options.client;
    this.name = options.client.name;
    this.breaker = new MemberBreaker();
  }

  /** Discovers once now, then probes every interval (rediscovering until discovery has succeeded). */
  start(): void {
    void this.probe();
    this.timer = setInterval(() => void this.probe(), this.options.healthIntervalMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.client.close();
    this.releaseWaiters();
  }

  get apis(): ServedApis | undefined {
    return this.served;
  }

  /** Resolves after the first discovery attempt, successful or not. */
  firstAttempt(): Promise<void> {
    if (this.discoveryAttempted || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.attemptWaiters.push(resolve));
  }

  /** Called once, when discovery succeeds (immediately if it already has). */
  onDiscovered(listener: (apis: ServedApis) => void): void {
    if (this.served) listener(this.served);
    else this.discoveredListeners.push(listener);
  }

  /** Called when a later discovery finds a different set of group/versions. */
  onApisChanged(listener: (apis: ServedApis) => void): void {
    this.apisChangedListeners.push(listener);
  }

  /** Called each time the cluster becomes reachable again after an outage. */
  onRecovered(listener: () => void): void {
    this.breaker.onClosed(listener);
  }

  /**
   * The read gate: the error every read of this cluster answers while its breaker is open (or before its
   * first discovery succeeded, that discovery's error), else null.
   */
  availabilityError(): ClusterError | null {
    const open = this.breaker.gateError;
    if (open) return open;
    if (!this.served && this.discoveryError) return this.discoveryError;
    return null;
  }

  get unreachableSince(): string | null {
    return this.breaker.openSince;
  }

  get lastError(): ClusterError | null {
    return this.breaker.lastError;
  }

  /**
   * Reports a failed upstream call. Only member failures (transport, 5xx, timeouts) reach the breaker; a
   * request's own 4xx, a 404 or a 429 is ignored here. Returns whether it counted.
   */
  noteFailure(error: ClusterError): boolean {
    return this.breaker.recordFailure(error);
  }

  /** Reports a successful upstream call: the cluster is reachable. */
  noteSuccess(): void {
    this.breaker.recordSuccess();
  }

  private async probe(): Promise<void> {
    if (this.probing || this.stopped) return;
    this.probing = true;
    try {
      if (!this.served) {
        const apis = await discoverApis(this.client, this.options.middlewareGroup);
        if (this.stopped) return;
        this.served = apis;
        this.discoveredAt = Date.now();
        this.discoveryError = null;
        this.noteSuccess();
        for (const l of this.discoveredListeners.splice(0)) l(apis);
      } else if (Date.now() - this.discoveredAt >= (this.options.rediscoveryIntervalMs ?? 300_000)) {
        const apis = await discoverApis(this.client, this.options.middlewareGroup);
        if (this.stopped) return;
        this.discoveredAt = Date.now();
        this.slowProbes = 0;
        this.noteSuccess();
        const before = [...this.served.groupVersions].sort().join(',');
        this.served = apis;
        if ([...apis.groupVersions].sort().join(',') !== before) for (const l of this.apisChangedListeners) l(apis);
      } else {
        await this.client.getJson('/api', {}, 'probe', this.options.probeTimeoutMs ?? 30_000);
        this.slowProbes = 0;
        this.noteSuccess();
      }
    } catch (err) {
      let error = toClusterError(this.name, err);
      if (!this.served && this.options.viaProxy && error.code === 'NOT_FOUND') {
        error = clusterError(this.name, API_NOT_SERVED, `the Karmada control plane does not serve the cluster proxy for this member (reach it with --member ${this.name}=<context>)`);
      }
      if (!this.served) this.discoveryError = error;
      // A refused or 503 answer is definitive; one slow probe on a busy machine is not: a timeout marks the
      // cluster down only when the next probe times out too.
      if (!(this.served && error.code === 'UPSTREAM_TIMEOUT' && ++this.slowProbes < 2)) this.noteFailure(error);
    } finally {
      this.probing = false;
      if (!this.discoveryAttempted) {
        this.discoveryAttempted = true;
        this.releaseWaiters();
      }
    }
  }

  private releaseWaiters(): void {
    for (const w of this.attemptWaiters.splice(0)) w();
  }
}
