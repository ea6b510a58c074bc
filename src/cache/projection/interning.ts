/**
 * Sharing of repeated values between slim objects, so that the cache's memory grows with what differs
 * between objects rather than with their count: the replicas of one workload carry the same labels, owner
 * references, container specs, images, node and namespace names and often the same timestamps. Equal
 * strings are made one string, and equal small structures one frozen object (safe because cached objects
 * are never mutated: an update replaces the whole projection). Both pools are bounded: when full they
 * start afresh, which only costs some sharing, never correctness.
 */

/** Entries per pool before it starts afresh. @default 200000 */
const POOL_LIMIT = 200_000;

let strings = new Map<string, string>();
let structures = new Map<string, unknown>();

/** The pooled instance of an equal string (the argument itself the first time). */
export function internString<T extends string | undefined>(value: T): T {
  if (value === undefined) return value;
  const hit = strings.get(value);
  if (hit !== undefined) return hit as T;
  if (strings.size >= POOL_LIMIT) strings = new Map();
  strings.set(value, value);
  return value;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value as object)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * The pooled, deeply frozen instance of a structurally equal JSON value (plain objects, arrays, strings,
 * numbers, booleans). Use for small structures that repeat across objects; never for per-object data.
 */
export function internStructure<T>(value: T): T {
  if (value === undefined || value === null || typeof value !== 'object') return value;
  const key = JSON.stringify(value);
  const hit = structures.get(key);
  if (hit !== undefined) return hit as T;
  if (structures.size >= POOL_LIMIT) structures = new Map();
  const frozen = deepFreeze(value);
  structures.set(key, frozen);
  return frozen;
}

/** Pool sizes, for tests and /metrics. */
export function internPoolSizes(): { strings: number; structures: number } {
  return { strings: strings.size, structures: structures.size };
}
