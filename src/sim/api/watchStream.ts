/**
 * A watch answer: HTTP 200 with chunked `{"type","object"}` lines, as the recordings show.
 *
 * - resourceVersion unset or "0": synthetic ADDED events for what exists, then live changes.
 * - resourceVersion N: replay of the kept history after N, then live; too old gives one ERROR event
 *   (Status 410 Expired) and the end of the stream.
 * - Selectors filter events; an object that stops matching is sent as DELETED, one that starts
 *   matching as ADDED (what the watch cache does).
 * - allowWatchBookmarks: a BOOKMARK about 2 s before timeoutSeconds runs out, and every minute.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../cluster/ApiError.js';
import type { ResourceType } from '../cluster/SimCluster.js';
import type { SimClusterInternals } from '../cluster/createSimCluster.js';
import { StoreError } from '../store/Store.js';
import type { KubeObject, StoreEvent } from '../store/Store.js';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from '../cluster/selectors.js';
import { columnDefinitions, tableRow } from './tables.js';
import { watchEventLine } from './encodedObjects.js';
import type { OutputFormat } from './mediaTypes.js';

export interface WatchRequest {
  cluster: SimClusterInternals;
  type: ResourceType;
  namespace: string | undefined;
  query: URLSearchParams;
  format: OutputFormat;
  /** Registers the stream so a fault can end it; returns the unregister function. */
  track: (close: () => void) => () => void;
  /** Ends the stream when the simulator stops. */
  onServerStop: (close: () => void) => () => void;
}

/** Default and maximum watch duration when the client gives no timeoutSeconds (real: 30-60 min). */
const DEFAULT_TIMEOUT_SECONDS = 1800;
const BOOKMARK_INTERVAL_MS = 60_000;

function bookmarkObject(type: ResourceType, rv: number): Record<string, unknown> {
  const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
  const base: Record<string, unknown> = { kind: type.kind, apiVersion, metadata: { resourceVersion: String(rv), creationTimestamp: null } };
  // An empty Pod as the server serialises it (recorded): spec.containers null, empty status.
  if (type.key === 'pods') return { ...base, spec: { containers: null }, status: {} };
  return base;
}

export function validateWatchQuery(query: URLSearchParams): void {
  if (query.get('resourceVersionMatch')) {
    const causes = [{ reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden for watch', field: 'resourceVersionMatch' }];
    if (!query.get('resourceVersion')) {
      causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided', field: 'resourceVersionMatch' });
    }
    throw new ApiError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: ${causes.length > 1 ? `[${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}]` : `${causes[0]!.field}: ${causes[0]!.message}`}`, {
      group: 'meta.k8s.io',
      kind: 'ListOptions',
      causes,
    });
  }
}

export function serveWatch(req: IncomingMessage, res: ServerResponse, w: WatchRequest): void {
  const { cluster, type, namespace, query, format } = w;
  validateWatchQuery(query);
  const labels = parseLabelSelector(query.get('labelSelector') ?? undefined);
  const fields = parseFieldSelector(query.get('fieldSelector') ?? undefined, (f) => cluster.fieldSupported(type, f));
  const matches = (o: KubeObject): boolean =>
    matchLabels(labels, o.metadata.labels) && matchFields(fields, o, (obj, f) => cluster.fieldValue(type, obj, f));
  const filtered = labels.length > 0 || fields.length > 0;
  const rvParam = query.get('resourceVersion');
  const timeoutSeconds = Math.min(Number(query.get('timeoutSeconds') ?? DEFAULT_TIMEOUT_SECONDS) || DEFAULT_TIMEOUT_SECONDS, DEFAULT_TIMEOUT_SECONDS);
  const bookmarks = query.get('allowWatchBookmarks') === 'true' || query.get('allowWatchBookmarks') === '1';
  const asTable = format.type === 'table';
  const include = (query.get('includeObject') as 'Object' | 'Metadata' | 'None' | null) ?? 'Metadata';
  let sentColumns = false;

  res.writeHead(200, { 'Cache-Control': 'no-cache, private', 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: () => void = () => {};
  const cleanups: Array<() => void> = [];
  const close = (): void => {
    if (closed) return;
    closed = true;
    for (const t of timers) clearTimeout(t), clearInterval(t);
    unsubscribe();
    for (const c of cleanups) c();
    if (!res.writableEnded) res.end();
  };
  // The synthetic ADDED events and the replay are written in one go; only live events can tell a
  // consumer that stopped reading.
  let live = false;
  let backlogAtLive = 0;
  const write = (type_: string, object: unknown): void => {
    if (closed) return;
    res.write(`${JSON.stringify({ type: type_, object })}\n`);
    cutOffIfStalled();
  };
  // A consumer that stops reading is cut off, as the server drops slow watchers.
  const cutOffIfStalled = (): void => {
    if (live && res.writableLength - backlogAtLive > 64 * 1024 * 1024) close();
  };
  const writeObject = (evType: string, o: KubeObject): void => {
    if (!asTable) {
      // Stored objects: one encoding shared with every other watcher of this change.
      if (closed) return;
      res.write(watchEventLine(evType, o));
      cutOffIfStalled();
      return;
    }
    const now = Date.now();
    const t = {
      kind: 'Table',
      apiVersion: `meta.k8s.io/${format.type === 'table' ? format.version : 'v1'}`,
      metadata: { resourceVersion: o.metadata.resourceVersion },
      columnDefinitions: sentColumns ? [] : columnDefinitions(type),
      rows: [tableRow(type, o, include, now)],
    };
    sentColumns = true;
    write(evType, t);
  };

  req.on('close', close);
  res.on('close', close);
  cleanups.push(w.track(close));
  cleanups.push(w.onServerStop(close));

  const matching = new Set<string>();
  const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const onEvent = (ev: StoreEvent): void => {
    const o = ev.object;
    if (!filtered) {
      writeObject(ev.type, o);
      return;
    }
    const k = keyOf(o);
    const now = ev.type !== 'DELETED' && matches(o);
    const before = matching.has(k);
    if (ev.type === 'DELETED') {
      if (before || matches(o)) writeObject('DELETED', o);
      matching.delete(k);
    } else if (now) {
      matching.add(k);
      writeObject(before ? ev.type : 'ADDED', o);
    } else if (before) {
      matching.delete(k);
      writeObject('DELETED', o);
    }
  };

  let fromRv: number;
  if (!rvParam || rvParam === '0') {
    fromRv = cluster.store.currentResourceVersion();
    for (const o of cluster.store.list(type.key, type.namespaced ? namespace : undefined)) {
      if (filtered && !matches(o)) continue;
      if (filtered) matching.add(keyOf(o));
      writeObject('ADDED', o);
    }
  } else {
    fromRv = Number(rvParam);
    if (!Number.isInteger(fromRv) || fromRv < 0) {
      close();
      return;
    }
    if (filtered) for (const o of cluster.store.list(type.key, type.namespaced ? namespace : undefined)) if (matches(o)) matching.add(keyOf(o));
  }
  try {
    unsubscribe = cluster.store.watch(type.key, type.namespaced ? namespace : undefined, fromRv, onEvent);
  } catch (err) {
    if (err instanceof StoreError && err.reason === 'Expired') {
      write('ERROR', {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${fromRv} (${err.oldestResourceVersion ?? cluster.store.currentResourceVersion()})`,
        reason: 'Expired',
        code: 410,
      });
      close();
      return;
    }
    throw err;
  }
  if (closed) {
    unsubscribe();
    return;
  }
  live = true;
  backlogAtLive = res.writableLength;
  const sendBookmark = (): void => write('BOOKMARK', bookmarkObject(type, cluster.store.currentResourceVersion()));
  const timeoutMs = timeoutSeconds * 1000;
  timers.push(setTimeout(close, timeoutMs));
  if (bookmarks) {
    if (timeoutSeconds > 3) timers.push(setTimeout(sendBookmark, timeoutMs - 2000));
    timers.push(setInterval(sendBookmark, BOOKMARK_INTERVAL_MS));
  }
}
