/**
 * An ordered index over one cluster × kind × sort field: the objects in the order (value, namespace, name),
 * values ascending with missing values (null) last, kept in two parallel arrays (objects and their values)
 * so that a comparison reads a number or a string, never recomputes it. It serves sorted connections
 * (src/graphql/sortedConnection.ts): a page starts with a binary search for `after` and reads on from there,
 * in either direction, so it costs what it serves, not a sort of the member's objects per request.
 *
 * Like ObjectIndex's buckets it is built once (load: one sort) and then kept up to date one change at a time
 * (add/remove: a binary search and one splice). The informer (KindInformer) builds it on the first read that
 * asks for its field and feeds it every change from then on; a relist drops it, to be built again when next
 * asked for.
 *
 * Descending order keeps ties in ascending (namespace, name) order and missing values last, as the ascending
 * one does: it walks the groups of equal values from the highest down, each group forwards, then the
 * missing values. A group's start is found by galloping backwards, O(log size of the group).
 */
import type { SlimObject } from './types.js';

/** A sort value: a number (compared numerically), a string (by UTF-16 code units) or null (missing: last). */
export type SortValue = number | string | null;

/** One sortable field of a kind: `value` must depend on the (immutable) object only. */
export interface SortSpec {
  /** Names the field, unique per kind: the informer keeps one index per id. */
  id: string;
  value(obj: SlimObject): SortValue;
}

/** Compares two non-null values: numbers before strings (a field yields one type), numbers numerically. */
export function compareValues(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Compares values in a direction, missing values (null) last in both: the order of a sorted connection.
 * NaN is treated as missing by the callers that produce values (never stored).
 */
export function compareInDirection(a: SortValue, b: SortValue, desc: boolean): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return desc ? compareValues(b, a) : compareValues(a, b);
}

function compareNames(aNs: string, aName: string, bNs: string, bName: string): number {
  if (aNs !== bNs) return aNs < bNs ? -1 : 1;
  return aName < bName ? -1 : aName > bName ? 1 : 0;
}

/**
 * Where a read starts: strictly after this key, given in the connection's terms. `tie` compares an object
 * of this index against the key's tie-breaking part (cluster, namespace, kind, name: the index knows only
 * namespace and name, the caller the rest), and must be monotone in (namespace, name) order.
 */
export interface StartAfter {
  value: SortValue;
  tie(obj: SlimObject): number;
}

/** Reads an index in one direction from a start; `next` is the next object, undefined at the end. */
export interface OrderedReader {
  next(): SlimObject | undefined;
  /** The value of the object `next` last returned. */
  readonly value: SortValue;
}

export class OrderedIndex {
  private objs: SlimObject[] = [];
  private vals: SortValue[] = [];
  /** Index of the first null value (= length when none). */
  private nullStart = 0;

  constructor(readonly spec: SortSpec) {}

  get size(): number {
    return this.objs.length;
  }

  /** Replaces the content with `objects` (one per namespace/name): one sort. */
  load(objects: Iterable<SlimObject>): void {
    const entries: Array<{ o: SlimObject; v: SortValue }> = [];
    for (const o of objects) entries.push({ o, v: this.valueOf(o) });
    entries.sort((a, b) => compareValues(a.v, b.v) || compareNames(a.o.metadata.namespace ?? '', a.o.metadata.name, b.o.metadata.namespace ?? '', b.o.metadata.name));
    this.objs = entries.map((e) => e.o);
    this.vals = entries.map((e) => e.v);
    this.recountNulls();
  }

  /** Adds `obj` (its namespace/name must not be indexed: remove the old version first). */
  add(obj: SlimObject): void {
    const v = this.valueOf(obj);
    const at = this.lowerBound(v, obj.metadata.namespace ?? '', obj.metadata.name);
    if (at === this.objs.length) {
      this.objs.push(obj);
      this.vals.push(v);
    } else {
      this.objs.splice(at, 0, obj);
      this.vals.splice(at, 0, v);
    }
    if (v !== null) this.nullStart++;
  }

  /** Removes the indexed version of `obj` (found by its value, namespace and name). */
  remove(obj: SlimObject): void {
    const v = this.valueOf(obj);
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name;
    let at = this.lowerBound(v, ns, name);
    const hit = (i: number) => i < this.objs.length && (this.objs[i]!.metadata.namespace ?? '') === ns && this.objs[i]!.metadata.name === name;
    // A value that is not what it was when indexed would be a caller's error (values depend on the object
    // only); a linear search keeps the index right even then.
    if (!hit(at)) at = this.objs.findIndex((o) => (o.metadata.namespace ?? '') === ns && o.metadata.name === name);
    if (at < 0) return;
    if (this.vals[at] !== null) this.nullStart--;
    if (at === this.objs.length - 1) {
      this.objs.pop();
      this.vals.pop();
    } else {
      this.objs.splice(at, 1);
      this.vals.splice(at, 1);
    }
  }

  /** The objects in ascending order (for tests and small callers; a copy). */
  toArray(): SlimObject[] {
    return this.objs.slice();
  }

  /**
   * A reader in `desc` or ascending order, starting strictly after `after` (from the first object when
   * null), skipping objects `accept` refuses.
   */
  reader(desc: boolean, after: StartAfter | null, accept?: (obj: SlimObject) => boolean): OrderedReader {
    return desc ? this.descReader(after, accept) : this.ascReader(after, accept);
  }

  private valueOf(obj: SlimObject): SortValue {
    const v = this.spec.value(obj);
    return typeof v === 'number' && Number.isNaN(v) ? null : v;
  }

  private recountNulls(): void {
    let i = this.vals.length;
    while (i > 0 && this.vals[i - 1] === null) i--;
    this.nullStart = i;
  }

  /** First position whose (value, namespace, name) is not below the given one. */
  private lowerBound(v: SortValue, ns: string, name: string): number {
    let lo = 0;
    let hi = this.objs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const o = this.objs[mid]!;
      const c = compareValues(this.vals[mid]!, v) || compareNames(o.metadata.namespace ?? '', o.metadata.name, ns, name);
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First position in [lo, hi) where `pred` holds, `pred` being false then true over the range. */
  private static search(lo: number, hi: number, pred: (i: number) => boolean): number {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pred(mid)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Bounds of the values equal to `v` (non-null) in the non-null part. */
  private valueRange(v: SortValue): [number, number] {
    const lower = OrderedIndex.search(0, this.nullStart, (i) => compareValues(this.vals[i]!, v) >= 0);
    const upper = OrderedIndex.search(lower, this.nullStart, (i) => compareValues(this.vals[i]!, v) > 0);
    return [lower, upper];
  }

  private ascReader(after: StartAfter | null, accept?: (obj: SlimObject) => boolean): OrderedReader {
    const objs = this.objs;
    const vals = this.vals;
    let pos = 0;
    if (after) {
      if (after.value === null) pos = OrderedIndex.search(this.nullStart, objs.length, (i) => after.tie(objs[i]!) > 0);
      else {
        const [lower, upper] = this.valueRange(after.value);
        pos = OrderedIndex.search(lower, upper, (i) => after.tie(objs[i]!) > 0);
      }
    }
    const reader = {
      value: null as SortValue,
      next(): SlimObject | undefined {
        while (pos < objs.length) {
          const o = objs[pos]!;
          reader.value = vals[pos++]!;
          if (!accept || accept(o)) return o;
        }
        return undefined;
      },
    };
    return reader;
  }

  private descReader(after: StartAfter | null, accept?: (obj: SlimObject) => boolean): OrderedReader {
    const objs = this.objs;
    const vals = this.vals;
    const nullStart = this.nullStart;
    // The current group of equal values is [groupStart, groupEnd), read forwards from pos; below it come
    // the lower values' groups, and after the last of them the null part, read forwards from nullPos.
    let groupStart = nullStart;
    let groupEnd = nullStart;
    let pos = nullStart;
    let nullPos = nullStart;
    let inNulls = nullStart === 0;
    if (after) {
      if (after.value === null) {
        inNulls = true;
        nullPos = OrderedIndex.search(nullStart, objs.length, (i) => after.tie(objs[i]!) > 0);
      } else {
        [groupStart, groupEnd] = this.valueRange(after.value);
        pos = OrderedIndex.search(groupStart, groupEnd, (i) => after.tie(objs[i]!) > 0);
        inNulls = false;
      }
    }
    /** Start of the group that ends at `end` (exclusive): galloping back over equal values. */
    const groupStartOf = (end: number): number => {
      const v = vals[end - 1]!;
      let known = end - 1; // vals[known] === v
      let step = 1;
      while (known - step >= 0 && compareValues(vals[known - step]!, v) === 0) {
        known -= step;
        step *= 2;
      }
      const floor = Math.max(0, known - step + 1);
      return OrderedIndex.search(floor, known, (i) => compareValues(vals[i]!, v) === 0);
    };
    const reader = {
      value: null as SortValue,
      next(): SlimObject | undefined {
        for (;;) {
          if (!inNulls) {
            if (pos < groupEnd) {
              const o = objs[pos]!;
              reader.value = vals[pos++]!;
              if (!accept || accept(o)) return o;
              continue;
            }
            if (groupStart === 0) {
              inNulls = true;
              continue;
            }
            groupEnd = groupStart;
            groupStart = groupStartOf(groupEnd);
            pos = groupStart;
            continue;
          }
          while (nullPos < objs.length) {
            const o = objs[nullPos++]!;
            reader.value = null;
            if (!accept || accept(o)) return o;
          }
          return undefined;
        }
      },
    };
    return reader;
  }
}
