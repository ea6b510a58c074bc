/**
 * The watch every workload controller (Deployment, ReplicaSet, StatefulSet, DaemonSet) keeps on its
 * own resource and on the objects it owns: it remembers each workload's key by uid, and enqueues a
 * workload when it changes or when one of its dependents (its ReplicaSets, its pods) changes. The
 * uid map is needed because a dependent names its owner by uid only.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { DependentIndex } from './DependentIndex.js';
import { objectKey, type WorkQueue } from './WorkQueue.js';

export interface WorkloadWatchOptions {
  /** The workload resource, e.g. `apps/replicasets`. */
  resource: string;
  /** The resource of the objects the workload controls, e.g. `pods`. */
  dependentResource: string;
  /** Where changed workloads' keys go. */
  queue: WorkQueue;
  /**
   * Called with the uid of a deleted workload, for controllers that cache per-workload state.
   * @default nothing
   */
  onDeleted?: (uid: string) => void;
}

export class WorkloadWatch {
  private readonly keyByUid = new Map<string, string>();
  private readonly dependentIndex: DependentIndex;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly cluster: SimCluster,
    private readonly options: WorkloadWatchOptions,
  ) {
    this.dependentIndex = new DependentIndex(cluster, options.dependentResource, (_event, owners) => {
      for (const uid of owners) {
        const key = this.keyByUid.get(uid);
        if (key) options.queue.add(key);
      }
    });
  }

  start(): void {
    const { resource, queue, onDeleted } = this.options;
    this.unsubscribe = this.cluster.onChange(resource, (event) => {
      const meta = event.object.metadata;
      if (event.type === 'DELETED') {
        this.keyByUid.delete(meta.uid!);
        onDeleted?.(meta.uid!);
      } else {
        const key = objectKey(meta.namespace, meta.name!);
        this.keyByUid.set(meta.uid!, key);
        queue.add(key);
      }
    });
    this.dependentIndex.start();
    // Workloads stored before the controller started get their first reconcile too.
    for (const object of this.cluster.objects.list(resource)) {
      const key = objectKey(object.metadata.namespace, object.metadata.name!);
      this.keyByUid.set(object.metadata.uid!, key);
      queue.add(key);
    }
  }

  stop(): void {
    this.unsubscribe?.();
    this.dependentIndex.stop();
  }

  /** The live objects the workload with `ownerUid` controls. */
  dependents(ownerUid: string): KubeObject[] {
    return this.dependentIndex.dependents(ownerUid);
  }

  /** The keys of every workload currently known. */
  keys(): IterableIterator<string> {
    return this.keyByUid.values();
  }
}

/**
 * Writes `status` to the workload's status subresource unless it already reads the same: an unchanged
 * status is never rewritten, so a reconcile with nothing to do produces no watch event.
 */
export function writeStatusIfChanged(cluster: SimCluster, resource: string, workload: KubeObject, status: Record<string, unknown>, manager: string): void {
  if (JSON.stringify(workload.status ?? {}) === JSON.stringify(status)) return;
  cluster.objects.mutate(resource, workload.metadata.namespace, workload.metadata.name!, (copy) => {
    copy.status = status;
    return copy;
  }, { manager, subresource: 'status' });
}
