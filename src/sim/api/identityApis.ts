/**
 * Routes the identity APIs to their handlers: `serviceaccounts/<name>/token` (TokenRequest),
 * `authentication.k8s.io/v1` tokenreviews, and service account issuer discovery. Each answers for the
 * asked cluster (its own signing key and ServiceAccounts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { Authenticator } from '../identity/Authenticator.js';
import { isIssuerDiscoveryPath, serveIssuerDiscovery } from './issuerDiscovery.js';
import type { ParsedPath } from './resourcePath.js';
import { fieldManagerOf } from './resourceHandler.js';
import { serveTokenRequest } from './tokenRequest.js';
import { serveTokenReview } from './tokenReview.js';

export interface IdentityApiRequest {
  cluster: SimCluster;
  authenticator: Authenticator;
  parsed: ParsedPath;
  /** The path as the asked cluster sees it. */
  path: string;
  query: URLSearchParams;
  body: () => Promise<Buffer>;
  /** Where the asked cluster is reached (the base of the JWKS URI). */
  apiUrl: string;
}

type IdentityApi = 'issuerDiscovery' | 'tokenRequest' | 'tokenReview';

/** Which identity API a request addresses, if any (a few comparisons: every request asks). */
export function identityApiOf(parsed: ParsedPath, path: string): IdentityApi | undefined {
  if (parsed.kind === 'unknown') return isIssuerDiscoveryPath(path) ? 'issuerDiscovery' : undefined;
  if (parsed.kind !== 'resource' || parsed.version !== 'v1' || parsed.legacyWatch) return undefined;
  if (parsed.group === '' && parsed.resource === 'serviceaccounts' && parsed.subresource === 'token' && parsed.namespace !== undefined && parsed.name !== undefined && !parsed.rest) return 'tokenRequest';
  if (parsed.group === 'authentication.k8s.io' && parsed.resource === 'tokenreviews' && parsed.namespace === undefined && parsed.subresource === undefined) return 'tokenReview';
  return undefined;
}

export async function serveIdentityApi(req: IncomingMessage, res: ServerResponse, api: IdentityApi, r: IdentityApiRequest): Promise<void> {
  const { parsed } = r;
  const method = req.method ?? 'GET';
  if (api === 'issuerDiscovery') return serveIssuerDiscovery(req, res, r.path, r.authenticator.issuerOf(r.cluster), r.apiUrl);
  if (parsed.kind !== 'resource') return;
  const manager = fieldManagerOf(req, r.query) ?? 'unknown';
  if (api === 'tokenRequest') {
    return serveTokenRequest(req, res, { cluster: r.cluster, issuer: r.authenticator.issuerOf(r.cluster), namespace: parsed.namespace!, name: parsed.name!, method, body: r.body, manager });
  }
  return serveTokenReview(req, res, { cluster: r.cluster, authenticator: r.authenticator, method, named: parsed.name !== undefined, body: r.body, manager });
}
