/**
 * One `authorization.k8s.io/v1` SelfSubjectAccessReview: may the identity of this kubeconfig do this?
 * Sent with @kubernetes/client-node's typed client over the same KubeConfig the gateway uses for the
 * cluster (for a member through the Karmada cluster proxy, Karmada passes the identity on and the member's
 * RBAC answers). Failures are thrown as ReviewFailed with the API server's Status message, never its body.
 */
import { ApiException, AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';

/** What is asked: RBAC's resource attributes. */
export interface AccessQuestion {
  verb: string;
  /** '' for core. */
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
  /** For a namespaced grant (a Role): the namespace asked about. */
  namespace?: string;
}

export interface AccessAnswer {
  allowed: boolean;
  /** The authorizer's reason (RBAC gives one when allowed, none when not). */
  reason: string;
}

/** The review could not be made (refused, unreachable, timed out). */
export class ReviewFailed extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'ReviewFailed';
  }
}

/** Asks one question; rejects with ReviewFailed after `timeoutMs` or on any non-2xx answer. */
export async function askSelfAccess(kc: KubeConfig, q: AccessQuestion, timeoutMs: number): Promise<AccessAnswer> {
  const api = kc.makeApiClient(AuthorizationV1Api);
  const resourceAttributes = {
    verb: q.verb,
    group: q.group,
    resource: q.resource,
    ...(q.subresource ? { subresource: q.subresource } : {}),
    ...(q.name ? { name: q.name } : {}),
    ...(q.namespace ? { namespace: q.namespace } : {}),
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReviewFailed(`no answer within ${timeoutMs} ms`, 0)), timeoutMs);
  });
  try {
    const review = await Promise.race([
      api.createSelfSubjectAccessReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes } } }),
      timeout,
    ]);
    return { allowed: review.status?.allowed === true, reason: review.status?.reason ?? '' };
  } catch (err) {
    throw toReviewFailed(err);
  } finally {
    clearTimeout(timer);
  }
}

function toReviewFailed(err: unknown): ReviewFailed {
  if (err instanceof ReviewFailed) return err;
  if (err instanceof ApiException) {
    const body = typeof err.body === 'string' ? safeJson(err.body) : err.body;
    const message = (body as { message?: unknown } | undefined)?.message;
    return new ReviewFailed(`HTTP ${err.code}${typeof message === 'string' ? ` ${message}` : ''}`, err.code);
  }
  return new ReviewFailed((err as Error)?.message ?? String(err), 0);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
