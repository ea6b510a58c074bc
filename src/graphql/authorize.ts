/**
 * The single authorization check. Every resolver that returns data asks here before reading, cached data
 * included, and every mutation before its Operation exists: this file is the one place that decides.
 *
 * - `authorize(identity, …)`: synchronous, is there a caller at all (UNAUTHENTICATED otherwise).
 * - `ctx.access` (a RequestAccess, one per request): what this caller may do in each cluster, as that
 *   cluster's own RBAC decides (src/authz: the gateway's copy of every cluster's RBAC, or a
 *   SubjectAccessReview where it may not be read). In auth mode `none` every caller is the gateway itself
 *   and is refused nothing.
 *
 * Cluster names here are the data layer's: a member's name, or CONTROL_PLANE for Karmada.
 */
import type { FleetAuthorizer } from '../authz/FleetAuthorizer.js';
import { describeCheck } from '../authz/describeCheck.js';
import type { ListScope, ResourceCheck, Subject } from '../authz/types.js';

export { describeCheck };
import { ErrorCode } from '../errors/codes.js';
import { kindTable, type KindDescriptor, type KindName } from '../fleet/kinds.js';
import { CONTROL_PLANE, type ClusterError } from '../fleet/types.js';
import { toClusterError } from '../fleet/UpstreamError.js';
import { apiError } from './errors.js';

/** Who is asking, as established by the server's identity module. */
export interface Identity {
  /** User name; `anonymous` in auth mode `none`. */
  user: string;
  groups: string[];
  /** True when no credentials were required (auth mode `none`). */
  anonymous: boolean;
}

/** `write`: a mutation (src/graphql/operations), asked before anything is checked or written. */
export type Action = 'read' | 'write';

/** What is being read: a kind in a cluster (member name, `karmada` for the control plane), maybe a namespace. */
export interface AuthTarget {
  kind: string;
  cluster?: string | null;
  namespace?: string | null;
}

/** Throws UNAUTHENTICATED without identity; what the identity may do is `ctx.access`'s to decide. */
export function authorize(identity: Identity | null, action: Action, target: AuthTarget): void {
  void action;
  void target;
  if (identity === null) throw apiError(ErrorCode.UNAUTHENTICATED, 'authentication required');
}

const AUTHENTICATED_GROUP = 'system:authenticated';

const EVERYWHERE: ListScope = Object.freeze({ all: true, namespaces: new Set<string>() });
const NOWHERE: ListScope = Object.freeze({ all: false, namespaces: new Set<string>() });

/** The built-in kinds (the middleware group as configured by default), for fleets that do not say. */
let defaultKinds: ReadonlyMap<KindName, KindDescriptor> | undefined;

/** The display name of a data-layer cluster in messages. */
function clusterLabel(cluster: string): string {
  return cluster === CONTROL_PLANE ? 'the Karmada control plane' : `cluster ${cluster}`;
}

/**
 * One request's view of what its caller may do. Decisions are the FleetAuthorizer's (access sets memoised
 * across requests); list scopes are memoised per request as well, so a page that lists pods of ten members
 * twice asks each member once.
 */
export class RequestAccess {
  readonly subject: Subject;
  private readonly scopes = new Map<string, Promise<ListScope>>();

  constructor(
    readonly identity: Identity,
    private readonly authorizer: FleetAuthorizer | undefined,
    private readonly kinds: ReadonlyMap<KindName, KindDescriptor> | undefined,
    /** Kinds the schema does not model, registered under `group/version/Kind` (src/fleet/DynamicKinds.ts). */
    private readonly dynamicKinds?: { descriptorOf(key: string): KindDescriptor | undefined },
  ) {
    // kube-apiserver adds `system:authenticated` to every authenticated user (its authenticator's group
    // adder); a TokenReview already lists it, a static token or an OIDC token does not.
    this.subject = {
      user: identity.user,
      groups: identity.anonymous || identity.groups.includes(AUTHENTICATED_GROUP) ? identity.groups : [...identity.groups, AUTHENTICATED_GROUP],
    };
  }

  /** Nothing is refused: auth `none` (the caller is the gateway) or a fleet without an authorizer. */
  get unrestricted(): boolean {
    return this.identity.anonymous || !this.authorizer;
  }

  /** The API group and plural of a data-layer kind. */
  resourceOf(kind: KindName): { apiGroup: string; resource: string; namespaced: boolean } {
    const d = (this.kinds ?? (defaultKinds ??= kindTable({ group: 'middleware.fleetgraph.io', version: 'v1alpha1' }))).get(kind) ?? this.dynamicKinds?.descriptorOf(kind);
    if (!d) throw new Error(`unknown kind "${kind}"`);
    return { apiGroup: d.group, resource: d.plural, namespaced: d.namespaced };
  }

  /** A check for a data-layer kind (a namespace is dropped for cluster-scoped kinds). */
  checkOf(verb: string, kind: KindName, namespace?: string | null, name?: string | null, subresource?: string): ResourceCheck {
    const r = this.resourceOf(kind);
    return {
      verb, apiGroup: r.apiGroup, resource: r.resource,
      ...(subresource ? { subresource } : {}),
      ...(r.namespaced && namespace ? { namespace } : {}),
      ...(name ? { name } : {}),
    };
  }

  /** Synchronous when the cluster's RBAC is known here; undefined when only the cluster can tell. */
  decideLocally(cluster: string, check: ResourceCheck): boolean | undefined {
    if (this.unrestricted) return true;
    return this.authorizer!.decideLocally(cluster, this.subject, check);
  }

  /** The decision. @throws UpstreamError when the SubjectAccessReview it needed failed. */
  async allows(cluster: string, check: ResourceCheck): Promise<boolean> {
    if (this.unrestricted) return true;
    return this.authorizer!.can(cluster, this.subject, check);
  }

  /** The first of `checks` refused in `cluster`, or undefined when all are allowed (asked concurrently). */
  async firstMissing(cluster: string, checks: readonly ResourceCheck[]): Promise<ResourceCheck | undefined> {
    if (this.unrestricted) return undefined;
    const verdicts = await Promise.all(checks.map((c) => this.allows(cluster, c)));
    const i = verdicts.indexOf(false);
    return i < 0 ? undefined : checks[i];
  }

  /**
   * Throws FORBIDDEN (with `cluster` and the missing permission in `extensions.permission`) unless allowed;
   * a review that could not be made is that cluster's failure (CLUSTER_UNAVAILABLE …), never a refusal.
   */
  async require(cluster: string, check: ResourceCheck): Promise<void> {
    const error = await this.refusal(cluster, check);
    if (error) throw apiError(error.code, error.message, { cluster: error.cluster === CONTROL_PLANE ? 'karmada' : error.cluster, ...(error.reason ? { reason: error.reason } : {}), ...(error.code === ErrorCode.FORBIDDEN ? { permission: describeCheck(check) } : {}) });
  }

  /** `require` as a typed value: undefined when allowed, else the cluster's FORBIDDEN (or review failure). */
  async refusal(cluster: string, check: ResourceCheck): Promise<ClusterError | undefined> {
    try {
      if (await this.allows(cluster, check)) return undefined;
    } catch (err) {
      return toClusterError(cluster, err);
    }
    return this.forbidden(cluster, check);
  }

  /** The FORBIDDEN value for a refused check. */
  forbidden(cluster: string, check: ResourceCheck): ClusterError {
    return {
      code: ErrorCode.FORBIDDEN,
      cluster,
      status: 403,
      message: `${this.identity.user} may not ${describeCheck(check)} in ${clusterLabel(cluster)}`,
    };
  }

  /**
   * Where the caller may `verb` (list) `kind` in `cluster`: everywhere, or a set of namespaces (cluster-scoped
   * kinds: everywhere or nowhere). `namespaces` names the candidates when only reviews can tell (the
   * namespaces the cache holds objects in), called only then. Memoised per request.
   */
  listScope(cluster: string, kind: KindName, namespaces: () => Iterable<string>, verb = 'list'): Promise<ListScope> {
    if (this.unrestricted) return Promise.resolve(EVERYWHERE);
    return this.listScopeFor(cluster, this.resourceOf(kind), namespaces, verb);
  }

  /** listScope for any resource by its API group and plural (kinds the schema does not model: DynamicKinds). */
  listScopeFor(cluster: string, r: { apiGroup: string; resource: string; namespaced: boolean }, namespaces: () => Iterable<string>, verb = 'list'): Promise<ListScope> {
    if (this.unrestricted) return Promise.resolve(EVERYWHERE);
    const key = `${cluster}\u0000${r.apiGroup}\u0000${r.resource}\u0000${verb}`;
    let scope = this.scopes.get(key);
    if (!scope) {
      // Candidates are computed only when a review must answer (a walk over the whole list otherwise).
      scope = this.authorizer!.listScope(cluster, this.subject, r.apiGroup, r.resource, r.namespaced ? namespaces : [], verb)
        .then((s) => (r.namespaced || s.all ? s : NOWHERE));
      this.scopes.set(key, scope);
    }
    return scope;
  }
}
