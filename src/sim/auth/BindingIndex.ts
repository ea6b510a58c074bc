/**
 * The RBAC objects of one cluster, indexed for the authorizer: role rules by role, and bindings by
 * subject (`u:<user>`, `g:<group>`), ClusterRoleBindings apart from RoleBindings per namespace. Kept up
 * to date from the cluster's change events (synchronously after each write), so an authorization is a
 * few map lookups for the caller's name and groups, never a scan of all bindings. Listeners hear of
 * every RBAC change once it is indexed (the authorizer's per-user memo starts over then).
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject, StoreEvent } from '../store/Store.js';
import { CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS, ROLES, ROLE_BINDINGS } from './rbacKeys.js';
import { subjectKey } from './subjects.js';
import type { PolicyRule, RoleRef, Subject } from './types.js';

/** One binding as the authorizer needs it. */
export interface IndexedBinding {
  /** 'ClusterRoleBinding' or 'RoleBinding'. */
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  name: string;
  /** '' for a ClusterRoleBinding. */
  namespace: string;
  roleRef: RoleRef;
  subjects: Subject[];
}

function byName(a: IndexedBinding, b: IndexedBinding): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Inserts keeping the list sorted by name (bindings change rarely; lookups must stay in order). */
function insertSorted(list: IndexedBinding[], b: IndexedBinding): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (byName(list[mid]!, b) < 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, b);
}

export class BindingIndex {
  private readonly clusterRoles = new Map<string, PolicyRule[]>();
  /** `ns/name` -> rules. */
  private readonly roles = new Map<string, PolicyRule[]>();
  private readonly clusterBindings = new Map<string, IndexedBinding[]>();
  /** namespace -> subject key -> bindings. */
  private readonly roleBindings = new Map<string, Map<string, IndexedBinding[]>>();
  /** `kind/ns/name` -> the binding as indexed (to unindex it on change). */
  private readonly indexed = new Map<string, IndexedBinding>();
  private readonly unsubscribes: Array<() => void> = [];
  private readonly listeners = new Set<() => void>();

  /** Starts from what the cluster holds and follows its changes until `close()`. */
  constructor(cluster?: SimCluster) {
    if (!cluster) return;
    for (const key of [CLUSTER_ROLES, ROLES, CLUSTER_ROLE_BINDINGS, ROLE_BINDINGS]) {
      this.unsubscribes.push(cluster.onChange(key, (ev) => this.apply(ev)));
      for (const o of cluster.objects.list(key)) this.apply({ type: 'ADDED', resource: key, object: o, resourceVersion: 0 });
    }
  }

  close(): void {
    for (const off of this.unsubscribes.splice(0)) off();
  }

  /** Calls `listener` after each change of a role or binding is indexed; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Applies one change of an RBAC object. */
  apply(ev: StoreEvent): void {
    this.indexChange(ev);
    for (const l of this.listeners) l();
  }

  private indexChange(ev: StoreEvent): void {
    const o = ev.object;
    const gone = ev.type === 'DELETED';
    switch (ev.resource) {
      case CLUSTER_ROLES:
        if (gone) this.clusterRoles.delete(o.metadata.name!);
        else this.clusterRoles.set(o.metadata.name!, rulesOf(o));
        return;
      case ROLES: {
        const key = `${o.metadata.namespace}/${o.metadata.name}`;
        if (gone) this.roles.delete(key);
        else this.roles.set(key, rulesOf(o));
        return;
      }
      case CLUSTER_ROLE_BINDINGS:
      case ROLE_BINDINGS: {
        const kind = ev.resource === CLUSTER_ROLE_BINDINGS ? 'ClusterRoleBinding' : 'RoleBinding';
        const namespace = kind === 'RoleBinding' ? o.metadata.namespace ?? '' : '';
        const id = `${kind}/${namespace}/${o.metadata.name}`;
        const old = this.indexed.get(id);
        if (old) this.unindex(old);
        this.indexed.delete(id);
        if (gone) return;
        const b: IndexedBinding = { kind, name: o.metadata.name!, namespace, roleRef: (o['roleRef'] ?? {}) as RoleRef, subjects: ((o['subjects'] as Subject[] | undefined) ?? []).slice() };
        this.indexed.set(id, b);
        this.index(b);
        return;
      }
      default:
    }
  }

  private mapFor(b: IndexedBinding, create: boolean): Map<string, IndexedBinding[]> | undefined {
    if (b.kind === 'ClusterRoleBinding') return this.clusterBindings;
    let m = this.roleBindings.get(b.namespace);
    if (!m && create) this.roleBindings.set(b.namespace, (m = new Map()));
    return m;
  }

  private keysOf(b: IndexedBinding): Set<string> {
    const keys = new Set<string>();
    for (const s of b.subjects) {
      const k = subjectKey(s, b.namespace);
      if (k !== undefined) keys.add(k);
    }
    return keys;
  }

  private index(b: IndexedBinding): void {
    const m = this.mapFor(b, true)!;
    for (const k of this.keysOf(b)) {
      let list = m.get(k);
      if (!list) m.set(k, (list = []));
      insertSorted(list, b);
    }
  }

  private unindex(b: IndexedBinding): void {
    const m = this.mapFor(b, false);
    if (!m) return;
    for (const k of this.keysOf(b)) {
      const list = m.get(k);
      if (!list) continue;
      const i = list.indexOf(b);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) m.delete(k);
    }
  }

  /** ClusterRoleBindings with a subject under one of `keys`, by name, each once. */
  clusterBindingsFor(keys: readonly string[]): IndexedBinding[] {
    return collect(this.clusterBindings, keys);
  }

  /** RoleBindings of `namespace` with a subject under one of `keys`, by name, each once. */
  roleBindingsFor(namespace: string, keys: readonly string[]): IndexedBinding[] {
    const m = this.roleBindings.get(namespace);
    return m ? collect(m, keys) : [];
  }

  /** The rules a role reference grants, or undefined when the role does not exist. */
  rulesOf(ref: RoleRef, bindingNamespace: string): PolicyRule[] | undefined {
    if (ref.kind === 'ClusterRole') return this.clusterRoles.get(ref.name);
    if (ref.kind === 'Role') return this.roles.get(`${bindingNamespace}/${ref.name}`);
    return undefined;
  }
}

function collect(m: Map<string, IndexedBinding[]>, keys: readonly string[]): IndexedBinding[] {
  let out: IndexedBinding[] | undefined;
  let sources = 0;
  for (const k of keys) {
    const list = m.get(k);
    if (!list) continue;
    sources++;
    out = sources === 1 ? list : out!.concat(list);
  }
  if (!out) return [];
  if (sources === 1) return out;
  // Several subjects of the user hit bindings: dedupe (a binding naming user and group) and keep name order.
  return [...new Set(out)].sort(byName);
}

export function rulesOf(o: KubeObject): PolicyRule[] {
  return ((o['rules'] as PolicyRule[] | null | undefined) ?? []).slice();
}
