/**
 * A minimal OpenAPI v3 surface: the root index (`/openapi/v3`) and one document per group version
 * listing each served kind's paths. kubectl reads it to learn that the server supports server-side
 * field validation (a `fieldValidation` query parameter on PATCH, tagged with the kind's
 * x-kubernetes-group-version-kind); without it `kubectl apply` refuses to run. The documents carry
 * no schemas: the simulator does not validate fields against them.
 */
import { createHash } from 'node:crypto';
import type { ResourceType } from '../cluster/SimCluster.js';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openApiV3Root(types: Iterable<ResourceType>): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  const byGv = new Map<string, ResourceType[]>();
  for (const t of types) {
    const p = gvPath(t.group, t.version);
    byGv.set(p, [...(byGv.get(p) ?? []), t]);
  }
  for (const [p, ts] of [...byGv.entries()].sort()) {
    const hash = createHash('sha512').update(ts.map((t) => t.key).sort().join(',')).digest('hex').slice(0, 64).toUpperCase();
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
  }
  return { paths };
}

const QUERY_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({
  name,
  in: 'query',
  description: name,
  schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
}));

export function openApiV3GroupVersion(group: string, version: string, types: Iterable<ResourceType>): Record<string, unknown> | undefined {
  const served = [...types].filter((t) => t.group === group && t.version === version);
  if (served.length === 0) return undefined;
  const prefix = `/${gvPath(group, version)}`;
  const paths: Record<string, unknown> = {};
  for (const t of served) {
    const gvk = { 'x-kubernetes-group-version-kind': { group, version, kind: t.kind } };
    const item = t.namespaced ? `${prefix}/namespaces/{namespace}/${t.resource}/{name}` : `${prefix}/${t.resource}/{name}`;
    const collection = t.namespaced ? `${prefix}/namespaces/{namespace}/${t.resource}` : `${prefix}/${t.resource}`;
    const op = (action: string) => ({ operationId: `${action}${t.kind}`, 'x-kubernetes-action': action, ...gvk, parameters: QUERY_PARAMS, responses: {} });
    if (t.verbs.includes('get') || t.verbs.includes('patch')) {
      paths[item] = {
        ...(t.verbs.includes('get') ? { get: op('get') } : {}),
        ...(t.verbs.includes('update') ? { put: op('put') } : {}),
        ...(t.verbs.includes('patch') ? { patch: op('patch') } : {}),
        ...(t.verbs.includes('delete') ? { delete: op('delete') } : {}),
      };
    }
    if (t.verbs.includes('list') || t.verbs.includes('create')) {
      paths[collection] = {
        ...(t.verbs.includes('list') ? { get: op('list') } : {}),
        ...(t.verbs.includes('create') ? { post: op('post') } : {}),
      };
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.26.5' },
    paths,
    components: { schemas: {} },
  };
}

/** The protobuf media type kubectl asks /openapi/v2 for (`@v1.0` in Accept, `.v1.0` in the answer). */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/**
 * An OpenAPI v2 document with no definitions. kubectl versions that validate `-f` files against v2
 * (1.20's, for one) download it before every create/apply and skip validation of kinds it does not
 * describe; without it they refuse to run. Asked as protobuf, an empty message is that document.
 */
export function openApiV2(accept: string | undefined): { contentType: string; body: Buffer } {
  if (accept?.includes('application/com.github.proto-openapi.spec.v2')) {
    return { contentType: OPENAPI_V2_PROTOBUF, body: Buffer.alloc(0) };
  }
  return {
    contentType: 'application/json',
    body: Buffer.from(JSON.stringify({ swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.26.5' }, paths: {}, definitions: {} })),
  };
}
