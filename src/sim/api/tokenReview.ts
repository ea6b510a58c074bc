/**
 * `authentication.k8s.io/v1` TokenReview, create-only and never stored, as kube-apiserver 1.26 answers
 * it (recordings 242-248): 201 with `metadata.creationTimestamp: null`, managedFields of the spec the
 * client set, the spec echoed, and a status from the asked cluster's authenticator — `authenticated`,
 * `user` (username, uid, groups, extra) and `audiences`, or `user: {}` with `error`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../cluster/ApiError.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import { fieldPathsOf, toFieldsV1 } from '../cluster/managedFields.js';
import { nowRfc3339 } from '../cluster/timestamps.js';
import type { Authenticator } from '../identity/Authenticator.js';
import type { UserInfo } from '../auth/types.js';
import { readObjectBody } from './identityBodies.js';
import { negotiateOutput } from './mediaTypes.js';
import { sendBody } from './respond.js';

const GROUP_VERSION = 'authentication.k8s.io/v1';

export interface TokenReviewInput {
  cluster: SimCluster;
  authenticator: Authenticator;
  method: string;
  /** Whether the URL names an object (refused: the kind is create-only). */
  named: boolean;
  body: () => Promise<Buffer>;
  manager: string;
}

/** authentication/v1 UserInfo on the wire: `username`, not the authorizer's `name`. */
function wireUser(u: UserInfo): Record<string, unknown> {
  return { username: u.name, ...(u.uid !== undefined ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) };
}

export async function serveTokenReview(req: IncomingMessage, res: ServerResponse, r: TokenReviewInput): Promise<void> {
  if (r.method !== 'POST' || r.named) throw ApiError.methodNotSupported({ group: 'authentication.k8s.io', resource: 'tokenreviews' }, r.method.toLowerCase());
  const body = await readObjectBody(req, await r.body(), 'TokenReview');
  const spec = (body['spec'] && typeof body['spec'] === 'object' ? body['spec'] : {}) as Record<string, unknown>;
  const token = typeof spec['token'] === 'string' ? spec['token'] : '';
  if (!token) throw ApiError.badRequest('token is required for TokenReview in authentication');
  const audiences = Array.isArray(spec['audiences']) ? spec['audiences'].map(String) : undefined;
  const result = r.authenticator.review(token, audiences, r.cluster);
  const status = 'error' in result ? { user: {}, error: result.error } : { authenticated: true, user: wireUser(result.user), audiences: result.audiences };
  const answer = {
    kind: 'TokenReview',
    apiVersion: GROUP_VERSION,
    metadata: {
      creationTimestamp: null,
      managedFields: [{ manager: r.manager, operation: 'Update', apiVersion: GROUP_VERSION, time: nowRfc3339(), fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(fieldPathsOf({ spec })) }],
    },
    spec,
    status,
  };
  const format = negotiateOutput(req.headers['accept'], { allowTable: false });
  sendBody(res, 201, answer, format.type === 'yaml' ? format : { type: 'json' });
}
