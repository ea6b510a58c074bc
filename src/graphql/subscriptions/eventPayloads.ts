/**
 * Engine items → the payload objects of the schema's event types (ResourceChangeEvent, PodChangeEvent,
 * ...). The object inside an event is a slim projection located like a query result (Located), so the
 * object types' own resolvers (Pod, Node, Workload, ...) render it exactly as a query would.
 */
import type { SlimObject } from '../../cache/types.js';
import { CONTROL_PLANE } from '../../fleet/types.js';
import type { Delivered } from '../../subscriptions/SubscriptionQueue.js';
import type { EngineEvent } from '../../subscriptions/SubscriptionEngine.js';
import type { ResourceEvent } from '../../subscriptions/types.js';
import { routeOf } from '../kindMap.js';
import type { Located, ResourceTypeName } from '../models.js';
import { located } from '../located.js';

/** The API's cluster name: null for the control plane. */
export function apiCluster(cluster: string): string | null {
  return cluster === CONTROL_PLANE ? null : cluster;
}

/** A slim object located for the object resolvers; null when no GraphQL type renders its kind. */
export function locate(cluster: string, obj: SlimObject, type?: ResourceTypeName): Located | null {
  const c = apiCluster(cluster);
  const t = type ?? routeOf(obj.kind, c)?.type;
  return t ? located(c, obj, t) : null;
}

/** Fields every change event has. */
export interface CommonPayload {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'RESYNC';
  cluster: string | null;
  resourceVersion: string | null;
  at: string;
  fromResync: boolean;
  coalesced: number;
  dropped: number;
}

export function commonOf(event: ResourceEvent, coalesced: number): CommonPayload {
  return {
    type: event.type,
    cluster: apiCluster(event.cluster),
    resourceVersion: event.resourceVersion,
    at: event.at,
    fromResync: Boolean(event.fromResync),
    coalesced,
    dropped: 0,
  };
}

/** The notice sent when a subscriber's queue overflowed: RESYNC, with the object fields null. */
export function overflowOf(dropped: number, at: string): CommonPayload {
  return { type: 'RESYNC', cluster: null, resourceVersion: null, at, fromResync: false, coalesced: 0, dropped };
}

/** The resource event of a delivered item, or undefined for other kinds of items. */
export function resourceEventOf(d: Delivered<EngineEvent>): ResourceEvent | undefined {
  return d.item.kind === 'event' && d.item.event.topic === 'resource' ? d.item.event : undefined;
}
