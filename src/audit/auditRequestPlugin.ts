/**
 * Apollo plugin counting every GraphQL request over HTTP by operation name into the audit log's request
 * statistics (seed 000 §5 api_statistics: count, errors, duration). Operations over graphql-ws are counted
 * by the WebSocket adapter through the same `startRequestCount`. Counting is an in-memory update per
 * request; the audit log folds the counts into SQLite on a short timer and before every read of them.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { AuditLog } from './AuditLog.js';
import { operationNameOf, startRequestCount } from './requestStatistics.js';

export function auditRequestPlugin<TContext extends object>(audit: AuditLog): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const count = startRequestCount(audit, 'HTTP');
      return {
        async willSendResponse({ request, response, operationName, document, errors }) {
          const single = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const failed = Boolean(errors?.length) || Boolean(single?.errors?.length);
          // Apollo names the operation once it validated; a refused one is named from what the client sent.
          count.finish(operationName ?? operationNameOf(document, request.operationName), failed);
        },
      };
    },
  };
}
