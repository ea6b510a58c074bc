/**
 * Which objects of one kind (Services, PodDisruptionBudgets) select a pod, by namespace and selector, so
 * a pod change reaches only the objects whose selector matches its labels instead of every object in
 * the namespace.
 */
import { selectorMatches, type LabelSelector } from './labelSelector.js';

export class PodSelectorIndex {
  /** namespace -> keys of the selecting objects. */
  private readonly byNamespace = new Map<string, Set<string>>();
  /** key -> its selector (undefined selects nothing). */
  private readonly selectors = new Map<string, LabelSelector | undefined>();

  set(namespace: string, key: string, selector: LabelSelector | undefined): void {
    let set = this.byNamespace.get(namespace);
    if (!set) this.byNamespace.set(namespace, (set = new Set()));
    set.add(key);
    this.selectors.set(key, selector);
  }

  delete(namespace: string, key: string): void {
    this.byNamespace.get(namespace)?.delete(key);
    this.selectors.delete(key);
  }

  /** The keys of the objects in `namespace` whose selector matches `labels`. */
  *selecting(namespace: string, labels: Record<string, string> | undefined): IterableIterator<string> {
    for (const key of this.byNamespace.get(namespace) ?? []) {
      if (selectorMatches(this.selectors.get(key), labels)) yield key;
    }
  }
}
