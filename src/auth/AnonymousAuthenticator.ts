/**
 * `--auth none`: no credentials are asked for; every caller is the anonymous identity (the name the
 * gateway has always used, in kube's `system:unauthenticated` group). Only allowed on a loopback address
 * unless `--allow-anonymous` (src/config/authOptions.ts). A token, when one is sent anyway, is ignored.
 */
import { UNAUTHENTICATED_GROUP } from './AuthResult.js';
import type { AuthIdentity, AuthResult, Authenticator } from './AuthResult.js';

export const ANONYMOUS_IDENTITY: AuthIdentity = Object.freeze({ user: 'anonymous', groups: [UNAUTHENTICATED_GROUP], anonymous: true }) as AuthIdentity;

export class AnonymousAuthenticator implements Authenticator {
  readonly mode = 'none' as const;

  async authenticate(): Promise<AuthResult> {
    return { ok: true, identity: ANONYMOUS_IDENTITY };
  }
}
