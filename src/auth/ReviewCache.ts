/**
 * A bounded, time-limited memo of token verdicts, keyed by the token's SHA-256 (never the token), with
 * concurrent identical lookups sharing one upstream call. Used by TokenReviewAuthenticator so that a page
 * of GraphiQL queries or a burst of WebSocket connections costs one TokenReview, not one per request.
 *
 * Least recently used entries go first when the bound is reached (a Map keeps insertion order; a hit
 * re-inserts). "Cannot verify" answers are never kept: the next request asks again.
 */
import type { AuthResult } from './AuthResult.js';
import { tokenKey } from './tokenDigest.js';

export interface ReviewCacheOptions {
  /** How long an accepted token's verdict is reused, ms. @default 10000 */
  positiveTtlMs?: number;
  /** How long a refused token's verdict is reused, ms (short: a token may just have been created). @default 2000 */
  negativeTtlMs?: number;
  /** Entries kept at most. @default 10000 */
  maxEntries?: number;
  /** Clock, ms. @default Date.now */
  now?: () => number;
}

interface Entry {
  result: AuthResult;
  /** When this verdict may no longer be reused, ms. */
  until: number;
}

export class ReviewCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<AuthResult>>();
  private readonly positiveTtlMs: number;
  private readonly negativeTtlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: ReviewCacheOptions = {}) {
    this.positiveTtlMs = options.positiveTtlMs ?? 10_000;
    this.negativeTtlMs = options.negativeTtlMs ?? 2_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached verdict for `token`, or the one `verify` gives (shared with any identical call in flight). */
  async get(token: string, verify: () => Promise<AuthResult>): Promise<AuthResult> {
    const key = tokenKey(token);
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      if (hit.until > now) {
        this.entries.set(key, hit);
        return hit.result;
      }
    }
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const call = verify()
      .then((result) => {
        this.store(key, result);
        return result;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, call);
    return call;
  }

  private store(key: string, result: AuthResult): void {
    if (!result.ok && result.reason === 'unavailable') return;
    const now = this.now();
    let until = now + (result.ok ? this.positiveTtlMs : this.negativeTtlMs);
    // Never past the credential's own expiry: an expired token must not be accepted from the cache.
    if (result.ok && result.expiresAt !== undefined) until = Math.min(until, result.expiresAt);
    if (until <= now) return;
    this.entries.delete(key);
    this.entries.set(key, { result, until });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Whether a verdict for `token` is held (for tests: the key is the digest, so callers cannot list tokens). */
  has(token: string): boolean {
    const e = this.entries.get(tokenKey(token));
    return e !== undefined && e.until > this.now();
  }

  clear(): void {
    this.entries.clear();
  }
}
