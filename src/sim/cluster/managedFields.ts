/**
 * managedFields bookkeeping: which manager owns which field, in the FieldsV1 shape the recordings show
 * (`f:` for struct/map keys, `k:{"name":"c"}` for list items keyed by name/type, `.` marking a
 * nested struct that is itself owned).
 *
 * Ownership is tracked per leaf path; that is enough for `kubectl apply --server-side` conflicts
 * ("conflict with \"wire-probe\": .data.a") and takeover with `force`.
 */
import type { KubeObject } from '../store/Store.js';
import { nowRfc3339 } from './timestamps.js';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Update' | 'Apply';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** One path: its segments (`f:spec`, `k:{"name":"c"}`, ...). Joined with NUL for set membership. */
export type FieldPath = string;
const SEP = '\u0000';

/** Top-level object members that are not fields anyone owns. */
const SKIPPED_TOP = new Set(['apiVersion', 'kind']);
/** The metadata members that carry ownership (the rest is system-managed). */
const OWNED_METADATA = new Set(['labels', 'annotations', 'ownerReferences', 'finalizers']);

function listItemKey(item: unknown): string | undefined {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const o = item as Record<string, unknown>;
  if (typeof o['name'] === 'string') return `k:${JSON.stringify({ name: o['name'] })}`;
  if (typeof o['type'] === 'string') return `k:${JSON.stringify({ type: o['type'] })}`;
  if (typeof o['uid'] === 'string') return `k:${JSON.stringify({ uid: o['uid'] })}`;
  return undefined;
}

function walk(value: unknown, prefix: string[], out: Set<FieldPath>): void {
  if (Array.isArray(value)) {
    const keys = value.map(listItemKey);
    if (value.length > 0 && keys.every((k) => k !== undefined)) {
      value.forEach((item, i) => walkStruct(item as Record<string, unknown>, [...prefix, keys[i]!], out, true));
      return;
    }
    out.add(prefix.join(SEP));
    return;
  }
  if (value && typeof value === 'object') {
    walkStruct(value as Record<string, unknown>, prefix, out, prefix.length >= 2);
    return;
  }
  out.add(prefix.join(SEP));
}

function walkStruct(o: Record<string, unknown>, prefix: string[], out: Set<FieldPath>, markSelf: boolean): void {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined);
  if (entries.length === 0) {
    out.add(prefix.join(SEP));
    return;
  }
  if (markSelf) out.add([...prefix, '.'].join(SEP));
  for (const [k, v] of entries) walk(v, [...prefix, `f:${k}`], out);
}

/** Every owned leaf path of an object (status excluded unless `includeStatus`). */
export function fieldPathsOf(object: Record<string, unknown>, options: { includeStatus?: boolean; onlyStatus?: boolean } = {}): Set<FieldPath> {
  const out = new Set<FieldPath>();
  for (const [k, v] of Object.entries(object)) {
    if (SKIPPED_TOP.has(k) || v === undefined) continue;
    if (options.onlyStatus && k !== 'status') continue;
    if (k === 'status' && !options.includeStatus && !options.onlyStatus) continue;
    if (k === 'metadata') {
      const meta = v as Record<string, unknown>;
      for (const mk of OWNED_METADATA) {
        if (meta[mk] !== undefined) walk(meta[mk], ['f:metadata', `f:${mk}`], out);
      }
      continue;
    }
    walk(v, [`f:${k}`], out);
  }
  return out;
}

/** The value at a path, or a unique marker when absent. */
function valueAt(object: unknown, path: FieldPath): unknown {
  let cur: unknown = object;
  for (const seg of path.split(SEP)) {
    if (seg === '.') return cur === undefined ? ABSENT : '.';
    if (cur === undefined || cur === null) return ABSENT;
    if (seg.startsWith('f:')) {
      if (typeof cur !== 'object' || Array.isArray(cur)) return ABSENT;
      cur = (cur as Record<string, unknown>)[seg.slice(2)];
    } else if (seg.startsWith('k:')) {
      if (!Array.isArray(cur)) return ABSENT;
      cur = cur.find((item) => listItemKey(item) === seg);
    }
  }
  return cur === undefined ? ABSENT : cur;
}
const ABSENT = Symbol('absent');

/**
 * Paths of `next` whose value differs from `previous` (what an Update by one manager took over),
 * found by walking both objects together rather than looking every path up.
 */
export function changedPaths(previous: KubeObject | undefined, next: KubeObject, options: { onlyStatus?: boolean; includeStatus?: boolean } = {}): Set<FieldPath> {
  if (!previous) return fieldPathsOf(next, options);
  const out = new Set<FieldPath>();
  for (const [k, v] of Object.entries(next)) {
    if (SKIPPED_TOP.has(k) || v === undefined) continue;
    if (options.onlyStatus && k !== 'status') continue;
    if (k === 'status' && !options.includeStatus && !options.onlyStatus) continue;
    if (k === 'metadata') {
      const meta = v as Record<string, unknown>;
      const prevMeta = (previous.metadata ?? {}) as Record<string, unknown>;
      for (const mk of OWNED_METADATA) {
        if (meta[mk] !== undefined) diffWalk(prevMeta[mk], meta[mk], ['f:metadata', `f:${mk}`], out);
      }
      continue;
    }
    diffWalk((previous as Record<string, unknown>)[k], v, [`f:${k}`], out);
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function diffWalk(prev: unknown, next: unknown, prefix: string[], out: Set<FieldPath>): void {
  if (prev === next) return;
  if (isPlainObject(next)) {
    const entries = Object.entries(next).filter(([, v]) => v !== undefined);
    if (entries.length === 0) {
      if (!isPlainObject(prev) || Object.keys(prev).length !== 0) out.add(prefix.join(SEP));
      return;
    }
    const p = isPlainObject(prev) ? prev : undefined;
    if (!p && prefix.length >= 2) out.add([...prefix, '.'].join(SEP));
    for (const [k, v] of entries) diffWalk(p?.[k], v, [...prefix, `f:${k}`], out);
    return;
  }
  if (Array.isArray(next)) {
    const keys = next.map(listItemKey);
    if (next.length > 0 && keys.every((k) => k !== undefined)) {
      const before = new Map<string, unknown>();
      if (Array.isArray(prev)) for (const item of prev) {
        const key = listItemKey(item);
        if (key) before.set(key, item);
      }
      next.forEach((item, i) => {
        const old = before.get(keys[i]!);
        const path = [...prefix, keys[i]!];
        if (old === undefined) out.add([...path, '.'].join(SEP));
        diffWalkStruct(old, item as Record<string, unknown>, path, out);
      });
      return;
    }
    if (JSON.stringify(prev) !== JSON.stringify(next)) out.add(prefix.join(SEP));
    return;
  }
  if (prev !== next) out.add(prefix.join(SEP));
}

function diffWalkStruct(prev: unknown, next: Record<string, unknown>, prefix: string[], out: Set<FieldPath>): void {
  const p = isPlainObject(prev) ? prev : undefined;
  for (const [k, v] of Object.entries(next)) if (v !== undefined) diffWalk(p?.[k], v, [...prefix, `f:${k}`], out);
}

/**
 * Identical field sets (every pod of a ReplicaSet has the same ones) share one frozen tree: stored
 * objects are never mutated, and a fleet of 300,000 pods should not hold 300,000 copies of it.
 */
const INTERNED = new Map<string, Record<string, unknown>>();
const INTERN_LIMIT = 20_000;
/**
 * Every tree toFieldsV1 built (sorted, frozen): rebuilding one from its own leaf paths gives the same
 * tree, so a write that adds no path to an entry can keep that entry's tree as it is.
 */
const NORMALIZED = new WeakSet<object>();

export function toFieldsV1(paths: Iterable<FieldPath>): Record<string, unknown> {
  const sorted = [...paths].sort();
  const key = sorted.join('\u0001');
  const known = INTERNED.get(key);
  if (known) return known;
  const root: Record<string, unknown> = {};
  for (const p of sorted) {
    let node = root;
    for (const seg of p.split(SEP)) {
      node[seg] ??= {};
      node = node[seg] as Record<string, unknown>;
    }
  }
  const tree = deepFreeze(sortTree(root));
  if (INTERNED.size >= INTERN_LIMIT) INTERNED.clear();
  INTERNED.set(key, tree);
  NORMALIZED.add(tree);
  return tree;
}

function deepFreeze(node: Record<string, unknown>): Record<string, unknown> {
  for (const v of Object.values(node)) deepFreeze(v as Record<string, unknown>);
  return Object.freeze(node);
}

/** Keys sorted with "." first, as the server writes them. */
function sortTree(node: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(node).sort((a, b) => (a === '.' ? -1 : b === '.' ? 1 : a < b ? -1 : a > b ? 1 : 0))) {
    out[k] = sortTree(node[k] as Record<string, unknown>);
  }
  return out;
}

export function fromFieldsV1(tree: Record<string, unknown> | undefined): Set<FieldPath> {
  const out = new Set<FieldPath>();
  const rec = (node: Record<string, unknown>, prefix: string[]): void => {
    const keys = Object.keys(node);
    if (keys.length === 0) {
      if (prefix.length) out.add(prefix.join(SEP));
      return;
    }
    for (const k of keys) rec(node[k] as Record<string, unknown>, [...prefix, k]);
  };
  if (tree) rec(tree, []);
  return out;
}

/**
 * Whether `path` is one of the tree's leaf paths (what fromFieldsV1 would list), found by walking its
 * segments rather than listing every path of the tree.
 */
function hasLeaf(tree: Record<string, unknown> | undefined, path: FieldPath): boolean {
  let node = tree;
  for (const seg of path.split(SEP)) {
    if (!node || !Object.prototype.hasOwnProperty.call(node, seg)) return false;
    node = node[seg] as Record<string, unknown> | undefined;
  }
  return node !== undefined && Object.keys(node).length === 0;
}

/** `.spec.containers[name="c"].image`: how conflicts name a field. */
export function describePath(path: FieldPath): string {
  return path
    .split(SEP)
    .filter((s) => s !== '.')
    .map((seg) => {
      if (seg.startsWith('f:')) return `.${seg.slice(2)}`;
      if (seg.startsWith('k:')) {
        const key = JSON.parse(seg.slice(2)) as Record<string, unknown>;
        return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      }
      return seg;
    })
    .join('');
}


/**
 * The managedFields after `manager` wrote `paths` with `operation`: its entry (per manager,
 * operation and subresource, as the server keys them) gains the paths, other managers lose them
 * (an Update or a forced Apply takes fields over). Entries left empty are dropped.
 */
export function recordOwnership(
  existing: unknown[] | undefined,
  manager: string,
  operation: 'Update' | 'Apply',
  apiVersion: string,
  paths: Set<FieldPath>,
  options: { subresource?: string; replace?: boolean } = {},
): ManagedFieldsEntry[] {
  const entries = ((existing ?? []) as ManagedFieldsEntry[]).map((e) => ({ ...e }));
  const time = nowRfc3339();
  const out: ManagedFieldsEntry[] = [];
  let mine: ManagedFieldsEntry | undefined;
  // Top-level fields written now: entries that own none of them need no parsing.
  const tops = new Set<string>();
  for (const p of paths) tops.add(p.split(SEP, 1)[0]!);
  for (const e of entries) {
    const same = e.manager === manager && e.operation === operation && (e.subresource ?? '') === (options.subresource ?? '');
    if (same) {
      mine = e;
      continue;
    }
    if (!Object.keys(e.fieldsV1 ?? {}).some((k) => tops.has(k))) {
      out.push(e);
      continue;
    }
    // Most writes take nothing from anyone: look the written paths up before listing the entry's own.
    let takes = false;
    for (const p of paths) {
      if (!p.endsWith(`${SEP}.`) && hasLeaf(e.fieldsV1, p)) {
        takes = true;
        break;
      }
    }
    if (!takes) {
      out.push(e);
      continue;
    }
    const owned = fromFieldsV1(e.fieldsV1);
    let removed = false;
    for (const p of paths) {
      if (p.endsWith(`${SEP}.`)) continue;
      if (owned.delete(p)) removed = true;
    }
    if (removed) {
      if (owned.size === 0) continue;
      e.fieldsV1 = toFieldsV1(owned);
    }
    out.push(e);
  }
  if (paths.size === 0 && !mine) return out;
  let fieldsV1: Record<string, unknown>;
  if (!options.replace && mine && NORMALIZED.has(mine.fieldsV1) && [...paths].every((p) => hasLeaf(mine!.fieldsV1, p))) {
    // The manager writes fields it owns already (a controller updating the same status, a client
    // patching the same annotation again): its tree stays what it is.
    fieldsV1 = mine.fieldsV1;
  } else {
    const merged = options.replace || !mine ? new Set(paths) : new Set([...fromFieldsV1(mine.fieldsV1), ...paths]);
    fieldsV1 = toFieldsV1(merged);
  }
  const entry: ManagedFieldsEntry = {
    manager,
    operation,
    apiVersion,
    time,
    fieldsType: 'FieldsV1',
    fieldsV1,
  };
  if (options.subresource) entry.subresource = options.subresource;
  // The entry keeps its place when it existed (the server updates in place), else goes last.
  const at = mine ? entries.indexOf(entries.find((e) => e.manager === mine!.manager && e.operation === mine!.operation && (e.subresource ?? '') === (mine!.subresource ?? ''))!) : -1;
  if (at >= 0 && at <= out.length) out.splice(Math.min(at, out.length), 0, entry);
  else out.push(entry);
  return out;
}

/** Leaf paths owned by managers other than `manager` (for apply conflict detection). */
export function ownersOf(existing: unknown[] | undefined, exceptManager: string): Map<FieldPath, string> {
  const owners = new Map<FieldPath, string>();
  for (const e of (existing ?? []) as ManagedFieldsEntry[]) {
    if (e.manager === exceptManager) continue;
    for (const p of fromFieldsV1(e.fieldsV1)) if (!p.endsWith(`${SEP}.`) && p !== '.') owners.set(p, e.manager);
  }
  return owners;
}

/** Whether a path is a structural `.` marker rather than a value. */
export function isMarker(path: FieldPath): boolean {
  return path === '.' || path.endsWith(`${SEP}.`);
}

export { valueAt as valueAtPath, ABSENT };
