/**
 * Per-request collector of member failures that do not null a field. A fleet-wide list (`pods`, `nodes`,
 * `fleet`) answers with the members that responded; the members that did not are reported here, once
 * per (code, cluster), and added to the response's `errors` so that clients know the answer is partial.
 */
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { ClusterError } from '../fleet/types.js';
import { clusterFailure } from './errors.js';

export class PartialErrors {
  /** Made on the first failure: most requests have none, and this object is built for every request. */
  private byKey: Map<string, GraphQLError> | undefined;

  /** Records a member failure; `path` is the response path of the field that still answered. */
  add(error: ClusterError, path?: ReadonlyArray<string | number>): void {
    const key = `${error.code}\u0000${error.cluster}`;
    this.byKey ??= new Map();
    if (this.byKey.has(key)) return;
    const gql = clusterFailure(error);
    this.byKey.set(key, path ? new GraphQLError(gql.message, { path, extensions: gql.extensions }) : gql);
  }

  get size(): number {
    return this.byKey?.size ?? 0;
  }

  list(): GraphQLError[] {
    return this.byKey ? [...this.byKey.values()] : [];
  }
}

/**
 * The result with the member failures of its execution appended to `errors`. Apollo's plugin does this for
 * HTTP; graphql-ws executions (one-shot operations and each subscription payload) go through here.
 */
export function withPartialErrors(result: ExecutionResult, partial: PartialErrors): ExecutionResult {
  if (partial.size === 0) return result;
  return { ...result, errors: [...(result.errors ?? []), ...partial.list()] };
}
