/**
 * `--auth oidc`: JWTs verified as kube-apiserver's OIDC authenticator verifies them (flags `--oidc-issuer-url`,
 * `--oidc-client-id`, `--oidc-username-claim`, `--oidc-groups-claim`, `--oidc-username-prefix`,
 * `--oidc-groups-prefix`, `--oidc-ca-file`), with jose:
 *
 * - the issuer's discovery document `<issuer>/.well-known/openid-configuration` gives `jwks_uri`; its
 *   `issuer` must equal the configured one exactly (OpenID Connect Discovery §4.3), or nothing is trusted;
 * - keys come from `jwks_uri` through jose's remote key set: cached, refetched when a token names an
 *   unknown `kid` (key rotation) once jose's cooldown has passed, and when the cache ages out;
 * - `iss` = the issuer, `aud` ∋ the client id, `exp` and `nbf` with a small clock skew, RS256 by default
 *   (kube's `--oidc-signing-algs`);
 * - the issuer's TLS is verified against `--oidc-ca-file` when given (system roots otherwise), for
 *   discovery and keys alike (src/auth/httpsGet.ts).
 *
 * Discovery is fetched on first use, not at start, so a gateway starts while its issuer is down; until it
 * answers, every token is "cannot verify" (503), never "invalid".
 */
import { createRemoteJWKSet, customFetch, decodeJwt, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import { refused } from './AuthResult.js';
import type { AuthResult, Authenticator } from './AuthResult.js';
import { httpsGet } from './httpsGet.js';
import type { FetchLike } from './httpsGet.js';
import { identityFromClaims } from './oidcClaims.js';
import type { ClaimMapping } from './oidcClaims.js';

export interface OidcOptions extends ClaimMapping {
  /** `--oidc-issuer-url`: https URL, compared exactly with the discovery document's and the tokens' `iss`. */
  issuer: string;
  /** `--oidc-client-id`: the audience every token must carry. */
  clientId: string;
  /** PEM CA bundle the issuer's certificate must chain to (`--oidc-ca-file`'s content). @default undefined (system roots) */
  caPem?: string;
  /**
   * Where the discovery document is read, when not under the issuer URL (kube's structured authentication
   * config `issuer.discoveryURL`: e.g. a cluster-internal address). Its `issuer` must still equal `issuer`.
   * @default `${issuer}/.well-known/openid-configuration`
   */
  discoveryUrl?: string;
  /** Accepted signature algorithms (kube's `--oidc-signing-algs`). @default ['RS256'] */
  signingAlgs?: string[];
  /** Clock skew allowed on `exp` and `nbf`, seconds. @default 10 */
  clockSkewSeconds?: number;
  /** Least time between two key refetches caused by unknown `kid`s, ms (jose's cooldown). @default 30000 */
  jwksCooldownMs?: number;
  /** Keys are refetched at least this often, ms. @default 600000 */
  jwksMaxAgeMs?: number;
  /** Timeout of discovery and key fetches, ms. @default 5000 */
  fetchTimeoutMs?: number;
  /**
   * After a failed discovery, tokens are answered "cannot verify" without asking again for this long, ms,
   * so that a request burst during an issuer outage does not become a burst against the issuer. @default 1000
   */
  discoveryRetryMs?: number;
  /** The GET used for discovery and keys (tests); @default httpsGet({ ca: caPem }) */
  fetch?: FetchLike;
}

type KeySet = ReturnType<typeof createRemoteJWKSet>;

/** jose error codes that mean the keys could not be obtained, not that the token is bad. */
const UNAVAILABLE_CODES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JOSE_GENERIC', 'ERR_JWKS_INVALID']);

class IssuerUnavailable extends Error {}

export class OidcAuthenticator implements Authenticator {
  readonly mode = 'oidc' as const;
  private readonly fetch: FetchLike;
  private readonly discoveryUrl: string;
  private keys: KeySet | undefined;
  private discovering: Promise<KeySet> | undefined;
  /** The last discovery failure and when it happened (ms). */
  private lastFailure: { at: number; error: Error } | undefined;

  constructor(private readonly options: OidcOptions) {
    const issuerUrl = new URL(options.issuer);
    if (issuerUrl.protocol !== 'https:') throw new Error(`OIDC issuer ${options.issuer} must be an https URL`);
    if (!options.clientId) throw new Error('OIDC needs a client id (the audience tokens must carry)');
    this.fetch = options.fetch ?? httpsGet({ ca: options.caPem, timeoutMs: options.fetchTimeoutMs });
    this.discoveryUrl = options.discoveryUrl ?? `${options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  }

  /** The remote key set, after discovery (once; a failed discovery is retried by a token after `discoveryRetryMs`). */
  private keySet(): Promise<KeySet> {
    if (this.keys) return Promise.resolve(this.keys);
    const failure = this.lastFailure;
    if (failure && Date.now() - failure.at < (this.options.discoveryRetryMs ?? 1_000)) return Promise.reject(failure.error);
    this.discovering ??= this.discover().then(
      (keys) => {
        this.keys = keys;
        this.discovering = undefined;
        this.lastFailure = undefined;
        return keys;
      },
      (err: unknown) => {
        this.discovering = undefined;
        this.lastFailure = { at: Date.now(), error: err as Error };
        throw err;
      },
    );
    return this.discovering;
  }

  private async discover(): Promise<KeySet> {
    let doc: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const res = await this.fetch(this.discoveryUrl, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(this.options.fetchTimeoutMs ?? 5_000) });
      if (res.status !== 200) throw new IssuerUnavailable(`discovery ${this.discoveryUrl} answered ${res.status}`);
      doc = (await res.json()) as typeof doc;
    } catch (err) {
      if (err instanceof IssuerUnavailable) throw err;
      throw new IssuerUnavailable(`discovery ${this.discoveryUrl}: ${(err as Error).message}`);
    }
    // OpenID Connect Discovery §4.3: the document must name exactly the issuer we were configured with.
    if (doc.issuer !== this.options.issuer) throw new IssuerUnavailable(`discovery document names issuer ${JSON.stringify(doc.issuer)}, expected ${this.options.issuer}`);
    if (typeof doc.jwks_uri !== 'string') throw new IssuerUnavailable('discovery document has no jwks_uri');
    const fetchImpl = this.fetch;
    return createRemoteJWKSet(new URL(doc.jwks_uri), {
      timeoutDuration: this.options.fetchTimeoutMs ?? 5_000,
      cooldownDuration: this.options.jwksCooldownMs ?? 30_000,
      cacheMaxAge: this.options.jwksMaxAgeMs ?? 600_000,
      [customFetch]: (url, init) => fetchImpl(url, init),
    });
  }

  async authenticate(token: string): Promise<AuthResult> {
    // Cheap checks first: a malformed token or one of another issuer costs no network.
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      return refused('invalid', 'not a JWT');
    }
    if (unverified.iss !== this.options.issuer) return refused('invalid', `issuer ${JSON.stringify(unverified.iss)} is not ${this.options.issuer}`);

    let keys: KeySet;
    try {
      keys = await this.keySet();
    } catch (err) {
      return refused('unavailable', (err as Error).message);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.options.issuer,
        audience: this.options.clientId,
        algorithms: this.options.signingAlgs ?? ['RS256'],
        clockTolerance: this.options.clockSkewSeconds ?? 10,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      return classify(err);
    }
    const identity = identityFromClaims(payload, this.options);
    if ('error' in identity) return refused('invalid', identity.error);
    return { ok: true, identity, ...(payload.exp !== undefined ? { expiresAt: payload.exp * 1000 } : {}) };
  }
}

/** A jose failure as a refusal, by its error `code` (never its message). */
function classify(err: unknown): AuthResult {
  const code = (err as { code?: unknown }).code;
  const claim = (err as { claim?: unknown }).claim;
  if (code === 'ERR_JWT_EXPIRED') return refused('expired', 'token has expired');
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    if (claim === 'aud') return refused('wrong-audience', 'token is for another audience');
    if (claim === 'nbf') return refused('expired', 'token is not valid yet (nbf)');
    return refused('invalid', `claim ${String(claim)} is not valid`);
  }
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return refused('unavailable', `issuer keys: ${(err as Error).message}`);
  if (typeof code === 'string' && code.startsWith('ERR_')) return refused('invalid', `token: ${code}`);
  // Not jose's: the key fetch itself failed (connection refused, TLS, timeout).
  return refused('unavailable', `issuer keys: ${(err as Error).message}`);
}
