/**
 * The residual predicates of a subscription filter, checked on the few candidates the SubscriberIndex
 * returns: cluster and namespace (already implied by the index, re-checked because a route filed under
 * "any" shares buckets with narrower ones), names, and the label selector against the object's labels.
 */
import { matchesLabels } from '../cache/labelSelector.js';
import type { ResourceEvent, SubscriptionFilter } from './types.js';

export function resourceMatches(filter: SubscriptionFilter, event: ResourceEvent): boolean {
  if (!filter.kinds.includes(event.kind)) return false;
  if (filter.clusters?.length && !filter.clusters.includes(event.cluster)) return false;
  if (filter.namespaces?.length && (event.namespace === undefined || !filter.namespaces.includes(event.namespace))) return false;
  if (filter.names?.length && !filter.names.includes(event.name)) return false;
  if (filter.labelSelector?.length) {
    // A MODIFIED that takes an object out of the selection is still delivered once (the subscriber held it).
    const now = matchesLabels(filter.labelSelector, event.object.metadata.labels);
    const was = event.before ? matchesLabels(filter.labelSelector, event.before.metadata.labels) : false;
    if (!now && !was) return false;
  }
  return true;
}
