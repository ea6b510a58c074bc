/**
 * The pod garbage collector of kube-controller-manager, for the case that matters here: pods bound to
 * a Node that no longer exists are force-deleted (grace period 0), so their controllers recreate them
 * on the remaining nodes. (Real podgc waits ~40 s after the node is gone; here it acts at once.)
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { Controller } from '../SimFleet.js';
import { WorkQueue } from './WorkQueue.js';

export class PodGarbageCollector implements Controller {
  readonly name: string;
  /** Keys are names of deleted nodes. */
  private readonly queue = new WorkQueue((node) => this.collect(node));
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly cluster: SimCluster) {
    this.name = `podgc/${cluster.name}`;
  }

  start(): void {
    this.unsubscribe = this.cluster.onChange('nodes', (event) => {
      if (event.type === 'DELETED') this.queue.add(event.object.metadata.name!);
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue.stop();
  }

  private collect(node: string): void {
    if (this.cluster.objects.get('nodes', undefined, node)) return; // re-created meanwhile
    this.cluster.kubeletNodes.delete(node);
    for (const pod of this.cluster.objects.list('pods', { fieldSelector: `spec.nodeName=${node}` })) {
      try {
        this.cluster.objects.delete('pods', pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0 });
      } catch {
        // Gone already.
      }
    }
  }
}
