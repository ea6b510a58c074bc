/**
 * The reconcile loop the Karmada controllers on the control plane share: one wildcard subscription (each
 * controller follows several resources) and one work queue whose keys carry the resource as well as the
 * object (`<resource>|<namespace>/<name>`), so a single queue serves PropagationPolicies and
 * ClusterPropagationPolicies, ResourceBindings and ClusterResourceBindings, or every template kind.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import { WorkQueue, objectKey, splitKey } from '../controllers/WorkQueue.js';
import type { StoreEvent } from '../store/Store.js';

export interface ControlPlaneLoopOptions {
  /** Every change on the control plane, to enqueue what it concerns with `add`. */
  onEvent: (event: StoreEvent) => void;
  /** Brings one object to its desired state. */
  reconcile: (resource: string, namespace: string | undefined, name: string) => void;
}

export class ControlPlaneLoop {
  private readonly queue: WorkQueue;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly cp: SimCluster,
    private readonly options: ControlPlaneLoopOptions,
  ) {
    this.queue = new WorkQueue((key) => {
      const bar = key.indexOf('|');
      const { namespace, name } = splitKey(key.slice(bar + 1));
      options.reconcile(key.slice(0, bar), namespace, name);
    });
  }

  /** Subscribes; the caller enqueues what already exists right after. */
  start(): void {
    this.unsubscribe = this.cp.onChange('*', (event) => this.options.onEvent(event));
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue.stop();
  }

  /** Reconciles the object soon (once, however often it is added meanwhile). */
  add(resource: string, namespace: string | undefined, name: string): void {
    this.queue.add(`${resource}|${objectKey(namespace, name)}`);
  }
}
