/**
 * Subscription arguments → the engine's SubscriptionFilter, validated before anything is opened (the same
 * BAD_USER_INPUT rules as queries) and authorized per kind and cluster.
 */
import { parseLabelSelector } from '../../cache/labelSelector.js';
import type { KindName } from '../../fleet/kinds.js';
import { CONTROL_PLANE } from '../../fleet/types.js';
import type { SubscriptionFilter } from '../../subscriptions/types.js';
import { authorize } from '../authorize.js';
import type { GraphQLContext } from '../context.js';
import { Reason } from '../../errors/codes.js';
import { apiError, badUserInput, ErrorCode } from '../errors.js';
import type { SubscriptionContext } from './subscriptionContext.js';
import { checkLabelName, checkLabelSelector, checkObjectName } from '../validation.js';

/** Kubernetes kinds `resourceChanged` serves, and the data-layer kind of each. */
export const SUBSCRIBABLE_KINDS: Readonly<Record<string, KindName>> = {
  Cluster: 'clusters',
  Namespace: 'namespaces',
  Node: 'nodes',
  Pod: 'pods',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Job: 'jobs',
  CronJob: 'cronjobs',
  Service: 'services',
  ConfigMap: 'configmaps',
  Secret: 'secrets',
  PropagationPolicy: 'propagationpolicies',
  ClusterPropagationPolicy: 'clusterpropagationpolicies',
  OverridePolicy: 'overridepolicies',
  ClusterOverridePolicy: 'clusteroverridepolicies',
  ResourceBinding: 'resourcebindings',
  ClusterResourceBinding: 'clusterresourcebindings',
  Application: 'applications',
};

/** The API's name of the control plane (`karmada`) to the data layer's. */
export function clusterKey(name: string): string {
  return name === 'karmada' ? CONTROL_PLANE : name;
}

export interface FilterArgs {
  kinds: readonly KindName[];
  clusters?: ReadonlyArray<string> | null;
  namespaces?: ReadonlyArray<string> | null;
  labelSelector?: string | null;
  names?: ReadonlyArray<string> | null;
}

/** Field names of the arguments, for `extensions.field`. */
export interface FieldNames {
  clusters: string;
  namespaces: string;
  labelSelector: string;
  names: string;
}

/** The kinds this gateway reads in fetch mode: no informer, hence no change events for them. */
export function fetchedKinds(ctx: GraphQLContext): ReadonlySet<string> {
  return (ctx as Partial<SubscriptionContext>).subscriptions?.fetchedKinds ?? NONE;
}
const NONE: ReadonlySet<string> = new Set();

/**
 * Refuses a subscription on kinds read in fetch mode. Without an informer nothing would ever be delivered,
 * and a subscription that silently never delivers is worse than a clear refusal. (Running an informer for the
 * kind while someone is subscribed would also work; it is not done yet.)
 * @param field the argument naming the kinds, when there is one
 */
export function requireWatched(ctx: GraphQLContext, kinds: readonly KindName[], field?: string): void {
  const fetched = fetchedKinds(ctx);
  const unwatched = kinds.filter((k) => fetched.has(k));
  if (unwatched.length === 0) return;
  throw apiError(
    ErrorCode.BAD_USER_INPUT,
    `${field ? `${field}: ` : ''}${unwatched.join(', ')} ${unwatched.length > 1 ? 'are' : 'is'} read in fetch mode on this gateway (--mode ${unwatched[0]}=fetch), so no change events exist to subscribe to; query instead, or run the gateway with --mode ${unwatched[0]}=watch`,
    { ...(field ? { field } : {}), reason: Reason.KIND_NOT_WATCHED, kinds: unwatched },
  );
}

/** Validates and authorizes; returns the filter the engine routes on. */
export function buildFilter(ctx: GraphQLContext, args: FilterArgs, fields: FieldNames, kindsField?: string): SubscriptionFilter {
  requireWatched(ctx, args.kinds, kindsField);
  for (const c of args.clusters ?? []) checkLabelName(c, fields.clusters);
  for (const n of args.namespaces ?? []) checkLabelName(n, fields.namespaces);
  for (const n of args.names ?? []) checkObjectName(n, fields.names);
  checkLabelSelector(args.labelSelector, fields.labelSelector);
  const clusters = (args.clusters ?? []).map(clusterKey);
  for (const kind of args.kinds) {
    for (const cluster of clusters.length ? clusters : [null]) {
      const namespaces = args.namespaces?.length ? args.namespaces : [null];
      for (const namespace of namespaces) {
        authorize(ctx.identity, 'read', { kind, cluster: cluster === CONTROL_PLANE ? 'karmada' : cluster, namespace });
      }
    }
  }
  return {
    kinds: args.kinds,
    ...(clusters.length ? { clusters } : {}),
    ...(args.namespaces?.length ? { namespaces: [...args.namespaces] } : {}),
    ...(args.labelSelector ? { labelSelector: parseLabelSelector(args.labelSelector) } : {}),
    ...(args.names?.length ? { names: [...args.names] } : {}),
  };
}

/** `kinds` of resourceChanged → data-layer kinds; unknown kinds are refused by name. */
export function kindsOf(kinds: readonly string[]): KindName[] {
  if (kinds.length === 0) throw badUserInput('filter.kinds: give at least one kind, e.g. ["Pod"]', 'filter.kinds');
  return kinds.map((k) => {
    const name = SUBSCRIBABLE_KINDS[k];
    if (!name) {
      throw badUserInput(`filter.kinds: "${k}" is not a kind served here (one of ${Object.keys(SUBSCRIBABLE_KINDS).join(', ')})`, 'filter.kinds');
    }
    return name;
  });
}

/** A single optional argument as a list. */
export function one(value: string | null | undefined): string[] | undefined {
  return value === null || value === undefined ? undefined : [value];
}
