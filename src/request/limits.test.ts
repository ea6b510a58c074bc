import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { buildSchema, getOperationAST, GraphQLError, parse, validate, type ValidationRule } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CostLimitCache, DEFAULT_LIMITS, LIMIT_PREFIX, queryCost, queryCostError } from './limits.js';

const schema = buildSchema(`
  type Query { clusters(first: Int): ClusterConnection! fleet: Fleet! }
  type Fleet { total: Int! }
  type ClusterConnection { totalCount: Int! edges: [ClusterEdge!]! }
  type ClusterEdge { node: Cluster! }
  type Cluster { name: String! pods(first: Int = 7): PodConnection! }
  type PodConnection { edges: [PodEdge!]! }
  type PodEdge { node: Pod! }
  type Pod { name: String! }
`);

function cost(query: string, variables?: Record<string, unknown>, operationName?: string): number | undefined {
  const document = parse(query);
  return queryCost(schema, document, getOperationAST(document, operationName)!, variables);
}

/** What graphql-armor's validation rule (the former cost check) computes for a literal document. */
function armorCost(query: string): number {
  let found = 0;
  const rule = costLimitRule({ maxCost: 0, propagateOnRejection: false, onReject: [(_c: unknown, e: GraphQLError) => { found = Number(/found (\d+(?:\.\d+)?)/.exec(e.message)?.[1]); }] });
  validate(schema, parse(query), [rule as unknown as ValidationRule]);
  return found;
}

describe('queryCost', () => {
  it('weighs objects 2, scalars 1, children ×1.5 per level, a paged field × its first', () => {
    expect(cost('{ fleet { total } }')).toBe(2 + 1.5 * 1);
    // clusters: (2 + 1.5 × edges) × 3; edges: 2 + 1.5 × node; node: 2 + 1.5 × name(1)
    expect(cost('{ clusters(first: 3) { edges { node { name } } } }')).toBe((2 + 1.5 * (2 + 1.5 * (2 + 1.5))) * 3);
  });

  it('matches graphql-armor\'s former rule for literal pages', () => {
    const q = '{ clusters(first: 40) { totalCount edges { node { name pods(first: 500) { edges { node { name } } } } } } }';
    expect(cost(q)).toBe(armorCost(q));
  });

  it('reads page sizes from the variables as from literals', () => {
    const literal = '{ clusters(first: 40) { edges { node { pods(first: 500) { edges { node { name } } } } } } }';
    const variables = 'query($c: Int, $p: Int) { clusters(first: $c) { edges { node { pods(first: $p) { edges { node { name } } } } } } }';
    expect(cost(variables, { c: 40, p: 500 })).toBe(cost(literal));
    // A variable's own default applies when the request leaves it out.
    expect(cost('query($c: Int = 40) { clusters(first: $c) { totalCount } }', {})).toBe(cost('{ clusters(first: 40) { totalCount } }'));
  });

  it('counts an absent first as the resolvers\' default page (100), or the schema default when declared', () => {
    expect(cost('{ clusters { edges { node { name } } } }')).toBe(cost('{ clusters(first: 100) { edges { node { name } } } }'));
    expect(cost('{ clusters(first: 1) { edges { node { pods { edges { node { name } } } } } } }'))
      .toBe(cost('{ clusters(first: 1) { edges { node { pods(first: 7) { edges { node { name } } } } } } }'));
    // A page of 0 (or a null variable) still costs at least one item, never zero.
    expect(cost('{ clusters(first: 0) { edges { node { name } } } }')).toBe(cost('{ clusters(first: 1) { edges { node { name } } } }'));
  });

  it('does not multiply a page whose items are not selected (its size changes nothing)', () => {
    expect(cost('{ clusters(first: 5000) { totalCount } }')).toBe(2 + 1.5 * 1);
    expect(cost('{ clusters { totalCount } }')).toBe(2 + 1.5 * 1);
    // A fragment may select the items, so it counts as if it did.
    expect(cost('{ clusters(first: 3) { ... on ClusterConnection { totalCount } } }')).toBe(cost('{ clusters(first: 1) { ... on ClusterConnection { totalCount } } }')! * 3);
  });

  it('counts only the operation that runs', () => {
    const doc = 'query Small { fleet { total } } query Big { clusters(first: 5000) { edges { node { name } } } }';
    expect(cost(doc, {}, 'Small')).toBe(cost('{ fleet { total } }'));
    expect(cost(doc, {}, 'Big')).toBe(cost('{ clusters(first: 5000) { edges { node { name } } } }'));
  });

  it('counts a document whose fragments multiply past the node cap as over any cost', () => {
    // Each fragment spreads the previous one twice: 2^20 selections to weigh from a few hundred bytes.
    const frags = Array.from({ length: 20 }, (_, i) => `fragment F${i + 1} on Cluster { ...F${i} a${i}: name ...F${i} }`).join('\n');
    const q = `{ clusters(first: 1) { edges { node { ...F20 } } } }\nfragment F0 on Cluster { name }\n${frags}`;
    expect(cost(q)).toBe(Number.POSITIVE_INFINITY);
    const document = parse(q);
    expect(queryCostError(schema, document, getOperationAST(document)!, {})?.message).toContain('too costly');
  });

  it('gives up (undefined) when the variables do not coerce, leaving that error to execution', () => {
    expect(cost('query($c: Int) { clusters(first: $c) { totalCount } }', { c: 'many' })).toBeUndefined();
  });
});

describe('queryCostError', () => {
  const q = 'query($c: Int) { clusters(first: $c) { edges { node { name } } } }';
  const limits = { ...DEFAULT_LIMITS, maxDepth: 16, maxAliases: 30, maxCost: 1000 };
  const check = (c: number) => {
    const document = parse(q);
    return queryCostError(schema, document, getOperationAST(document)!, { c }, limits);
  };

  it('accepts up to maxCost and refuses above it with the gateway\'s code and reason', () => {
    expect(check(10)).toBeUndefined();
    const error = check(1000);
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error!.message.startsWith(`${LIMIT_PREFIX}too costly (Query Cost limit of 1000 exceeded, found `)).toBe(true);
    expect(error!.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', reason: 'COST_LIMIT' });
  });
});

describe('CostLimitCache', () => {
  const limits = { ...DEFAULT_LIMITS, maxDepth: 16, maxAliases: 30, maxCost: 1000 };
  // One parsed document reused across requests, as Apollo's document store hands it out.
  const document = parse(`query($c: Int, $p: Int = 5, $name: String, $deep: Boolean!) {
    clusters(first: $c) { edges { node { name pods(first: $p) @include(if: $deep) { edges { node { name } } } } } }
    fleet { total }
  }`);
  const operation = getOperationAST(document)!;
  const direct = (variables: Record<string, unknown>) => queryCostError(schema, document, operation, variables, limits)?.message;

  it('answers as queryCostError does for every variable combination, seen before or not', () => {
    const cache = new CostLimitCache(limits);
    const cases: Array<Record<string, unknown>> = [
      { c: 2, deep: false },
      { c: 2, deep: false, name: 'other' }, // a variable the cost does not read: same key
      { c: 2, deep: true },
      { c: 2, deep: false, p: 50 }, // the pods are not selected: within the limit
      { c: 2, deep: true, p: 50 }, // over: the same pages, but @include now selects the pods
      { c: 2, deep: true, p: null }, // null is not absent: the resolvers' default page, not $p's default
      { c: 2, deep: true }, // absent again: $p's default (5)
      { c: 40, deep: false },
      { c: 400, deep: false }, // over
      { c: 2, deep: false }, // back within the limit, from the memory
    ];
    for (const variables of cases) {
      expect(cache.check(schema, document, operation, variables)?.message, JSON.stringify(variables)).toBe(direct(variables));
    }
    // Sanity: the cases above do reach both answers.
    expect(direct({ c: 2, deep: false, p: 50 })).toBeUndefined();
    expect(direct({ c: 2, deep: true, p: 50 })).toContain('too costly');
    expect(direct({ c: 2, deep: true, p: null })).toContain('too costly');
    expect(direct({ c: 2, deep: true })).toBeUndefined();
  });

  it('never remembers a refusal: over the limit with a variable that does not coerce is left to execution', () => {
    const cache = new CostLimitCache(limits);
    expect(cache.check(schema, document, operation, { c: 400, deep: false })?.message).toContain('too costly');
    // Same cost variables, but $name is not a String: queryCostError gives up, so must the cache.
    expect(direct({ c: 400, deep: false, name: 42 })).toBeUndefined();
    expect(cache.check(schema, document, operation, { c: 400, deep: false, name: 42 })).toBeUndefined();
  });

  it('keys by the operation: another parse of the same text is weighed on its own', () => {
    const cache = new CostLimitCache(limits);
    expect(cache.check(schema, document, operation, { c: 2, deep: false })).toBeUndefined();
    const again = parse('query($c: Int) { clusters(first: $c) { edges { node { name } } } }');
    expect(cache.check(schema, again, getOperationAST(again)!, { c: 400 })?.message).toContain('too costly');
  });

  it('reads page sizes given through fragments', () => {
    const cache = new CostLimitCache(limits);
    const doc = parse('query($c: Int) { ...Page } fragment Page on Query { clusters(first: $c) { edges { node { name } } } }');
    const op = getOperationAST(doc)!;
    expect(cache.check(schema, doc, op, { c: 2 })).toBeUndefined();
    expect(cache.check(schema, doc, op, { c: 400 })?.message).toContain('too costly');
  });
});
