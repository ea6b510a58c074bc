/**
 * A bounded memory of recently seen message ids. With several replicas watching the same fleet, each one
 * sees every cache change itself AND receives it from the others through Redis; the first copy wins and
 * the rest are recognised here. Bounded (oldest forgotten first) so memory stays flat whatever the rate.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  /** @param capacity how many ids are remembered; a duplicate older than that is delivered again. */
  constructor(private readonly capacity = 50_000) {}

  /** True the first time `id` is seen (and remembers it), false for a duplicate. */
  firstSeen(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      // Sets iterate in insertion order: the first one is the oldest.
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.ids.size;
  }
}
