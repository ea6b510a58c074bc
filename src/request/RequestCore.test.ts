import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { GraphQLContext } from '../graphql/context.js';
import type { PreparedRequest, RefusedRequest } from './RequestCore.js';
import { tinyCore } from './testSupport.js';

const identity = { user: 'alice', groups: [] } as unknown as GraphQLContext['identity'];
const reasons = (p: PreparedRequest | RefusedRequest) =>
  p.kind === 'refused' ? p.errors.map((e) => `${e.extensions.code}/${e.extensions.reason ?? '-'}`) : ['prepared'];

describe('RequestCore.prepare', () => {
  const { core } = tinyCore({ maxDocumentBytes: 1000, maxTokens: 50, maxDepth: 4, maxAliases: 2, maxDirectives: 2, maxCost: 100 });
  const table: Array<[string, { query: unknown; variables?: unknown; operationName?: unknown }, string, string[]]> = [
    ['a valid query', { query: '{ hello }' }, 'HTTP', ['prepared']],
    ['no query', { query: 42 }, 'HTTP', ['BAD_USER_INPUT/MALFORMED_REQUEST']],
    ['variables not an object', { query: '{ hello }', variables: [1] }, 'HTTP', ['BAD_USER_INPUT/MALFORMED_REQUEST']],
    ['over the byte limit (counted in UTF-8 bytes)', { query: `{ hello } # ${'é'.repeat(500)}` }, 'HTTP', ['QUERY_TOO_COMPLEX/DOCUMENT_TOO_LARGE']],
    ['over the token limit', { query: `{ ${'hello '.repeat(60)}}` }, 'HTTP', ['QUERY_TOO_COMPLEX/TOO_MANY_TOKENS']],
    ['a syntax error', { query: '{ hello' }, 'HTTP', ['BAD_USER_INPUT/PARSE_FAILED']],
    ['an unknown field', { query: '{ nope }' }, 'HTTP', ['BAD_USER_INPUT/VALIDATION_FAILED']],
    ['too deep', { query: '{ page { next { next { next { edges } } } } }' }, 'HTTP', ['QUERY_TOO_COMPLEX/DEPTH_LIMIT']],
    ['__typename aliases count', { query: '{ a: __typename b: __typename c: __typename }' }, 'HTTP', ['QUERY_TOO_COMPLEX/ALIAS_LIMIT']],
    ['too many directives', { query: '{ hello @skip(if: false) boom @skip(if: false) refuse @skip(if: false) }' }, 'HTTP', ['QUERY_TOO_COMPLEX/DIRECTIVE_LIMIT']],
    ['too costly with the variables', { query: 'query($n: Int) { page(first: $n) { edges } }', variables: { n: 1000 } }, 'HTTP', ['QUERY_TOO_COMPLEX/COST_LIMIT']],
    ['a variable of the wrong type', { query: 'query($n: Int) { page(first: $n) { edges } }', variables: { n: 'x' } }, 'HTTP', ['BAD_USER_INPUT/BAD_VARIABLES']],
    ['variables nested too deep', { query: 'query($n: Int) { page(first: $n) { edges } }', variables: { n: JSON.parse(`${'['.repeat(40)}1${']'.repeat(40)}`) } }, 'HTTP', ['BAD_USER_INPUT/BAD_VARIABLES']],
    ['an unknown operation name', { query: 'query A { hello }', operationName: 'B' }, 'HTTP', ['BAD_USER_INPUT/OPERATION_NOT_FOUND']],
    ['a subscription over HTTP', { query: 'subscription { ticks }' }, 'HTTP', ['BAD_USER_INPUT/SUBSCRIPTION_OVER_HTTP']],
    ['a subscription over WebSocket', { query: 'subscription { ticks }' }, 'WEBSOCKET', ['prepared']],
    ['a root-field @skip on a Boolean! variable', { query: 'subscription($s: Boolean!) { ticks @skip(if: $s) }', variables: { s: true } }, 'WEBSOCKET', ['prepared']],
    ['a non-boolean literal @include on a subscription', { query: 'subscription { ticks @include(if: "x") }' }, 'WEBSOCKET', ['BAD_USER_INPUT/VALIDATION_FAILED']],
    ['two root fields through directives', { query: 'subscription($s: Boolean!) { a: ticks @skip(if: $s) b: ticks(n: 1) @skip(if: $s) }', variables: { s: true } }, 'WEBSOCKET', ['BAD_USER_INPUT/VALIDATION_FAILED']],
  ];
  for (const [name, params, transport, expected] of table) {
    it(name, () => {
      expect(reasons(core.prepare(params, transport as 'HTTP' | 'WEBSOCKET'))).toEqual(expected);
    });
  }

  it('hands out the same validated document for the same text (the cache), and never caches a refusal', () => {
    const a = core.prepare({ query: '{ hello }' }, 'HTTP');
    const b = core.prepare({ query: '{ hello }' }, 'HTTP');
    expect(a.kind === 'prepared' && b.kind === 'prepared' && a.document === b.document).toBe(true);
    expect(core.prepare({ query: '{ nope }' }, 'HTTP')).toEqual(core.prepare({ query: '{ nope }' }, 'HTTP'));
  });

  it('refuses fragments spread into millions of selections at the cost cap, without walking them all', () => {
    const { core: fresh } = tinyCore();
    const frags = Array.from({ length: 5 }, (_, i) => `fragment F${i} on Query { ${Array.from({ length: 30 }, () => `...F${i + 1}`).join(' ')} }`).join(' ');
    for (const leaf of ['hello', '__typename']) {
      expect(reasons(fresh.prepare({ query: `{ ...F0 } ${frags} fragment F5 on Query { ${leaf} }` }, 'HTTP'))).toEqual(['QUERY_TOO_COMPLEX/COST_LIMIT']);
    }
  });

  it('names the request it counts: the operation, else operationName', () => {
    expect(core.prepare({ query: 'query Mine { hello }' }, 'HTTP').countedName).toBe('Mine');
    expect(core.prepare({ query: 'query Mine { nope }' }, 'HTTP').countedName).toBe('Mine');
  });
});

describe('RequestCore execution and errors', () => {
  it('executes, keeps our codes, and answers our bugs INTERNAL without leaking, logged once with the request id', async () => {
    const { core, logged } = tinyCore();
    const prepared = core.prepare({ query: '{ hello(name: "bob") boom refuse }' }, 'HTTP');
    if (prepared.kind !== 'prepared') throw new Error('refused');
    const ctx = core.createContext(identity, { id: 'req-1', sourceIp: null, userAgent: null });
    const result = core.formatResult(await core.execute(core.executionArgs(prepared, ctx)), ctx.request);
    expect(result.data).toEqual({ hello: 'hello bob', boom: null, refuse: null });
    expect(result.errors).toEqual([
      { message: 'internal error (logged with this request id)', path: ['boom'], locations: [{ line: 1, column: 22 }], extensions: { code: 'INTERNAL', requestId: 'req-1' } },
      { message: 'refuse: not today', path: ['refuse'], locations: [{ line: 1, column: 27 }], extensions: { code: 'BAD_USER_INPUT', field: 'refuse' } },
    ]);
    expect(JSON.stringify(result)).not.toContain('passwd');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ reqId: 'req-1', err: { message: 'secret detail /etc/passwd', stack: expect.stringContaining('Error') } });
  });

  it('maps Apollo\'s request errors onto BAD_USER_INPUT with a reason, by code and status, without logging', () => {
    const { core, logged } = tinyCore();
    const getMutation = new GraphQLError('GET requests only support query operations', { extensions: { code: 'BAD_REQUEST', http: { status: 405 } } });
    expect(core.formatError(getMutation.toJSON(), getMutation).extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'MUTATION_OVER_GET' });
    const apqVersion = new GraphQLError('Unsupported persisted query version', { extensions: { http: { status: 400 } } });
    expect(core.formatError({ message: apqVersion.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, apqVersion).extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_REQUEST' });
    expect(logged).toEqual([]);
  });

  it('subscribes: a stream, or { data: {} } at once when the only root field is skipped', async () => {
    const { core } = tinyCore();
    const run = async (query: string, variables?: Record<string, unknown>) => {
      const p = core.prepare({ query, variables }, 'WEBSOCKET');
      if (p.kind !== 'prepared') throw new Error(JSON.stringify(p.errors));
      return core.subscribe(core.executionArgs(p, core.createContext(identity, { id: 'r', sourceIp: null, userAgent: null })));
    };
    const stream = await run('subscription { t: ticks(n: 2) }');
    const seen: unknown[] = [];
    for await (const r of stream as AsyncIterable<unknown>) seen.push(r);
    expect(seen).toEqual([{ data: { t: 1 } }, { data: { t: 2 } }]);
    expect(await run('subscription($s: Boolean!) { ticks @skip(if: $s) }', { s: true })).toEqual({ data: {} });
    expect(await run('subscription { ...F } fragment F on Subscription { ticks @include(if: false) }')).toEqual({ data: {} });
  });
});
