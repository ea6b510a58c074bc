/**
 * The bindings that apply to one user (name and groups), memoized per user on top of the
 * BindingIndex: the index answers by subject key, but joining a user's keys (dedupe and name order
 * when several of its subjects hit bindings) and wording the "allowed by" reason cost more than the
 * rule matching itself, on every request. kube's RBAC authorizer reads its informers' current state
 * on every decision, so a role or binding change must take effect at once: every RBAC change event
 * of the index drops all entries. Role rules are never cached here (the authorizer reads them from
 * the index per decision).
 */
import type { BindingIndex, IndexedBinding } from './BindingIndex.js';
import { appliesToUser, describeSubject, userKeys } from './subjects.js';
import type { UserInfo } from './types.js';

/**
 * Entries kept before the memo starts over (callers with a fresh identity per request, e.g. many
 * service accounts, must not grow it without bound).
 */
const MAX_USERS = 4096;

/** `ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"`. */
function describeBinding(b: IndexedBinding, user: UserInfo): string {
  const subject = b.subjects.find((s) => appliesToUser(user, s, b.namespace));
  const who = subject ? describeSubject(subject, b.namespace) : '';
  const name = b.kind === 'RoleBinding' ? `${b.name}/${b.namespace}` : b.name;
  return `${b.kind} ${JSON.stringify(name)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${who}`;
}

/** What applies to one user, as of the index's state when it was made. */
export class BindingsOfUser {
  private keys: string[] | undefined;
  private cluster: IndexedBinding[] | undefined;
  private readonly byNamespace = new Map<string, IndexedBinding[]>();
  private readonly reasons = new Map<IndexedBinding, string>();

  constructor(
    private readonly index: BindingIndex,
    /** Name and groups of the users this memo serves. */
    readonly user: UserInfo,
  ) {}

  private subjectKeys(): string[] {
    return (this.keys ??= userKeys(this.user));
  }

  /** ClusterRoleBindings naming the user or one of its groups, by name, each once. */
  clusterBindings(): IndexedBinding[] {
    return (this.cluster ??= this.index.clusterBindingsFor(this.subjectKeys()));
  }

  /** RoleBindings of `namespace` naming the user or one of its groups, by name, each once. */
  roleBindings(namespace: string): IndexedBinding[] {
    let found = this.byNamespace.get(namespace);
    if (found === undefined) {
      found = this.index.roleBindingsFor(namespace, this.subjectKeys());
      // Only namespaces holding bindings for the user are remembered: any namespace may be asked.
      if (found.length > 0) this.byNamespace.set(namespace, found);
    }
    return found;
  }

  /** kube's reason for an allowing binding: `RBAC: allowed by RoleBinding "x/ns" of Role "y" to User "z"`. */
  allowedBy(b: IndexedBinding): string {
    let reason = this.reasons.get(b);
    if (reason === undefined) this.reasons.set(b, (reason = `RBAC: allowed by ${describeBinding(b, this.user)}`));
    return reason;
  }
}

function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class UserBindings {
  /** user name -> the memos of the group sets seen with it (nearly always one). */
  private readonly byName = new Map<string, BindingsOfUser[]>();
  private size = 0;

  constructor(private readonly index: BindingIndex) {
    // One memo per index, both living as long as their cluster: no unsubscribe needed.
    index.onChange(() => this.clear());
  }

  /** The memo of `user`, by name and groups (uid and extra never change what RBAC grants). */
  of(user: UserInfo): BindingsOfUser {
    let entries = this.byName.get(user.name);
    if (entries !== undefined) {
      for (const e of entries) if (sameGroups(e.user.groups, user.groups)) return e;
    }
    if (this.size >= MAX_USERS) {
      this.clear();
      entries = undefined;
    }
    // The groups are copied: a caller's array must not change a memo shared with others.
    const entry = new BindingsOfUser(this.index, { name: user.name, groups: [...user.groups] });
    if (entries === undefined) this.byName.set(user.name, (entries = []));
    entries.push(entry);
    this.size++;
    return entry;
  }

  private clear(): void {
    this.byName.clear();
    this.size = 0;
  }
}
