/**
 * What subscription resolvers need beyond the request context: the subscription engine and the
 * Operations store. The WebSocket adapter builds this context (HTTP never runs subscriptions), so these
 * fields live here rather than in GraphQLContext.
 */
import type { SubscriptionEngine } from '../../subscriptions/SubscriptionEngine.js';
import type { GraphQLContext } from '../context.js';
import { apiError, ErrorCode } from '../errors.js';

/** The part of the Operations store (src/operations/OperationStore) operationProgress reads. */
export interface OperationSource {
  /**
   * The Operation as this replica knows it (a plain, JSON-able record with `id` and `phase`); with shared
   * Operations, read from the control plane when this replica's watch has not brought it yet.
   */
  get(id: string): { id: string; phase: string } | undefined | Promise<{ id: string; phase: string } | undefined>;
  /** Every change of every Operation on this replica (`created` on its first state); returns the remover. */
  onChange(listener: (op: { id: string; phase: string }, created?: boolean) => void): () => void;
}

export interface SubscriptionServices {
  engine: SubscriptionEngine;
  /** Absent when the gateway runs without the Operations engine. */
  operations?: OperationSource;
  /** Queue capacity of a podLogs subscription (lines). @default 1000 */
  logQueueCapacity?: number;
  /**
   * How long operationProgress waits for the first move of an Operation this replica does not know (it may
   * run on another replica sharing the Redis hub) before answering NOT_FOUND, ms. @default 30000
   */
  remoteOperationWaitMs?: number;
}

export interface SubscriptionContext extends GraphQLContext {
  subscriptions: SubscriptionServices;
  /** Key under which payloads are shared: same query, variables and identity scope (set by the adapter). */
  shareKey?: string;
}

export function servicesOf(ctx: GraphQLContext): SubscriptionServices {
  const s = (ctx as Partial<SubscriptionContext>).subscriptions;
  if (!s) throw apiError(ErrorCode.INTERNAL, 'subscriptions are served over graphql-ws only');
  return s;
}
