/**
 * Apollo plugin counting every GraphQL request by operation name into the audit log's request statistics
 * (seed 000 §5 api_statistics: count, errors, duration). Counting is an in-memory update per request; the
 * audit log folds the counts into SQLite with its next batch.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { AuditLog } from './AuditLog.js';

export function auditRequestPlugin<TContext extends object>(audit: AuditLog): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ request, response, operationName, errors }) {
          const single = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const failed = Boolean(errors?.length) || Boolean(single?.errors?.length);
          const name = operationName ?? request.operationName ?? 'anonymous';
          audit.recordRequest(name, performance.now() - started, failed);
        },
      };
    },
  };
}
