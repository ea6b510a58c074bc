/**
 * The three patch formats kube-apiserver accepts besides apply: JSON merge patch (RFC 7386), strategic
 * merge patch (merge keys and directives for the lists kubectl and controllers patch), and JSON patch
 * (RFC 6902, with `test`; a failed op is a 422 with the server's generic message, as recorded).
 */
import { ApiError } from '../cluster/ApiError.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...(target as JsonObject) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = jsonMergePatch(out[k], v) as Json;
  }
  return out;
}

/**
 * Merge keys of the lists that have a `patchMergeKey` in the Kubernetes types, by field name. Lists
 * not listed here are replaced whole, which is what the server does for atomic lists.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  conditions: 'type',
  ownerReferences: 'uid',
  addresses: 'type',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  secrets: 'name',
  containerStatuses: 'name',
  initContainerStatuses: 'name',
};

/** Primitive lists merged as sets (patchStrategy merge on a list of strings). */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

function mergeKeyFor(field: string, items: Json[]): string | undefined {
  const key = MERGE_KEYS[field];
  if (key === 'containerPort' && items.some((i) => isObject(i) && i['containerPort'] === undefined)) {
    // Service ports use `port` as their merge key.
    return 'port';
  }
  return key;
}

export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch['$patch'] === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch['$patch'] === 'delete') return undefined;
  const out: JsonObject = isObject(target) ? { ...(target as JsonObject) } : {};
  const retainKeys = Array.isArray(patch['$retainKeys']) ? (patch['$retainKeys'] as string[]) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$retainKeys' || k === '$patch') continue;
    if (k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(v)) out[field] = cur.filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const cur = out[k];
    if (Array.isArray(v)) {
      const key = mergeKeyFor(k, [...(Array.isArray(cur) ? cur : []), ...v]);
      if (key && Array.isArray(cur)) {
        out[k] = mergeList(cur, v, key);
      } else if (MERGED_PRIMITIVE_LISTS.has(k) && Array.isArray(cur)) {
        out[k] = [...cur, ...v.filter((x) => !cur.includes(x))];
      } else {
        out[k] = v.filter((item) => !(isObject(item) && item['$patch'] === 'delete')).map((item) => (isObject(item) ? (strategicMergePatch(undefined, item) as Json) : item));
      }
      const order = patch[`$setElementOrder/${k}`];
      if (Array.isArray(order) && Array.isArray(out[k])) out[k] = applyOrder(out[k] as Json[], order, key);
      continue;
    }
    if (isObject(v)) {
      const merged = strategicMergePatch(cur, v);
      if (merged === undefined) delete out[k];
      else out[k] = merged as Json;
      continue;
    }
    out[k] = v;
  }
  if (retainKeys) for (const k of Object.keys(out)) if (!retainKeys.includes(k)) delete out[k];
  return out;
}

function mergeList(current: Json[], patch: Json[], key: string): Json[] {
  const out = current.map((x) => structuredClone(x));
  for (const item of patch) {
    if (!isObject(item)) continue;
    const id = item[key];
    const at = out.findIndex((x) => isObject(x) && x[key] === id);
    if (item['$patch'] === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = strategicMergePatch(out[at], item) as Json;
    else out.push(strategicMergePatch(undefined, item) as Json);
  }
  return out;
}

function applyOrder(items: Json[], order: Json[], key: string | undefined): Json[] {
  const idOf = (x: Json): Json => (key && isObject(x) ? (x[key] ?? null) : x);
  const orderIds = order.map((o) => (isObject(o) && key ? (o[key] ?? null) : o));
  const pos = (x: Json): number => {
    const i = orderIds.findIndex((o) => JSON.stringify(o) === JSON.stringify(idOf(x)));
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...items].sort((a, b) => pos(a) - pos(b));
}

const PATCH_REJECTED = (): ApiError => new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw PATCH_REJECTED();
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, path: string[]): { parent: Json; key: string } {
  let cur: Json = doc;
  for (const seg of path.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(seg)] as Json;
    else if (isObject(cur)) cur = cur[seg] as Json;
    else throw PATCH_REJECTED();
    if (cur === undefined) throw PATCH_REJECTED();
  }
  return { parent: cur, key: path[path.length - 1]! };
}

function getAt(doc: Json, path: string[]): Json | undefined {
  let cur: Json | undefined = doc;
  for (const seg of path) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObject(cur)) cur = cur[seg];
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

function addAt(doc: Json, path: string[], value: Json, replace: boolean): Json {
  if (path.length === 0) return value;
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > parent.length || (replace && i >= parent.length)) throw PATCH_REJECTED();
    if (replace) parent[i] = value;
    else parent.splice(i, 0, value);
  } else if (isObject(parent)) {
    // The server accepts `replace` of a missing member (recorded: 200 for /spec/doesNotExist).
    parent[key] = value;
  } else throw PATCH_REJECTED();
  return doc;
}

function removeAt(doc: Json, path: string[]): Json {
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw PATCH_REJECTED();
    parent.splice(i, 1);
  } else if (isObject(parent)) {
    if (!(key in parent)) throw PATCH_REJECTED();
    delete parent[key];
  } else throw PATCH_REJECTED();
  return doc;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw PATCH_REJECTED();
  let doc = structuredClone(target) as Json;
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') throw PATCH_REJECTED();
    const path = decodePointer(raw['path']);
    switch (raw['op']) {
      case 'add':
        doc = addAt(doc, path, structuredClone(raw['value'] ?? null), false);
        break;
      case 'replace':
        doc = addAt(doc, path, structuredClone(raw['value'] ?? null), true);
        break;
      case 'remove':
        doc = removeAt(doc, path);
        break;
      case 'move':
      case 'copy': {
        if (typeof raw['from'] !== 'string') throw PATCH_REJECTED();
        const from = decodePointer(raw['from']);
        const value = getAt(doc, from);
        if (value === undefined) throw PATCH_REJECTED();
        if (raw['op'] === 'move') doc = removeAt(doc, from);
        doc = addAt(doc, path, structuredClone(value), false);
        break;
      }
      case 'test': {
        const value = getAt(doc, path);
        if (JSON.stringify(value) !== JSON.stringify(raw['value'])) throw PATCH_REJECTED();
        break;
      }
      default:
        throw PATCH_REJECTED();
    }
  }
  return doc;
}
