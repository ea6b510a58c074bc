/**
 * Decoding of the Kubernetes protobuf envelope for request bodies. kubectl's typed clients (`kubectl
 * create deployment|namespace|configmap|secret|service|serviceaccount`, `kubectl scale`) send
 * `application/vnd.kubernetes.protobuf`, which a real server accepts, so the simulator decodes the
 * kinds those commands write. Field numbers are those of k8s.io/api's generated.proto; fields not
 * listed here are skipped (the simulator serves JSON only, so nothing is ever encoded).
 */
import { ApiError } from '../cluster/ApiError.js';

type FieldType =
  | 'string'
  | 'bytes'
  | 'int32'
  | 'int64'
  | 'bool'
  | 'Time'
  | 'Quantity'
  | 'IntOrString'
  | 'map<string,string>'
  | 'map<string,bytes>'
  | 'map<string,Quantity>'
  | { message: string };

interface Field {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /**
   * A pointer field in Go: its zero value was set on purpose and is kept. Other zero values
   * ('' / 0 / false) are what gogo-protobuf writes for unset plain fields, which JSON omits.
   */
  pointer?: boolean;
}

type Schema = Record<number, Field>;

const f = (name: string, type: FieldType, repeated = false): Field => ({ name, type, repeated });
const ptr = (name: string, type: FieldType): Field => ({ name, type, pointer: true });
const m = (message: string): FieldType => ({ message });

/** Message layouts (k8s.io/api and k8s.io/apimachinery generated.proto). */
const SCHEMAS: Record<string, Schema> = {
  ObjectMeta: {
    1: f('name', 'string'),
    2: f('generateName', 'string'),
    3: f('namespace', 'string'),
    5: f('uid', 'string'),
    6: f('resourceVersion', 'string'),
    7: f('generation', 'int64'),
    8: f('creationTimestamp', 'Time'),
    11: f('labels', 'map<string,string>'),
    12: f('annotations', 'map<string,string>'),
    13: f('ownerReferences', m('OwnerReference'), true),
    14: f('finalizers', 'string', true),
  },
  OwnerReference: {
    1: f('kind', 'string'),
    3: f('name', 'string'),
    4: f('uid', 'string'),
    5: f('apiVersion', 'string'),
    6: ptr('controller', 'bool'),
    7: ptr('blockOwnerDeletion', 'bool'),
  },
  LabelSelector: { 1: f('matchLabels', 'map<string,string>'), 2: f('matchExpressions', m('LabelSelectorRequirement'), true) },
  LabelSelectorRequirement: { 1: f('key', 'string'), 2: f('operator', 'string'), 3: f('values', 'string', true) },
  Deployment: { 1: f('metadata', m('ObjectMeta')), 2: f('spec', m('DeploymentSpec')) },
  DeploymentSpec: {
    1: ptr('replicas', 'int32'),
    2: f('selector', m('LabelSelector')),
    3: f('template', m('PodTemplateSpec')),
    4: f('strategy', m('DeploymentStrategy')),
    5: f('minReadySeconds', 'int32'),
    6: ptr('revisionHistoryLimit', 'int32'),
    7: f('paused', 'bool'),
    9: ptr('progressDeadlineSeconds', 'int32'),
  },
  DeploymentStrategy: { 1: f('type', 'string'), 2: f('rollingUpdate', m('RollingUpdateDeployment')) },
  RollingUpdateDeployment: { 1: f('maxUnavailable', 'IntOrString'), 2: f('maxSurge', 'IntOrString') },
  PodTemplateSpec: { 1: f('metadata', m('ObjectMeta')), 2: f('spec', m('PodSpec')) },
  PodSpec: {
    2: f('containers', m('Container'), true),
    3: f('restartPolicy', 'string'),
    4: ptr('terminationGracePeriodSeconds', 'int64'),
    6: f('dnsPolicy', 'string'),
    7: f('nodeSelector', 'map<string,string>'),
    8: f('serviceAccountName', 'string'),
    10: f('nodeName', 'string'),
    16: f('hostname', 'string'),
    19: f('schedulerName', 'string'),
    20: f('initContainers', m('Container'), true),
    24: f('priorityClassName', 'string'),
  },
  Container: {
    1: f('name', 'string'),
    2: f('image', 'string'),
    3: f('command', 'string', true),
    4: f('args', 'string', true),
    5: f('workingDir', 'string'),
    6: f('ports', m('ContainerPort'), true),
    7: f('env', m('EnvVar'), true),
    8: f('resources', m('ResourceRequirements')),
    13: f('terminationMessagePath', 'string'),
    14: f('imagePullPolicy', 'string'),
    20: f('terminationMessagePolicy', 'string'),
  },
  ContainerPort: { 1: f('name', 'string'), 2: f('hostPort', 'int32'), 3: f('containerPort', 'int32'), 4: f('protocol', 'string'), 5: f('hostIP', 'string') },
  EnvVar: { 1: f('name', 'string'), 2: f('value', 'string') },
  ResourceRequirements: { 1: f('limits', 'map<string,Quantity>'), 2: f('requests', 'map<string,Quantity>') },
  Namespace: { 1: f('metadata', m('ObjectMeta')) },
  ConfigMap: { 1: f('metadata', m('ObjectMeta')), 2: f('data', 'map<string,string>'), 3: f('binaryData', 'map<string,bytes>'), 4: ptr('immutable', 'bool') },
  Secret: { 1: f('metadata', m('ObjectMeta')), 2: f('data', 'map<string,bytes>'), 3: f('type', 'string'), 4: f('stringData', 'map<string,string>'), 5: ptr('immutable', 'bool') },
  ServiceAccount: { 1: f('metadata', m('ObjectMeta')), 4: ptr('automountServiceAccountToken', 'bool') },
  // authentication.k8s.io/v1 (kubectl create token; TokenReview from typed clients).
  TokenRequest: { 1: f('metadata', m('ObjectMeta')), 2: f('spec', m('TokenRequestSpec')) },
  TokenRequestSpec: { 1: f('audiences', 'string', true), 3: f('boundObjectRef', m('BoundObjectReference')), 4: ptr('expirationSeconds', 'int64') },
  BoundObjectReference: { 1: f('kind', 'string'), 2: f('apiVersion', 'string'), 3: f('name', 'string'), 4: f('uid', 'string') },
  TokenReview: { 1: f('metadata', m('ObjectMeta')), 2: f('spec', m('TokenReviewSpec')) },
  TokenReviewSpec: { 1: f('token', 'string'), 2: f('audiences', 'string', true) },
  Service: { 1: f('metadata', m('ObjectMeta')), 2: f('spec', m('ServiceSpec')) },
  ServiceSpec: {
    1: f('ports', m('ServicePort'), true),
    2: f('selector', 'map<string,string>'),
    3: f('clusterIP', 'string'),
    4: f('type', 'string'),
    5: f('externalIPs', 'string', true),
    7: f('sessionAffinity', 'string'),
    12: f('externalName', 'string'),
  },
  ServicePort: { 1: f('name', 'string'), 2: f('protocol', 'string'), 3: f('port', 'int32'), 4: f('targetPort', 'IntOrString'), 5: f('nodePort', 'int32') },
  Scale: { 1: f('metadata', m('ObjectMeta')), 2: f('spec', m('ScaleSpec')) },
  ScaleSpec: { 1: ptr('replicas', 'int32') },
  Eviction: { 1: f('metadata', m('ObjectMeta')), 2: f('deleteOptions', m('DeleteOptions')) },
  DeleteOptions: { 1: ptr('gracePeriodSeconds', 'int64'), 2: f('preconditions', m('Preconditions')), 4: f('propagationPolicy', 'string') },
  Preconditions: { 1: f('uid', 'string'), 2: f('resourceVersion', 'string') },
  // rbac.authorization.k8s.io/v1 (kubectl create role|clusterrole|rolebinding|clusterrolebinding).
  Role: { 1: f('metadata', m('ObjectMeta')), 2: f('rules', m('PolicyRule'), true) },
  ClusterRole: { 1: f('metadata', m('ObjectMeta')), 2: f('rules', m('PolicyRule'), true), 3: f('aggregationRule', m('AggregationRule')) },
  AggregationRule: { 1: f('clusterRoleSelectors', m('LabelSelector'), true) },
  PolicyRule: { 1: f('verbs', 'string', true), 2: f('apiGroups', 'string', true), 3: f('resources', 'string', true), 4: f('resourceNames', 'string', true), 5: f('nonResourceURLs', 'string', true) },
  RoleBinding: { 1: f('metadata', m('ObjectMeta')), 2: f('subjects', m('Subject'), true), 3: f('roleRef', m('RoleRef')) },
  ClusterRoleBinding: { 1: f('metadata', m('ObjectMeta')), 2: f('subjects', m('Subject'), true), 3: f('roleRef', m('RoleRef')) },
  Subject: { 1: f('kind', 'string'), 2: f('apiGroup', 'string'), 3: f('name', 'string'), 4: f('namespace', 'string') },
  RoleRef: { 1: f('apiGroup', 'string'), 2: f('kind', 'string'), 3: f('name', 'string') },
  // authorization.k8s.io/v1 reviews (kubectl auth can-i, its --list).
  SelfSubjectAccessReview: { 1: f('metadata', m('ObjectMeta')), 2: f('spec', m('SelfSubjectAccessReviewSpec')) },
  SelfSubjectAccessReviewSpec: { 1: f('resourceAttributes', m('ResourceAttributes')), 2: f('nonResourceAttributes', m('NonResourceAttributes')) },
  SubjectAccessReview: { 1: f('metadata', m('ObjectMeta')), 2: f('spec', m('SubjectAccessReviewSpec')) },
  LocalSubjectAccessReview: { 1: f('metadata', m('ObjectMeta')), 2: f('spec', m('SubjectAccessReviewSpec')) },
  SubjectAccessReviewSpec: {
    1: f('resourceAttributes', m('ResourceAttributes')),
    2: f('nonResourceAttributes', m('NonResourceAttributes')),
    3: f('user', 'string'),
    4: f('groups', 'string', true),
    6: f('uid', 'string'),
  },
  ResourceAttributes: {
    1: f('namespace', 'string'),
    2: f('verb', 'string'),
    3: f('group', 'string'),
    4: f('version', 'string'),
    5: f('resource', 'string'),
    6: f('subresource', 'string'),
    7: f('name', 'string'),
  },
  NonResourceAttributes: { 1: f('path', 'string'), 2: f('verb', 'string') },
  SelfSubjectRulesReview: { 1: f('metadata', m('ObjectMeta')), 2: f('spec', m('SelfSubjectRulesReviewSpec')) },
  SelfSubjectRulesReviewSpec: { 1: f('namespace', 'string') },
  Time: { 1: f('seconds', 'int64'), 2: f('nanos', 'int32') },
  IntOrString: { 1: f('type', 'int64'), 2: f('intVal', 'int32'), 3: f('strVal', 'string') },
  Quantity: { 1: f('string', 'string') },
  TypeMeta: { 1: f('apiVersion', 'string'), 2: f('kind', 'string') },
  Unknown: { 1: f('typeMeta', m('TypeMeta')), 2: f('raw', 'bytes'), 3: f('contentEncoding', 'string'), 4: f('contentType', 'string') },
  MapEntry: { 1: f('key', 'bytes'), 2: f('value', 'bytes') },
};

/** Kinds a protobuf body may carry (what kubectl's typed clients create). */
const KIND_SCHEMA: Record<string, string> = {
  Deployment: 'Deployment',
  Namespace: 'Namespace',
  ConfigMap: 'ConfigMap',
  Secret: 'Secret',
  ServiceAccount: 'ServiceAccount',
  TokenRequest: 'TokenRequest',
  TokenReview: 'TokenReview',
  Service: 'Service',
  Scale: 'Scale',
  Eviction: 'Eviction',
  DeleteOptions: 'DeleteOptions',
  Role: 'Role',
  ClusterRole: 'ClusterRole',
  RoleBinding: 'RoleBinding',
  ClusterRoleBinding: 'ClusterRoleBinding',
  SelfSubjectAccessReview: 'SelfSubjectAccessReview',
  SubjectAccessReview: 'SubjectAccessReview',
  LocalSubjectAccessReview: 'LocalSubjectAccessReview',
  SelfSubjectRulesReview: 'SelfSubjectRulesReview',
};

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new Error('varint too long');
    }
  }
  bytes(): Buffer {
    const len = Number(this.varint());
    if (this.pos + len > this.buf.length) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

function scalar(type: FieldType, wire: number, r: Reader): unknown {
  switch (type) {
    case 'string':
      return r.bytes().toString('utf8');
    case 'bytes':
      return r.bytes().toString('base64');
    case 'int32':
      return Number(BigInt.asIntN(32, r.varint()));
    case 'int64':
      return Number(BigInt.asIntN(64, r.varint()));
    case 'bool':
      return r.varint() !== 0n;
    default:
      r.skip(wire);
      return undefined;
  }
}

function decodeMessage(schemaName: string, buf: Buffer): Record<string, unknown> {
  const schema = SCHEMAS[schemaName]!;
  const r = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (!r.done()) {
    const tag = Number(r.varint());
    const no = tag >>> 3;
    const wire = tag & 7;
    const field = schema[no];
    if (!field) {
      r.skip(wire);
      continue;
    }
    let value: unknown;
    const t = field.type;
    if (typeof t === 'object') value = special(t.message, r.bytes());
    else if (t === 'Time' || t === 'Quantity' || t === 'IntOrString') value = special(t, r.bytes());
    else if (t.startsWith('map<')) {
      const entry = decodeMessage('MapEntry', r.bytes()) as { key?: string; value?: string };
      const key = Buffer.from(entry.key ?? '', 'base64').toString('utf8');
      const raw = Buffer.from(entry.value ?? '', 'base64');
      const v = t === 'map<string,bytes>' ? raw.toString('base64') : t === 'map<string,Quantity>' ? special('Quantity', raw) : raw.toString('utf8');
      const map = (out[field.name] ??= {}) as Record<string, unknown>;
      map[key] = v;
      continue;
    } else value = scalar(t, wire, r);
    if (field.repeated) ((out[field.name] ??= []) as unknown[]).push(value);
    else if (field.pointer || !(value === '' || value === 0 || value === false)) out[field.name] = value;
  }
  return out;
}

/** Messages with a JSON form of their own (timestamps, quantities, int-or-string). */
function special(name: string, buf: Buffer): unknown {
  const o = decodeMessage(name, buf);
  switch (name) {
    case 'Time':
      return new Date(Number(o['seconds'] ?? 0) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    case 'Quantity':
      return o['string'] ?? '0';
    case 'IntOrString':
      return Number(o['type'] ?? 0) === 1 ? (o['strVal'] ?? '') : (o['intVal'] ?? 0);
    default:
      return o;
  }
}

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/** Decodes a protobuf request body into the JSON object the rest of the server handles. */
export function decodeProtobufBody(body: Buffer): Record<string, unknown> {
  const unsupported = (): never => {
    throw new ApiError(415, 'UnsupportedMediaType', '415: Unsupported Media Type', {});
  };
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) unsupported();
  let envelope: Record<string, unknown>;
  try {
    envelope = decodeMessage('Unknown', body.subarray(4));
  } catch {
    throw ApiError.badRequest('the object provided is unrecognized: invalid protobuf envelope');
  }
  const typeMeta = (envelope['typeMeta'] ?? {}) as { apiVersion?: string; kind?: string };
  const schema = KIND_SCHEMA[typeMeta.kind ?? ''];
  if (!schema) return unsupported();
  try {
    const obj = decodeMessage(schema, Buffer.from(String(envelope['raw'] ?? ''), 'base64'));
    // A Go struct always carries its metadata: an absent one is empty.
    return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...obj, metadata: obj['metadata'] ?? {} };
  } catch (err) {
    throw ApiError.badRequest(`the object provided is unrecognized (must be of type ${typeMeta.kind}): ${(err as Error).message}`);
  }
}
