/**
 * Every successful pod eviction the simulator answered (201 from the `eviction` subresource), in order, so
 * that a test can check what a drain did — e.g. "every pod evicted exactly once", even when two gateway
 * replicas shared the drain. Read and reset through the admin API (`/_sim/evictions`).
 */
import type { KubeObject } from '../store/Store.js';

export interface EvictionRecord {
  /** The member's name (`karmada` for the control plane). */
  cluster: string;
  namespace: string;
  name: string;
  uid: string;
  /** RFC 3339 with milliseconds: when the eviction was answered. */
  at: string;
}

export class EvictionLog {
  private records: EvictionRecord[] = [];

  /**
   * Bound of the kept records (the oldest go first), so that a long-running simulator with churn and
   * drains does not grow without end.
   */
  constructor(private readonly limit = 100_000) {}

  record(cluster: string, pod: KubeObject): void {
    this.records.push({ cluster, namespace: pod.metadata.namespace ?? '', name: pod.metadata.name!, uid: pod.metadata.uid ?? '', at: new Date().toISOString() });
    if (this.records.length > this.limit) this.records.splice(0, this.records.length - this.limit);
  }

  list(): EvictionRecord[] {
    return [...this.records];
  }

  reset(): void {
    this.records = [];
  }
}
