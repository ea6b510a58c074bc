/**
 * The authenticator for the configured `--auth` mode: the one object the request core asks "who is this
 * token?" on every HTTP request and WebSocket `connection_init`.
 */
import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Config } from '../config/Config.js';
import { AnonymousAuthenticator } from './AnonymousAuthenticator.js';
import type { Authenticator } from './AuthResult.js';
import { OidcAuthenticator } from './OidcAuthenticator.js';
import { StaticTokenAuthenticator } from './StaticTokenAuthenticator.js';
import { TokenReviewAuthenticator } from './TokenReviewAuthenticator.js';

/**
 * @param controlPlane the gateway's control-plane KubeConfig (needed by `kubernetes` only; the embedded
 *   simulator's or `--kubeconfig`'s, as src/fleet builds it)
 * @throws Error when the mode's inputs are missing or unreadable (a start-up failure, before listening)
 */
export function createAuthenticator(config: Pick<Config, 'auth' | 'tokensFile' | 'oidc' | 'callTimeoutMs'>, controlPlane?: KubeConfig): Authenticator {
  switch (config.auth) {
    case 'none':
      return new AnonymousAuthenticator();
    case 'token':
      if (!config.tokensFile) throw new Error('auth mode token needs a tokens file (--tokens)');
      return StaticTokenAuthenticator.fromFile(config.tokensFile);
    case 'oidc': {
      const o = config.oidc;
      if (!o) throw new Error('auth mode oidc needs --oidc-issuer-url and --oidc-client-id');
      return new OidcAuthenticator({
        issuer: o.issuerUrl,
        clientId: o.clientId,
        ...(o.usernameClaim !== undefined ? { usernameClaim: o.usernameClaim } : {}),
        ...(o.usernamePrefix !== undefined ? { usernamePrefix: o.usernamePrefix } : {}),
        ...(o.groupsClaim !== undefined ? { groupsClaim: o.groupsClaim } : {}),
        ...(o.groupsPrefix !== undefined ? { groupsPrefix: o.groupsPrefix } : {}),
        ...(o.caFile !== undefined ? { caPem: readFileSync(o.caFile, 'utf8') } : {}),
      });
    }
    case 'kubernetes':
      if (!controlPlane) throw new Error('auth mode kubernetes needs the control plane kubeconfig');
      // A review is one small call: bounded well below the per-call timeout so a stuck control plane
      // answers "cannot verify" quickly instead of holding every request up.
      return new TokenReviewAuthenticator(controlPlane, { timeoutMs: Math.min(config.callTimeoutMs, 5_000) });
  }
}
