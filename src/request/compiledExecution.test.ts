/**
 * The request core's execution engines (`--execution`): compiled plans for repeated queries with the same
 * answers as graphql-js, and the differential mode that runs both and counts persistent differences.
 */
import { makeExecutableSchema } from '@graphql-tools/schema';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet/types.js';
import type { GraphQLContext } from '../graphql/context.js';
import { badUserInput } from '../graphql/errors.js';
import type { ExecutionMode } from './CompiledPlans.js';
import { RequestCore } from './RequestCore.js';
import type { ExecutionEngine, RequestSignals } from './RequestSignals.js';

const identity = { user: 'alice', groups: [] } as unknown as GraphQLContext['identity'];

function core(execution: ExecutionMode, answers: { flaky?: () => number } = {}) {
  const schema = makeExecutableSchema({
    typeDefs: `
      interface Named { name: String! }
      type Cat implements Named { name: String!, lives: Int! }
      type Dog implements Named { name: String!, good: Boolean! }
      type Query { hello(name: String = "world"): String, boom: String, refuse: String, pets: [Named!]!, strict: Dog!, flaky: Int }
      type Mutation { poke: Int }`,
    resolvers: {
      Named: { __resolveType: (p: { lives?: number }) => (p.lives !== undefined ? 'Cat' : 'Dog') },
      Query: {
        hello: (_: unknown, a: { name: string }) => `hello ${a.name}`,
        boom: () => { throw new Error('secret'); },
        refuse: () => { throw badUserInput('refuse: not today', 'refuse'); },
        pets: () => [{ name: 'tom', lives: 9 }, { name: 'rex', good: true }],
        // `good` is non-null: graphql-js nulls the whole `strict` (and, Dog! being non-null, `data`).
        strict: () => ({ name: 'bad', good: null }),
        flaky: () => answers.flaky?.() ?? 0,
      },
      Mutation: { poke: () => 1 },
    },
  });
  const counted = { compiled: 0, interpreted: 0, mismatches: 0 };
  const signals: RequestSignals = {
    requestEnded: () => undefined,
    errorAnswered: () => undefined,
    executed: (engine: ExecutionEngine) => { counted[engine]++; },
    executionMismatch: () => { counted.mismatches++; },
  };
  const logged: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => { logged.push(JSON.parse(line) as Record<string, unknown>); } });
  const fleet = { loaders: () => ({}) } as unknown as Fleet;
  const c = new RequestCore({ schema, fleet, logger, signals, execution });
  const run = async (query: string, variables?: Record<string, unknown>) => {
    const prepared = c.prepare({ query, variables }, 'HTTP');
    if (prepared.kind !== 'prepared') throw new Error(JSON.stringify(prepared.errors));
    const ctx = c.createContext(identity, { id: 'req', sourceIp: null, userAgent: null });
    return JSON.stringify(c.formatResult(await c.execute(c.executionArgs(prepared, ctx)), ctx.request));
  };
  return { run, counted, logged };
}

const DOCUMENTS: Array<[string, Record<string, unknown>?]> = [
  ['{ hello(name: "bob") boom refuse __typename }'],
  ['query($s: Boolean!, $n: String) { a: hello(name: $n) @skip(if: $s) b: hello @include(if: $s) }', { s: true, n: 'x' }],
  ['query($s: Boolean!, $n: String) { a: hello(name: $n) @skip(if: $s) b: hello @include(if: $s) }', { s: false }],
  ['{ pets { __typename name ... on Cat { lives } ...D } } fragment D on Dog { good }'],
  ['{ hello strict { name good } }'],
  ['{ __schema { queryType { name } types { name kind } } __type(name: "Named") { possibleTypes { name } } }'],
];

describe('compiled execution', () => {
  it('answers a repeated query from its compiled plan exactly as graphql-js does: data, errors, paths, codes', async () => {
    const compiled = core('compiled');
    const interpreted = core('interpreted');
    for (const [query, variables] of DOCUMENTS) {
      const expected = await interpreted.run(query, variables);
      expect(await compiled.run(query, variables)).toBe(expected); // first sight: graphql-js
      expect(await compiled.run(query, variables)).toBe(expected); // repeated: compiled
    }
    // Two entries share one document (other variables): its third run is compiled too.
    expect(compiled.counted).toEqual({ compiled: DOCUMENTS.length + 1, interpreted: DOCUMENTS.length - 1, mismatches: 0 });
    expect(interpreted.counted.compiled).toBe(0);
  });

  it('keeps mutations on graphql-js', async () => {
    const { run, counted } = core('compiled');
    for (let i = 0; i < 3; i++) expect(await run('mutation { poke }')).toBe('{"data":{"poke":1}}');
    expect(counted).toEqual({ compiled: 0, interpreted: 3, mismatches: 0 });
  });
});

describe('differential execution', () => {
  it('runs every query both ways at first sight and counts no mismatch when they agree', async () => {
    const { run, counted } = core('differential');
    for (const [query, variables] of DOCUMENTS) await run(query, variables);
    expect(counted).toEqual({ compiled: DOCUMENTS.length, interpreted: DOCUMENTS.length, mismatches: 0 });
  });

  it('counts and logs a persistent difference, answering graphql-js\'s', async () => {
    let n = 0;
    const { run, counted, logged } = core('differential', { flaky: () => ++n });
    expect(await run('query Flaky { flaky }')).toBe('{"data":{"flaky":1}}');
    expect(counted.mismatches).toBe(1);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ document: 'query Flaky { flaky }', msg: expect.stringContaining('differently'), interpreted: '{"data":{"flaky":3}}', compiled: '{"data":{"flaky":4}}' });
  });

  it('does not count a difference that the re-run does not repeat (data changed between the runs)', async () => {
    let n = 0;
    // 0 (interpreted), 1 (compiled), then 1 and 1 on the re-run.
    const { run, counted } = core('differential', { flaky: () => Math.min(n++, 1) });
    expect(await run('{ flaky }')).toBe('{"data":{"flaky":0}}');
    expect(counted).toMatchObject({ compiled: 2, interpreted: 2, mismatches: 0 });
  });
});
