/**
 * The simulator's static token file (kube-apiserver's `--token-auth-file`): bearer token → user name,
 * uid and groups, shared by the control plane and every member. The kubeconfig admin, `--tokens`
 * users and the users a scenario adds (the demo's `platform-viewer`, `shop-dev`, `ops-oncall`) live
 * here; those marked `inKubeconfig` are written into the kubeconfig with a context of their own.
 */
import { randomBytes } from 'node:crypto';
import { AUTHENTICATED_GROUP } from './wellKnownNames.js';
import type { UserInfo } from '../auth/types.js';

/** One line of the token file. */
export interface TokenEntry {
  token: string;
  /** User name, e.g. `karmada-admin`. */
  user: string;
  /**
   * Groups from the file (`system:authenticated` is added on authentication).
   * @default []
   */
  groups: string[];
  /**
   * The user's uid (TokenReview shows it; kube's token file always has one).
   * @default the user name
   */
  uid?: string;
}

export interface StaticUser {
  token: string;
  user: UserInfo;
  /** The kubeconfig user: may use the `/_sim/` admin API. */
  admin: boolean;
  /** Written into the kubeconfig as a user and a control-plane context of the same name. */
  inKubeconfig: boolean;
}

export interface AddUserOptions {
  /** @default [] */
  groups?: string[];
  /** @default the name */
  uid?: string;
  /** @default random 48 hex digits */
  token?: string;
  /** @default false */
  inKubeconfig?: boolean;
}

export class StaticUsers {
  private readonly byToken = new Map<string, StaticUser>();

  /**
   * @param adminToken the kubeconfig user's token: `karmada-admin` in `system:masters`
   * @param extra users of `--tokens`
   */
  constructor(adminToken: string, extra: TokenEntry[] = []) {
    this.set({ token: adminToken, user: 'karmada-admin', groups: ['system:masters'], uid: 'karmada-admin' }, true, false);
    for (const t of extra) this.set(t, false, false);
  }

  private set(entry: TokenEntry, admin: boolean, inKubeconfig: boolean): StaticUser {
    // kube-apiserver adds system:authenticated to every authenticated user.
    const groups = entry.groups.includes(AUTHENTICATED_GROUP) ? [...entry.groups] : [...entry.groups, AUTHENTICATED_GROUP];
    const user: UserInfo = { name: entry.user, uid: entry.uid ?? entry.user, groups };
    const found: StaticUser = { token: entry.token, user, admin, inKubeconfig };
    this.byToken.set(entry.token, found);
    return found;
  }

  /** Adds a user (a scenario's demo user); returns its token. */
  add(name: string, options: AddUserOptions = {}): string {
    const token = options.token ?? randomBytes(24).toString('hex');
    this.set({ token, user: name, groups: options.groups ?? [], uid: options.uid ?? name }, false, options.inKubeconfig ?? false);
    return token;
  }

  lookup(token: string): StaticUser | undefined {
    return this.byToken.get(token);
  }

  /** The users to write into the kubeconfig besides the admin, in the order they were added. */
  kubeconfigUsers(): Array<{ name: string; token: string }> {
    return [...this.byToken.values()].filter((u) => u.inKubeconfig).map((u) => ({ name: u.user.name, token: u.token }));
  }
}

/** Parses a token list file (JSON or YAML list of {token, user, groups, uid?}). */
export function parseTokenList(data: unknown): TokenEntry[] {
  if (!Array.isArray(data)) throw new Error('token list must be a list of {token, user, groups}');
  return data.map((e, i) => {
    const o = e as Record<string, unknown>;
    if (typeof o['token'] !== 'string' || typeof o['user'] !== 'string') throw new Error(`token list entry ${i}: token and user are required strings`);
    const groups = Array.isArray(o['groups']) ? o['groups'].map(String) : [];
    return { token: o['token'], user: o['user'], groups, ...(typeof o['uid'] === 'string' ? { uid: o['uid'] } : {}) };
  });
}
