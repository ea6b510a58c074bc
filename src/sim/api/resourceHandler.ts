/**
 * The verbs on one cluster's resources: get, list, watch, create, update, patch, apply, delete,
 * deletecollection, and the status, scale, log and eviction subresources. Every write goes through
 * the cluster's ObjectApi; this layer only speaks the wire protocol (query parameters, bodies,
 * negotiation, Status errors) the way kube-apiserver 1.26 does on the recordings.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import yaml from 'js-yaml';
import { ApiError } from '../cluster/ApiError.js';
import type { ResourceType, DeleteOptions } from '../cluster/SimCluster.js';
import type { SimClusterInternals, InternalWriteOptions, InternalDeleteOptions } from '../cluster/createSimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { METRICS_KEYS } from '../resources/builtinResources.js';
import { decodeContinue, encodeContinue } from './continueToken.js';
import { negotiateOutput, requestBodyFormat } from './mediaTypes.js';
import type { OutputFormat } from './mediaTypes.js';
import { jsonMergePatch, jsonPatch, strategicMergePatch } from './patches.js';
import { serverSideApply } from './serverSideApply.js';
import { sendBody, sendList } from './respond.js';
import { partialObjectMetadata, table } from './tables.js';
import type { IncludeObject } from './tables.js';
import { serveWatch } from './watchStream.js';
import { servePodLog } from './podLogs.js';
import { evictPod } from './eviction.js';
import { applyScale, scaleOf } from './scaleSubresource.js';
import { metricsAnswer } from './metricsApi.js';
import { decodeProtobufBody } from './protobufBodies.js';
import { pruneFields, unknownFields } from '../resources/knownFields.js';
import type { UserInfo } from '../auth/types.js';
import { isReviewType } from '../auth/rbacResources.js';
import { answerReview } from '../auth/accessReviews.js';
import { admitRbacWrite } from '../auth/escalationAdmission.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ResourceRequest {
  cluster: SimClusterInternals;
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  legacyWatch: boolean;
  query: URLSearchParams;
  /** Who asks (authorized already; the review APIs and the RBAC escalation check look at it). */
  user: UserInfo;
  /** Reads the request body (once). */
  body: () => Promise<Buffer>;
  track: (close: () => void) => () => void;
  onServerStop: (close: () => void) => () => void;
  /** Called with each pod the `eviction` subresource evicted (the admin API's eviction log). */
  onEvicted?: (pod: KubeObject) => void;
}

/** Finds the served type for a URL's group, version and plural name. */
export function resolveType(cluster: SimClusterInternals, group: string, version: string, resource: string): ResourceType | undefined {
  const key = group ? `${group}/${resource}` : resource;
  const t = cluster.resources.get(key);
  if (!t || t.version !== version) return undefined;
  return t;
}

/** The field manager of a write: `fieldManager`, else the User-Agent's program name (as recorded: "curl"). */
export function fieldManagerOf(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const fm = query.get('fieldManager');
  if (fm) return fm;
  const ua = req.headers['user-agent'];
  if (!ua) return 'unknown';
  return ua.split('/')[0]!.split(' ')[0] || 'unknown';
}

function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

function qualified(t: ResourceType): { group: string; resource: string } {
  return { group: t.group, resource: t.resource };
}

function parseBody(buf: Buffer, kind: string, asYaml: boolean): unknown {
  const text = buf.toString('utf8');
  if (asYaml) {
    try {
      return yaml.load(text);
    } catch (err) {
      throw ApiError.badRequest(`the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; yaml parse error: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    // The server quotes the first 30 bytes of what it could not decode.
    const snippet = text.length > 30 ? `${text.slice(0, 30)} ...` : text;
    const why = 'unexpected end of JSON input';
    throw ApiError.badRequest(`the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: ${why} (${snippet})`);
  }
}

/**
 * Unknown fields of a built-in kind, handled per `fieldValidation`: Strict fails the request, Warn
 * (the default) drops them and returns Warning headers, Ignore drops them silently.
 */
function validateFields(t: ResourceType, object: KubeObject, query: URLSearchParams): Record<string, string | string[]> {
  const unknown = unknownFields(t.key, object as Record<string, unknown>);
  if (unknown.length === 0) return {};
  const mode = query.get('fieldValidation') ?? 'Warn';
  if (mode === 'Strict') {
    throw ApiError.badRequest(
      `${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
    );
  }
  pruneFields(object as Record<string, unknown>, unknown);
  if (mode === 'Ignore') return {};
  return { Warning: unknown.map((f) => `299 - ${JSON.stringify(`unknown field "${f}"`)}`) };
}

/** A create/update body in whatever encoding the client sent (JSON, YAML or protobuf). */
async function readBody(req: IncomingMessage, r: ResourceRequest, kind: string): Promise<unknown> {
  const format = requestBodyFormat(req.headers['content-type'], false);
  const raw = await r.body();
  if (format === 'protobuf') return decodeProtobufBody(raw);
  return parseBody(raw, kind, format === 'yaml');
}

function decodeDeleteOptions(req: IncomingMessage, raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const format = requestBodyFormat(req.headers['content-type'], false);
  return format === 'protobuf' ? decodeProtobufBody(raw) : parseBody(raw, 'DeleteOptions', format === 'yaml');
}

function asObject(value: unknown, kind: string): KubeObject {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw ApiError.badRequest(`the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: expected object`);
  }
  const o = value as KubeObject;
  o.metadata ??= {};
  return o;
}

/** Items in a list carry no kind/apiVersion (recorded). */
function listItem(o: KubeObject): Record<string, unknown> {
  const { kind: _k, apiVersion: _a, ...rest } = o;
  return rest;
}

function includeObjectOf(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject');
  return v === 'Object' || v === 'None' ? v : 'Metadata';
}

function sendObject(res: ServerResponse, code: number, t: ResourceType, o: KubeObject, format: OutputFormat, query: URLSearchParams, headers: Record<string, string | string[]> = {}): void {
  if (format.type === 'table') {
    sendBody(res, code, table(t, [o], { resourceVersion: o.metadata.resourceVersion }, includeObjectOf(query), format.version), { type: 'json' }, headers);
  } else if (format.type === 'partial') {
    sendBody(res, code, partialObjectMetadata(o, format.version), { type: 'json' }, headers);
  } else {
    sendBody(res, code, o, format, headers);
  }
}

/**
 * The `dryRun` option of a write: only `All` is a value (validation answers 422 Invalid naming the
 * options kind otherwise, e.g. `CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value:
 * []string{"yes"}: supported values: "All"`).
 */
export function dryRunOf(values: readonly unknown[], optionsKind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions'): boolean {
  if (values.length === 0) return false;
  if (values.every((v) => v === 'All')) return true;
  const shown = `[]string{${values.map((v) => JSON.stringify(String(v))).join(', ')}}`;
  const message = `Unsupported value: ${shown}: supported values: "All"`;
  throw new ApiError(422, 'Invalid', `${optionsKind}.meta.k8s.io "" is invalid: dryRun: ${message}`, {
    group: 'meta.k8s.io',
    kind: optionsKind,
    causes: [{ reason: 'FieldValueNotSupported', message, field: 'dryRun' }],
  });
}

function deleteOptionsOf(query: URLSearchParams, body: unknown): InternalDeleteOptions {
  const b = (body && typeof body === 'object' ? body : {}) as Obj;
  const out: InternalDeleteOptions = {};
  // A DeleteOptions body carries dryRun as a list (kubectl delete --dry-run=server); else the query.
  const dry: unknown[] = Array.isArray(b['dryRun']) ? b['dryRun'] : typeof b['dryRun'] === 'string' ? [b['dryRun']] : query.getAll('dryRun');
  if (dryRunOf(dry, 'DeleteOptions')) out.dryRun = true;
  const grace = b['gracePeriodSeconds'] ?? (query.has('gracePeriodSeconds') ? Number(query.get('gracePeriodSeconds')) : undefined);
  if (typeof grace === 'number' && Number.isFinite(grace)) out.gracePeriodSeconds = Math.max(0, grace);
  const policy = b['propagationPolicy'] ?? query.get('propagationPolicy') ?? undefined;
  if (policy !== undefined && policy !== null) {
    if (!['Foreground', 'Background', 'Orphan'].includes(policy)) {
      throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`, {
        group: 'meta.k8s.io',
        kind: 'DeleteOptions',
        causes: [{ reason: 'FieldValueNotSupported', message: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`, field: 'propagationPolicy' }],
      });
    }
    out.propagationPolicy = policy;
  } else {
    const orphan = b['orphanDependents'] ?? (query.has('orphanDependents') ? query.get('orphanDependents') === 'true' : undefined);
    if (orphan === true) out.propagationPolicy = 'Orphan';
  }
  const uid = b['preconditions']?.['uid'];
  if (typeof uid === 'string') out.preconditionUid = uid;
  return out;
}

/** A request to a cluster's resource. Throws ApiError for every failure the wire shows as a Status. */
export async function handleResourceRequest(req: IncomingMessage, res: ServerResponse, r: ResourceRequest): Promise<void> {
  const { cluster, query } = r;
  const t = resolveType(cluster, r.group, r.version, r.resource);
  if (!t) throw ApiError.notFoundPath();
  if (r.namespace !== undefined && !t.namespaced) throw ApiError.notFoundPath();
  const method = req.method ?? 'GET';
  const accept = req.headers['accept'];
  const format = negotiateOutput(accept, { allowTable: true });
  const ns = t.namespaced ? r.namespace : undefined;
  const manager = fieldManagerOf(req, query) ?? 'unknown';
  const sub = r.subresource;

  if (METRICS_KEYS.has(t.key)) {
    if (method !== 'GET') throw ApiError.methodNotSupported(qualified(t), method.toLowerCase());
    sendBody(res, 200, metricsAnswer(cluster, t.resource as 'nodes' | 'pods', ns, r.name, query.get('labelSelector') ?? undefined), format.type === 'yaml' ? format : { type: 'json' });
    return;
  }

  if (sub !== undefined && !(t.subresources ?? []).includes(sub)) throw ApiError.notFoundPath();

  if (isReviewType(t)) {
    // Create-only kinds: answered from the authorizer, never stored.
    if (method !== 'POST' || r.name !== undefined) throw ApiError.methodNotSupported(qualified(t), method.toLowerCase());
    const answer = answerReview({ cluster, type: t, ...(ns !== undefined ? { namespace: ns } : {}), body: await readBody(req, r, t.kind), user: r.user, manager });
    sendBody(res, answer.code, answer.body, format.type === 'yaml' ? format : { type: 'json' });
    return;
  }

  // ------------------------------------------------------------ collection
  if (r.name === undefined) {
    const watch = r.legacyWatch || query.get('watch') === 'true' || query.get('watch') === '1';
    if (method === 'GET' && watch) {
      serveWatch(req, res, { cluster, type: t, namespace: ns, query, format, track: r.track, onServerStop: r.onServerStop });
      return;
    }
    if (method === 'GET') return list(res, cluster, t, ns, query, format);
    if (method === 'POST') {
      const dryRun = dryRunOf(query.getAll('dryRun'), 'CreateOptions');
      const body = asObject(await readBody(req, r, t.kind), t.kind);
      if (t.namespaced) {
        if (body.metadata.namespace && r.namespace !== undefined && body.metadata.namespace !== r.namespace) {
          throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
        }
        if (r.namespace !== undefined) body.metadata.namespace = r.namespace;
        else throw ApiError.notFoundPath();
      }
      const warnings = validateFields(t, body, query);
      admitRbacWrite(cluster, r.user, t, body);
      const created = cluster.objects.create(t.key, body, { manager, ...(dryRun ? { dryRun } : {}) });
      sendObject(res, 201, t, created, format, query, warnings);
      return;
    }
    if (method === 'DELETE') {
      const raw = await r.body();
      const opts = deleteOptionsOf(query, decodeDeleteOptions(req, raw));
      const items = cluster.objects.list(t.key, { namespace: ns, labelSelector: query.get('labelSelector') ?? undefined, fieldSelector: query.get('fieldSelector') ?? undefined });
      const deleted: KubeObject[] = [];
      for (const o of items) {
        try {
          deleted.push(cluster.objects.delete(t.key, o.metadata.namespace, o.metadata.name!, opts));
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
      sendBody(res, 200, { kind: t.listKind, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(cluster.store.currentResourceVersion()) }, items: deleted.map(listItem) }, format.type === 'yaml' ? format : { type: 'json' });
      return;
    }
    throw ApiError.methodNotSupported(qualified(t), method.toLowerCase());
  }

  // ------------------------------------------------------------ one object
  const name = r.name;
  if (sub === 'log') {
    if (method !== 'GET') throw ApiError.methodNotSupported(qualified(t), method.toLowerCase());
    servePodLog(req, res, cluster, ns!, name, query, r.track);
    return;
  }
  if (sub === 'eviction') {
    if (method !== 'POST') throw ApiError.methodNotSupported(qualified(t), method.toLowerCase());
    const body = await readBody(req, r, 'Eviction');
    sendBody(res, 201, evictPod(cluster, ns!, name, body, manager, r.onEvicted), { type: 'json' });
    return;
  }
  if (sub === 'scale') return scale(req, res, r, t, ns, name, manager);
  if (sub === 'proxy' || sub === 'finalize') throw ApiError.notFoundPath();

  const writeStatus = sub === 'status';
  if (method === 'GET') {
    const o = cluster.objects.get(t.key, ns, name);
    if (!o) throw ApiError.notFound(qualified(t), name);
    sendObject(res, 200, t, o, format, query);
    return;
  }
  if (method === 'PUT') {
    const dryRun = dryRunOf(query.getAll('dryRun'), 'UpdateOptions');
    const body = asObject(await readBody(req, r, t.kind), t.kind);
    if (body.metadata.name && body.metadata.name !== name) {
      throw ApiError.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (t.namespaced && body.metadata.namespace && body.metadata.namespace !== r.namespace) {
      throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    body.metadata.name = name;
    if (t.namespaced) body.metadata.namespace = r.namespace;
    const warnings = validateFields(t, body, query);
    admitRbacWrite(cluster, r.user, t, body);
    // The parsed body is this request's own: stored as it is rather than deep-copied again.
    const options: InternalWriteOptions = writeStatus ? { manager, subresource: 'status', ownedCopy: true } : { manager, preserveStatus: true, ownedCopy: true };
    if (dryRun) options.dryRun = true;
    const updated = cluster.objects.update(t.key, body, options);
    sendObject(res, 200, t, updated, format, query, warnings);
    return;
  }
  if (method === 'PATCH') {
    const dryRun = dryRunOf(query.getAll('dryRun'), 'PatchOptions');
    const dry = dryRun ? { dryRun } : {};
    const kind = requestBodyFormat(req.headers['content-type'], true);
    const raw = await r.body();
    const current = cluster.objects.get(t.key, ns, name);
    if (kind === 'apply-patch') {
      if (!query.get('fieldManager')) {
        throw new ApiError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
          group: 'meta.k8s.io',
          kind: 'PatchOptions',
          causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
        });
      }
      const applied = asObject(parseBody(raw, t.kind, true), t.kind);
      if (applied.metadata.name && applied.metadata.name !== name) {
        throw ApiError.badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
      }
      applied.metadata.name = name;
      if (t.namespaced) applied.metadata.namespace = r.namespace;
      const applyWarnings = validateFields(t, applied, query);
      const force = query.get('force') === 'true';
      const result = serverSideApply(current, applied, { manager: query.get('fieldManager')!, force, apiVersion: apiVersionOf(t), ...(writeStatus ? { subresource: 'status' as const } : {}) });
      admitRbacWrite(cluster, r.user, t, result.object);
      if (!current) {
        const created = cluster.objects.create(t.key, result.object, { manager, managedFields: result.managedFields, ...dry });
        sendObject(res, 201, t, created, format, query, applyWarnings);
        return;
      }
      result.object.metadata.resourceVersion = current.metadata.resourceVersion;
      const updated = cluster.objects.update(t.key, result.object, writeStatus ? { manager, subresource: 'status', managedFields: result.managedFields, ...dry } : { manager, preserveStatus: true, managedFields: result.managedFields, ...dry });
      sendObject(res, 200, t, updated, format, query, applyWarnings);
      return;
    }
    if (!current) throw ApiError.notFound(qualified(t), name);
    let patchBody: unknown;
    try {
      patchBody = JSON.parse(raw.toString('utf8'));
    } catch {
      throw ApiError.badRequest(`error decoding patch: invalid character in patch body`);
    }
    let patched: unknown;
    if (kind === 'merge-patch') patched = jsonMergePatch(current, patchBody);
    else if (kind === 'strategic-merge-patch') patched = strategicMergePatch(current, patchBody);
    else patched = jsonPatch(current, patchBody);
    const next = asObject(patched, t.kind);
    // A patch may carry a resourceVersion precondition; without one it applies to the current object.
    next.metadata.resourceVersion ||= current.metadata.resourceVersion;
    if (next.metadata.name !== name) throw ApiError.badRequest(`the name of the object (${String(next.metadata.name)}) does not match the name on the URL (${name})`);
    const warnings = validateFields(t, next, query);
    admitRbacWrite(cluster, r.user, t, next);
    // Every patch builds new containers along the paths it writes and keeps the stored (never mutated)
    // parts elsewhere, so the result is ours to store as it is: no deep copy, and the write's diff and
    // no-op check stop at the shared parts.
    const updated = cluster.objects.update(t.key, next, writeStatus ? { manager, subresource: 'status', ownedCopy: true, ...dry } : { manager, preserveStatus: true, ownedCopy: true, ...dry });
    sendObject(res, 200, t, updated, format, query, warnings);
    return;
  }
  if (method === 'DELETE') {
    const raw = await r.body();
    const opts = deleteOptionsOf(query, decodeDeleteOptions(req, raw));
    const result = cluster.objects.delete(t.key, ns, name, opts);
    sendObject(res, 200, t, result, format.type === 'table' || format.type === 'partial' ? { type: 'json' } : format, query);
    return;
  }
  throw ApiError.methodNotSupported(qualified(t), method.toLowerCase());
}

function list(res: ServerResponse, cluster: SimClusterInternals, t: ResourceType, ns: string | undefined, query: URLSearchParams, format: OutputFormat): void {
  const labelSelector = query.get('labelSelector') ?? undefined;
  const fieldSelector = query.get('fieldSelector') ?? undefined;
  const rv = cluster.store.currentResourceVersion();
  let items = cluster.objects.list(t.key, { namespace: ns, labelSelector, fieldSelector });
  const keyOf = (o: KubeObject): string => (ns === undefined && t.namespaced ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name!);
  const cont = query.get('continue');
  let listRv = rv;
  if (cont) {
    const pos = decodeContinue(cont);
    listRv = pos.rv;
    // Items come sorted by key (the store's order), so the page starts where a binary search says.
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keyOf(items[mid]!) < pos.start) lo = mid + 1;
      else hi = mid;
    }
    items = items.slice(lo);
  }
  const limit = Number(query.get('limit') ?? 0);
  const meta: Record<string, unknown> = { resourceVersion: String(listRv) };
  if (limit > 0 && items.length > limit) {
    const page = items.slice(0, limit);
    meta['continue'] = encodeContinue(listRv, keyOf(page[page.length - 1]!));
    // Like the server, the remaining count is only known when no selector filtered the list.
    if (!labelSelector && !fieldSelector) meta['remainingItemCount'] = items.length - limit;
    items = page;
  }
  if (format.type === 'table') {
    sendBody(res, 200, table(t, items, meta, includeObjectOf(query), format.version), { type: 'json' });
    return;
  }
  if (format.type === 'partial') {
    sendBody(res, 200, { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${format.version}`, metadata: meta, items: items.map((o) => partialObjectMetadata(o, format.version)) }, { type: 'json' });
    return;
  }
  sendList(res, { kind: t.listKind, apiVersion: apiVersionOf(t), metadata: meta }, items.map(listItem), format);
}

async function scale(req: IncomingMessage, res: ServerResponse, r: ResourceRequest, t: ResourceType, ns: string | undefined, name: string, manager: string): Promise<void> {
  const { cluster } = r;
  const method = req.method ?? 'GET';
  const current = cluster.objects.get(t.key, ns, name);
  if (!current) throw ApiError.notFound(qualified(t), name);
  if (method === 'GET') return sendBody(res, 200, scaleOf(current), { type: 'json' });
  const dryRun = dryRunOf(r.query.getAll('dryRun'), method === 'PUT' ? 'UpdateOptions' : 'PatchOptions');
  let scaleObj: unknown;
  if (method === 'PUT') {
    scaleObj = await readBody(req, r, 'Scale');
  } else if (method === 'PATCH') {
    const kind = requestBodyFormat(req.headers['content-type'], true);
    const raw = await r.body();
    const base = scaleOf(current);
    if (kind === 'apply-patch') scaleObj = jsonMergePatch(base, parseBody(raw, 'Scale', true));
    else {
      const patch = JSON.parse(raw.toString('utf8')) as unknown;
      scaleObj = kind === 'json-patch' ? jsonPatch(base, patch) : kind === 'merge-patch' ? jsonMergePatch(base, patch) : strategicMergePatch(base, patch);
    }
    // A patch applies to the current Scale: its resourceVersion is no precondition.
    ((scaleObj as Obj)['metadata'] ??= {})['resourceVersion'] = current.metadata.resourceVersion;
  } else throw ApiError.methodNotSupported(qualified(t), method.toLowerCase());
  const next = applyScale(current, scaleObj);
  const updated = cluster.objects.update(t.key, next, { manager, preserveStatus: true, ...(dryRun ? { dryRun } : {}) });
  sendBody(res, 200, scaleOf(updated), { type: 'json' });
}
