/**
 * In-memory fixture for the request core's and the WebSocket adapter's unit tests (graphql-ws's test style):
 * a schema of a few fields, no simulator, no fleet behind it, and a logger whose lines the test can read.
 */
import { makeExecutableSchema } from '@graphql-tools/schema';
import { pino } from 'pino';
import type { Authenticator } from '../auth/AuthResult.js';
import type { Fleet } from '../fleet/types.js';
import { badUserInput } from '../graphql/errors.js';
import { DEFAULT_LIMITS, type QueryLimits } from './limits.js';
import { RequestCore } from './RequestCore.js';

export const TINY_SCHEMA = `
  type Query { hello(name: String = "world"): String, boom: String, refuse: String, page(first: Int): Page }
  type Page { edges: [String!]!, next(first: Int): Page }
  type Subscription { ticks(n: Int = 3): Int!, idle: Int! }
`;

export function tinySchema() {
  return makeExecutableSchema({
    typeDefs: TINY_SCHEMA,
    resolvers: {
      Query: {
        hello: (_: unknown, a: { name: string }) => `hello ${a.name}`,
        boom: () => { throw new Error('secret detail /etc/passwd'); },
        refuse: () => { throw badUserInput('refuse: not today', 'refuse'); },
        page: () => ({ edges: ['a'] }),
      },
      Page: { next: () => ({ edges: ['b'] }) },
      Subscription: {
        ticks: {
          subscribe: async function* (_: unknown, a: { n: number }) {
            for (let i = 1; i <= a.n; i++) yield { ticks: i };
          },
          resolve: (v: { ticks: number }) => v.ticks,
        },
        // Never yields; ends when the client completes it (its return() settles the pending next()).
        idle: {
          subscribe: () => {
            let end: ((r: IteratorResult<never>) => void) | undefined;
            const it: AsyncIterableIterator<never> = {
              next: () => new Promise((resolve) => { end = resolve; }),
              return: async () => { end?.({ value: undefined, done: true }); return { value: undefined, done: true }; },
              [Symbol.asyncIterator]: () => it,
            };
            return it;
          },
          resolve: () => 0,
        },
      },
    },
  });
}

/** A fleet that is never asked anything but fresh (empty) loaders: the tiny schema reads no cluster. */
const NO_FLEET = { loaders: () => ({}) } as unknown as Fleet;

export function tinyCore(limits: Partial<QueryLimits> = {}, authenticator?: Authenticator) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>); } });
  const core = new RequestCore({ schema: tinySchema(), fleet: NO_FLEET, logger, limits: { ...DEFAULT_LIMITS, ...limits }, ...(authenticator ? { authenticator } : {}) });
  return { core, logged: lines };
}
