/**
 * Apollo plugin counting every GraphQL request over HTTP by operation name into the audit log's request
 * statistics (seed 000 §5 api_statistics: count, errors, duration). Operations over graphql-ws are counted
 * by the WebSocket adapter through the same `startRequestCount`. Counting is an in-memory update per
 * request; the audit log folds the counts into SQLite on a short timer and before every read of them.
 */
import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse, GraphQLRequestListener } from '@apollo/server';
import type { AuditLog } from './AuditLog.js';
import { operationNameOf, startRequestCount, type RequestCount } from './requestStatistics.js';

/** One HTTP request's listener: the count it started, finished once Apollo answers. */
class CountingListener<TContext extends object> implements GraphQLRequestListener<TContext> {
  constructor(private readonly count: RequestCount) {}

  async willSendResponse({ request, response, operationName, document, errors }: GraphQLRequestContextWillSendResponse<TContext>): Promise<void> {
    const failed = Boolean(errors?.length) || (response.body.kind === 'single' && Boolean(response.body.singleResult.errors?.length));
    // Apollo names the operation once it validated; a refused one is named from what the client sent.
    this.count.finish(operationName ?? operationNameOf(document, request.operationName), failed);
  }
}

export function auditRequestPlugin<TContext extends object>(audit: AuditLog): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return new CountingListener<TContext>(startRequestCount(audit, 'HTTP'));
    },
  };
}
