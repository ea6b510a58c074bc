/**
 * Public shapes of the subscription core: the events it routes, the filters subscribers register, and the
 * messages replicas exchange through the EventHub. Plain JSON-able data only, because with several
 * replicas every message crosses Redis.
 */
import type { Requirement } from '../cache/labelSelector.js';
import type { SlimObject } from '../cache/types.js';
import type { KindName } from '../fleet/kinds.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'RESYNC';

/**
 * One object-level change, as subscribers see it. A cache RESYNC (relist after an outage or a 410) is split
 * into one ADDED/MODIFIED/DELETED event per object that changed meanwhile, so a dashboard never has to diff;
 * `type: 'RESYNC'` is only used for the notice a subscription gets when its queue overflowed (see
 * SubscriptionQueue) and for cache relists that the hub could not split (none today).
 */
export interface ResourceEvent {
  topic: 'resource';
  /** Unique per (replica, event): identifies the event across replicas for de-duplication. */
  id: string;
  type: Exclude<ChangeType, 'RESYNC'>;
  /** Member name, or CONTROL_PLANE for the Karmada control plane. */
  cluster: string;
  kind: KindName;
  namespace?: string;
  name: string;
  uid: string;
  resourceVersion: string;
  /** When the gateway saw the change (RFC 3339). */
  at: string;
  /** The object after the change; for DELETED, the last state known. */
  object: SlimObject;
  /** The object before a MODIFIED change (lets a subscriber see what moved; not sent to clients). */
  before?: SlimObject;
  /** True when the event comes from a relist diff (the change happened while the watch was down). */
  fromResync?: boolean;
}

/** Member reachability as the gateway sees it: an outage starting, or ending. */
export interface MemberHealthEvent {
  topic: 'member-health';
  id: string;
  cluster: string;
  reachable: boolean;
  /** Why (the data layer's last error message), when unreachable. */
  reason?: string;
  at: string;
}

/** An Operation moved (created, a step progressed, a terminal phase). `operation` is the OPS model, JSON-able. */
export interface OperationEvent {
  topic: 'operation';
  id: string;
  /** ADDED: the Operation's first state (just created, or first seen); MODIFIED: it moved. @default MODIFIED */
  type?: 'ADDED' | 'MODIFIED';
  operationId: string;
  /** True when the Operation reached a terminal phase (SUCCEEDED, FAILED, CANCELLED). */
  terminal: boolean;
  operation: unknown;
  at: string;
}

/** Everything replicas exchange through the EventHub. */
export type HubMessage = ResourceEvent | MemberHealthEvent | OperationEvent;

/**
 * What a subscription wants: the routing dimensions (kind, cluster, namespace) used by the index, and the
 * residual predicates (labels, names) checked on the few candidates the index returns.
 */
export interface SubscriptionFilter {
  kinds: readonly KindName[];
  /** Member names (CONTROL_PLANE for the control plane); undefined or empty = every cluster. */
  clusters?: readonly string[];
  /** Undefined or empty = every namespace (cluster-scoped objects included). */
  namespaces?: readonly string[];
  /** Parsed label selector (parseLabelSelector); undefined = any labels. */
  labelSelector?: readonly Requirement[];
  /** Exact object names; undefined or empty = any name. */
  names?: readonly string[];
}

/** What a subscription's queue yields: an event, or a notice that events were dropped. */
export type QueueItem<E> =
  | { kind: 'event'; event: E }
  | {
      kind: 'overflow';
      /** How many events were dropped since the last item this subscriber received. */
      dropped: number;
      at: string;
    };
