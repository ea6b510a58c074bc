/**
 * Decisions asked of a cluster itself with SubjectAccessReview: for clusters whose RBAC the gateway may not
 * read, clusters with webhook authorizers (`--authz sar`), and while a cluster's RBAC is still being listed.
 * Verdicts are cached for at most 30 s (a role change then takes effect within that) in a bounded LRU, and
 * concurrent identical reviews share one request, so a page that checks the same thing for many objects
 * costs one review. Failures are not cached: they are thrown (UpstreamError) to the caller, which answers
 * that cluster's field with its typed error.
 */
import type { ReviewVerdict } from './postSubjectAccessReview.js';
import type { ResourceCheck, Subject } from './types.js';

/** The longest a verdict is reused (issue 12: "cached for at most 30 s"). */
export const MAX_REVIEW_TTL_MS = 30_000;

export type ReviewFunction = (cluster: string, caller: Subject, check: ResourceCheck) => Promise<ReviewVerdict>;

export interface SubjectAccessReviewAuthorizerOptions {
  /** Posts one review to a cluster (postSubjectAccessReview with that cluster's client). */
  review: ReviewFunction;
  /** How long a verdict is reused, ms; capped at 30 s. @default 30000 */
  ttlMs?: number;
  /** Verdicts kept. @default 10000 */
  maxEntries?: number;
  /** Clock, ms. @default Date.now */
  now?: () => number;
}

interface Entry {
  allowed: boolean;
  expires: number;
}

export class SubjectAccessReviewAuthorizer {
  private readonly options: SubjectAccessReviewAuthorizerOptions;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly verdicts = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  /** Counters, for /metrics and tests: reviews sent, answers from the cache, callers joined to a review in flight. */
  readonly stats = { reviews: 0, hits: 0, joined: 0 };

  constructor(options: SubjectAccessReviewAuthorizerOptions) {
    this.options = options;
    this.ttlMs = Math.min(options.ttlMs ?? MAX_REVIEW_TTL_MS, MAX_REVIEW_TTL_MS);
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.verdicts.size;
  }

  /** Whether the cluster allows `caller` to do `check`. @throws what the review threw. */
  async can(cluster: string, caller: Subject, check: ResourceCheck): Promise<boolean> {
    const key = [cluster, caller.user, [...caller.groups].sort().join(','), check.verb, check.apiGroup, check.resource, check.subresource ?? '', check.namespace ?? '', check.name ?? ''].join('\0');
    const hit = this.verdicts.get(key);
    if (hit) {
      this.verdicts.delete(key);
      if (hit.expires > this.now()) {
        this.verdicts.set(key, hit);
        this.stats.hits++;
        return hit.allowed;
      }
    }
    const pending = this.inFlight.get(key);
    if (pending) {
      this.stats.joined++;
      return pending;
    }
    this.stats.reviews++;
    const review = this.options.review(cluster, caller, check).then(
      (v) => {
        this.inFlight.delete(key);
        this.verdicts.set(key, { allowed: v.allowed && !v.denied, expires: this.now() + this.ttlMs });
        if (this.verdicts.size > this.maxEntries) this.verdicts.delete(this.verdicts.keys().next().value!);
        return v.allowed && !v.denied;
      },
      (err: unknown) => {
        this.inFlight.delete(key);
        throw err;
      },
    );
    this.inFlight.set(key, review);
    return review;
  }
}
