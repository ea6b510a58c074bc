/**
 * Compiled execution (graphql-jit, `--execution compiled`) answers exactly as graphql-js does. A gateway over
 * the demo fleet runs `--execution differential` (every query both ways, graphql-js's answer sent, persistent
 * differences counted in fleetgraph_execution_mismatches_total), and is sent:
 *   - every document of the benchmarks (bench/queries.mjs) with the variables the bench discovers,
 *   - every query of the README and docs/ examples (test/support/markdownExamples.ts), with their variables,
 *   - GraphiQL's introspection query,
 *   - documents chosen for where a compiler could differ: resolver errors with codes, null propagation, member
 *     errors of a member down, `@skip`/`@include` on variables, fragments on interfaces, aliases, `__typename`,
 *     custom scalars, cursors (getters), variables' defaults;
 * then the gateway must count no mismatch, AND have run each of those queries compiled (so that a gateway that
 * quietly fell back to graphql-js everywhere fails here).
 * Last, the direct HTTP path (plain JSON POSTs answered without Apollo's pipeline) must answer byte for byte
 * what Apollo answers for the same request, for every `accept` it serves.
 */
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { getIntrospectionQuery, Kind, parse, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECT_CONTENT_TYPES } from '../src/server/graphqlHttpHandler.js';
import { executionCounts } from './support/executionCheck.js';
import { eventually, startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { graphqlExamples } from './support/markdownExamples.js';

interface Doc {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

interface BenchQueries {
  discoverParameters(url: string): Promise<{ clusterNames: string[] }>;
  benchQueries(params: unknown): Doc[];
  SMALL: string;
}

let fx: GatewayFixture;

beforeAll(async () => {
  // The bench's full traversal is over the default cost limit (the bench lifts it too).
  fx = await startGatewayFixture({ args: ['--execution', 'differential', '--max-query-cost', String(Number.MAX_SAFE_INTEGER)] });
});

afterAll(async () => {
  if (fx) {
    await fx.admin('POST', `/_sim/faults/${[...fx.sim.fleet.members.keys()].sort()[0]}`, { unreachable: false }).catch(() => undefined);
    await fx.stop();
  }
});

/** Sends each document and returns how many queries it ran; every answer must be JSON with data or errors. */
async function send(docs: Doc[]): Promise<number> {
  for (const doc of docs) {
    const res = await fetch(fx.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query: doc.query, variables: doc.variables, operationName: doc.operationName }),
    });
    const body = await res.json() as { data?: unknown; errors?: unknown[] };
    expect(body.data !== undefined || body.errors !== undefined, `${doc.name}: ${JSON.stringify(body)}`).toBe(true);
  }
  return docs.length;
}

/** Runs the documents and checks they were all compared, compiled, with no mismatch. */
async function expectSameBothWays(docs: Doc[]): Promise<void> {
  const before = await executionCounts(fx.gateway);
  const sent = await send(docs);
  const after = await executionCounts(fx.gateway);
  expect(after.mismatches, 'mismatches: see the gateway log line "compiled execution answered differently"').toBe(0);
  expect(after.compiled - before.compiled).toBeGreaterThanOrEqual(sent);
  expect(after.interpreted - before.interpreted).toBeGreaterThanOrEqual(sent);
}

describe('differential execution: compiled answers equal graphql-js answers', () => {
  it('for every document of the benchmarks', async () => {
    const bench = await import(pathToFileURL('bench/queries.mjs').href) as BenchQueries;
    const params = await bench.discoverParameters(fx.gateway.url);
    const docs = bench.benchQueries(params);
    docs.push({ name: 'small', query: bench.SMALL, variables: { name: params.clusterNames[0] } });
    expect(docs.length).toBeGreaterThanOrEqual(5);
    await expectSameBothWays(docs);
  });

  it('for every query of the README and docs/ examples', async () => {
    const files = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
    const docs: Doc[] = [];
    for (const file of files) {
      for (const example of graphqlExamples(file)) {
        let operations: OperationDefinitionNode[];
        try {
          operations = parse(example.source).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
        } catch {
          continue; // a schema excerpt (type definitions), not a request
        }
        // Queries only: mutations run on graphql-js alone (side effects), subscriptions on their own path.
        for (const operation of operations.filter((o) => o.operation === 'query')) {
          docs.push({
            name: `${file}:${example.line}`, query: example.source, ...(example.variables ? { variables: example.variables } : {}),
            ...(operations.length > 1 ? { operationName: operation.name!.value } : {}),
          });
        }
      }
    }
    expect(docs.length).toBeGreaterThanOrEqual(8);
    await expectSameBothWays(docs);
  });

  it('for GraphiQL\'s introspection query', async () => {
    await expectSameBothWays([{ name: 'introspection', query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true }) }]);
  });

  it('for errors, null propagation, directives on variables, fragments on interfaces, aliases, scalars and cursors', async () => {
    const cluster = [...fx.sim.fleet.members.keys()].sort()[1]!;
    const docs: Doc[] = [
      // Resolver errors with codes: a bad global id, an unknown cluster, a bad cursor, a bad label selector.
      { name: 'errors', query: `{ resource(id: "nope") { id } cluster(name: "no-such-cluster") { name } a: pods(first: 1, after: "x") { totalCount } b: pods(first: 2, filter: { labelSelector: "a in (" }) { totalCount } }` },
      // Fragments on the Resource interface, aliases, __typename at every level, DateTime, cursors (getters).
      { name: 'interfaces', query: `query($c: String!) { pods(first: 3, filter: { cluster: $c }) { pageInfo { hasNextPage endCursor } edges { cursor node { __typename id ...R ... on Pod { phase p: name } } } }
          nodes(first: 2, filter: { cluster: $c }) { edges { node { ...R } } } }
          fragment R on Resource { __typename kind name namespace createdAt labels { key value } }`, variables: { c: cluster } },
      { name: 'resource', query: `query($c: String!) { pods(first: 1, filter: { cluster: $c }) { edges { node { id } } } }`, variables: { c: cluster } },
      // @skip/@include on variables, on fields, fragments and inline fragments, with and without defaults.
      ...[[true, false], [false, true], [true, true], [false, false]].map(([s, i]) => ({
        name: `directives ${s} ${i}`,
        query: `query($s: Boolean!, $i: Boolean = true, $c: String!) { cluster(name: $c) { name @skip(if: $s) health @include(if: $i) { ready } ...F @skip(if: $i) ... on Cluster @include(if: $s) { n2: name } } }
          fragment F on Cluster { nodes(first: 1) { totalCount } }`,
        variables: { s, i, c: cluster },
      })),
      { name: 'directive default', query: `query($i: Boolean = false, $c: String!) { cluster(name: $c) { name @include(if: $i) health { ready } } }`, variables: { c: cluster } },
      { name: 'fleet', query: `{ fleet { clusters { total ready } pods { total byPhase { phase count } } missingClusters } __typename }` },
    ];
    await expectSameBothWays(docs);
  });

  it('for partial answers while a member is down (member errors appended, null fields)', async () => {
    const dead = [...fx.sim.fleet.members.keys()].sort()[0]!;
    await fx.admin('POST', `/_sim/faults/${dead}`, { unreachable: true });
    const query = `{ clusters(first: 100) { edges { node { name health { ready } pods(first: 1) { totalCount } nodes(first: 1) { totalCount } } } }
      pods(first: 2) { totalCount edges { node { cluster name } } } fleet { pods { total } missingClusters } }`;
    // Wait until the gateway sees the member down (its errors in the answer), then compare.
    await eventually(async () => {
      const res = await fx.query(query);
      expect(res.body.errors?.some((e) => e.extensions?.cluster === dead)).toBe(true);
    });
    await expectSameBothWays([{ name: 'member down', query }, { name: 'member down, one cluster', query: `{ cluster(name: "${dead}") { name health { ready gateway { synced unreachableSince lastError } readyCondition { status reason } } pods(first: 1) { totalCount } } }` }]);
    await fx.admin('POST', `/_sim/faults/${dead}`, { unreachable: false });
  });
});

describe('the direct HTTP path', () => {
  /** One request's status, content-type, cache-control and body text. */
  async function answer(body: Record<string, unknown>, accept: string | undefined): Promise<string> {
    const res = await fetch(fx.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(accept !== undefined ? { accept } : {}) },
      body: JSON.stringify(body),
    });
    return JSON.stringify([res.status, res.headers.get('content-type'), res.headers.get('cache-control'), await res.text()]);
  }

  it('answers byte for byte as Apollo does: data, errors, refusals, for every accept it serves', async () => {
    const cluster = [...fx.sim.fleet.members.keys()].sort()[1]!;
    const requests: Array<Record<string, unknown>> = [
      { query: 'query($n: String!) { cluster(name: $n) { name health { ready } } }', variables: { n: cluster } },
      { query: '{ resource(id: "nope") { id } }' },
      { query: '{ nope }' },
      { query: 'query A { __typename } query B { __typename }' },
      { query: 'query A { __typename } query B { __typename }', operationName: 'B', variables: null },
      { query: 'subscription { fleetChanged { clusters { total } } }' },
      { query: 'query($n: Int!) { pods(first: $n) { totalCount } }', variables: { n: 'x' } },
    ];
    for (const accept of [...DIRECT_CONTENT_TYPES.keys(), undefined]) {
      for (const request of requests) {
        // `extensions` (even empty) sends the request through Apollo's pipeline.
        const viaApollo = await answer({ ...request, extensions: {} }, accept || undefined);
        expect(await answer(request, accept || undefined), `${accept}: ${JSON.stringify(request)}`).toBe(viaApollo);
      }
    }
  });
});
