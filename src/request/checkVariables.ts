/**
 * Stage 3 of the request core: the request's variables against the operation's definitions, before anything
 * runs. graphql-js coerces them again at execution, but it reports a failure only as an error without a
 * code (and a value nested deep enough overflows its recursive coercion with a RangeError): here the same
 * coercion gives BAD_USER_INPUT, BAD_VARIABLES on both transports, and depth is bounded first.
 */
import {
  getVariableValues, GraphQLError, type GraphQLSchema, type OperationDefinitionNode,
} from 'graphql';
import { ErrorCode, Reason } from '../errors/codes.js';
import { requestError } from '../graphql/errors.js';

/** Deepest nesting of lists and objects accepted in variables (the schema's deepest input is far less). */
export const MAX_VARIABLE_DEPTH = 32;

/** Errors reported per request at most. */
const MAX_VARIABLE_ERRORS = 25;

/** Whether `value` nests lists/objects deeper than `max`; iterative, so no value can overflow the stack here. */
function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** `variables` as the request gave them: absent, or a JSON object. */
export function isVariablesObject(variables: unknown): variables is Record<string, unknown> | null | undefined {
  return variables == null || (typeof variables === 'object' && !Array.isArray(variables));
}

export function checkVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
): readonly GraphQLError[] | undefined {
  const definitions = operation.variableDefinitions ?? [];
  if (definitions.length === 0) return undefined; // extra variables are ignored, as graphql-js does
  if (variables && nestsDeeperThan(variables, MAX_VARIABLE_DEPTH + 1)) {
    return [requestError(ErrorCode.BAD_USER_INPUT, Reason.BAD_VARIABLES, `variables nest deeper than ${MAX_VARIABLE_DEPTH} levels`)];
  }
  const coerced = getVariableValues(schema, definitions, variables ?? {}, { maxErrors: MAX_VARIABLE_ERRORS });
  if (!coerced.errors) return undefined;
  return coerced.errors.map((e) => new GraphQLError(e.message, {
    nodes: e.nodes, source: e.source, positions: e.positions,
    extensions: { code: ErrorCode.BAD_USER_INPUT, reason: Reason.BAD_VARIABLES },
  }));
}
