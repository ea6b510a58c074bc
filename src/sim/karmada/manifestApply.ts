/**
 * How the execution controller decides whether a member object already is what a Work asks for, and
 * how it brings it back: the Work's manifest must be contained in the live object (fields the member
 * added, defaults and status, are the member's), and a re-apply writes the manifest's fields over the
 * live object, keeping everything else. Containment rather than equality is what stops a write/default
 * ping-pong between the execution controller and the member's API server defaults.
 */

/** Whether every field of `desired` is present with the same value in `live` (arrays: same length, element-wise). */
export function isContained(desired: unknown, live: unknown): boolean {
  if (desired === null || typeof desired !== 'object') return desired === live;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return false;
    return desired.every((d, i) => isContained(d, live[i]));
  }
  if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
  const l = live as Record<string, unknown>;
  return Object.entries(desired as Record<string, unknown>).every(([k, v]) => v === undefined || isContained(v, l[k]));
}

/**
 * `desired` written over `live`: objects merge key by key, arrays and scalars from `desired` win. Arrays
 * of objects merge element-wise when lengths agree, so defaulted container fields survive a re-apply.
 */
export function mergeDesired(live: unknown, desired: unknown): unknown {
  if (desired === null || typeof desired !== 'object') return desired;
  if (Array.isArray(desired)) {
    if (Array.isArray(live) && live.length === desired.length) return desired.map((d, i) => mergeDesired(live[i], d));
    return structuredClone(desired);
  }
  const base: Record<string, unknown> =
    live !== null && typeof live === 'object' && !Array.isArray(live) ? { ...(live as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(desired as Record<string, unknown>)) {
    if (v === undefined) continue;
    base[k] = mergeDesired(base[k], v);
  }
  return base;
}
