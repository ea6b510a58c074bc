/**
 * The same document and variables give the same errors, codes and reasons over HTTP and over WebSocket
 * (issue 10 item 1): both transports reach one request core. Each row is a kind of bad input sent both ways
 * to one running gateway; the table compares the (code, reason) of every error, and checks that no client
 * mistake is answered INTERNAL or with an HTTP 5xx, and that no socket closes over one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openRawClient, type RawWsClient } from './support/rawGraphqlWs.js';

let fx: GatewayFixture;
let ws: RawWsClient;

beforeAll(async () => {
  fx = await startGatewayFixture({ scenario: 'mini' });
  ws = await openRawClient(fx.gateway.url);
}, 120_000);

afterAll(async () => {
  await ws?.close();
  await fx?.stop();
});

interface Row {
  name: string;
  query: string;
  variables?: unknown;
  /** The variables as raw JSON text (for values JSON.stringify cannot produce). */
  rawVariables?: string;
  operationName?: string;
  /** Expected codes/reasons (each error's `code/reason`), sorted. */
  expect: string[];
  /** The transports word the message differently (only the code and reason are compared). @default false */
  ownMessages?: boolean;
}

const deep = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
const PAGED = 'query Paged($c: Int, $p: Int) { clusters(first: $c) { edges { node { name pods(first: $p) { edges { node { name events(first: 5000) { totalCount } } } } } } } }';

const ROWS: Row[] = [
  { name: 'syntax error', query: '{ clusters {', expect: ['BAD_USER_INPUT/PARSE_FAILED'] },
  { name: 'unknown field', query: '{ nope }', expect: ['BAD_USER_INPUT/VALIDATION_FAILED'] },
  { name: 'unknown argument', query: '{ clusters(nope: 1) { totalCount } }', expect: ['BAD_USER_INPUT/VALIDATION_FAILED'] },
  { name: 'literal of the wrong type', query: '{ clusters(first: "x") { totalCount } }', expect: ['BAD_USER_INPUT/VALIDATION_FAILED'] },
  { name: 'required variable missing', query: 'query($n: String!) { cluster(name: $n) { name } }', variables: {}, expect: ['BAD_USER_INPUT/BAD_VARIABLES'] },
  { name: 'variable of the wrong type', query: 'query($n: Int) { clusters(first: $n) { totalCount } }', variables: { n: 'x' }, expect: ['BAD_USER_INPUT/BAD_VARIABLES'] },
  { name: 'variable of an unknown type', query: 'query($n: Nope) { __typename }', expect: ['BAD_USER_INPUT/VALIDATION_FAILED', 'BAD_USER_INPUT/VALIDATION_FAILED'] },
  { name: 'undefined variable', query: '{ cluster(name: $x) { name } }', expect: ['BAD_USER_INPUT/VALIDATION_FAILED'] },
  { name: 'unknown directive', query: '{ __typename @nope }', expect: ['BAD_USER_INPUT/VALIDATION_FAILED'] },
  { name: 'non-boolean @include', query: '{ __typename @include(if: "x") }', expect: ['BAD_USER_INPUT/VALIDATION_FAILED'] },
  { name: 'fragment cycle', query: '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }', expect: ['BAD_USER_INPUT/VALIDATION_FAILED'] },
  { name: 'unknown fragment', query: '{ ...Nope }', expect: ['BAD_USER_INPUT/VALIDATION_FAILED'] },
  { name: 'operation name not in the document', query: 'query A { __typename }', operationName: 'B', expect: ['BAD_USER_INPUT/OPERATION_NOT_FOUND'] },
  { name: 'several operations, none named', query: 'query A { __typename } query B { __typename }', expect: ['BAD_USER_INPUT/OPERATION_NOT_FOUND'] },
  { name: 'too deep', query: `{ ${'pods { edges { node { node { '.repeat(5)} name ${'} } } } '.repeat(5)} }`, expect: ['QUERY_TOO_COMPLEX/DEPTH_LIMIT'] },
  { name: 'too many aliases', query: `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: clusters { totalCount }`).join(' ')} }`, expect: ['QUERY_TOO_COMPLEX/ALIAS_LIMIT'] },
  { name: 'too many __typename aliases', query: `{ ${Array.from({ length: 31 }, (_, i) => `t${i}: __typename`).join(' ')} }`, expect: ['QUERY_TOO_COMPLEX/ALIAS_LIMIT'] },
  { name: 'too many directives', query: `{ ${Array.from({ length: 51 }, () => '__typename @skip(if: false)').join(' ')} }`, expect: ['QUERY_TOO_COMPLEX/DIRECTIVE_LIMIT'] },
  { name: 'too costly through variables', query: PAGED, variables: { c: 5000, p: 5000 }, expect: ['QUERY_TOO_COMPLEX/COST_LIMIT'] },
  { name: 'too many tokens', query: `{ ${'__typename '.repeat(16_000)}}`, expect: ['QUERY_TOO_COMPLEX/TOO_MANY_TOKENS'] },
  { name: 'document over the byte limit', query: `# ${'x'.repeat(300 * 1024)}\n{ __typename }`, expect: ['QUERY_TOO_COMPLEX/DOCUMENT_TOO_LARGE'] },
  { name: 'variables nested 100,000 deep', query: 'query($n: Int) { clusters(first: $n) { totalCount } }', rawVariables: `{"n":${deep(100_000)}}`, expect: ['BAD_USER_INPUT/BAD_VARIABLES'] },
  { name: 'variables nested 40 deep', query: 'query($n: Int) { clusters(first: $n) { totalCount } }', rawVariables: `{"n":${deep(40)}}`, expect: ['BAD_USER_INPUT/BAD_VARIABLES'] },
  { name: 'resolver refusal of an argument', query: '{ clusters(first: -1) { totalCount } }', expect: ['BAD_USER_INPUT/-'] },
  // Apollo refuses this one over HTTP before the core sees it, in its own words: same code and reason.
  { name: 'empty document', query: '', expect: ['BAD_USER_INPUT/MALFORMED_REQUEST'], ownMessages: true },
];

function bodyOf(row: Row): string {
  const variables = row.rawVariables ?? JSON.stringify(row.variables ?? null);
  return `{"query":${JSON.stringify(row.query)},"variables":${variables}${row.operationName ? `,"operationName":${JSON.stringify(row.operationName)}` : ''}}`;
}

const codesOf = (errors: Array<{ extensions?: Record<string, any> }> | undefined) =>
  (errors ?? []).map((e) => `${e.extensions?.code}/${e.extensions?.reason ?? '-'}`).sort();

describe('one request core: the same bad input gives the same errors over HTTP and WebSocket', () => {
  it('has at least 20 kinds of bad input', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(20);
  });

  for (const [i, row] of ROWS.entries()) {
    it(row.name, async () => {
      const res = await fetch(fx.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodyOf(row) });
      const http = (await res.json()) as { errors?: Array<{ message: string; extensions?: Record<string, any> }> };
      expect(res.status).toBeLessThan(500);
      const over = await ws.run(`row-${i}`, { raw: bodyOf(row) });
      const wsErrors = over.error ?? over.next.flatMap((n) => n.errors ?? []);
      expect(codesOf(http.errors)).toEqual(row.expect);
      expect(codesOf(wsErrors)).toEqual(row.expect);
      // Same messages too (one formatter, one pipeline).
      if (!row.ownMessages) expect(wsErrors.map((e) => e.message).sort()).toEqual((http.errors ?? []).map((e) => e.message).sort());
      expect(ws.closeCode).toBeUndefined();
    }, 30_000);
  }

  it('answers a valid query the same way on both', async () => {
    const q = '{ clusters { totalCount edges { node { name } } } }';
    const http = await fx.query(q);
    const over = await ws.run('valid', { query: q });
    expect(http.status).toBe(200);
    expect(over.next).toEqual([http.body]);
  });
});
