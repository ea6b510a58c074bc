/**
 * requestTarget: the gateway routes on the raw request target without a URL object where it can; wherever
 * it does, the path and query string must be exactly what the WHATWG URL parser gives.
 */
import { describe, expect, it } from 'vitest';
import { requestTarget } from './startGateway.js';

const parsed = (raw: string) => {
  const url = new URL(raw, 'http://gateway.invalid');
  return { pathname: url.pathname, search: url.search };
};

describe('requestTarget', () => {
  const targets = [
    '/graphql',
    '/graphql?',
    '/graphql?query=%7B%20fleet%20%7D&variables=%7B%7D',
    '/graphql?query={fleet{clusters{total}}}',
    '/healthz',
    '/readyz?verbose',
    '/metrics',
    '/graphiql/graphiql.min.css',
    '/',
    '/graphql/../healthz',
    '/./healthz',
    '/%67raphql',
    '//graphql',
    '/graph ql',
    '/graph"ql',
    '/graphql#frag',
    '/graphql?x=1#frag',
    '/graphql\\..\\healthz',
    '/grâphql',
    '/graphql?query="x"',
    "/graphql?query='x'",
    '/graphql?q=<é>',
    '/graphql?q=%22&r=a/b?c',
    'http://example.com/graphql?x=1',
    '*',
  ];
  it.each(targets)('splits %s as the URL parser does', (raw) => {
    expect(requestTarget(raw)).toEqual(parsed(raw));
  });

  it('takes a missing target as /', () => {
    expect(requestTarget(undefined)).toEqual({ pathname: '/', search: '' });
  });
});
