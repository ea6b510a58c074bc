/**
 * Stage 2 of the request core: the parsed document against the schema, with graphql-js's specified rules
 * and every limit (depth, aliases, directives; introspection when it is switched off). A limit's error
 * already carries QUERY_TOO_COMPLEX and its Reason (limits.ts); every other validation error is the
 * client's document not fitting the schema: BAD_USER_INPUT, VALIDATION_FAILED.
 */
import {
  GraphQLError, NoSchemaIntrospectionCustomRule, specifiedRules, validate,
  type DocumentNode, type GraphQLSchema, type ValidationRule,
} from 'graphql';
import { ErrorCode, Reason } from '../errors/codes.js';
import { requestError } from '../graphql/errors.js';
import { limitRules, type QueryLimits } from './limits.js';

/** Validation errors reported per document at most (graphql-js's own default is 100). */
const MAX_VALIDATION_ERRORS = 50;

export function validationRules(limits: QueryLimits, introspection: boolean): ValidationRule[] {
  return [...specifiedRules, ...limitRules(limits), ...(introspection ? [] : [NoSchemaIntrospectionCustomRule])];
}

export function validateDocument(schema: GraphQLSchema, document: DocumentNode, rules: readonly ValidationRule[]): readonly GraphQLError[] {
  let errors: readonly GraphQLError[];
  try {
    errors = validate(schema, document, rules, { maxErrors: MAX_VALIDATION_ERRORS });
  } catch (error) {
    // Some rules recurse per nesting level (fragment cycles, depth): a document that exhausts the stack is
    // over the depth limit whatever the limit says.
    if (error instanceof RangeError) return [requestError(ErrorCode.QUERY_TOO_COMPLEX, Reason.DEPTH_LIMIT, 'document nested too deeply to validate')];
    throw error;
  }
  if (errors.length === 0) return errors;
  return errors.map((e) => (typeof e.extensions.code === 'string'
    ? e
    : new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, extensions: { code: ErrorCode.BAD_USER_INPUT, reason: Reason.VALIDATION_FAILED } })));
}
