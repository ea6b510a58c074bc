/**
 * From a verified JWT's claims to the caller's identity, with kube-apiserver's OIDC flag semantics:
 *
 * - `--oidc-username-claim` (default `sub`); with `email`, a present `email_verified` must be true;
 * - `--oidc-username-prefix`: unset means `<issuer>#` for any claim but `email` (so that `sub` values of
 *   two issuers cannot collide with each other or with other users), `-` means no prefix;
 * - `--oidc-groups-claim`: a string or an array of strings; `--oidc-groups-prefix` put before each.
 */
import { withAuthenticatedGroup } from './AuthResult.js';
import type { AuthIdentity } from './AuthResult.js';

export interface ClaimMapping {
  issuer: string;
  /** @default 'sub' */
  usernameClaim?: string;
  /** @default undefined: `<issuer>#` unless the claim is `email`; `-` disables */
  usernamePrefix?: string;
  /** @default undefined: no groups from the token */
  groupsClaim?: string;
  /** @default '' */
  groupsPrefix?: string;
}

/** The prefix kube puts before usernames for this mapping. */
export function effectiveUsernamePrefix(m: ClaimMapping): string {
  const claim = m.usernameClaim ?? 'sub';
  if (m.usernamePrefix === '-') return '';
  if (m.usernamePrefix !== undefined) return m.usernamePrefix;
  return claim === 'email' ? '' : `${m.issuer}#`;
}

/** The identity, or the reason the claims do not make one (answered as an invalid token). */
export function identityFromClaims(claims: Record<string, unknown>, m: ClaimMapping): AuthIdentity | { error: string } {
  const claim = m.usernameClaim ?? 'sub';
  const name = claims[claim];
  if (typeof name !== 'string' || name === '') return { error: `claim "${claim}" is missing or not a string` };
  if (claim === 'email' && 'email_verified' in claims && claims['email_verified'] !== true) {
    return { error: 'email not verified' };
  }
  const groups: string[] = [];
  if (m.groupsClaim && claims[m.groupsClaim] !== undefined) {
    const raw = claims[m.groupsClaim];
    const list = typeof raw === 'string' ? [raw] : Array.isArray(raw) && raw.every((g) => typeof g === 'string') ? (raw as string[]) : undefined;
    if (!list) return { error: `claim "${m.groupsClaim}" is neither a string nor an array of strings` };
    for (const g of list) groups.push(`${m.groupsPrefix ?? ''}${g}`);
  }
  return { user: `${effectiveUsernamePrefix(m)}${name}`, groups: withAuthenticatedGroup(groups), anonymous: false };
}
