/**
 * Query limits. The document's size in bytes and tokens is checked before and while parsing
 * (parseDocument.ts). Depth, aliases and directives are GraphQL validation rules (they depend on the
 * document only). Cost is not: a page size passed as a variable (`pods(first: $n)`) multiplies the fan-out
 * as much as a literal one, and validation never sees variable values. So cost is computed once the
 * operation and its variables are known (by the request core, src/request/prepareRequest.ts, for both transports) by queryCostError, with graphql-query-complexity, which coerces the variables.
 * Every rejection is a GraphQLError carrying its code (QUERY_TOO_COMPLEX) and Reason in its extensions, set
 * where the limit is found: nothing downstream reads the message to classify it.
 */
import {
  getNamedType, GraphQLError, isLeafType, Kind, visit,
  type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode,
  type ValidationRule, type ValueNode,
} from 'graphql';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { ErrorCode, Reason } from '../errors/codes.js';
import { DEFAULT_PAGE_SIZE } from '../graphql/validation.js';

/** How every limit's message starts, for people reading it (never used to classify an error). */
export const LIMIT_PREFIX = 'Query too complex: ';

export interface QueryLimits {
  /**
   * Largest document text, UTF-8 bytes; a larger one is refused before parsing (parsing is linear in the
   * text but builds an AST several times its size). @default 262144 (256 KiB)
   */
  maxDocumentBytes: number;
  /** Most lexical tokens in a document; parsing stops at the first token over it. @default 15000 */
  maxTokens: number;
  /** Directives per document (`@include`/`@skip`, repeated or not). @default 50 */
  maxDirectives: number;
  /** Deepest selection allowed (fields, fragments flattened). @default 16 */
  maxDepth: number;
  /** Aliases per operation. @default 30 */
  maxAliases: number;
  /**
   * Cost: objects 2, scalars 1, times 1.5 per level, times `first` of a paged field whose `edges` are
   * selected (its variable value when it is a variable; DEFAULT_PAGE_SIZE when absent, as the resolvers
   * default), so nested pages multiply as their fan-out does. @default 250000
   */
  maxCost: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDocumentBytes: 256 * 1024, maxTokens: 15_000, maxDirectives: 50, maxDepth: 16, maxAliases: 30, maxCost: 250_000 };

export function limitRules(limits: QueryLimits = DEFAULT_LIMITS): ValidationRule[] {
  // Armor throws its own error out of validation unless told not to; we report ours instead so that the
  // message, code and reason are the gateway's, and validation continues like any other rule.
  const reject = (what: string, reason: Reason) => [
    (context: { reportError(e: GraphQLError): void } | null, error: GraphQLError) => {
      context?.reportError(new GraphQLError(`${LIMIT_PREFIX}${what} (${error.message.replace(/^Syntax Error: /, '')})`, {
        extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, reason },
      }));
    },
  ];
  return [
    maxDepthRule({ n: limits.maxDepth, exposeLimits: true, ignoreIntrospection: true, propagateOnRejection: false, onReject: reject('too deep', Reason.DEPTH_LIMIT) }) as unknown as ValidationRule,
    // Armor leaves `__typename` aliases out by default (allowList); each costs a field and an entry in the
    // answer like any other alias, so they count here.
    maxAliasesRule({ n: limits.maxAliases, allowList: [], exposeLimits: true, propagateOnRejection: false, onReject: reject('too many aliases', Reason.ALIAS_LIMIT) }) as unknown as ValidationRule,
    maxDirectivesRule(limits.maxDirectives),
  ];
}

/**
 * Directives in the whole document (operations and fragments, as written: a fragment spread twice counts
 * once). A document of `@skip(if: true)` repeated makes validation and execution walk them all, however few
 * fields they keep.
 */
function maxDirectivesRule(max: number): ValidationRule {
  return (context) => {
    let count = 0;
    return {
      Directive() {
        if (++count === max + 1) {
          context.reportError(new GraphQLError(`${LIMIT_PREFIX}too many directives (at most ${max})`, {
            extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, reason: Reason.DIRECTIVE_LIMIT },
          }));
        }
      },
    };
  };
}

/** Cost weights: graphql-armor's cost model (the one this gateway used as a validation rule). */
const OBJECT_COST = 2;
const SCALAR_COST = 1;
const DEPTH_FACTOR = 1.5;

/**
 * Whether a paged field's selection reaches its items: `edges`, or a fragment (which may select them).
 * A page asked only for `totalCount`/`pageInfo` costs the same whatever its size, so its size does not
 * multiply (armor multiplied it anyway; that only ever made such queries look costlier).
 */
function selectsItems(node: FieldNode): boolean {
  // `nodes` (KubernetesObjectConnection) is the edges' items without the edges: paged the same.
  return (node.selectionSet?.selections ?? []).some((s) => s.kind !== Kind.FIELD || s.name.value === 'edges' || s.name.value === 'nodes');
}

/**
 * One field's cost: its own weight plus its children's times DEPTH_FACTOR, all times its page size when it
 * is paged and its items are selected. `args` are coerced (variables substituted, schema defaults applied)
 * by graphql-query-complexity.
 */
const pagedFieldEstimator: ComplexityEstimator = ({ field, node, args, childComplexity }) => {
  const own = isLeafType(getNamedType(field.type)) ? SCALAR_COST : OBJECT_COST;
  let pages = 1;
  if (field.args.some((a) => a.name === 'first') && selectsItems(node)) {
    const first: unknown = args.first;
    // Out-of-range values are the resolvers' BAD_USER_INPUT to report; a page of 0 still costs one.
    pages = typeof first === 'number' && Number.isFinite(first) ? Math.max(first, 1) : DEFAULT_PAGE_SIZE;
  }
  return (own + DEPTH_FACTOR * childComplexity) * pages;
};

/** Selections weighed at most per operation (fragment spreads counted each time they are spread). */
const MAX_WEIGHED_NODES = 10_000;

/**
 * The cost of one operation of a validated document with the request's variables, or undefined when
 * the variables do not coerce (execution reports that as BAD_USER_INPUT before any resolver runs).
 */
export function queryCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | null | undefined): number | undefined {
  // Only the operation that runs (plus the fragments it may spread) counts, never its siblings.
  const query: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)],
  };
  try {
    return getComplexity({ schema, query, variables: variables ?? {}, estimators: [pagedFieldEstimator], maxQueryNodes: MAX_WEIGHED_NODES });
  } catch (e) {
    // The node cap stops the weighing itself from being the attack (fragments are re-walked where spread):
    // a document that big is over any cost.
    if (e instanceof GraphQLError && /maximum allowed number of nodes/.test(e.message)) return Number.POSITIVE_INFINITY;
    if (e instanceof GraphQLError) return undefined;
    throw e;
  }
}

/**
 * The cost check the request core runs once the operation and its variables are known: a GraphQLError
 * (code QUERY_TOO_COMPLEX, reason COST_LIMIT) when over limits.maxCost.
 */
export function queryCostError(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
  limits: QueryLimits = DEFAULT_LIMITS,
): GraphQLError | undefined {
  const cost = queryCost(schema, document, operation, variables);
  if (cost === undefined || cost <= limits.maxCost) return undefined;
  const found = Number.isFinite(cost) ? String(Math.ceil(cost)) : `more than ${MAX_WEIGHED_NODES} selections`;
  return new GraphQLError(`${LIMIT_PREFIX}too costly (Query Cost limit of ${limits.maxCost} exceeded, found ${found}.)`, {
    extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, reason: Reason.COST_LIMIT },
  });
}

/**
 * The names of the variables a cost can depend on: those given to a `first` argument (the page size the
 * estimator multiplies by) or to a directive (`@include(if: $x)` / `@skip` decide whether a selection is
 * weighed at all). Every other variable (filters, names) never changes the cost.
 */
function costVariables(document: DocumentNode, operation: OperationDefinitionNode): string[] {
  const names = new Set<string>();
  const addVariables = (value: ValueNode): void => {
    visit(value, { Variable: (v) => { names.add(v.name.value); } });
  };
  const collect = (node: OperationDefinitionNode | FragmentDefinitionNode): void => {
    visit(node, {
      Field(field) {
        for (const arg of field.arguments ?? []) if (arg.name.value === 'first') addVariables(arg.value);
      },
      Directive(directive) {
        for (const arg of directive.arguments ?? []) addVariables(arg.value);
      },
    });
  };
  collect(operation);
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) collect(d);
  return [...names].sort();
}

/** Cost keys remembered per operation before that operation's table starts over. */
const MAX_KEYS_PER_OPERATION = 64;

/**
 * queryCostError with a memory, for a transport that hands the same parsed document to every request
 * with the same text (the request core's DocumentCache does): the cost of an operation is a function of the
 * document and of the values of its cost variables only (see costVariables), so a request whose cost
 * variables equal an earlier one's that was within the limit is within it too, and skips the weighing.
 *
 * Only answers within the limit are remembered: an over-limit answer is recomputed every time, so that
 * a request whose other variables do not coerce still gets the same answer as without the memory
 * (no cost error; execution's BAD_USER_INPUT). Keyed weakly by the operation node: a document evicted
 * from the transport's cache takes its entries with it.
 */
export class CostLimitCache {
  private readonly byOperation = new WeakMap<OperationDefinitionNode, { variables: string[]; passed: Set<string> }>();

  constructor(private readonly limits: QueryLimits = DEFAULT_LIMITS) {}

  check(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown> | null | undefined,
  ): GraphQLError | undefined {
    let entry = this.byOperation.get(operation);
    if (!entry) {
      entry = { variables: costVariables(document, operation), passed: new Set() };
      this.byOperation.set(operation, entry);
    }
    const key = costKey(entry.variables, variables);
    if (entry.passed.has(key)) return undefined;
    const error = queryCostError(schema, document, operation, variables, this.limits);
    if (!error) {
      if (entry.passed.size >= MAX_KEYS_PER_OPERATION) entry.passed.clear();
      entry.passed.add(key);
    }
    return error;
  }
}

/** The values of the cost variables, an absent one told apart from null (its default applies). */
function costKey(names: string[], variables: Record<string, unknown> | null | undefined): string {
  if (names.length === 0) return '';
  let key = '';
  for (const n of names) {
    const given = variables != null && Object.prototype.hasOwnProperty.call(variables, n);
    // JSON.stringify gives undefined for an explicit undefined: kept apart from both absent and null.
    key += given ? `\u0000=${JSON.stringify(variables[n]) ?? 'undefined'}` : '\u0000-';
  }
  return key;
}
