/**
 * `--execution differential`: every query runs on graphql-js AND on its compiled plan (graphql-jit), and the
 * two answers, as they would leave the gateway (errors formatted, member errors appended), are compared. The
 * interpreted answer is the one sent. Meant for tests and for trying compiled execution against a real fleet:
 * it doubles what a query costs.
 *
 * The compiled run gets its own copy of the context with its own partial-error collector (else the member
 * errors of one run would show in the other's answer); the loaders and the authorization decisions are shared,
 * so both runs read the same snapshot of what they fetched. A fleet read from informers can still change
 * between the two runs: a mismatch is re-run once, both ways, and only a mismatch that persists counts.
 */
import type { ExecutionResult } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { PartialErrors } from '../graphql/partialErrors.js';

/** One query, runnable both ways with a given context (member errors appended). */
export interface DifferentialQuery {
  context: GraphQLContext;
  interpreted(context: GraphQLContext): Promise<ExecutionResult>;
  compiled(context: GraphQLContext): Promise<ExecutionResult>;
  /** The answer as it leaves the gateway, as text to compare (formatted errors, no logging, no metrics). */
  canonical(result: ExecutionResult): string;
}

/** What a persistent mismatch reports: the last pair of answers compared. */
export interface Mismatch {
  interpreted: string;
  compiled: string;
}

/** A copy of the context for one more run: its own member-error collector, the rest shared. */
function contextFor(context: GraphQLContext): GraphQLContext {
  return { ...context, partial: new PartialErrors() };
}

/**
 * Runs the query both ways and returns the interpreted answer; `onMismatch` is told when the two answers
 * differ on the first run and again on the re-run.
 */
export async function runDifferential(query: DifferentialQuery, onMismatch: (mismatch: Mismatch) => void): Promise<ExecutionResult> {
  const answer = await query.interpreted(query.context);
  let interpreted = '';
  try {
    interpreted = query.canonical(answer);
    const compiled = query.canonical(await query.compiled(contextFor(query.context)));
    if (interpreted === compiled) return answer;
    // Data may have changed between the two runs (an informer event): once more, both ways, back to back.
    const again = query.canonical(await query.interpreted(contextFor(query.context)));
    const compiledAgain = query.canonical(await query.compiled(contextFor(query.context)));
    if (again !== compiledAgain) onMismatch({ interpreted: again, compiled: compiledAgain });
  } catch (error) {
    // The comparison itself failed (an answer that cannot be formatted): a difference too, never the client's problem.
    onMismatch({ interpreted, compiled: `the comparison threw: ${error instanceof Error ? error.stack ?? error.message : String(error)}` });
  }
  return answer;
}
