/**
 * Which objects of one resource a given owner controls (owner uid -> object keys), kept current from
 * SimCluster.onChange. Controllers look up "the pods of this ReplicaSet" here instead of listing the
 * namespace, which keeps a reconcile cheap on members with thousands of pods.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject, StoreEvent } from '../store/Store.js';
import { objectKey } from './WorkQueue.js';
import { controllerOf } from './podState.js';

export class DependentIndex {
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly ownerOfKey = new Map<string, string>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly cluster: SimCluster,
    private readonly resource: string,
    /** Called after the index took a change in, with the object's controller uid (old and new). */
    private readonly onDependentChange?: (event: StoreEvent, ownerUids: string[]) => void,
  ) {}

  start(): void {
    for (const object of this.cluster.objects.list(this.resource)) this.track(object, false);
    this.unsubscribe = this.cluster.onChange(this.resource, (event) => {
      const key = objectKey(event.object.metadata.namespace, event.object.metadata.name ?? '');
      const before = this.ownerOfKey.get(key);
      this.track(event.object, event.type === 'DELETED');
      const after = this.ownerOfKey.get(key);
      const owners = [before, after].filter((uid, i, all): uid is string => !!uid && all.indexOf(uid) === i);
      this.onDependentChange?.(event, owners);
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.byOwner.clear();
    this.ownerOfKey.clear();
  }

  /** The stored objects controlled by `ownerUid` (fetched fresh from the cluster). */
  dependents(ownerUid: string): KubeObject[] {
    const keys = this.byOwner.get(ownerUid);
    if (!keys) return [];
    const out: KubeObject[] = [];
    for (const key of keys) {
      const slash = key.indexOf('/');
      const object =
        slash < 0
          ? this.cluster.objects.get(this.resource, undefined, key)
          : this.cluster.objects.get(this.resource, key.slice(0, slash), key.slice(slash + 1));
      if (object) out.push(object);
    }
    return out;
  }

  private track(object: KubeObject, deleted: boolean): void {
    const key = objectKey(object.metadata.namespace, object.metadata.name ?? '');
    const previous = this.ownerOfKey.get(key);
    const owner = deleted ? undefined : controllerOf(object)?.uid;
    if (previous === owner) return;
    if (previous) {
      const set = this.byOwner.get(previous);
      set?.delete(key);
      if (set && set.size === 0) this.byOwner.delete(previous);
      this.ownerOfKey.delete(key);
    }
    if (owner) {
      let set = this.byOwner.get(owner);
      if (!set) this.byOwner.set(owner, (set = new Set()));
      set.add(key);
      this.ownerOfKey.set(key, owner);
    }
  }
}
