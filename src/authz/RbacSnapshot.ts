/**
 * The RBAC objects of one cluster, kept from its informers' events: Roles by namespace and name,
 * ClusterRoles by name, and bindings indexed by the subjects they name (see subjectKeys.ts), so that the
 * bindings of one caller are found with a few lookups. Every change bumps `generation`: access sets built
 * from an older generation are stale and rebuilt on their next use.
 */
import { keyOfSubject } from './subjectKeys.js';
import type { SlimBinding, SlimPolicyRule, SlimRbacObject, SlimRole } from './types.js';

export type RbacEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

function roleKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

function bindingKey(b: SlimBinding): string {
  return b.kind === 'RoleBinding' ? `rb:${b.namespace ?? ''}/${b.name}` : `crb:${b.name}`;
}

function isRole(o: SlimRbacObject): o is SlimRole {
  return o.kind === 'Role' || o.kind === 'ClusterRole';
}

export class RbacSnapshot {
  readonly cluster: string;
  private readonly roles = new Map<string, SlimRole>();
  private readonly clusterRoles = new Map<string, SlimRole>();
  private readonly bindings = new Map<string, SlimBinding>();
  /** Subject key → ClusterRoleBindings naming it. */
  private readonly clusterBindingsBySubject = new Map<string, SlimBinding[]>();
  /** Subject key → RoleBindings naming it (each carries its namespace). */
  private readonly roleBindingsBySubject = new Map<string, SlimBinding[]>();
  private readonly listeners = new Set<(snapshot: RbacSnapshot) => void>();
  private gen = 0;

  constructor(cluster: string) {
    this.cluster = cluster;
  }

  /** Increases on every change of any RBAC object of this cluster. */
  get generation(): number {
    return this.gen;
  }

  get counts(): { roles: number; clusterRoles: number; bindings: number } {
    return { roles: this.roles.size, clusterRoles: this.clusterRoles.size, bindings: this.bindings.size };
  }

  /** Called after each change (the subscription router re-checks its subscribers' access then). */
  onChange(listener: (snapshot: RbacSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One informer event. A DELETED object is removed by identity whatever its content. */
  apply(type: RbacEventType, object: SlimRbacObject): void {
    this.applyQuietly(type, object);
    this.changed();
  }

  /** Several changes (a relist's differences) as one generation step. */
  applyAll(changes: ReadonlyArray<readonly [RbacEventType, SlimRbacObject]>): void {
    for (const [type, o] of changes) this.applyQuietly(type, o);
    this.changed();
  }

  /**
   * Replaces every object of one kind (after a relist): what is absent from `objects` is removed. One
   * generation step for the whole batch.
   */
  replaceKind(kind: SlimRbacObject['kind'], objects: Iterable<SlimRbacObject>): void {
    const keep = new Set<string>();
    for (const o of objects) {
      keep.add(this.keyOf(o));
      this.applyQuietly('ADDED', o);
    }
    for (const o of this.objectsOfKind(kind)) if (!keep.has(this.keyOf(o))) this.applyQuietly('DELETED', o);
    this.changed();
  }

  /** The rules a binding's roleRef grants, or undefined when that role does not exist (it grants nothing). */
  rulesOf(binding: SlimBinding): readonly SlimPolicyRule[] | undefined {
    const ref = binding.roleRef;
    if (ref.kind === 'ClusterRole') return this.clusterRoles.get(ref.name)?.rules;
    // A Role is looked up in the binding's namespace; a ClusterRoleBinding to a Role names nothing (kube
    // looks for it in namespace "" where no Role can be).
    if (ref.kind === 'Role' && binding.kind === 'RoleBinding') return this.roles.get(roleKey(binding.namespace, ref.name))?.rules;
    return undefined;
  }

  /** ClusterRoleBindings naming any of `keys` (each once). */
  clusterBindingsFor(keys: readonly string[]): SlimBinding[] {
    return this.collect(this.clusterBindingsBySubject, keys);
  }

  /** RoleBindings (of every namespace) naming any of `keys` (each once). */
  roleBindingsFor(keys: readonly string[]): SlimBinding[] {
    return this.collect(this.roleBindingsBySubject, keys);
  }

  private collect(index: Map<string, SlimBinding[]>, keys: readonly string[]): SlimBinding[] {
    const out = new Set<SlimBinding>();
    for (const k of keys) {
      const hit = index.get(k);
      if (hit) for (const b of hit) out.add(b);
    }
    return [...out];
  }

  private changed(): void {
    this.gen++;
    for (const l of this.listeners) l(this);
  }

  private keyOf(o: SlimRbacObject): string {
    return isRole(o) ? `${o.kind}:${roleKey(o.namespace, o.name)}` : bindingKey(o);
  }

  private *objectsOfKind(kind: SlimRbacObject['kind']): Iterable<SlimRbacObject> {
    if (kind === 'Role') yield* [...this.roles.values()];
    else if (kind === 'ClusterRole') yield* [...this.clusterRoles.values()];
    else for (const b of [...this.bindings.values()]) if (b.kind === kind) yield b;
  }

  private applyQuietly(type: RbacEventType, o: SlimRbacObject): void {
    if (isRole(o)) {
      const map = o.kind === 'Role' ? this.roles : this.clusterRoles;
      const key = roleKey(o.namespace, o.name);
      if (type === 'DELETED') map.delete(key);
      else map.set(key, o);
      return;
    }
    const key = bindingKey(o);
    const before = this.bindings.get(key);
    if (before) this.unindex(before);
    if (type === 'DELETED') {
      this.bindings.delete(key);
      return;
    }
    this.bindings.set(key, o);
    this.index(o);
  }

  // Arrays rather than Sets: most subjects are named by one or two bindings, and an array of one costs a
  // fraction of a Set (measured: bench/authzAccessSetCost.mjs).
  private indexOf(b: SlimBinding): Map<string, SlimBinding[]> {
    return b.kind === 'ClusterRoleBinding' ? this.clusterBindingsBySubject : this.roleBindingsBySubject;
  }

  private index(b: SlimBinding): void {
    const index = this.indexOf(b);
    for (const s of b.subjects) {
      const k = keyOfSubject(s, b.namespace);
      if (k === undefined) continue;
      const list = index.get(k);
      if (!list) index.set(k, [b]);
      else if (!list.includes(b)) list.push(b);
    }
  }

  private unindex(b: SlimBinding): void {
    const index = this.indexOf(b);
    for (const s of b.subjects) {
      const k = keyOfSubject(s, b.namespace);
      if (k === undefined) continue;
      const list = index.get(k);
      if (!list) continue;
      const at = list.indexOf(b);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) index.delete(k);
    }
  }
}
