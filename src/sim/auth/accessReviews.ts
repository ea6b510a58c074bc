/**
 * The `authorization.k8s.io/v1` review APIs, answered on create and never stored, as kube-apiserver
 * 1.26 answers them (recordings 233-241): SubjectAccessReview (any user and groups, as given),
 * SelfSubjectAccessReview (the caller), LocalSubjectAccessReview (a namespace's; 422 when the spec's
 * namespace differs from the path's) and SelfSubjectRulesReview (the caller's rules in a namespace,
 * one entry per granting rule; 400 `no namespace on request` without one). Answers are 201 with the
 * spec echoed without empty fields, `status.allowed` and the authorizer's reason, and managedFields
 * for the spec the client set.
 */
import { ApiError } from '../cluster/ApiError.js';
import type { StatusCause } from '../cluster/ApiError.js';
import type { SimClusterInternals } from '../cluster/createSimCluster.js';
import type { ResourceType } from '../cluster/SimCluster.js';
import { fieldPathsOf, toFieldsV1 } from '../cluster/managedFields.js';
import { nowRfc3339 } from '../cluster/timestamps.js';
import { AUTHORIZATION_GROUP } from './rbacKeys.js';
import type { RequestAttributes, UserInfo } from './types.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ReviewRequest {
  cluster: SimClusterInternals;
  type: ResourceType;
  /** The path's namespace (LocalSubjectAccessReview). */
  namespace?: string;
  /** The decoded request body. */
  body: unknown;
  /** Who asks (the Self* reviews are about them). */
  user: UserInfo;
  /** The field manager of this write (the User-Agent's program). */
  manager: string;
}

/** Field order of the echoed ResourceAttributes, as the Go struct declares it. */
const RESOURCE_FIELDS = ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'];

function invalid(causes: StatusCause[]): ApiError {
  // The decoded review has no kind, so the server names it `.authorization.k8s.io ""`.
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return new ApiError(422, 'Invalid', `.${AUTHORIZATION_GROUP} "" is invalid: ${causes.length > 1 ? `[${text}]` : text}`, { group: AUTHORIZATION_GROUP, causes });
}

function goValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function cause(field: string, value: unknown, message: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(goValue(value))}: ${message}`, field };
}

/** The spec as the server echoes it: empty strings, lists and maps dropped (Go's omitempty). */
function echoSpec(spec: Obj, withSubject: boolean): Obj {
  const out: Obj = {};
  const ra = spec['resourceAttributes'];
  if (ra && typeof ra === 'object') {
    const echoed: Obj = {};
    for (const k of RESOURCE_FIELDS) if (typeof ra[k] === 'string' && ra[k] !== '') echoed[k] = ra[k];
    out['resourceAttributes'] = echoed;
  }
  const nra = spec['nonResourceAttributes'];
  if (nra && typeof nra === 'object') {
    const echoed: Obj = {};
    for (const k of ['path', 'verb']) if (typeof nra[k] === 'string' && nra[k] !== '') echoed[k] = nra[k];
    out['nonResourceAttributes'] = echoed;
  }
  if (withSubject) {
    if (typeof spec['user'] === 'string' && spec['user']) out['user'] = spec['user'];
    if (Array.isArray(spec['groups']) && spec['groups'].length) out['groups'] = spec['groups'].map(String);
    if (spec['extra'] && typeof spec['extra'] === 'object' && Object.keys(spec['extra']).length) out['extra'] = spec['extra'];
    if (typeof spec['uid'] === 'string' && spec['uid']) out['uid'] = spec['uid'];
  }
  return out;
}

function attributesOf(spec: Obj, user: UserInfo): RequestAttributes {
  const ra = spec['resourceAttributes'] as Obj | undefined;
  if (ra) {
    const a: RequestAttributes = {
      user,
      resourceRequest: true,
      verb: String(ra['verb'] ?? ''),
      apiGroup: String(ra['group'] ?? ''),
      apiVersion: String(ra['version'] ?? ''),
      resource: String(ra['resource'] ?? ''),
    };
    if (ra['subresource']) a.subresource = String(ra['subresource']);
    if (ra['name']) a.name = String(ra['name']);
    if (ra['namespace']) a.namespace = String(ra['namespace']);
    return a;
  }
  const nra = (spec['nonResourceAttributes'] ?? {}) as Obj;
  return { user, resourceRequest: false, verb: String(nra['verb'] ?? ''), path: String(nra['path'] ?? '') };
}

/** kube's ValidateSubjectAccessReviewSpec (the subject part only for reviews that carry one). */
function validateSpec(spec: Obj, withSubject: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  const ra = spec['resourceAttributes'];
  const nra = spec['nonResourceAttributes'];
  if (ra && nra) causes.push(cause('spec.nonResourceAttributes', nra, 'cannot be specified in combination with resourceAttributes'));
  if (!ra && !nra) causes.push(cause('spec.resourceAttributes', nra, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  if (withSubject && !spec['user'] && !(Array.isArray(spec['groups']) && spec['groups'].length)) {
    causes.push(cause('spec.user', spec['user'] ?? '', 'at least one of user or group must be specified'));
  }
  return causes;
}

/** Answers one review create: the code and body to send. */
export function answerReview(r: ReviewRequest): { code: number; body: Obj } {
  const body = (r.body && typeof r.body === 'object' ? r.body : {}) as Obj;
  const spec = (body['spec'] && typeof body['spec'] === 'object' ? body['spec'] : {}) as Obj;
  const kind = r.type.kind;
  const authorizer = r.cluster.rbac.authorizer;
  if (kind === 'SelfSubjectRulesReview') {
    const namespace = typeof spec['namespace'] === 'string' ? spec['namespace'] : '';
    if (!namespace) throw ApiError.badRequest('no namespace on request');
    const rules = authorizer.rulesFor(r.user, namespace);
    const status: Obj = { resourceRules: rules.resourceRules, nonResourceRules: rules.nonResourceRules, incomplete: rules.incomplete };
    if (rules.evaluationError) status['evaluationError'] = rules.evaluationError;
    return { code: 201, body: { kind, apiVersion: `${AUTHORIZATION_GROUP}/v1`, metadata: { creationTimestamp: null }, spec: {}, status } };
  }
  const withSubject = kind === 'SubjectAccessReview' || kind === 'LocalSubjectAccessReview';
  const causes = validateSpec(spec, withSubject);
  if (kind === 'LocalSubjectAccessReview') {
    const ra = spec['resourceAttributes'] as Obj | undefined;
    if (ra && (ra['namespace'] ?? '') !== (r.namespace ?? '')) causes.push(cause('spec.resourceAttributes.namespace', ra['namespace'] ?? '', 'must match metadata.namespace'));
    if (spec['nonResourceAttributes']) causes.push(cause('spec.nonResourceAttributes', spec['nonResourceAttributes'], 'disallowed on this kind of request'));
  }
  if (causes.length) throw invalid(causes);
  let subject = r.user;
  if (withSubject) {
    subject = { name: String(spec['user'] ?? ''), groups: Array.isArray(spec['groups']) ? spec['groups'].map(String) : [] };
    if (typeof spec['uid'] === 'string') subject.uid = spec['uid'];
    if (spec['extra'] && typeof spec['extra'] === 'object') subject.extra = spec['extra'] as Record<string, string[]>;
  }
  const decision = authorizer.authorize(attributesOf(spec, subject));
  const echoed = echoSpec(spec, withSubject);
  const metadata: Obj = {};
  if (kind === 'LocalSubjectAccessReview') metadata['namespace'] = r.namespace;
  metadata['creationTimestamp'] = null;
  metadata['managedFields'] = [
    { manager: r.manager, operation: 'Update', apiVersion: `${AUTHORIZATION_GROUP}/v1`, time: nowRfc3339(), fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(fieldPathsOf({ spec: echoed })) },
  ];
  const status: Obj = { allowed: decision.allowed };
  if (decision.reason) status['reason'] = decision.reason;
  return { code: 201, body: { kind, apiVersion: `${AUTHORIZATION_GROUP}/v1`, metadata, spec: echoed, status } };
}
