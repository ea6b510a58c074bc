import { buildSchema, execute, parse, type ExecutionResult } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { describe, expect, it } from 'vitest';
import type { SlimObject } from '../cache/types.js';
import { located } from '../graphql/located.js';
import { buildGatewaySchema } from './gatewaySchema.js';
import { selectsOnlySerializedLeaves } from './CompiledPlans.js';

const schema = buildGatewaySchema();
const TRAVERSAL = `query T($n: Int!) { clusters(first: $n) { edges { node { name __typename
  nodes(first: $n) { totalCount pageInfo { hasNextPage } edges { node { name ready
    pods(first: $n) { totalCount edges { node { cluster name namespace phase } } } } } } } } } }`;

describe('leaf serialization of compiled plans', () => {
  it('is skipped only when every leaf selected is serialized already', () => {
    expect(selectsOnlySerializedLeaves(schema, parse(TRAVERSAL))).toBe(true);
    // Another leaf (an Int computed by a resolver), a cursor, a leaf read through an interface: serialized.
    expect(selectsOnlySerializedLeaves(schema, parse('{ pods(first: 1) { edges { node { name restarts } } } }'))).toBe(false);
    expect(selectsOnlySerializedLeaves(schema, parse('{ pods(first: 1) { edges { cursor node { name } } } }'))).toBe(false);
    expect(selectsOnlySerializedLeaves(schema, parse('{ pods(first: 1) { edges { node { ... on Resource { name } } } } }'))).toBe(false);
    expect(selectsOnlySerializedLeaves(schema, parse('{ pods(first: 1) { ...P } } fragment P on PodConnection { edges { node { uid } } }'))).toBe(false);
  });

  it('answers an odd name as graphql-js serializes it, on either engine', async () => {
    // Pod's fields as the gateway has them (no resolvers: properties of the located parent), on a schema of its own.
    const podSchema = buildSchema(`enum PodPhase { PENDING RUNNING SUCCEEDED FAILED UNKNOWN }
      type Pod { name: String! namespace: String phase: PodPhase! }
      type Query { pod: Pod }`);
    const document = parse('{ pod { name namespace phase } }');
    const compiled = compileQuery(podSchema, document, undefined, { disableLeafSerialization: true });
    if (!isCompiledQuery(compiled)) throw new Error('not compiled');
    for (const name of ['web-1', 7, true, undefined, { not: 'a string' }]) {
      const pod = located(null, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' }, status: { phase: 'Running' } } as unknown as SlimObject, 'Pod');
      const interpreted = await execute({ schema: podSchema, document, rootValue: { pod } });
      const jit = await compiled.query({ pod }, {}, {});
      const shape = (r: ExecutionResult) => JSON.stringify({ data: r.data, errors: r.errors?.map((e) => ({ message: e.message, path: e.path })) });
      expect(shape(jit)).toBe(shape(interpreted));
    }
  });
});
