/**
 * The single authorization check. Every resolver that returns data asks `authorize(identity, action,
 * target)` before reading, cached data included, so that per-user RBAC (a later issue) only has to change
 * this file. Today every authenticated identity may read everything.
 */
import { apiError, ErrorCode } from './errors.js';

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

/** The decision; pure, so resolvers and tests can call it freely. */
export function isAllowed(identity: Identity | null, action: Action, target: AuthTarget): boolean {
  void action;
  void target;
  return identity !== null;
}

/** Throws FORBIDDEN (or UNAUTHENTICATED without identity) when the read is not allowed. */
export function authorize(identity: Identity | null, action: Action, target: AuthTarget): void {
  if (identity === null) throw apiError(ErrorCode.UNAUTHENTICATED, 'authentication required');
  if (!isAllowed(identity, action, target)) {
    throw apiError(ErrorCode.FORBIDDEN, `${identity.user} may not ${action} ${target.kind}`, {
      ...(target.cluster ? { cluster: target.cluster } : {}),
    });
  }
}
