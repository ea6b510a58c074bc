/**
 * Equality of plain JSON values exactly as their serialisations compare (`JSON.stringify(a) ===
 * JSON.stringify(b)`: same keys in the same order, members whose value is undefined skipped), without
 * serialising either. A write usually shares most of its object with the stored version (a patch copies
 * only the containers on its path), so comparing by reference first makes "did anything change?" cost
 * the size of the change rather than of the object.
 */

/** Whether `a` and `b` serialise to the same JSON text. Plain JSON only (no toJSON, Dates or Maps). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // Numbers that JSON writes as null (NaN, ±Infinity) equal null and each other, as their text does.
    if (typeof a === 'number' && typeof b === 'number') return !Number.isFinite(a) && !Number.isFinite(b);
    if (a === null && typeof b === 'number') return !Number.isFinite(b);
    if (b === null && typeof a === 'number') return !Number.isFinite(a);
    return false;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!itemEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  return membersEqual(a as Record<string, unknown>, b as Record<string, unknown>, undefined);
}

/**
 * Whether two objects serialise alike once the top-level members in `skip` are left out (what the
 * object's "spec part" is: everything but metadata, status, apiVersion and kind).
 */
export function jsonEqualExcept(a: Record<string, unknown>, b: Record<string, unknown>, skip: ReadonlySet<string>): boolean {
  return membersEqual(a, b, skip);
}

/** Array items: undefined (and functions) serialise as null there. */
function itemEqual(a: unknown, b: unknown): boolean {
  return jsonEqual(a === undefined ? null : a, b === undefined ? null : b);
}

function membersEqual(a: Record<string, unknown>, b: Record<string, unknown>, skip: ReadonlySet<string> | undefined): boolean {
  const ka = serialisedKeys(a, skip);
  const kb = serialisedKeys(b, skip);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i]) return false;
    if (!jsonEqual(a[k], b[k])) return false;
  }
  return true;
}

/** The keys JSON.stringify writes, in its order. */
function serialisedKeys(o: Record<string, unknown>, skip: ReadonlySet<string> | undefined): string[] {
  const out: string[] = [];
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (skip?.has(k)) continue;
    out.push(k);
  }
  return out;
}
