/**
 * The one decision point of the gateway's authorization (what src/graphql/authorize.ts, or its successor in
 * the request core, calls): per cluster, locally from the access sets when the cluster's RBAC is known
 * (RbacStore mode `local`), else by SubjectAccessReview to that cluster (mode `review`, `syncing`, or every
 * cluster with `--authz sar`).
 */
import type { AccessSet } from './AccessSet.js';
import type { RbacStore } from './RbacStore.js';
import type { SubjectAccessReviewAuthorizer } from './SubjectAccessReviewAuthorizer.js';
import type { ListScope, ResourceCheck, Subject } from './types.js';

/** `rbac`: evaluate locally where RBAC can be read; `sar`: always ask the cluster (webhook authorizers). */
export type AuthzMode = 'rbac' | 'sar';

export interface FleetAuthorizerOptions {
  store: RbacStore;
  reviews: SubjectAccessReviewAuthorizer;
  /** @default 'rbac' */
  mode?: AuthzMode;
}

export class FleetAuthorizer {
  private readonly store: RbacStore;
  private readonly reviews: SubjectAccessReviewAuthorizer;
  private readonly mode: AuthzMode;

  constructor(options: FleetAuthorizerOptions) {
    this.store = options.store;
    this.reviews = options.reviews;
    this.mode = options.mode ?? 'rbac';
  }

  /**
   * How each cluster's decisions are made (`local`, `review`, `syncing`), for /readyz: every cluster is
   * `review` with `--authz sar`.
   */
  modes(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const c of this.store.clusters().sort()) out[c] = this.mode === 'sar' ? 'review' : this.store.mode(c);
    return out;
  }

  /** The caller's access set in `cluster`, or undefined when decisions there go to SubjectAccessReview. */
  accessSet(cluster: string, caller: Subject): AccessSet | undefined {
    return this.mode === 'sar' ? undefined : this.store.accessSet(cluster, caller);
  }

  /**
   * Called with a cluster's name when what callers may do there may have changed (an RBAC object changed,
   * or the cluster's mode did). Never called with `--authz sar`: reviews expire on their own (30 s).
   * Returns the remover.
   */
  onChange(listener: (cluster: string) => void): () => void {
    return this.store.onChange(listener);
  }

  /** A local decision, or undefined when only the cluster can tell (then call `can`). */
  decideLocally(cluster: string, caller: Subject, check: ResourceCheck): boolean | undefined {
    return this.accessSet(cluster, caller)?.check(check);
  }

  /** The decision, local when possible. @throws UpstreamError when a needed review failed. */
  async can(cluster: string, caller: Subject, check: ResourceCheck): Promise<boolean> {
    const local = this.decideLocally(cluster, caller, check);
    return local ?? this.reviews.can(cluster, caller, check);
  }

  /**
   * Where the caller may list `apiGroup`/`resource` in `cluster`. Locally from the access set; by review,
   * one cluster-wide review and, when that says no, one per namespace of `namespaces` (the namespaces the
   * cache holds objects in: a namespace without objects needs no answer).
   *
   * `namespaces` may be a function: it is then called only when reviews must answer. Collecting the
   * namespaces of a cached list walks every object of it (30,000 pods of a bench-m fleet-wide page: a few
   * milliseconds per request), which a locally decided scope never needs.
   */
  async listScope(cluster: string, caller: Subject, apiGroup: string, resource: string, namespaces: Iterable<string> | (() => Iterable<string>), verb = 'list'): Promise<ListScope> {
    const set = this.accessSet(cluster, caller);
    if (set) return set.listScope(apiGroup, resource, verb);
    if (await this.reviews.can(cluster, caller, { verb, apiGroup, resource })) return { all: true, namespaces: new Set() };
    const candidates = [...new Set(typeof namespaces === 'function' ? namespaces() : namespaces)];
    const allowed = await Promise.all(candidates.map((namespace) => this.reviews.can(cluster, caller, { verb, apiGroup, resource, namespace })));
    return { all: false, namespaces: new Set(candidates.filter((_, i) => allowed[i])) };
  }
}
