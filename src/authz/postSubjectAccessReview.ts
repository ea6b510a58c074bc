/**
 * One `authorization.k8s.io/v1` SubjectAccessReview, POSTed to a cluster with the gateway's client of that
 * cluster (its server URL, which for a member reached through Karmada is the cluster proxy path, and its
 * credentials: the gateway's identity needs `create subjectaccessreviews` there). ClusterClient only GETs
 * and watches, so the POST is made here with the same KubeConfig; a non-2xx answer becomes an UpstreamError
 * read from its Status (code, reason), never from its text.
 */
import http from 'node:http';
import https from 'node:https';
import type { ClusterClient } from '../fleet/ClusterClient.js';
import { UpstreamError } from '../fleet/UpstreamError.js';
import type { ResourceCheck, Subject } from './types.js';

export const SUBJECT_ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

/** The review's verdict as the cluster gave it. */
export interface ReviewVerdict {
  allowed: boolean;
  /** An authorizer said no outright (a webhook can; RBAC never does). */
  denied: boolean;
  reason: string;
}

/** The body of a SubjectAccessReview for `caller` doing `check`. */
export function subjectAccessReviewBody(caller: Subject, check: ResourceCheck): Record<string, unknown> {
  const resourceAttributes: Record<string, string> = { verb: check.verb, group: check.apiGroup, resource: check.resource };
  if (check.subresource) resourceAttributes['subresource'] = check.subresource;
  if (check.namespace) resourceAttributes['namespace'] = check.namespace;
  if (check.name) resourceAttributes['name'] = check.name;
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: { user: caller.user, groups: [...caller.groups], resourceAttributes },
  };
}

/** @throws UpstreamError on a non-2xx answer, a transport failure or after `timeoutMs`. */
export async function postSubjectAccessReview(client: ClusterClient, caller: Subject, check: ResourceCheck, timeoutMs = 10_000): Promise<ReviewVerdict> {
  const server = client.kubeConfig.getCurrentCluster()!.server.replace(/\/$/, '');
  const url = new URL(server + SUBJECT_ACCESS_REVIEW_PATH);
  const payload = JSON.stringify(subjectAccessReviewBody(caller, check));
  const opts: https.RequestOptions = {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) },
  };
  await client.kubeConfig.applyToHTTPSOptions(opts);
  const what = `POST subjectaccessreviews`;
  const mod = url.protocol === 'http:' ? http : https;
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = mod.request(url, { ...opts, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (err) => reject(err.name === 'TimeoutError' || err.name === 'AbortError'
      ? new UpstreamError(`${what}: no answer within ${timeoutMs} ms`, 0, { timedOut: true, cause: err })
      : new UpstreamError(`${what}: ${err.message}`, 0, { cause: err })));
    req.end(payload);
  });
  if (status < 200 || status >= 300) throw UpstreamError.fromAnswer(what, status, body);
  let parsed: { status?: { allowed?: unknown; denied?: unknown; reason?: unknown } };
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    throw new UpstreamError(`${what}: HTTP ${status} answer is not JSON`, 502, { cause: err });
  }
  return { allowed: parsed.status?.allowed === true, denied: parsed.status?.denied === true, reason: String(parsed.status?.reason ?? '') };
}
