/**
 * The faults a test can switch per member at run time (FaultSwitch of SimFleet.ts). The switch only
 * holds state and notifies: the API server reads it on every proxied request and registers its open
 * watch streams here, so that `dropWatches` (and a member becoming unreachable) can end them.
 */
import type { FaultSwitch, MemberFaults } from './SimFleet.js';
import type { SimCluster } from './cluster/SimCluster.js';

const NO_FAULTS: MemberFaults = { latencyMs: 0, unreachable: false, unavailable503: false, hangLists: false };

export class MemberFaultBoard implements FaultSwitch {
  private readonly faults = new Map<string, MemberFaults>();
  /** Open watch streams per member: each entry ends its stream when called. */
  private readonly watchClosers = new Map<string, Set<() => void>>();
  private readonly changeListeners = new Set<(member: string, faults: MemberFaults) => void>();

  constructor(private readonly memberOf: (name: string) => SimCluster | undefined) {}

  get(member: string): MemberFaults {
    return { ...(this.faults.get(member) ?? NO_FAULTS) };
  }

  set(member: string, faults: Partial<MemberFaults>): void {
    const next: MemberFaults = { ...this.get(member) };
    for (const [k, v] of Object.entries(faults) as Array<[keyof MemberFaults, unknown]>) {
      if (v === undefined) continue;
      if (k === 'latencyMs') next.latencyMs = Math.max(0, Number(v) || 0);
      else if (k === 'unreachable' || k === 'unavailable503' || k === 'hangLists') next[k] = Boolean(v);
    }
    this.faults.set(member, next);
    // A member that cannot be reached has no open watches either: they end, as a broken
    // connection would end them.
    if (next.unreachable || next.unavailable503) this.dropWatches(member);
    for (const l of [...this.changeListeners]) l(member, next);
  }

  dropWatches(member: string): void {
    const closers = this.watchClosers.get(member);
    if (!closers) return;
    for (const close of [...closers]) close();
    closers.clear();
  }

  compact(member: string): void {
    this.memberOf(member)?.store.compact();
  }

  /** Registers an open watch stream of a member; returns the function to call when it ends. */
  trackWatch(member: string, close: () => void): () => void {
    let set = this.watchClosers.get(member);
    if (!set) {
      set = new Set();
      this.watchClosers.set(member, set);
    }
    set.add(close);
    return () => {
      set.delete(close);
    };
  }

  /** Open watch streams per cluster name as the API server tracks them (`<member>`, `<member>@own`, `karmada`). */
  openWatches(): Record<string, number> {
    return Object.fromEntries([...this.watchClosers].filter(([, set]) => set.size > 0).map(([member, set]) => [member, set.size]));
  }

  /** Called after every change of a member's faults (the API server releases hung lists with it). */
  onChange(listener: (member: string, faults: MemberFaults) => void): () => void {
    this.changeListeners.add(listener);
    return () => {
      this.changeListeners.delete(listener);
    };
  }
}
