/**
 * A small seeded pseudo-random generator (mulberry32), so that a scenario built from the same seed is
 * the same fleet every time. Math.random cannot be seeded, and determinism is what lets a test or a
 * benchmark name a pod or node it expects to find.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    // Mix the seed once so that neighbouring seeds (1, 2, 3) do not start with similar sequences.
    this.state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Random.pick on an empty list');
    return items[this.int(items.length)]!;
  }

  /** A string of `length` characters drawn from `alphabet`. */
  string(length: number, alphabet: string): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }

  /** A derived generator: independent sequences per member/controller from one scenario seed. */
  fork(label: string): Random {
    return new Random(hashString(label) ^ this.int(0x7fffffff));
  }
}

/** FNV-1a 32-bit: a cheap, stable string hash (also used for pod-template-hash). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The alphabet Kubernetes uses for generated name suffixes and pod-template-hash values
 * (k8s.io/apimachinery/pkg/util/rand: no vowels, no confusable characters).
 */
export const KUBE_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
