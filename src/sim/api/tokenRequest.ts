/**
 * The `serviceaccounts/token` subresource (TokenRequest, `authentication.k8s.io/v1`), create-only, as
 * kube-apiserver 1.26 answers it (recording 246): 201 with `spec.audiences` defaulted to the API
 * audiences, `expirationSeconds` defaulted to 3600, `boundObjectRef: null`, managedFields of the fields
 * the client set (subresource `token`), and `status.token` / `status.expirationTimestamp`. The token is
 * signed by the asked cluster's own key.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../cluster/ApiError.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import { fieldPathsOf, toFieldsV1 } from '../cluster/managedFields.js';
import { nowRfc3339 } from '../cluster/timestamps.js';
import { DEFAULT_TOKEN_SECONDS, MIN_TOKEN_SECONDS } from '../identity/ServiceAccountTokenIssuer.js';
import type { ServiceAccountTokenIssuer } from '../identity/ServiceAccountTokenIssuer.js';
import { readObjectBody } from './identityBodies.js';
import { negotiateOutput } from './mediaTypes.js';
import { sendBody } from './respond.js';

const GROUP_VERSION = 'authentication.k8s.io/v1';
/** kube's upper bound on a TokenRequest's lifetime. */
const MAX_TOKEN_SECONDS = 2 ** 32;

export interface TokenRequestInput {
  cluster: SimCluster;
  issuer: ServiceAccountTokenIssuer;
  namespace: string;
  name: string;
  method: string;
  body: () => Promise<Buffer>;
  /** The field manager (the User-Agent's program). */
  manager: string;
}

function invalid(name: string, field: string, value: unknown, why: string): ApiError {
  return ApiError.invalid('TokenRequest', 'authentication.k8s.io', name, [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${why}`, field }]);
}

export async function serveTokenRequest(req: IncomingMessage, res: ServerResponse, r: TokenRequestInput): Promise<void> {
  if (r.method !== 'POST') throw ApiError.methodNotSupported({ group: '', resource: 'serviceaccounts/token' }, r.method.toLowerCase());
  const body = await readObjectBody(req, await r.body(), 'TokenRequest');
  const spec = (body['spec'] && typeof body['spec'] === 'object' ? body['spec'] : {}) as Record<string, unknown>;
  const sa = r.cluster.objects.get('serviceaccounts', r.namespace, r.name);
  if (!sa) throw ApiError.notFound({ group: '', resource: 'serviceaccounts' }, r.name);
  const seconds = spec['expirationSeconds'] === undefined || spec['expirationSeconds'] === null ? DEFAULT_TOKEN_SECONDS : Number(spec['expirationSeconds']);
  if (!Number.isInteger(seconds)) throw invalid(r.name, 'spec.expirationSeconds', spec['expirationSeconds'], 'must be an integer');
  if (seconds < MIN_TOKEN_SECONDS) throw invalid(r.name, 'spec.expirationSeconds', seconds, 'may not specify a duration less than 10 minutes');
  if (seconds > MAX_TOKEN_SECONDS) throw invalid(r.name, 'spec.expirationSeconds', seconds, 'may not specify a duration larger than 2^32 seconds');
  const asked = Array.isArray(spec['audiences']) ? spec['audiences'].map(String).filter((a) => a !== '') : [];
  const audiences = asked.length > 0 ? asked : r.issuer.apiAudiences;
  const issued = r.issuer.issue({ namespace: r.namespace, name: r.name, uid: sa.metadata.uid! }, audiences, seconds);
  const now = nowRfc3339();
  const answer = {
    kind: 'TokenRequest',
    apiVersion: GROUP_VERSION,
    metadata: {
      name: r.name,
      namespace: r.namespace,
      creationTimestamp: now,
      managedFields: [
        { manager: r.manager, operation: 'Update', apiVersion: GROUP_VERSION, time: now, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(fieldPathsOf({ spec })), subresource: 'token' },
      ],
    },
    spec: { audiences, expirationSeconds: seconds, boundObjectRef: spec['boundObjectRef'] ?? null },
    status: { token: issued.token, expirationTimestamp: issued.expirationTimestamp },
  };
  const format = negotiateOutput(req.headers['accept'], { allowTable: false });
  sendBody(res, 201, answer, format.type === 'yaml' ? format : { type: 'json' });
}
