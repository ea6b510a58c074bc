/**
 * `--execution differential` for the gateways the shared fixtures start (gatewayFixture.ts,
 * operationsFixture.ts): every query a test file sends runs both compiled (graphql-jit) and interpreted
 * (graphql-js), and the fixture's stop fails when any answered differently. "Every document of the test
 * suite" is compared this way; a file that sets `--execution` itself keeps its own.
 * FLEETGRAPH_TEST_EXECUTION=compiled|interpreted runs the fixtures' gateways in that mode instead (the default
 * `compiled` answers, as users get them, rather than graphql-js's).
 */
import type { Gateway } from '../../src/server/startGateway.js';

/** The gateway's args with `--execution differential` unless they choose an execution mode themselves. */
export function withDifferentialExecution(args: readonly string[]): string[] {
  return args.includes('--execution') ? [...args] : [...args, '--execution', process.env.FLEETGRAPH_TEST_EXECUTION || 'differential'];
}

/** The gateway's execution counters, read from its metrics. */
export async function executionCounts(gateway: Gateway): Promise<{ mismatches: number; compiled: number; interpreted: number }> {
  const text = await gateway.metricsText();
  const read = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    mismatches: read(/^fleetgraph_execution_mismatches_total (\d+)/m),
    compiled: read(/^fleetgraph_graphql_executions_total\{engine="compiled"\} (\d+)/m),
    interpreted: read(/^fleetgraph_graphql_executions_total\{engine="interpreted"\} (\d+)/m),
  };
}

/** Throws when the gateway answered any query differently compiled and interpreted (its log says which). */
export async function expectNoExecutionMismatch(gateway: Gateway): Promise<void> {
  const { mismatches } = await executionCounts(gateway);
  if (mismatches > 0) {
    throw new Error(`${mismatches} quer${mismatches === 1 ? 'y' : 'ies'} answered differently compiled (graphql-jit) and interpreted (graphql-js): see the gateway's "compiled execution answered differently" log lines`);
  }
}
