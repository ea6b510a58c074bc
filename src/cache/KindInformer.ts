/**
 * The informer of one cluster × kind: list (paged), then watch from the list's resourceVersion, keeping slim
 * projections and indexes. It is our own reflector on top of client-node's Watch rather than client-node's
 * ListWatch, because ListWatch keeps whole objects (managedFields and all) and stops for good on any error
 * other than 410; here the loop never ends until stop():
 *  - a watch closed cleanly (server timeout, dropped connection) is re-opened from the last resourceVersion;
 *  - 410 Gone (history compacted) relists and reports the differences once, as one RESYNC change;
 *  - any other failure is reported (state 'failed', lastError) and retried with capped exponential backoff,
 *    re-watching from the last resourceVersion, so an outage that the server's history covers needs no relist;
 *    a watch that gets no answer at all within the setup timeout is such a failure (UPSTREAM_TIMEOUT).
 */
import type { BodyGate, ClusterClient } from '../fleet/ClusterClient.js';
import type { FleetSignals } from '../fleet/FleetSignals.js';
import { collectionPath, type KindDescriptor } from '../fleet/kinds.js';
import type { ClusterError, KindSyncState } from '../fleet/types.js';
import { API_NOT_SERVED, toClusterError, UpstreamError } from '../fleet/UpstreamError.js';
import { ObjectIndex } from './ObjectIndex.js';
import { OrderedIndex, type SortSpec } from './OrderedIndex.js';
import { compileFilter, matchesFilter, objectKey } from './matchesFilter.js';
import { internString } from './projection/interning.js';
import { projectObject } from './projection/projectObject.js';
import type { ChangeEvent, IndexName, ListFilter, SlimObject } from './types.js';

export interface BackoffOptions {
  /** First retry delay, ms. @default 500 */
  initialMs?: number;
  /** Cap of the delay, ms. @default 30000 */
  maxMs?: number;
}

export interface KindInformerOptions {
  client: ClusterClient;
  kind: KindDescriptor;
  /** Result name of the cluster. */
  cluster: string;
  onChange: (event: ChangeEvent) => void;
  /** Called whenever the sync state or last error changes. */
  onState?: (state: KindSyncState, error: ClusterError | null) => void;
  backoff?: BackoffOptions;
  /**
   * Items per list page. @default LIST_PAGE_SIZE
   */
  pageSize?: number;
  /** Server-side watch timeout; a little randomness spreads the reconnects. @default 300-600 s */
  watchTimeoutSeconds?: number;
  /**
   * How long opening a watch may take (until the response headers): a member that accepts the connection
   * but never answers is then reported as UPSTREAM_TIMEOUT and retried with the backoff, instead of holding
   * the informer for ever. @default the client's watch setup timeout (its per-call timeout)
   */
  watchSetupTimeoutMs?: number;
  /**
   * Projects each listed or watched object. For kinds outside the fleet's kind registry (the authorizer's
   * RBAC kinds, src/authz/RbacWatcher.ts) whose fields are not spec/status. @default projectObject
   */
  project?: (kind: KindDescriptor, raw: Record<string, any>) => SlimObject;
  /** Told each watch re-opened and each relist (metrics). @default none */
  signals?: Pick<FleetSignals, 'watchRestarted' | 'relisted'>;
  /**
   * Lists and watches one namespace only, for a namespaced kind the gateway may read only there (its own
   * FleetOperations and Leases, granted by a Role). @default every namespace
   */
  namespace?: string;
}

/**
 * Items per list page of informers and fetch-mode lists: twice client-go's 500, so half the round trips.
 * Larger pages did not pay: syncing bench-l's 300,000 pods with pages of 500 to 5,000 cost the gateway the
 * same CPU (16-19 s), and the simulator more the larger the page (13 s of CPU at 500, 14 s at 1,000, 15 s at
 * 2,000, 17-20 s at 5,000), while each page in flight holds its JSON and its parsed objects.
 */
export const LIST_PAGE_SIZE = 1000;

/**
 * How many list pages the whole gateway reads and parses at once, across every member and kind. A page of
 * 1,000 pods is ~1.6 MB of JSON and ~6 MB parsed: a hundred members answering together would hold hundreds of
 * megabytes in flight on one thread that parses one page at a time anyway. A few pages keep the network, the upstream and
 * the parser busy; more only add memory and garbage collection. A slot is taken once a page's headers are
 * in (ClusterClient's BodyGate), so a member that never answers holds none and delays no other.
 */
const LIST_PAGES_IN_FLIGHT = 4;

/** A counting semaphore (FIFO, so that every member's list makes progress). */
class Slots implements BodyGate {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter; only when none waits does it become free.
      if (next) next();
      else this.free++;
    }
  }
}

/** The gate of every list page (informers' lists and fetch-mode lists). */
export const listPageGate: BodyGate = new Slots(LIST_PAGES_IN_FLIGHT);

/**
 * How many list pages of one member's informers are requested at once. listPageGate is taken only once a
 * page's headers are in, so without this every informer of every member sent its first page at once: at
 * bench-l, ~1,000 requests, each on a keep-alive connection of its own (a TLS handshake on both sides, and an
 * idle TLS socket with its buffers held after the sync), whose answers then waited for one of the 4 slots.
 * Two per member keep far more requests waiting than the gate has slots (so the gate is never starved), and
 * a member's kinds still list side by side with another's. Measured at bench-l: the gateway's sockets after
 * sync 1,500-2,000 -> ~1,340 (of which ~1,020 are the watches), TLS handshake functions in a sync's CPU profile
 * about halved; each open TLS connection holds ~94 KB of RSS (59 KB of it malloc'd by TLS).
 */
const MEMBER_LIST_PAGES_IN_FLIGHT = 2;

/** Per member (its ClusterClient): dropped with the client. */
const memberListSlots = new WeakMap<ClusterClient, Slots>();

function memberListGate(client: ClusterClient): Slots {
  let slots = memberListSlots.get(client);
  if (!slots) memberListSlots.set(client, (slots = new Slots(MEMBER_LIST_PAGES_IN_FLIGHT)));
  return slots;
}

/**
 * objectKey(namespace, name), built as a pooled `namespace/` prefix joined to the name: V8 keeps the join as
 * a small pair of references to both (the name is the metadata's own string) instead of copying both into
 * a new string for each of hundreds of thousands of cached objects.
 */
function storeKey(o: SlimObject): string {
  const ns = o.metadata.namespace;
  return ns ? internString(`${ns}/`) + o.metadata.name : o.metadata.name;
}

/** Filtered lists an informer keeps until its next change (see KindInformer.filtered). */
const FILTERED_LISTS_KEPT = 8;

/** A list filter as a memo key: each field in a fixed order, absent told apart from ''. */
function filterMemoKey(f: ListFilter): string {
  const part = (v: string | undefined) => (v === undefined ? '\u0000' : `\u0001${v}`);
  return `${part(f.namespace)}\u0002${part(f.labelSelector)}\u0002${part(f.nodeName)}\u0002${part(f.phase)}\u0002${part(f.ownerUid)}`;
}

/** Marks a 410 so the loop relists instead of backing off. */
class GoneError extends Error {}

export class KindInformer {
  readonly kind: KindDescriptor;
  readonly cluster: string;
  private readonly client: ClusterClient;
  private readonly options: KindInformerOptions;
  private readonly project: (kind: KindDescriptor, raw: Record<string, any>) => SlimObject;
  private objects = new Map<string, SlimObject>();
  /** The unfiltered list, until the next change (see `list`). */
  private everything: SlimObject[] | undefined;
  /**
   * Filtered lists by filter, until the next change, like `everything`: a fleet-wide page filtered by
   * namespace reads every member's matches on every request (for its totalCount, and a caller's RBAC cut),
   * which at 3,000 pods a member and 100 members is a copy and a filter of 300,000 objects per request
   * (~30 ms) when nothing changed in between. At most FILTERED_LISTS_KEPT filters; filters by name (one
   * object, many distinct names) are not kept.
   */
  private filtered = new Map<string, SlimObject[]>();
  // The label index is built on its first use, from the store (see ObjectIndexOptions.all).
  private readonly index = new ObjectIndex({ all: () => this.objects.values() });
  /** Ordered indexes by sort field id, each built on its first use and kept up to date from then on. */
  private readonly ordered = new Map<string, OrderedIndex>();
  private resourceVersion = '';
  private hasListed = false;
  private stopped = true;
  private watchController: AbortController | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private forceRelist = false;
  private currentState: KindSyncState = 'syncing';
  private currentError: ClusterError | null = null;
  private syncedWaiters: Array<() => void> = [];

  constructor(options: KindInformerOptions) {
    this.options = options;
    this.project = options.project ?? projectObject;
    this.client = options.client;
    this.kind = options.kind;
    this.cluster = options.cluster;
  }

  get state(): KindSyncState {
    return this.currentState;
  }

  get lastError(): ClusterError | null {
    return this.currentError;
  }

  /** Whether the cache has been filled by at least one complete list. */
  get listed(): boolean {
    return this.hasListed;
  }

  get size(): number {
    return this.objects.size;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watchController?.abort();
    this.wake?.();
    await this.loop;
  }

  /** Resolves once the informer has listed or failed at least once (never hangs on a down member). */
  settled(): Promise<void> {
    if (this.hasListed || this.currentState === 'failed' || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.syncedWaiters.push(resolve));
  }

  /** Cuts a backoff wait short (the cluster is reachable again). */
  retryNow(): void {
    this.wake?.();
  }

  /**
   * Ends the current watch so that the loop re-opens it from the last resourceVersion: after an outage a
   * stream may look open while its connection is dead, and nothing would ever arrive on it.
   */
  restartWatch(): void {
    this.watchController?.abort();
  }

  /** Makes the next loop turn relist (and ends the current watch). */
  relist(): void {
    this.forceRelist = true;
    this.watchController?.abort();
    this.wake?.();
  }

  get(namespace: string | undefined, name: string): SlimObject | undefined {
    return this.objects.get(objectKey(this.kind.namespaced ? namespace : undefined, name));
  }

  /**
   * The cached objects matching `filter`. The unfiltered list is one array kept until the next change, so
   * that what is derived from it per request (a caller's RBAC cut, memoised per array in src/graphql/reads.ts)
   * is derived once per change rather than once per request. Callers must not modify what they get.
   */
  list(filter: ListFilter = {}): SlimObject[] {
    const unfiltered = Object.values(filter).every((v) => v === undefined);
    if (unfiltered && this.everything) return this.everything;
    const memoKey = unfiltered || filter.name !== undefined ? undefined : filterMemoKey(filter);
    if (memoKey !== undefined) {
      const kept = this.filtered.get(memoKey);
      if (kept) return kept;
    }
    const compiled = compileFilter(filter);
    // Narrow with the most selective index available, then apply the whole filter.
    let candidates: Iterable<SlimObject>;
    if (filter.nodeName !== undefined) candidates = this.fromIndex('byNode', filter.nodeName);
    else if (filter.ownerUid !== undefined) candidates = this.fromIndex('byOwner', filter.ownerUid);
    else if (filter.namespace !== undefined && filter.name !== undefined) {
      const o = this.get(filter.namespace, filter.name);
      candidates = o ? [o] : [];
    } else if (filter.namespace !== undefined) candidates = this.fromIndex('byNamespace', filter.namespace);
    else candidates = this.objects.values();
    const out: SlimObject[] = [];
    for (const o of candidates) if (matchesFilter(o, compiled)) out.push(o);
    if (unfiltered) this.everything = out;
    else if (memoKey !== undefined) {
      if (this.filtered.size >= FILTERED_LISTS_KEPT) this.filtered.clear();
      this.filtered.set(memoKey, out);
    }
    return out;
  }

  /** Drops the lists kept until the next change (`everything`, `filtered`): called on every change. */
  private forgetLists(): void {
    this.everything = undefined;
    if (this.filtered.size) this.filtered.clear();
  }

  byIndex(name: IndexName, value: string): SlimObject[] {
    return this.fromIndex(name, value);
  }

  private fromIndex(name: IndexName, value: string): SlimObject[] {
    // The index holds the cached objects themselves, in (namespace, name) order.
    return this.index.objects(name, value).slice();
  }

  /**
   * The objects in `spec`'s order (see OrderedIndex), built from the store on first use for that field and
   * kept up to date by every change after it. Read it at once: it changes with the next event.
   */
  orderedBy(spec: SortSpec): OrderedIndex {
    let index = this.ordered.get(spec.id);
    if (!index) {
      index = new OrderedIndex(spec);
      index.load(this.objects.values());
      this.ordered.set(spec.id, index);
    }
    return index;
  }

  private setState(state: KindSyncState, error: ClusterError | null): void {
    if (state === this.currentState && error?.message === this.currentError?.message) return;
    this.currentState = state;
    this.currentError = error;
    this.options.onState?.(state, error);
    if (state === 'synced' || state === 'failed') {
      const waiters = this.syncedWaiters;
      this.syncedWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    let quickCloses = 0;
    let needList = true;
    let watches = 0;
    while (!this.stopped) {
      try {
        if (needList || this.forceRelist) {
          this.forceRelist = false;
          await this.listAll();
          needList = false;
        }
        const openedAt = Date.now();
        if (watches++ > 0) this.options.signals?.watchRestarted(this.cluster, this.kind.name);
        await this.watchOnce(() => {
          failures = 0;
          this.setState('synced', null);
        });
        // A stream that the server keeps closing at once must not turn into a tight reconnect loop.
        quickCloses = Date.now() - openedAt < 1000 ? quickCloses + 1 : 0;
        if (quickCloses > 1 && !this.stopped && !this.forceRelist) await this.sleep(this.backoffMs(quickCloses - 1));
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof GoneError) {
          needList = true;
          continue;
        }
        failures++;
        // 404 on the collection: the API went away since discovery (the next discovery stops this informer).
        const notServed = (err instanceof UpstreamError ? err.status : (err as { statusCode?: number } | null)?.statusCode) === 404;
        this.setState('failed', toClusterError(this.cluster, err, notServed ? API_NOT_SERVED : undefined));
        await this.sleep(this.backoffMs(failures));
      }
    }
    this.watchController = undefined;
    const waiters = this.syncedWaiters;
    this.syncedWaiters = [];
    for (const w of waiters) w();
  }

  private backoffMs(failures: number): number {
    const initial = this.options.backoff?.initialMs ?? 500;
    const max = this.options.backoff?.maxMs ?? 30_000;
    const base = Math.min(max, initial * 2 ** Math.min(failures - 1, 16));
    // Jitter so that members recovering together do not relist in lockstep.
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).then(() => {
      this.wake = undefined;
    });
  }

  /** Lists every page, then swaps the cache; after the first list, the differences go out as one RESYNC. */
  private async listAll(): Promise<void> {
    if (this.hasListed) this.options.signals?.relisted(this.cluster, this.kind.name);
    const fresh = new Map<string, SlimObject>();
    let cont: string | undefined;
    let rv = '';
    do {
      let page: { metadata?: { resourceVersion?: string; continue?: string }; items?: Array<Record<string, any>> };
      try {
        // The member's slot is taken before the request (so the call's timeout starts once it is sent).
        const query = { limit: this.options.pageSize ?? LIST_PAGE_SIZE, continue: cont };
        page = await memberListGate(this.client).run(() => this.client.getJson(collectionPath(this.kind, this.options.namespace), query, `list ${this.kind.name}`, undefined, listPageGate));
      } catch (err) {
        // An expired continue token: start the list again (not a failure of the cluster).
        if (err instanceof UpstreamError && err.status === 410 && cont) throw new GoneError();
        throw err;
      }
      // Projected as soon as it is parsed (nothing runs in between), so that at most one parsed page waits.
      const items = page.items ?? [];
      for (let i = 0; i < items.length; i++) {
        const slim = this.project(this.kind, items[i]!);
        // Dropped as soon as projected: a garbage collection during the page then copies only the rest.
        items[i] = undefined as never;
        fresh.set(storeKey(slim), slim);
      }
      rv = page.metadata?.resourceVersion ?? rv;
      cont = page.metadata?.continue || undefined;
    } while (cont && !this.stopped);
    if (this.stopped) return;

    const previous = this.objects;
    this.objects = fresh;
    this.forgetLists();
    this.index.load(fresh.values());
    // Rebuilt from the new store when next asked for: a relist may change most of it.
    this.ordered.clear();
    this.resourceVersion = rv;
    const wasListed = this.hasListed;
    this.hasListed = true;
    if (wasListed) {
      const added: SlimObject[] = [];
      const modified: Array<{ before: SlimObject; after: SlimObject }> = [];
      const deleted: SlimObject[] = [];
      for (const [key, after] of fresh) {
        const before = previous.get(key);
        if (!before) added.push(after);
        else if (before.metadata.resourceVersion !== after.metadata.resourceVersion) modified.push({ before, after });
      }
      for (const [key, before] of previous) if (!fresh.has(key)) deleted.push(before);
      this.options.onChange({ type: 'RESYNC', cluster: this.cluster, kind: this.kind.name, added, modified, deleted });
    }
  }

  /** One watch stream; resolves when it closes cleanly, rejects with GoneError on 410 or the failure. */
  private watchOnce(onOpen: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let gone = false;
      let finished = false;
      const finish = (err: unknown) => {
        if (finished) return;
        finished = true;
        if (gone) reject(new GoneError());
        else if (this.stopped || this.forceRelist) resolve();
        else if (err && !(err instanceof Error && err.name === 'AbortError')) reject(err);
        else resolve();
      };
      const timeoutSeconds = this.options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
      this.client
        .watch(
          collectionPath(this.kind, this.options.namespace),
          { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
          (type, obj) => {
            if (finished) return;
            if (type === 'ERROR') {
              if (obj?.code === 410) gone = true;
              else {
                // The ERROR event carries a Status: classified by its code and reason, summarised like an answer.
                const status = Number(obj?.code ?? 500);
                finish(UpstreamError.fromAnswer(`watch ${this.kind.name}`, Number.isFinite(status) ? status : 500, JSON.stringify({ ...obj, kind: 'Status' })));
              }
              this.watchController?.abort();
              return;
            }
            if (type === 'BOOKMARK') {
              if (obj?.metadata?.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
              return;
            }
            this.apply(type, obj);
          },
          (err) => {
            if ((err as { statusCode?: number } | null)?.statusCode === 410) gone = true;
            finish(err);
          },
          `watch ${this.kind.name}`,
          this.options.watchSetupTimeoutMs,
        )
        .then((controller) => {
          this.watchController = controller;
          if (this.stopped || this.forceRelist) controller.abort();
          // Watch resolves after the response headers: the stream is open unless done already ran.
          else if (!finished) onOpen();
        }, finish);
    });
  }

  private apply(type: string, raw: Record<string, any>): void {
    const slim = this.project(this.kind, raw);
    const key = storeKey(slim);
    if (slim.metadata.resourceVersion) this.resourceVersion = slim.metadata.resourceVersion;
    const before = this.objects.get(key);
    if (type === 'DELETED') {
      if (before) {
        this.objects.delete(key);
        this.forgetLists();
        this.index.remove(key, before);
        for (const o of this.ordered.values()) o.remove(before);
      }
      this.options.onChange({ type: 'DELETED', cluster: this.cluster, kind: this.kind.name, before: before ?? slim });
      return;
    }
    if (before) this.index.remove(key, before);
    this.objects.set(key, slim);
    this.forgetLists();
    this.index.add(key, slim);
    for (const o of this.ordered.values()) {
      if (before) o.remove(before);
      o.add(slim);
    }
    if (before) this.options.onChange({ type: 'MODIFIED', cluster: this.cluster, kind: this.kind.name, before, after: slim });
    else this.options.onChange({ type: 'ADDED', cluster: this.cluster, kind: this.kind.name, after: slim });
  }
}
