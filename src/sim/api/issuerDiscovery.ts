/**
 * Service account issuer discovery, as kube-apiserver serves it: `/.well-known/openid-configuration`
 * (JSON) and `/openid/v1/jwks` (only `application/jwk-set+json`; any other Accept is 406), both with
 * `Cache-Control: public, max-age=3600`. Who may read them is the authorizer's business (upstream's
 * `system:service-account-issuer-discovery` ClusterRole, bound to `system:serviceaccounts`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../cluster/ApiError.js';
import type { ServiceAccountTokenIssuer } from '../identity/ServiceAccountTokenIssuer.js';

export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';
const JWKS_TYPE = 'application/jwk-set+json';
const CACHE = 'public, max-age=3600';

export function isIssuerDiscoveryPath(path: string): boolean {
  return path === OPENID_CONFIGURATION_PATH || path === JWKS_PATH;
}

/** Whether an Accept header lets the JWK set type through (absent, `*\/*`, `application/*` or the type). */
function acceptsJwks(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((part) => {
    const type = part.split(';')[0]!.trim().toLowerCase();
    return type === JWKS_TYPE || type === '*/*' || type === 'application/*';
  });
}

function send(res: ServerResponse, contentType: string, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'Cache-Control': CACHE, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Serves one discovery document.
 * @param apiUrl where this cluster is reached (`https://127.0.0.1:<port>`, or a member's proxy URL):
 *   the base of `jwks_uri`, as kube derives it from its external address
 */
export function serveIssuerDiscovery(req: IncomingMessage, res: ServerResponse, path: string, issuer: ServiceAccountTokenIssuer, apiUrl: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`, {});
  if (path === OPENID_CONFIGURATION_PATH) {
    send(res, 'application/json', {
      issuer: issuer.issuer,
      jwks_uri: `${apiUrl}${JWKS_PATH}`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    return;
  }
  if (!acceptsJwks(req.headers['accept'])) throw new ApiError(406, 'NotAcceptable', `406: Not Acceptable\n\nAvailable representations: ${JWKS_TYPE}`, {});
  send(res, JWKS_TYPE, issuer.jwks());
}
