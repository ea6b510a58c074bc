/**
 * Any kind a cluster serves, beyond the modelled ones (kinds.ts): what each cluster serves, from its
 * discovery documents (GET /api/v1 and /apis/<group>/<version>, cached per cluster), and plain list and get
 * calls of a discovered kind, answered as ClusterResult values like every fleet read.
 *
 * Discovery is cached per cluster and refreshed at most every `refreshMs` (default 5 min, as the fleet's own
 * rediscovery), earlier only when the cluster's group/versions changed (ClusterConnection's rediscovery) or
 * when a kind asked for is not in a list older than `minRefreshMs` (a CRD installed since): a request never
 * costs a discovery round of its own beyond that bound. Objects are never cached here: each read lists
 * (paged) or gets upstream, once per request (the GraphQL layer's per-request loaders dedupe).
 *
 * Objects keep the whole served shape but `metadata.managedFields`; Secrets lose their values (`data`,
 * `stringData`, and the last-applied annotation, which holds a copy of them): only their key names remain.
 */
import { wholeObject } from '../cache/projection/wholeObject.js';
import type { SlimObject } from '../cache/types.js';
import { ErrorCode, Reason } from '../errors/codes.js';
import type { ClusterConnection } from './ClusterConnection.js';
import type { KindDescriptor, KindName } from './kinds.js';
import type { ClusterResult } from './types.js';
import { API_NOT_SERVED, clusterError, toClusterError, UpstreamError } from './UpstreamError.js';

/** One resource type of a cluster's discovery (subresources left out). */
export interface ApiResourceInfo {
  /** '' for the core group. */
  group: string;
  version: string;
  /** `v1`, `policy/v1`. */
  apiVersion: string;
  kind: string;
  /** The plural (URL) name. */
  name: string;
  namespaced: boolean;
  verbs: string[];
  shortNames: string[];
}

/** Options of a list call of a discovered kind. */
export interface DynamicListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface DynamicKindsOptions {
  /** The connection of a cluster (a member's name or CONTROL_PLANE), undefined when the fleet has none. */
  connection(cluster: string): ClusterConnection | undefined;
  /** How long a cluster's discovery is used before it is read again, ms. @default 300000 */
  refreshMs?: number;
  /** A kind not found in a list at least this old reads discovery again (once), ms. @default 30000 */
  minRefreshMs?: number;
  /** Most objects one list reads from one cluster before it stops (paged, `limit`/`continue`). @default 20000 */
  maxObjects?: number;
}

/** Items per page of a list call (the fetch-mode lists' page size). */
const PAGE_SIZE = 5000;

/** An apiVersion `group/version` or `version` split. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The key a dynamic kind is routed and watched under: `group/version/Kind` (`v1/Kind` for the core group). */
export function dynamicKindKey(r: Pick<ApiResourceInfo, 'apiVersion' | 'kind'>): string {
  return `${r.apiVersion}/${r.kind}`;
}

/** A descriptor of a discovered kind, for the informer machinery (ClusterCache.watchOnDemand, KindInformer). */
export function dynamicDescriptor(r: ApiResourceInfo): KindDescriptor {
  return {
    // Not one of the modelled KindNames: the routing key (contains '/', which no KindName does).
    name: dynamicKindKey(r) as KindName,
    group: r.group,
    version: r.version,
    plural: r.name,
    kind: r.kind,
    namespaced: r.namespaced,
    side: 'both',
    wholeObject: true,
  };
}

/** Whether a routing key names a dynamic kind (`group/version/Kind`) rather than a modelled KindName. */
export function isDynamicKindKey(kind: string): boolean {
  return kind.includes('/');
}

interface Discovered {
  at: number;
  /** The connection's group/versions the list was read for (a change refreshes it). */
  groupVersions: string;
  resources: ApiResourceInfo[];
}

type DiscoveryDoc = { resources?: Array<{ name: string; kind: string; namespaced?: boolean; verbs?: string[]; shortNames?: string[] }> };

export class DynamicKinds {
  private readonly discovered = new Map<string, Discovered>();
  private readonly descriptors = new Map<KindName, KindDescriptor>();
  private readonly pending = new Map<string, Promise<ClusterResult<ApiResourceInfo[]>>>();
  private readonly refreshMs: number;
  private readonly minRefreshMs: number;
  readonly maxObjects: number;

  constructor(private readonly options: DynamicKindsOptions) {
    this.refreshMs = options.refreshMs ?? 300_000;
    this.minRefreshMs = options.minRefreshMs ?? 30_000;
    this.maxObjects = options.maxObjects ?? 20_000;
  }

  /** What `cluster` serves (cached; see the file comment for when it is read again). */
  async resources(cluster: string): Promise<ClusterResult<ApiResourceInfo[]>> {
    const connection = this.options.connection(cluster);
    if (!connection) return { ok: false, cluster, error: clusterError(cluster, { code: ErrorCode.NOT_FOUND, reason: Reason.UNKNOWN_CLUSTER }, 'no such member cluster') };
    const kept = this.discovered.get(cluster);
    if (kept && Date.now() - kept.at < this.refreshMs && kept.groupVersions === groupVersionsOf(connection)) {
      return { ok: true, cluster, value: kept.resources };
    }
    const down = connection.availabilityError();
    if (down) return kept ? { ok: true, cluster, value: kept.resources } : { ok: false, cluster, error: down };
    return this.discover(cluster, connection);
  }

  /**
   * The resource serving `apiVersion`/`kind` in `cluster`, or null when it serves none; reads discovery
   * again (once, bounded by minRefreshMs) when the kind is missing from an older list.
   */
  async find(cluster: string, apiVersion: string, kind: string): Promise<ClusterResult<ApiResourceInfo | null>> {
    const r = await this.resources(cluster);
    if (!r.ok) return r;
    const found = r.value.find((x) => x.apiVersion === apiVersion && x.kind === kind);
    if (found) return { ok: true, cluster, value: found };
    const kept = this.discovered.get(cluster);
    const connection = this.options.connection(cluster);
    if (kept && connection && Date.now() - kept.at >= this.minRefreshMs && !connection.availabilityError()) {
      const again = await this.discover(cluster, connection);
      if (!again.ok) return again;
      return { ok: true, cluster, value: again.value.find((x) => x.apiVersion === apiVersion && x.kind === kind) ?? null };
    }
    return { ok: true, cluster, value: null };
  }

  /**
   * Makes a discovered kind known to the informer machinery under its key (`group/version/Kind`), so that
   * Fleet.watchKind can run it on demand; returns the key. Descriptors are small and kept.
   */
  register(r: ApiResourceInfo): KindName {
    const d = dynamicDescriptor(r);
    const known = this.descriptors.get(d.name);
    // The plural or scope may differ between clusters in theory; the first one seen is used.
    if (!known) this.descriptors.set(d.name, d);
    return d.name;
  }

  /** The descriptor registered under `key`, if any. */
  descriptorOf(key: string): KindDescriptor | undefined {
    return this.descriptors.get(key as KindName);
  }

  /** Whether `cluster` serves the registered kind `key`, as far as its cached discovery says (unknown: yes). */
  mayServe(cluster: string, key: string): boolean {
    const kept = this.discovered.get(cluster);
    if (!kept) return true;
    return kept.resources.some((r) => dynamicKindKey(r) === key);
  }

  /** Forgets a cluster's discovery (a member that left). */
  forget(cluster: string): void {
    this.discovered.delete(cluster);
  }

  private discover(cluster: string, connection: ClusterConnection): Promise<ClusterResult<ApiResourceInfo[]>> {
    let p = this.pending.get(cluster);
    if (!p) {
      p = this.readDiscovery(cluster, connection).finally(() => this.pending.delete(cluster));
      this.pending.set(cluster, p);
    }
    return p;
  }

  private async readDiscovery(cluster: string, connection: ClusterConnection): Promise<ClusterResult<ApiResourceInfo[]>> {
    const client = connection.client;
    const groupVersions = groupVersionsOf(connection);
    try {
      let gvs = connection.apis?.groupVersions;
      if (!gvs) {
        const [core, groups] = await Promise.all([
          client.getJson<{ versions?: string[] }>('/api', {}, 'discovery'),
          client.getJson<{ groups?: Array<{ versions?: Array<{ groupVersion: string }> }> }>('/apis', {}, 'discovery'),
        ]);
        gvs = [...(core.versions ?? []), ...(groups.groups ?? []).flatMap((g) => (g.versions ?? []).map((v) => v.groupVersion))];
      }
      // A group/version whose document fails (an aggregated API that is down) is left out, as kubectl does;
      // the core group failing is the cluster's failure.
      const docs = await Promise.all(gvs.map(async (gv) => {
        const path = gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
        try {
          return { gv, doc: await client.getJson<DiscoveryDoc>(path, {}, 'discovery') };
        } catch (err) {
          if (!gv.includes('/')) throw err;
          return { gv, doc: undefined };
        }
      }));
      const resources: ApiResourceInfo[] = [];
      for (const { gv, doc } of docs) {
        const { group, version } = splitApiVersion(gv);
        for (const r of doc?.resources ?? []) {
          if (r.name.includes('/')) continue;
          resources.push({
            group, version, apiVersion: gv, kind: r.kind, name: r.name, namespaced: Boolean(r.namespaced),
            verbs: [...(r.verbs ?? [])], shortNames: [...(r.shortNames ?? [])],
          });
        }
      }
      resources.sort((a, b) => (a.group === b.group ? (a.version === b.version ? cmp(a.kind, b.kind) : cmp(a.version, b.version)) : cmp(a.group, b.group)));
      this.discovered.set(cluster, { at: Date.now(), groupVersions, resources });
      connection.noteSuccess();
      return { ok: true, cluster, value: resources };
    } catch (err) {
      const error = toClusterError(cluster, err);
      connection.noteFailure(error);
      const kept = this.discovered.get(cluster);
      return kept ? { ok: true, cluster, value: kept.resources } : { ok: false, cluster, error };
    }
  }

  /**
   * Every object of `r` in `cluster` (one namespace with `namespace`), filtered upstream by the selectors:
   * one paged list (pages of 5,000), stopped at `maxObjects` (`truncated` then says so).
   */
  async list(cluster: string, r: ApiResourceInfo, options: DynamicListOptions = {}): Promise<ClusterResult<{ items: SlimObject[]; truncated: boolean }>> {
    const connection = this.options.connection(cluster);
    if (!connection) return { ok: false, cluster, error: clusterError(cluster, { code: ErrorCode.NOT_FOUND, reason: Reason.UNKNOWN_CLUSTER }, 'no such member cluster') };
    const down = connection.availabilityError();
    if (down) return { ok: false, cluster, error: down };
    const path = collectionPathOf(r, options.namespace);
    const items: SlimObject[] = [];
    let cont: string | undefined;
    let truncated = false;
    try {
      do {
        const page = await connection.client.getJson<{ metadata?: { continue?: string }; items?: Array<Record<string, any>> }>(
          path,
          { limit: Math.min(PAGE_SIZE, this.maxObjects - items.length + 1), continue: cont, labelSelector: options.labelSelector || undefined, fieldSelector: options.fieldSelector || undefined },
          `list ${r.name}`,
        );
        for (const item of page.items ?? []) items.push(wholeObject(item, r.apiVersion, r.kind));
        cont = page.metadata?.continue || undefined;
        if (items.length > this.maxObjects) {
          items.length = this.maxObjects;
          truncated = true;
          break;
        }
      } while (cont);
      connection.noteSuccess();
      return { ok: true, cluster, value: { items, truncated } };
    } catch (err) {
      return this.failed(cluster, connection, err);
    }
  }

  /** One object; `ok` with null when the cluster answers 404. */
  async get(cluster: string, r: ApiResourceInfo, namespace: string | null, name: string): Promise<ClusterResult<SlimObject | null>> {
    const connection = this.options.connection(cluster);
    if (!connection) return { ok: false, cluster, error: clusterError(cluster, { code: ErrorCode.NOT_FOUND, reason: Reason.UNKNOWN_CLUSTER }, 'no such member cluster') };
    const down = connection.availabilityError();
    if (down) return { ok: false, cluster, error: down };
    try {
      const raw = await connection.client.getJson<Record<string, any>>(`${collectionPathOf(r, namespace ?? undefined)}/${encodeURIComponent(name)}`, {}, `get ${r.name}`);
      connection.noteSuccess();
      return { ok: true, cluster, value: wholeObject(raw, r.apiVersion, r.kind) };
    } catch (err) {
      if (err instanceof UpstreamError && err.status === 404) return { ok: true, cluster, value: null };
      return this.failed(cluster, connection, err);
    }
  }

  private failed<T>(cluster: string, connection: ClusterConnection, err: unknown): ClusterResult<T> {
    // A 404 on a collection: the kind went away since discovery.
    const error = err instanceof UpstreamError && err.status === 404 ? toClusterError(cluster, err, API_NOT_SERVED) : toClusterError(cluster, err);
    connection.noteFailure(error);
    return { ok: false, cluster, error };
  }
}

/** Collection path of a discovered kind, cluster-wide or in one namespace. */
export function collectionPathOf(r: Pick<ApiResourceInfo, 'group' | 'version' | 'name' | 'namespaced'>, namespace?: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return namespace && r.namespaced ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.name}` : `${base}/${r.name}`;
}

function groupVersionsOf(connection: ClusterConnection): string {
  return connection.apis ? [...connection.apis.groupVersions].sort().join(',') : '';
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
