/**
 * A per-member figure the cluster status controller writes every round, kept until one of the resources it
 * is computed from changes on that member. The resource summary sums the requests of every pod of a member:
 * with 10,000 pods on each of 100 members (bench-xl) a round took ~2 s of CPU every 10 s to find the same
 * figures again, CPU the simulator then lacks to answer the gateways it is measured with.
 */
import type { SimCluster } from '../cluster/SimCluster.js';

interface Entry<T> {
  member: SimCluster;
  /** undefined: not computed yet, or a watched resource changed since. */
  value: T | undefined;
  unsubscribe: () => void;
}

export class MemberSummaryCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  /**
   * @param compute the figure, from the member's current objects
   * @param resources the resource keys it depends on (e.g. `pods`, `nodes`): any change to one recomputes it
   */
  constructor(
    private readonly compute: (member: SimCluster) => T,
    private readonly resources: readonly string[],
  ) {}

  /** The figure for member `name`, computed again only after a change to what it depends on. */
  get(name: string, member: SimCluster): T {
    let entry = this.entries.get(name);
    if (entry && entry.member !== member) {
      // A member removed and added again under the same name: a new store, new subscriptions.
      entry.unsubscribe();
      entry = undefined;
    }
    if (!entry) {
      const created: Entry<T> = { member, value: undefined, unsubscribe: () => {} };
      // Synchronous with each write (SimCluster.onChange), so no round can read a stale figure.
      const offs = this.resources.map((r) => member.onChange(r, () => { created.value = undefined; }));
      created.unsubscribe = () => { for (const off of offs) off(); };
      this.entries.set(name, created);
      entry = created;
    }
    if (entry.value === undefined) entry.value = this.compute(member);
    return entry.value;
  }

  /** Forgets members no longer in the fleet. */
  retain(names: ReadonlySet<string> | ReadonlyMap<string, unknown>): void {
    for (const [name, entry] of this.entries) {
      if (!names.has(name)) {
        entry.unsubscribe();
        this.entries.delete(name);
      }
    }
  }

  /** Drops every entry and its subscriptions. */
  clear(): void {
    for (const entry of this.entries.values()) entry.unsubscribe();
    this.entries.clear();
  }
}
