/**
 * Server-side apply with field ownership per leaf field path: the applier's managedFields entry
 * (operation Apply) becomes exactly the fields it sent; a field another manager owns with a different
 * value is a conflict (409 with FieldManagerConflict causes) unless `force`, which takes it over;
 * fields the applier owned alone and no longer sends are removed.
 */
import { ApiError } from '../cluster/ApiError.js';
import type { KubeObject } from '../store/Store.js';
import {
  ABSENT,
  describePath,
  fieldPathsOf,
  fromFieldsV1,
  isMarker,
  ownersOf,
  toFieldsV1,
  valueAtPath,
} from '../cluster/managedFields.js';
import type { FieldPath, ManagedFieldsEntry } from '../cluster/managedFields.js';
import { nowRfc3339 } from '../cluster/timestamps.js';

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function itemKey(item: unknown): string | undefined {
  if (!isObject(item)) return undefined;
  for (const k of ['name', 'type', 'uid']) if (typeof item[k] === 'string') return `${k}=${item[k] as string}`;
  return undefined;
}

/** Deep merge of an applied configuration into the live object. */
function mergeApplied(live: unknown, applied: unknown): unknown {
  if (isObject(applied)) {
    const out: Obj = isObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied)) out[k] = mergeApplied(out[k], v);
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live) && applied.length > 0 && applied.every((i) => itemKey(i) !== undefined)) {
    const out = live.map((x) => structuredClone(x) as unknown);
    for (const item of applied) {
      const at = out.findIndex((x) => itemKey(x) === itemKey(item));
      if (at >= 0) out[at] = mergeApplied(out[at], item);
      else out.push(structuredClone(item));
    }
    return out;
  }
  return structuredClone(applied);
}

const SEP = '\u0000';

function deleteAt(object: Obj, path: FieldPath): void {
  const segs = path.split(SEP);
  let cur: unknown = object;
  for (let i = 0; i < segs.length - 1; i++) {
    const s = segs[i]!;
    if (s.startsWith('f:') && isObject(cur)) cur = cur[s.slice(2)];
    else if (s.startsWith('k:') && Array.isArray(cur)) {
      const key = JSON.parse(s.slice(2)) as Obj;
      const [k, v] = Object.entries(key)[0]!;
      cur = cur.find((x) => isObject(x) && x[k] === v);
    } else return;
  }
  const last = segs[segs.length - 1]!;
  if (last.startsWith('f:') && isObject(cur)) delete cur[last.slice(2)];
  else if (last.startsWith('k:') && Array.isArray(cur)) {
    const key = JSON.parse(last.slice(2)) as Obj;
    const [k, v] = Object.entries(key)[0]!;
    const i = cur.findIndex((x) => isObject(x) && x[k] === v);
    if (i >= 0) cur.splice(i, 1);
  }
}

export interface ApplyResult {
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

export function serverSideApply(
  live: KubeObject | undefined,
  applied: KubeObject,
  options: { manager: string; force: boolean; apiVersion: string; subresource?: 'status' },
): ApplyResult {
  const pathOptions = options.subresource === 'status' ? { onlyStatus: true } : { includeStatus: false };
  const appliedPaths = new Set([...fieldPathsOf(applied, pathOptions)]);
  const entries = ((live?.metadata.managedFields ?? []) as ManagedFieldsEntry[]).map((e) => ({ ...e }));
  const mine = entries.find((e) => e.manager === options.manager && e.operation === 'Apply' && (e.subresource ?? '') === (options.subresource ?? ''));

  if (live) {
    const owners = ownersOf(live.metadata.managedFields, options.manager);
    const conflicts: Array<{ path: FieldPath; owner: string }> = [];
    for (const p of appliedPaths) {
      if (isMarker(p)) continue;
      const owner = owners.get(p);
      if (!owner) continue;
      const before = valueAtPath(live, p);
      if (before === ABSENT) continue;
      if (JSON.stringify(before) !== JSON.stringify(valueAtPath(applied, p))) conflicts.push({ path: p, owner });
    }
    if (conflicts.length && !options.force) {
      const n = conflicts.length;
      const byOwner = new Map<string, string[]>();
      for (const c of conflicts) byOwner.set(c.owner, [...(byOwner.get(c.owner) ?? []), describePath(c.path)]);
      const parts = [...byOwner.entries()].map(([owner, fields]) =>
        fields.length === 1 ? `conflict with "${owner}": ${fields[0]}` : `conflicts with "${owner}":\n${fields.map((f) => `- ${f}`).join('\n')}`,
      );
      throw new ApiError(409, 'Conflict', `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${parts.join('\n')}`, {
        causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.owner}"`, field: describePath(c.path) })),
      });
    }
    if (conflicts.length) {
      // force: the others lose the fields taken over.
      const taken = new Set(conflicts.map((c) => c.path));
      for (const e of entries) {
        if (e === mine) continue;
        const owned = fromFieldsV1(e.fieldsV1);
        let changed = false;
        for (const p of taken) if (owned.delete(p)) changed = true;
        if (changed) e.fieldsV1 = toFieldsV1([...owned].filter((p) => !isMarker(p) || [...owned].some((q) => q !== p && q.startsWith(p.slice(0, -1)))));
      }
    }
  }

  let object: Obj;
  if (live) {
    object = structuredClone(live) as Obj;
    // Fields this manager applied before, sends no more and nobody else owns, are removed.
    if (mine) {
      const others = ownersOf(live.metadata.managedFields, options.manager);
      for (const p of fromFieldsV1(mine.fieldsV1)) {
        if (isMarker(p) || appliedPaths.has(p) || others.has(p)) continue;
        deleteAt(object, p);
      }
    }
    const { metadata: appliedMeta, ...appliedRest } = applied;
    object = mergeApplied(object, appliedRest) as Obj;
    const meta = object['metadata'] as Obj;
    for (const k of ['labels', 'annotations', 'finalizers', 'ownerReferences']) {
      if (appliedMeta?.[k] !== undefined) meta[k] = mergeApplied(meta[k], appliedMeta[k]);
    }
  } else {
    object = structuredClone(applied) as Obj;
  }

  const entry: ManagedFieldsEntry = {
    manager: options.manager,
    operation: 'Apply',
    apiVersion: options.apiVersion,
    time: nowRfc3339(),
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1([...appliedPaths].filter((p) => !isMarker(p))),
  };
  if (options.subresource) entry.subresource = options.subresource;
  const rest = entries.filter((e) => e !== mine && Object.keys(e.fieldsV1 ?? {}).length > 0);
  // Apply entries come first, as the server sorts them.
  const managedFields = [entry, ...rest];
  return { object: object as KubeObject, managedFields };
}
