/**
 * The gateway's ONE executable schema: schema/*.graphql with every resolver. Built once per gateway and handed
 * to the request core, which both transports reach (Apollo Server for HTTP, graphql-ws for WebSocket), so
 * that one document always meets the same types, resolvers and validation on either.
 */
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { resolvers } from '../graphql/resolvers/index.js';
import { loadTypeDefs } from '../graphql/typeDefs.js';

export function buildGatewaySchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as never });
}
