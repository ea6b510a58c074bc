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
import { badUserInput } from '../errors.js';
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

/** Validates and authorizes; returns the filter the engine routes on. */
export function buildFilter(ctx: GraphQLContext, args: FilterArgs, fields: FieldNames): SubscriptionFilter {
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
      throw badUserInput(`filter.kinds: "${k}" is not a kind served here (one of ${Object.keys(SUBSCRIBABLE_KINDS).join(', ')}; any served kind as group/version/Kind, e.g. policy/v1/PodDisruptionBudget)`, 'filter.kinds');
    }
    return name;
  });
}

/** A single optional argument as a list. */
export function one(value: string | null | undefined): string[] | undefined {
  return value === null || value === undefined ? undefined : [value];
}
