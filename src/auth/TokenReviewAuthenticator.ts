/**
 * `--auth kubernetes`: the Karmada control plane decides, through `authentication.k8s.io/v1` TokenReview
 * (so any token it accepts works: service accounts, the OIDC issuers it trusts, its static tokens, webhook
 * authenticators). The gateway's control-plane identity needs `create tokenreviews` (it has it in
 * deploy/rbac/callers).
 *
 * Verdicts are memoised briefly in a bounded LRU keyed by the token's SHA-256 (ReviewCache: 10 s for an
 * accepted token, 2 s for a refused one, never past the token's own `exp` when it is a JWT), and identical
 * reviews in flight are shared, so a burst of requests with one token costs one review. Any failure of
 * the review call itself (transport, timeout, 5xx, and also 401/403 — the gateway's own credentials do not
 * allow the review) is "cannot verify" (`unavailable`), never "invalid": nothing is known about the token.
 */
import { keepAliveConfiguration } from '../fleet/keepAliveConfiguration.js';
import { AuthenticationV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1TokenReview } from '@kubernetes/client-node';
import { decodeJwt } from 'jose';
import { refused, withAuthenticatedGroup } from './AuthResult.js';
import type { AuthIdentity, AuthResult, Authenticator } from './AuthResult.js';
import { ReviewCache } from './ReviewCache.js';
import type { ReviewCacheOptions } from './ReviewCache.js';

export interface TokenReviewOptions extends ReviewCacheOptions {
  /**
   * Audiences asked for in `spec.audiences`; the token must be valid for one of them. @default undefined
   * (the control plane's own API audiences, as kube-apiserver assumes when none are given)
   */
  audiences?: string[];
  /** Timeout of one review call, ms. @default 5000 */
  timeoutMs?: number;
}

/** The review call, a seam for tests of the mapping; the default posts with client-node. */
export type ReviewCall = (review: V1TokenReview) => Promise<V1TokenReview>;

/** A JWT's `exp` in ms, when the token is a JWT that has one (read only after the control plane accepted it). */
function jwtExpiry(token: string): number | undefined {
  try {
    const exp = decodeJwt(token).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export class TokenReviewAuthenticator implements Authenticator {
  readonly mode = 'kubernetes' as const;
  readonly cache: ReviewCache;
  private readonly review: ReviewCall;
  private readonly now: () => number;

  /** @param controlPlane the gateway's control-plane KubeConfig (src/fleet/kubeConfigs.ts), or a ReviewCall */
  constructor(controlPlane: KubeConfig | ReviewCall, private readonly options: TokenReviewOptions = {}) {
    this.cache = new ReviewCache(options);
    this.now = options.now ?? Date.now;
    if (typeof controlPlane === 'function') {
      this.review = controlPlane;
    } else {
      const api = new AuthenticationV1Api(keepAliveConfiguration(controlPlane));
      this.review = (body) => api.createTokenReview({ body });
    }
  }

  authenticate(token: string): Promise<AuthResult> {
    if (!token) return Promise.resolve(refused('missing', 'empty token'));
    return this.cache.get(token, () => this.ask(token));
  }

  private async ask(token: string): Promise<AuthResult> {
    const body: V1TokenReview = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token, ...(this.options.audiences ? { audiences: this.options.audiences } : {}) },
    };
    let answer: V1TokenReview;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeoutMs = this.options.timeoutMs ?? 5_000;
      answer = await Promise.race([
        this.review(body),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`TokenReview took over ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      // The HTTP status of client-node's ApiException, when there was an answer (a number: typed, not text).
      const code = (err as { code?: unknown }).code;
      return refused('unavailable', `TokenReview failed${typeof code === 'number' ? ` (HTTP ${code})` : ''}: ${(err as Error).name}`);
    } finally {
      clearTimeout(timer);
    }
    const status = answer.status;
    const expiresAt = jwtExpiry(token);
    if (!status?.authenticated || !status.user?.username) {
      // Typed from the token itself, never from status.error's text: a JWT past its exp is "expired".
      if (expiresAt !== undefined && expiresAt <= this.now()) return refused('expired', 'token has expired');
      return refused('invalid', 'the control plane did not authenticate the token');
    }
    if (this.options.audiences && !(status.audiences ?? []).some((a) => this.options.audiences!.includes(a))) {
      return refused('wrong-audience', 'token is not for the asked audiences');
    }
    const u = status.user;
    const identity: AuthIdentity = {
      user: u.username!,
      ...(u.uid ? { uid: u.uid } : {}),
      groups: withAuthenticatedGroup(u.groups ?? []),
      ...(u.extra && Object.keys(u.extra).length ? { extra: u.extra } : {}),
      anonymous: false,
    };
    return { ok: true, identity, ...(expiresAt !== undefined ? { expiresAt } : {}) };
  }

  /** Nothing to release: the cache holds no timers. */
  close(): void {
    this.cache.clear();
  }
}
