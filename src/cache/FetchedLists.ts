/**
 * Fetch-mode reads: one paged list call per (cluster, kind), projected to slim objects and kept in the TTL
 * store for the kind's TTL class (seed 000: clusters 5 min, nodes 3 min, policies 10 min, bindings 2 min;
 * events briefly). Errors are returned as values and never cached; concurrent misses share one call.
 */
import type { CacheTtls } from '../config/Config.js';
import type { ClusterConnection } from '../fleet/ClusterConnection.js';
import { collectionPath, type KindDescriptor, type KindName } from '../fleet/kinds.js';
import type { ClusterResult } from '../fleet/types.js';
import { API_NOT_SERVED, toClusterError, UpstreamError } from '../fleet/UpstreamError.js';
import { listPageGate } from './KindInformer.js';
import { projectObject } from './projection/projectObject.js';
import type { TtlStore } from './TtlStore.js';
import type { SlimObject } from './types.js';

/**
 * Items per page of a fetched list. Larger than the informers' pages: a fetched list is read while a query
 * waits, and the gateway promises one upstream call per cluster and kind per request, which a member of up to
 * this many objects gets (informers sync in the background, where smaller pages cost the API server less).
 */
const FETCH_PAGE_SIZE = 5000;

export function ttlClassOf(kind: KindName): keyof CacheTtls {
  switch (kind) {
    case 'clusters':
      return 'clusters';
    case 'nodes':
      return 'nodes';
    case 'propagationpolicies':
    case 'clusterpropagationpolicies':
    case 'overridepolicies':
    case 'clusteroverridepolicies':
      return 'policies';
    case 'resourcebindings':
    case 'clusterresourcebindings':
      return 'bindings';
    case 'events':
      return 'events';
    default:
      return 'default';
  }
}

export class FetchedLists {
  private readonly store: TtlStore;
  private readonly ttls: CacheTtls;

  constructor(store: TtlStore, ttls: CacheTtls) {
    this.store = store;
    this.ttls = ttls;
  }

  /** All objects of `kind` in the connection's cluster (all namespaces), from the TTL store or one list call. */
  list(connection: ClusterConnection, kind: KindDescriptor): Promise<ClusterResult<SlimObject[]>> {
    const key = `${connection.name}:${kind.name}`;
    return this.store.getOrLoad<ClusterResult<SlimObject[]>>(
      key,
      this.ttls[ttlClassOf(kind.name)],
      () => this.load(connection, kind),
      (r) => r.ok,
    );
  }

  /** Drops the cached list (after a write through the gateway, for instance). */
  invalidate(cluster: string, kind: KindName): Promise<void> {
    return this.store.delete(`${cluster}:${kind}`);
  }

  private async load(connection: ClusterConnection, kind: KindDescriptor): Promise<ClusterResult<SlimObject[]>> {
    const cluster = connection.name;
    const items: SlimObject[] = [];
    let cont: string | undefined;
    try {
      do {
        const page = await connection.client.getJson<{ metadata?: { continue?: string }; items?: Array<Record<string, any>> }>(
          collectionPath(kind),
          { limit: FETCH_PAGE_SIZE, continue: cont },
          `list ${kind.name}`,
          undefined,
          listPageGate,
        );
        for (const item of page.items ?? []) items.push(projectObject(kind, item));
        cont = page.metadata?.continue || undefined;
      } while (cont);
      connection.noteSuccess();
      return { ok: true, cluster, value: items };
    } catch (err) {
      if (err instanceof UpstreamError && err.status === 404) {
        return { ok: false, cluster, error: toClusterError(cluster, err, API_NOT_SERVED) };
      }
      const error = toClusterError(cluster, err);
      connection.noteFailure(error);
      return { ok: false, cluster, error };
    }
  }
}
