/**
 * Stage 2 of the request core: the parsed document against the schema, with graphql-js's specified rules
 * and every limit (depth, aliases, directives; introspection when it is switched off). A limit's error
 * already carries QUERY_TOO_COMPLEX and its Reason (limits.ts); every other validation error is the
 * client's document not fitting the schema: BAD_USER_INPUT, VALIDATION_FAILED.
 */
import {
  GraphQLError, Kind, NoSchemaIntrospectionCustomRule, SingleFieldSubscriptionsRule, specifiedRules, validate,
  type ASTVisitor, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode,
  type SelectionSetNode, type ValidationContext, type ValidationRule,
} from 'graphql';
import { ErrorCode, Reason } from '../errors/codes.js';
import { requestError } from '../graphql/errors.js';
import { limitRules, type QueryLimits } from './limits.js';

/** Validation errors reported per document at most (graphql-js's own default is 100). */
const MAX_VALIDATION_ERRORS = 50;

/**
 * The rules in two passes: graphql-js's own first, then the limits, which assume a valid document (the
 * armor rules read directive arguments as valid values and throw on `@include(if: "x")`), as Apollo's
 * `laterValidationRules` do.
 */
export interface ValidationPasses {
  specified: readonly ValidationRule[];
  limits: readonly ValidationRule[];
}

export function validationRules(limits: QueryLimits, introspection: boolean): ValidationPasses {
  const specified = specifiedRules.map((rule) => (rule === SingleFieldSubscriptionsRule ? singleFieldSubscriptionsRule : rule));
  return { specified: [...specified, ...(introspection ? [] : [NoSchemaIntrospectionCustomRule])], limits: limitRules(limits) };
}

/** The response names a selection set selects at its root, directives ignored, fragments followed. */
function rootResponseNames(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, names: Set<string>, seen: Set<string>): void {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) names.add((s.alias ?? s.name).value);
    else if (s.kind === Kind.INLINE_FRAGMENT) rootResponseNames(s.selectionSet, fragments, names, seen);
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      const f = fragments.get(s.name.value);
      if (f) rootResponseNames(f.selectionSet, fragments, names, seen);
    }
  }
}

/**
 * graphql-js 16's SingleFieldSubscriptionsRule evaluates `@skip`/`@include` with no variables: a directive
 * whose `if` is a variable of type `Boolean!`, or a literal of the wrong type, makes it THROW out of
 * validation (the issue's HTTP 500 and WebSocket 4500). When it throws, the same rule is applied without
 * evaluating directives (at most one root response name); the literal's own error is ValuesOfCorrectType's.
 */
const singleFieldSubscriptionsRule: ValidationRule = (context: ValidationContext): ASTVisitor => {
  const inner = SingleFieldSubscriptionsRule(context) as { OperationDefinition?: (node: OperationDefinitionNode) => unknown };
  return {
    OperationDefinition(node) {
      if (node.operation !== 'subscription') return;
      try {
        inner.OperationDefinition?.(node);
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        const fragments = new Map<string, FragmentDefinitionNode>();
        for (const d of context.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
        const names = new Set<string>();
        rootResponseNames(node.selectionSet, fragments, names, new Set());
        if (names.size > 1) {
          context.reportError(new GraphQLError(`${node.name ? `Subscription "${node.name.value}"` : 'Anonymous Subscription'} must select only one top level field.`, { nodes: node }));
        }
      }
    },
  };
};

export function validateDocument(schema: GraphQLSchema, document: DocumentNode, rules: ValidationPasses): readonly GraphQLError[] {
  let errors: readonly GraphQLError[];
  try {
    errors = validate(schema, document, rules.specified, { maxErrors: MAX_VALIDATION_ERRORS });
    if (errors.length === 0) errors = validate(schema, document, rules.limits, { maxErrors: MAX_VALIDATION_ERRORS });
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
