/**
 * Per-request DataLoaders over the Fleet's reads. A request's keys collected in one tick are grouped by
 * (cluster, kind): watched kinds answer from the informer caches, fetch-mode kinds and events from one list
 * call per group (or the TTL store), and each key then takes its own slice by filter in memory.
 */
import DataLoader from 'dataloader';
import type { SlimEvent, SlimObject } from '../cache/types.js';
import type { ClusterResult, EventsKey, FleetLoaders, ListKey, NodeUsage, PodUsage } from './types.js';

/** What the loaders need from the fleet. */
export interface LoaderSource {
  list(kind: ListKey['kind'], cluster: string, filter?: ListKey['filter']): Promise<ClusterResult<SlimObject[]>>;
  /** Every event of one cluster (all namespaces): one upstream list per cluster, TTL-cached briefly. */
  allEvents(cluster: string): Promise<ClusterResult<SlimEvent[]>>;
  nodeMetrics(cluster: string): Promise<ClusterResult<NodeUsage[]>>;
  podMetrics(cluster: string): Promise<ClusterResult<PodUsage[]>>;
}

function stableKey(value: object): string {
  return JSON.stringify(value, Object.keys(value).sort());
}

/** The fields of a list filter, in the order `filterKey` writes them. */
const FILTER_FIELDS = new Set(['namespace', 'labelSelector', 'name', 'nodeName', 'phase', 'ownerUid']);

/**
 * A list filter as a cache key, without JSON.stringify with a replacer (the slow path of a hot call: every
 * list a request makes is keyed). Each known field is written in a fixed order, `\u0001value\u0000` when
 * set and `\u0000` when not, so `''` and absent differ. A filter this cannot write unambiguously (an
 * unknown field, a value that is not a string or holds those separators) is keyed by its sorted JSON
 * instead, which starts with `{` and holds no raw control characters, so the two forms never meet.
 */
function filterKey(filter: NonNullable<ListKey['filter']>): string {
  const f = filter as Record<string, unknown>;
  for (const field in f) {
    const v = f[field];
    if (v === undefined) continue;
    if (!FILTER_FIELDS.has(field) || typeof v !== 'string' || v.includes('\u0000') || v.includes('\u0001')) return stableKey(filter);
  }
  let key = '';
  for (const field of FILTER_FIELDS) {
    const v = f[field] as string | undefined;
    key += v === undefined ? '\u0000' : `\u0001${v}\u0000`;
  }
  return key;
}

/** A list key as a string: equal for equal (cluster, kind, filter), whatever the order of the filter's fields. */
export function listKeyString(k: ListKey): string {
  return `${k.cluster}\u0000${k.kind}\u0000${k.filter ? filterKey(k.filter) : ''}`;
}

function eventsKeyString(k: EventsKey): string {
  return stableKey(k);
}

function matchesEvent(e: SlimEvent, k: EventsKey): boolean {
  const o = e.involvedObject;
  if (k.uid !== undefined) return o.uid === k.uid;
  if (k.namespace !== undefined && (o.namespace ?? e.metadata.namespace) !== k.namespace) return false;
  if (k.kind !== undefined && o.kind !== k.kind) return false;
  if (k.name !== undefined && o.name !== k.name) return false;
  return true;
}

/**
 * The four loaders of one request, each made on first use: most requests use one or two of them (the
 * small `cluster(name)` query only `list`), and a DataLoader with its batch closure is most of what a
 * request's context costs. A class, so the getters live on the prototype rather than being made anew
 * for every request.
 */
class RequestLoaders implements FleetLoaders {
  private listLoader: FleetLoaders['list'] | undefined;
  private eventsLoader: FleetLoaders['events'] | undefined;
  private nodeMetricsLoader: FleetLoaders['nodeMetrics'] | undefined;
  private podMetricsLoader: FleetLoaders['podMetrics'] | undefined;

  constructor(private readonly source: LoaderSource) {}

  get list(): FleetLoaders['list'] {
    return (this.listLoader ??= new DataLoader<ListKey, ClusterResult<SlimObject[]>, string>(
      async (keys) => {
        // All keys of one (cluster, kind) share the fetch: Fleet.list dedupes concurrent upstream calls of a
        // group and the TTL store keeps the answer, so a batch costs at most one list call per group.
        return Promise.all(keys.map((k) => this.source.list(k.kind, k.cluster, k.filter)));
      },
      { cacheKeyFn: listKeyString },
    ));
  }

  get events(): FleetLoaders['events'] {
    return (this.eventsLoader ??= new DataLoader<EventsKey, ClusterResult<SlimEvent[]>, string>(
      async (keys) => {
        const byCluster = new Map<string, Promise<ClusterResult<SlimEvent[]>>>();
        for (const k of keys) if (!byCluster.has(k.cluster)) byCluster.set(k.cluster, this.source.allEvents(k.cluster));
        return Promise.all(
          keys.map(async (k): Promise<ClusterResult<SlimEvent[]>> => {
            const all = await byCluster.get(k.cluster)!;
            if (!all.ok) return all;
            return { ok: true, cluster: k.cluster, value: all.value.filter((e) => matchesEvent(e, k)) };
          }),
        );
      },
      { cacheKeyFn: eventsKeyString },
    ));
  }

  get nodeMetrics(): FleetLoaders['nodeMetrics'] {
    return (this.nodeMetricsLoader ??= new DataLoader<string, ClusterResult<NodeUsage[]>>(async (clusters) =>
      Promise.all(clusters.map((c) => this.source.nodeMetrics(c))),
    ));
  }

  get podMetrics(): FleetLoaders['podMetrics'] {
    return (this.podMetricsLoader ??= new DataLoader<string, ClusterResult<PodUsage[]>>(async (clusters) =>
      Promise.all(clusters.map((c) => this.source.podMetrics(c))),
    ));
  }
}

/** One request's loaders over `source`; each DataLoader is made when a resolver first reaches for it. */
export function createLoaders(source: LoaderSource): FleetLoaders {
  return new RequestLoaders(source);
}
