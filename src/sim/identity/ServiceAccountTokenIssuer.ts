/**
 * One cluster's service account token signer and validator, as kube-apiserver's bound service account
 * tokens (`--service-account-issuer`, `--service-account-signing-key-file`): RS256 JWTs with the claims
 * `aud, exp, iat, iss, kubernetes.io{namespace, serviceaccount{name, uid}}, nbf, sub` (the recorded
 * set, in that order), accepted while the ServiceAccount still exists with the same uid, the token has
 * not expired and one of its audiences is one the caller asks for.
 *
 * Each simulated cluster has its own key, made on first use: a token one cluster issued is not valid
 * on another, as between real clusters that share the default issuer name.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { decodeJwt, keyIdOf, signRs256, verifyRs256 } from './jsonWebToken.js';
import { AUTHENTICATED_GROUP, serviceAccountGroups, serviceAccountUsername } from './wellKnownNames.js';
import type { UserInfo } from '../auth/types.js';

/**
 * The issuer (`iss`) and default audience of every simulated cluster: kube-apiserver's conventional
 * `--service-account-issuer`, the one the recordings' server used. Not the listener's URL: that
 * changes with the ephemeral port, and the issuer is a name (tokens and TokenReview audiences then
 * read exactly as recorded); the discovery document still points `jwks_uri` at the real listener.
 */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** kube-apiserver's default and smallest TokenRequest lifetimes, in seconds. */
export const DEFAULT_TOKEN_SECONDS = 3600;
export const MIN_TOKEN_SECONDS = 600;

/** How the validator finds the ServiceAccount a token names (its uid, or undefined when it is gone). */
export type ServiceAccountLookup = (namespace: string, name: string) => { uid: string; deleting: boolean } | undefined;

export interface IssuedToken {
  token: string;
  /** RFC 3339, seconds precision. */
  expirationTimestamp: string;
}

export type TokenValidation =
  | { ok: true; user: UserInfo; audiences: string[] }
  /** `notOurs`: not a token of this issuer at all (any other authenticator may still know it). */
  | { ok: false; notOurs: boolean; error?: string };

export interface JsonWebKeySet {
  keys: Array<{ use: 'sig'; kty: string; kid: string; alg: 'RS256'; n: string; e: string }>;
}

function quoteList(values: string[]): string {
  // Go's %q of a []string: ["a" "b"]
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}

export class ServiceAccountTokenIssuer {
  private keys: { privateKey: KeyObject; publicKey: KeyObject; kid: string } | undefined;

  /**
   * @param lookup finds ServiceAccounts of this cluster
   * @param issuer the `iss` claim and the API audience
   * @param now clock in ms (tests move it)
   */
  constructor(
    private readonly lookup: ServiceAccountLookup,
    readonly issuer: string = SERVICE_ACCOUNT_ISSUER,
    private readonly now: () => number = Date.now,
  ) {}

  /** The audiences the API server itself accepts (`--api-audiences` unset: the issuer). */
  get apiAudiences(): string[] {
    return [this.issuer];
  }

  private keyPair(): { privateKey: KeyObject; publicKey: KeyObject; kid: string } {
    if (!this.keys) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.keys = { privateKey, publicKey, kid: keyIdOf(publicKey) };
    }
    return this.keys;
  }

  /** Signs a token for ServiceAccount `namespace/name` whose uid is `uid`. */
  issue(sa: { namespace: string; name: string; uid: string }, audiences: string[], expirationSeconds: number): IssuedToken {
    const { privateKey, kid } = this.keyPair();
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + expirationSeconds;
    const claims = {
      aud: audiences,
      exp,
      iat,
      iss: this.issuer,
      'kubernetes.io': { namespace: sa.namespace, serviceaccount: { name: sa.name, uid: sa.uid } },
      nbf: iat,
      sub: serviceAccountUsername(sa.namespace, sa.name),
    };
    return { token: signRs256(claims, privateKey, kid), expirationTimestamp: new Date(exp * 1000).toISOString().replace(/\.\d+Z$/, 'Z') };
  }

  /**
   * Checks a bearer token for the given target audiences (default: the API audiences). Errors are
   * the texts kube-apiserver's service account validator gives (TokenReview shows them).
   */
  validate(token: string, audiences: string[] = this.apiAudiences): TokenValidation {
    const jwt = decodeJwt(token);
    if (!jwt || jwt.claims['iss'] !== this.issuer) return { ok: false, notOurs: true };
    // No key made yet: this cluster never signed anything.
    if (!this.keys || jwt.header.kid !== this.keys.kid || !verifyRs256(jwt, this.keys.publicKey)) return { ok: false, notOurs: false };
    const c = jwt.claims;
    const now = Math.floor(this.now() / 1000);
    if (typeof c['exp'] === 'number' && now > c['exp']) return { ok: false, notOurs: false, error: 'service account token has expired' };
    if (typeof c['nbf'] === 'number' && now < c['nbf'] - 60) return { ok: false, notOurs: false, error: 'service account token is not valid yet' };
    const tokenAudiences = Array.isArray(c['aud']) ? c['aud'].map(String) : typeof c['aud'] === 'string' ? [c['aud']] : [];
    if (!tokenAudiences.some((a) => audiences.includes(a))) {
      return { ok: false, notOurs: false, error: `token audiences ${quoteList(tokenAudiences)} is invalid for the target audiences ${quoteList(audiences)}` };
    }
    const kube = c['kubernetes.io'] as { namespace?: unknown; serviceaccount?: { name?: unknown; uid?: unknown } } | undefined;
    const namespace = kube?.namespace;
    const name = kube?.serviceaccount?.name;
    const uid = kube?.serviceaccount?.uid;
    if (typeof namespace !== 'string' || typeof name !== 'string' || typeof uid !== 'string') {
      return { ok: false, notOurs: false, error: 'service account token claims could not be validated' };
    }
    const found = this.lookup(namespace, name);
    if (!found) return { ok: false, notOurs: false, error: `serviceaccounts "${name}" not found` };
    if (found.deleting) return { ok: false, notOurs: false, error: `service account ${namespace}/${name} has been deleted` };
    if (found.uid !== uid) return { ok: false, notOurs: false, error: `service account UID (${found.uid}) does not match claim (${uid})` };
    return {
      ok: true,
      user: { name: serviceAccountUsername(namespace, name), uid, groups: [...serviceAccountGroups(namespace), AUTHENTICATED_GROUP] },
      audiences: tokenAudiences.filter((a) => audiences.includes(a)),
    };
  }

  /** The public key set `/openid/v1/jwks` serves (made now if this cluster has none yet). */
  jwks(): JsonWebKeySet {
    const { publicKey, kid } = this.keyPair();
    const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; n: string; e: string };
    return { keys: [{ use: 'sig', kty: jwk.kty, kid, alg: 'RS256', n: jwk.n, e: jwk.e }] };
  }
}
