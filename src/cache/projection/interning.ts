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
/** Structures by hash of their content: the structure itself, or a Collisions list when hashes collide. */
let structures = new Map<number, unknown>();
let structureCount = 0;

/** Structures kept under one hash at most. */
const MAX_COLLISIONS = 8;

/** Several structures whose contents hash alike (rare: a 32-bit hash over a bounded pool). */
class Collisions {
  constructor(readonly items: unknown[]) {}
}

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

// FNV-1a, 32 bits. The pool used JSON.stringify(value) as its key: building that string and hashing it
// again in the Map was most of the cost of projecting a pod, and every distinct structure kept its JSON
// text alive in the pool. Hashing the value where it lies costs a fraction of that and keeps no key.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function hashString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/** Mixes a JSON value into `h`; a tag per type and per bracket keeps `["a","b"]` and `["ab"]` apart. */
function hashValue(h: number, v: unknown): number {
  switch (typeof v) {
    case 'string':
      return hashString(Math.imul(h ^ 0x22, FNV_PRIME), v);
    case 'number':
      return Number.isInteger(v) && Math.abs(v) <= 0x7fffffff ? Math.imul(Math.imul(h ^ 0x23, FNV_PRIME) ^ v, FNV_PRIME) : hashString(Math.imul(h ^ 0x24, FNV_PRIME), String(v));
    case 'boolean':
      return Math.imul(h ^ (v ? 0x74 : 0x66), FNV_PRIME);
    case 'object': {
      if (v === null) return Math.imul(h ^ 0x6e, FNV_PRIME);
      if (Array.isArray(v)) {
        h = Math.imul(h ^ 0x5b, FNV_PRIME);
        for (const item of v) h = hashValue(h, item);
        return Math.imul(h ^ 0x5d, FNV_PRIME);
      }
      h = Math.imul(h ^ 0x7b, FNV_PRIME);
      for (const key of Object.keys(v)) h = hashValue(hashString(Math.imul(h ^ 0x3a, FNV_PRIME), key), (v as Record<string, unknown>)[key]);
      return Math.imul(h ^ 0x7d, FNV_PRIME);
    }
    default:
      // undefined (JSON leaves such keys out; here they only make a structure distinct, never wrongly shared).
      return Math.imul(h ^ 0x75, FNV_PRIME);
  }
}

/** Equal as JSON values, keys in the same order: what made two structures share one JSON key before. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !sameValue((a as Record<string, unknown>)[ka[i]!], (b as Record<string, unknown>)[kb[i]!])) return false;
  }
  return true;
}

/**
 * The pooled, deeply frozen instance of a structurally equal JSON value (plain objects, arrays, strings,
 * numbers, booleans; equal means equal JSON with keys in the same order). Use for small structures that
 * repeat across objects; never for per-object data.
 */
export function internStructure<T>(value: T): T {
  if (value === undefined || value === null || typeof value !== 'object') return value;
  const hash = hashValue(FNV_OFFSET, value);
  const hit = structures.get(hash);
  if (hit !== undefined) {
    if (hit instanceof Collisions) {
      for (const item of hit.items) if (sameValue(item, value)) return item as T;
    } else if (sameValue(hit, value)) return hit as T;
  }
  if (structureCount >= POOL_LIMIT) {
    structures = new Map();
    structureCount = 0;
  }
  const frozen = deepFreeze(value);
  const bucket = structures.get(hash);
  if (bucket === undefined) structures.set(hash, frozen);
  else if (bucket instanceof Collisions) {
    // Values crafted to collide (labels are user input) must not turn every lookup into a long scan:
    // past a few, colliding structures are simply not pooled.
    if (bucket.items.length >= MAX_COLLISIONS) return frozen;
    bucket.items.push(frozen);
  } else structures.set(hash, new Collisions([bucket, frozen]));
  structureCount++;
  return frozen;
}

/** Pool sizes, for tests and /metrics. */
export function internPoolSizes(): { strings: number; structures: number } {
  return { strings: strings.size, structures: structureCount };
}
