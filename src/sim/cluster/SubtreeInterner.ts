/**
 * Shares identical parts of stored objects. The pods of one ReplicaSet carry the same containers,
 * volumes, tolerations, affinity, labels and owner references; a fleet of 300,000 pods would hold
 * that many copies of them. Stored objects are never mutated (ObjectApi hands out copies to
 * writers), so identical subtrees can be one frozen object.
 */
export interface SubtreeInternerOptions {
  /**
   * Bytes of JSON kept as keys before the table starts over (bounds the interner's own memory).
   * @default 16777216
   */
  maxKeyBytes?: number;
}

type Json = Record<string, unknown> | unknown[];

export class SubtreeInterner {
  private readonly table = new Map<string, Json>();
  private keyBytes = 0;
  private readonly maxKeyBytes: number;

  constructor(options: SubtreeInternerOptions = {}) {
    this.maxKeyBytes = options.maxKeyBytes ?? 16 * 1024 * 1024;
  }

  /** The shared copy of `value` (frozen), or `value` itself when it is a scalar. */
  intern<T>(value: T): T {
    if (value === null || typeof value !== 'object') return value;
    const key = JSON.stringify(value);
    const known = this.table.get(key);
    if (known) return known as T;
    if (this.keyBytes + key.length > this.maxKeyBytes) {
      this.table.clear();
      this.keyBytes = 0;
    }
    const frozen = deepFreeze(value as Json);
    this.table.set(key, frozen);
    this.keyBytes += key.length;
    return frozen as T;
  }

  /**
   * Interns the shareable parts of an object in place (the object is about to be stored): every
   * member of `spec`, and labels, annotations and owner references in metadata. `previous` is the
   * stored version this one replaces: a part that is still the very same value as there was interned
   * when that version was stored, and is not serialised again.
   */
  internObject(object: Record<string, unknown>, previous?: Record<string, unknown>): void {
    const spec = object['spec'];
    if (spec && typeof spec === 'object' && !Array.isArray(spec) && !Object.isFrozen(spec)) {
      const s = spec as Record<string, unknown>;
      const before = previous?.['spec'] as Record<string, unknown> | undefined;
      // The same spec object as the stored one: each member already went through here.
      if (spec !== before) {
        for (const k of Object.keys(s)) if (!before || s[k] !== before[k]) s[k] = this.intern(s[k]);
      }
    }
    const meta = object['metadata'] as Record<string, unknown> | undefined;
    if (meta && !Object.isFrozen(meta)) {
      const before = previous?.['metadata'] as Record<string, unknown> | undefined;
      for (const k of ['labels', 'annotations', 'ownerReferences']) {
        if (meta[k] !== undefined && meta[k] !== before?.[k]) meta[k] = this.intern(meta[k]);
      }
    }
  }
}

function deepFreeze(node: Json): Json {
  for (const v of Object.values(node)) if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) deepFreeze(v as Json);
  Object.freeze(node);
  return node;
}
