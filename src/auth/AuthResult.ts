/**
 * What an authenticator answers for one bearer token: an identity with the instant its credential stops
 * being valid, or a typed refusal. The refusal separates "the token is bad" (answer 401, or close a
 * WebSocket with 4401/4403) from "it cannot be verified right now" (the issuer or the control plane is
 * unreachable: answer 503, and never cache it as a bad token), so that an outage upstream never reads as
 * a client mistake and a client mistake never reads as an outage.
 */

/** kube's group of every authenticated user. */
export const AUTHENTICATED_GROUP = 'system:authenticated';
/** kube's group of the anonymous user. */
export const UNAUTHENTICATED_GROUP = 'system:unauthenticated';

/** Who a token belongs to, with kube's UserInfo fields (`username` is `user` here, as the rest of the gateway names it). */
export interface AuthIdentity {
  user: string;
  uid?: string;
  /** Always includes `system:authenticated` for a verified token (`system:unauthenticated` for anonymous). */
  groups: string[];
  /** kube's `extra` (e.g. `authentication.kubernetes.io/pod-name`), passed on with `Impersonate-Extra-*`. */
  extra?: Record<string, string[]>;
  /** True only in auth mode `none`, where no credentials are asked for. */
  anonymous: boolean;
}

/** Why a token was refused. */
export type AuthRefusalReason =
  /** Not a token this authenticator knows, a bad signature, a malformed JWT, missing claims. (401) */
  | 'invalid'
  /** A genuine token past its `exp` (or before its `nbf`). (401) */
  | 'expired'
  /** A genuine token issued for another audience (client id). (401) */
  | 'wrong-audience'
  /** No token was presented in a mode that needs one. (401) */
  | 'missing'
  /** The verifier could not be reached or answered an error: nothing is known about the token. (503) */
  | 'unavailable';

export type AuthResult =
  | {
      ok: true;
      identity: AuthIdentity;
      /** When the credential stops being valid, ms since the epoch (a WebSocket is closed with 4403 then); undefined = not known / never. */
      expiresAt?: number;
    }
  | {
      ok: false;
      reason: AuthRefusalReason;
      /** A short explanation for logs; never shown to the client verbatim (it may name the issuer). */
      detail: string;
    };

export type AuthRefusal = Extract<AuthResult, { ok: false }>;

/** Turns a bearer token into an identity. Implementations never throw for a bad or unverifiable token: they answer a refusal. */
export interface Authenticator {
  /** The `--auth` mode this authenticator implements (for logs and `/readyz`). */
  readonly mode: 'none' | 'token' | 'oidc' | 'kubernetes';
  authenticate(token: string): Promise<AuthResult>;
  /** Releases timers and sockets (no-op for most). */
  close?(): void;
}

export function refused(reason: AuthRefusalReason, detail: string): AuthRefusal {
  return { ok: false, reason, detail };
}

/** Whether the refusal means "cannot verify right now" (HTTP 503) rather than "bad token" (HTTP 401). */
export function isUnavailable(result: AuthResult): boolean {
  return !result.ok && result.reason === 'unavailable';
}

/** Adds `system:authenticated` once, as kube-apiserver does for every authenticated user. */
export function withAuthenticatedGroup(groups: readonly string[]): string[] {
  return groups.includes(AUTHENTICATED_GROUP) ? [...groups] : [...groups, AUTHENTICATED_GROUP];
}
