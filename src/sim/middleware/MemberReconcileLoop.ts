/**
 * The loop the middleware controllers on a member share: every change to their own resource enqueues
 * that object, a change to a related object (a pod of a WorkloadSet, a Component of an Application)
 * enqueues the object it belongs to in the same namespace, and every stored object of the resource is
 * reconciled once at start. One wildcard subscription per controller, because the related objects come
 * from several resources.
 */
import type { Controller } from '../SimFleet.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import { WorkQueue, objectKey } from '../controllers/WorkQueue.js';
import type { StoreEvent } from '../store/Store.js';

export interface MemberReconcileLoopOptions {
  /** The resource reconciled, e.g. the WorkloadSets; its keys are `namespace/name`. */
  resource: string;
  /**
   * For a change to another resource: the name of the `resource` object (in the changed object's
   * namespace) it concerns, or undefined when it concerns none.
   * @default concerns none
   */
  relatedName?: (event: StoreEvent) => string | undefined;
  /** Brings one object (by key) to its desired state. */
  reconcile: (key: string) => void;
}

export class MemberReconcileLoop {
  private readonly queue: WorkQueue;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly member: SimCluster,
    private readonly options: MemberReconcileLoopOptions,
  ) {
    this.queue = new WorkQueue((key) => options.reconcile(key));
  }

  start(): void {
    const { resource, relatedName } = this.options;
    this.unsubscribe = this.member.onChange('*', (event) => {
      const o = event.object;
      if (event.resource === resource) this.queue.add(objectKey(o.metadata.namespace, o.metadata.name!));
      else {
        const name = relatedName?.(event);
        if (name) this.queue.add(objectKey(o.metadata.namespace, name));
      }
    });
    for (const o of this.member.objects.list(resource)) this.queue.add(objectKey(o.metadata.namespace, o.metadata.name!));
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue.stop();
  }
}

/**
 * The skeleton of a middleware controller on one member: a MemberReconcileLoop over `resource` started and
 * stopped with the controller, feeding `reconcile`. A subclass names itself, says which resource it
 * reconciles and which related changes concern it, and brings one object to its desired state.
 */
export abstract class MemberLoopController implements Controller {
  abstract readonly name: string;
  private readonly loop: MemberReconcileLoop;

  constructor(
    protected readonly member: SimCluster,
    options: Omit<MemberReconcileLoopOptions, 'reconcile'>,
  ) {
    // The queue only calls reconcile after start(), when the subclass is fully constructed.
    this.loop = new MemberReconcileLoop(member, { ...options, reconcile: (key) => this.reconcile(key) });
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  /** Brings the object with this `namespace/name` key to its desired state (it may be gone). */
  protected abstract reconcile(key: string): void;
}
