/**
 * Per-subscriber authorization of routed events. Every resource event a subscription's filter matches is
 * checked here, at routing time and synchronously, against what the subscriber may `watch` in the event's
 * cluster and namespace: no upstream call per event. Where a cluster's RBAC is known (the access sets of
 * src/authz), the decision is a memoised list scope; where only the cluster can tell (SubjectAccessReview
 * mode, or RBAC still syncing), reviews are asked in the background and remembered for at most 30 s, and
 * until one answers the events it covers are held back (never shown on a guess).
 *
 * When what the subscriber may see changes (a RoleBinding added or removed, a review that now answers
 * differently), the subscriber gets a RESYNC notice: pending events are dropped, events it lost stop, events
 * it gained start; the client refetches its view.
 */
import type { AccessSet } from '../../authz/AccessSet.js';
import type { FleetAuthorizer } from '../../authz/FleetAuthorizer.js';
import type { KindName } from '../../fleet/kinds.js';
import { CONTROL_PLANE } from '../../fleet/types.js';
import type { RequestAccess } from '../authorize.js';
import type { GraphQLContext } from '../context.js';
import { apiError } from '../errors.js';
import { ErrorCode } from '../../errors/codes.js';
import { describeCheck } from '../../authz/describeCheck.js';

/** How long a review's answer is used before it is asked again (the SubjectAccessReview cache's bound). */
const REVIEW_TTL_MS = 30_000;
/** RBAC changes come in bursts (a kubectl apply of several objects): re-check once per burst. */
const CHANGE_DEBOUNCE_MS = 50;

export interface AccessGate {
  /** Whether the subscriber may see an object of `kind` in `cluster` / `namespace`. Synchronous. */
  allows(cluster: string, kind: KindName, namespace: string | undefined): boolean;
  /** Stops listening to RBAC changes (the subscription ended). */
  close(): void;
}

/** What an unrestricted caller (auth `none`) is given: everything, nothing to close. */
export const OPEN_GATE: AccessGate = { allows: () => true, close: () => undefined };

interface Review {
  allowed: boolean | undefined;
  at: number;
  asking: boolean;
}

/**
 * The gate of one subscription over `kinds` in `clusters` (undefined: every cluster). `onChange` is called
 * when what it lets through changed (the caller sends RESYNC). For an unrestricted caller the gate lets
 * everything through.
 */
export function openAccessGate(
  ctx: GraphQLContext,
  kinds: readonly KindName[],
  clusters: readonly string[] | undefined,
  onChange: () => void,
): AccessGate {
  const access = ctx.access;
  const authorizer = ctx.fleet.authorizer;
  if (access.unrestricted || !authorizer) return OPEN_GATE;
  return new SubscriberGate(access, authorizer, kinds, clusters, onChange);
}

class SubscriberGate implements AccessGate {
  /** The caller's access set per cluster (null: decided by review), valid until that cluster's RBAC changes. */
  private readonly sets = new Map<string, AccessSet | null>();
  /** Per cluster: what the gate lets through, as a comparable string (to tell whether a change matters). */
  private readonly signatures = new Map<string, string>();
  private readonly reviews = new Map<string, Review>();
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly removeListener: () => void;
  private closed = false;
  /** True while the first reviews are asked (their answers are the starting point, not a change). */
  private warming = false;

  constructor(
    private readonly access: RequestAccess,
    private readonly authorizer: FleetAuthorizer,
    private readonly kinds: readonly KindName[],
    private readonly clusters: readonly string[] | undefined,
    private readonly onChange: () => void,
  ) {
    this.removeListener = authorizer.onChange((cluster) => {
      if (this.closed || (this.clusters && !this.clusters.includes(cluster))) return;
      // The memoised set is stale at once: no event may pass on the old rights meanwhile.
      this.sets.delete(cluster);
      this.dirty.add(cluster);
      this.timer ??= setTimeout(() => this.recheck(), CHANGE_DEBOUNCE_MS);
      this.timer.unref?.();
    });
  }

  allows(cluster: string, kind: KindName, namespace: string | undefined): boolean {
    const r = this.access.resourceOf(kind);
    const set = this.setOf(cluster);
    if (set) {
      const scope = set.listScope(r.apiGroup, r.resource, 'watch');
      return scope.all || (r.namespaced && namespace !== undefined && scope.namespaces.has(namespace));
    }
    if (this.reviewed(cluster, kind, '')) return true;
    return r.namespaced && namespace !== undefined && this.reviewed(cluster, kind, namespace);
  }

  close(): void {
    this.closed = true;
    this.removeListener();
    if (this.timer) clearTimeout(this.timer);
  }

  /**
   * Asks the reviews the gate will need first, where only a review can tell: cluster-wide watch of each kind
   * in each cluster, and where that is refused, watch in each namespace the cache knows there. So no event
   * the caller may see is held back at the start (a namespace created later is asked about on its first event).
   */
  async warm(clusters: readonly string[], namespacesOf: (cluster: string) => Promise<readonly string[]>): Promise<void> {
    this.warming = true;
    await Promise.all(clusters.filter((c) => !this.setOf(c)).map(async (cluster) => {
      await Promise.all(this.kinds.map((kind) => this.ask(cluster, kind, '')));
      const narrower = this.kinds.filter((kind) => !this.reviewed(cluster, kind, '') && this.access.resourceOf(kind).namespaced);
      if (narrower.length === 0) return;
      const namespaces = await namespacesOf(cluster);
      await Promise.all(narrower.flatMap((kind) => namespaces.map((ns) => this.ask(cluster, kind, ns))));
    }));
    this.warming = false;
    for (const cluster of clusters) this.signatures.set(cluster, this.signatureOf(cluster));
  }

  private setOf(cluster: string): AccessSet | undefined {
    let set = this.sets.get(cluster);
    if (set === undefined) {
      set = this.authorizer.accessSet(cluster, this.access.subject) ?? null;
      this.sets.set(cluster, set);
      if (!this.signatures.has(cluster)) this.signatures.set(cluster, this.signatureOf(cluster));
    }
    return set ?? undefined;
  }

  /** A review's remembered answer (false while unknown: asked in the background, RESYNC if it allows). */
  private reviewed(cluster: string, kind: KindName, namespace: string): boolean {
    const key = `${cluster}\u0000${kind}\u0000${namespace}`;
    const review = this.reviews.get(key);
    if (!review || (!review.asking && Date.now() - review.at > REVIEW_TTL_MS)) void this.ask(cluster, kind, namespace);
    return review?.allowed === true;
  }

  private async ask(cluster: string, kind: KindName, namespace: string): Promise<void> {
    const key = `${cluster}\u0000${kind}\u0000${namespace}`;
    let review = this.reviews.get(key);
    if (review?.asking) return;
    if (!review) this.reviews.set(key, (review = { allowed: undefined, at: 0, asking: true }));
    review.asking = true;
    const before = review.allowed;
    let allowed: boolean;
    try {
      allowed = await this.access.allows(cluster, this.access.checkOf('watch', kind, namespace || undefined));
    } catch {
      // The review could not be made: the cluster is unreachable or refused the gateway; hold back.
      allowed = false;
    }
    review.allowed = allowed;
    review.at = Date.now();
    review.asking = false;
    // A first answer that allows means events were held back meanwhile: RESYNC, unless this is the start.
    if (before !== undefined ? before !== allowed : allowed && !this.warming) {
      if (!this.closed) this.onChange();
    }
  }

  /** What passes in `cluster`: the watch scope of each kind, or `review` when reviews decide. */
  private signatureOf(cluster: string): string {
    const set = this.sets.get(cluster) ?? this.authorizer.accessSet(cluster, this.access.subject);
    if (!set) return 'review';
    return this.kinds.map((kind) => {
      const r = this.access.resourceOf(kind);
      const s = set.listScope(r.apiGroup, r.resource, 'watch');
      return s.all ? '*' : r.namespaced ? [...s.namespaces].sort().join(',') : '';
    }).join(';');
  }

  private recheck(): void {
    this.timer = undefined;
    if (this.closed) return;
    let changed = false;
    for (const cluster of this.dirty) {
      this.sets.delete(cluster);
      const now = this.signatureOf(cluster);
      if (this.signatures.get(cluster) !== now) changed = true;
      this.signatures.set(cluster, now);
    }
    this.dirty.clear();
    if (changed) this.onChange();
  }
}

/**
 * Subscribe-time check of a subscription's explicit filter: with `clusters` given, the caller must be able
 * to watch each kind in each of them (in one of `namespaces` when given); with only `namespaces` given, in
 * at least one cluster of the fleet. Refused: FORBIDDEN naming the cluster and the missing permission, and
 * nothing is opened. Without a cluster or namespace filter nothing is refused: the gate keeps what the
 * caller may not see out, silently, as lists do.
 */
export async function requireWatch(
  ctx: GraphQLContext,
  kinds: readonly KindName[],
  clusters: readonly string[] | undefined,
  namespaces: readonly string[] | undefined,
): Promise<void> {
  const access = ctx.access;
  if (access.unrestricted || (!clusters?.length && !namespaces?.length)) return;
  const candidates = clusters?.length ? clusters : [...ctx.fleet.members(), CONTROL_PLANE];
  for (const kind of kinds) {
    const namespaced = access.resourceOf(kind).namespaced;
    const nss = namespaced && namespaces?.length ? namespaces : [undefined];
    let firstRefusal: { cluster: string; check: ReturnType<RequestAccess['checkOf']> } | undefined;
    let anyAllowed = false;
    for (const cluster of candidates) {
      for (const ns of nss) {
        // Cluster-wide (no namespace filter): some namespace of the cluster will do, as for lists.
        const allowed = ns === undefined && namespaced
          ? await watchesSomewhere(ctx, cluster, kind)
          : await access.allows(cluster, access.checkOf('watch', kind, ns)).catch(() => false);
        if (allowed) anyAllowed = true;
        else {
          firstRefusal ??= { cluster, check: access.checkOf('watch', kind, ns) };
          if (clusters?.length) throw forbiddenError(access, cluster, firstRefusal.check);
        }
      }
    }
    if (!anyAllowed && firstRefusal) throw forbiddenError(access, firstRefusal.cluster, firstRefusal.check);
  }
}

async function watchesSomewhere(ctx: GraphQLContext, cluster: string, kind: KindName): Promise<boolean> {
  try {
    // Where only reviews can tell, the candidates are the cluster's namespaces as the cache holds them.
    const names = ctx.access.decideLocally(cluster, ctx.access.checkOf('watch', kind)) === undefined ? await cachedNamespaces(ctx, cluster) : [];
    const scope = await ctx.access.listScope(cluster, kind, () => names, 'watch');
    return scope.all || scope.namespaces.size > 0;
  } catch {
    return false;
  }
}

/** The names of the namespaces the cache holds for `cluster` (none when it cannot tell). */
async function cachedNamespaces(ctx: GraphQLContext, cluster: string): Promise<string[]> {
  const r = await ctx.fleet.list('namespaces', cluster);
  return r.ok ? r.value.map((n) => n.metadata.name) : [];
}

function forbiddenError(access: RequestAccess, cluster: string, check: ReturnType<RequestAccess['checkOf']>): Error {
  const f = access.forbidden(cluster, check);
  return apiError(ErrorCode.FORBIDDEN, f.message, {
    cluster: cluster === CONTROL_PLANE ? 'karmada' : cluster,
    permission: describeCheck(check),
  });
}

/** Opens the gate and, where reviews decide, asks the first ones before the subscription starts. */
export async function openWarmGate(
  ctx: GraphQLContext,
  kinds: readonly KindName[],
  clusters: readonly string[] | undefined,
  onChange: () => void,
): Promise<AccessGate> {
  const gate = openAccessGate(ctx, kinds, clusters, onChange);
  if (gate instanceof SubscriberGate) await gate.warm(clusters ?? [...ctx.fleet.members(), CONTROL_PLANE], (cluster) => cachedNamespaces(ctx, cluster));
  return gate;
}
