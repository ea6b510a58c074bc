/**
 * The `subscribe` used for subscription operations: graphql-js's own source stream creation
 * (createSourceEventStream, which runs the field's `subscribe` resolver), then, for each source item, an
 * execution of the selection that is SHARED: every subscriber that receives the same routed event with the
 * same query text, variables and identity scope gets the very same result object, computed once. With a
 * thousand dashboards on one query, an event costs one execution, not a thousand.
 *
 * Results are memoised on the routed event object (a WeakMap), so they live exactly as long as some
 * subscriber's queue still holds the event: no cache to size or expire.
 *
 * Each shared execution gets a fresh request context (its own DataLoaders and partial-error collector),
 * never the first subscriber's, so a result does not depend on who happened to pull it first.
 */
import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult, GraphQLError } from 'graphql';
import { PartialErrors, withPartialErrors } from '../partialErrors.js';
import type { SourceItem } from './sourceStreams.js';
import type { SubscriptionContext } from './subscriptionContext.js';

const memo = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

/** Executions run and results reused, since the process started (for /metrics, tests and benchmarks). */
export const sharedExecutionCounters = { executions: 0, reused: 0 };

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v;
}

/** Runs the selection against one source item with a fresh request context; member failures become errors. */
async function executeOnce(args: ExecutionArgs, item: SourceItem): Promise<ExecutionResult> {
  sharedExecutionCounters.executions++;
  const base = args.contextValue as SubscriptionContext;
  const contextValue: SubscriptionContext = { ...base, loaders: base.fleet.loaders(), partial: new PartialErrors() };
  return withPartialErrors(await execute({ ...args, rootValue: item, contextValue }), contextValue.partial);
}

/** graphql-ws `subscribe` option: source stream + shared per-event execution. */
export async function sharedSubscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source as ExecutionResult;
  const iterator = (source as AsyncIterable<SourceItem>)[Symbol.asyncIterator]();
  const shareKey = (args.contextValue as SubscriptionContext).shareKey;

  const resultFor = (item: SourceItem): Promise<ExecutionResult> => {
    if (!item.share || shareKey === undefined) return executeOnce(args, item);
    let byKey = memo.get(item.share);
    if (!byKey) memo.set(item.share, (byKey = new Map()));
    const key = `${shareKey}\u0000${item.variant}`;
    let result = byKey.get(key);
    if (!result) {
      result = executeOnce(args, item);
      byKey.set(key, result);
    } else sharedExecutionCounters.reused++;
    return result;
  };

  const mapped: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const r = await iterator.next();
      if (r.done) return { value: undefined, done: true };
      try {
        return { value: await resultFor(r.value), done: false };
      } catch (error) {
        // An execution that throws (not a field error: those are in `errors`) is reported on the stream.
        return { value: { errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))] }, done: false };
      }
    },
    async return() {
      await iterator.return?.();
      return { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}
