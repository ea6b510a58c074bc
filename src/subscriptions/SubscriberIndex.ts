/**
 * Routes an event to the subscribers whose filter can match it without scanning every subscriber: routes
 * are filed under kind → cluster → namespace, with `*` standing for "any" at the cluster and namespace
 * levels. An event looks up at most four buckets ([cluster|*] × [namespace|*]) of its kind; only the
 * residual predicates (label selector, names) are checked per candidate, by the caller.
 */
import type { KindName } from '../fleet/kinds.js';

const ANY = '*';

type NamespaceBuckets<R> = Map<string, Set<R>>;
type ClusterBuckets<R> = Map<string, NamespaceBuckets<R>>;

/** Where a route is filed. Empty or undefined lists mean "any". */
export interface RouteKeys {
  kinds: readonly KindName[];
  clusters?: readonly string[];
  namespaces?: readonly string[];
}

export class SubscriberIndex<R> {
  private readonly byKind = new Map<KindName, ClusterBuckets<R>>();
  private count = 0;

  /** Files `route` under every (kind, cluster, namespace) combination of `keys`; returns its remover. */
  add(route: R, keys: RouteKeys): () => void {
    const clusters = keys.clusters?.length ? [...new Set(keys.clusters)] : [ANY];
    const namespaces = keys.namespaces?.length ? [...new Set(keys.namespaces)] : [ANY];
    const filed: Array<Set<R>> = [];
    for (const kind of new Set(keys.kinds)) {
      let byCluster = this.byKind.get(kind);
      if (!byCluster) this.byKind.set(kind, (byCluster = new Map()));
      for (const c of clusters) {
        let byNs = byCluster.get(c);
        if (!byNs) byCluster.set(c, (byNs = new Map()));
        for (const ns of namespaces) {
          let set = byNs.get(ns);
          if (!set) byNs.set(ns, (set = new Set()));
          set.add(route);
          filed.push(set);
        }
      }
    }
    this.count++;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.count--;
      for (const set of filed) set.delete(route);
      this.prune(keys.kinds);
    };
  }

  /**
   * Routes filed for this kind and cluster and namespace (or "any"). A cluster-scoped object
   * (namespace undefined) only reaches routes that do not restrict namespaces. Each route appears once.
   */
  candidates(kind: KindName, cluster: string, namespace: string | undefined): Set<R> {
    const out = new Set<R>();
    const byCluster = this.byKind.get(kind);
    if (!byCluster) return out;
    for (const c of cluster === ANY ? [ANY] : [cluster, ANY]) {
      const byNs = byCluster.get(c);
      if (!byNs) continue;
      for (const ns of namespace === undefined ? [ANY] : [namespace, ANY]) {
        const set = byNs.get(ns);
        if (set) for (const r of set) out.add(r);
      }
    }
    return out;
  }

  /** Number of routes filed. */
  get size(): number {
    return this.count;
  }

  /** Drops empty buckets so that churning subscribers do not leave a growing tree behind. */
  private prune(kinds: readonly KindName[]): void {
    for (const kind of kinds) {
      const byCluster = this.byKind.get(kind);
      if (!byCluster) continue;
      for (const [c, byNs] of byCluster) {
        for (const [ns, set] of byNs) if (set.size === 0) byNs.delete(ns);
        if (byNs.size === 0) byCluster.delete(c);
      }
      if (byCluster.size === 0) this.byKind.delete(kind);
    }
  }
}
