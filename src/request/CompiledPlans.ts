/**
 * Compiled execution plans (graphql-jit) of repeated documents, by document and operation name, least
 * recently used first out. graphql-js walks the document and looks up every field's type and resolver anew
 * on each execution; graphql-jit does that walk once and turns the operation into a JavaScript function, so
 * a document sent again and again (most traffic: a dashboard's few queries) costs only its resolvers.
 *
 * Compiling costs far more than one interpreted execution (it generates and evaluates code), so a document is
 * compiled only once it has been seen `compileAfter` times (a one-off document never is), and only the
 * operations that may run compiled are: queries. Mutations stay on graphql-js: they are rare, their cost is
 * the Operation they write rather than the walk, and they cannot be checked by running them twice (see
 * differentialExecution.ts); subscriptions have their own path (sharedExecution.ts).
 *
 * What graphql-jit refuses to compile (it returns errors, or throws) is remembered as such, so that the
 * document runs on graphql-js without being compiled again on every request.
 *
 * Keyed by the DocumentNode itself: the request core hands out one node per document text (DocumentCache.ts),
 * so a document's plans live as long as that node is cached and sent; one the document cache has dropped
 * gets a new node, and the old plans age out of this bounded map.
 */
import {
  BREAK, getNamedType, GraphQLEnumType, GraphQLError, isObjectType, isSpecifiedScalarType, TypeInfo, visit, visitWithTypeInfo,
  type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode, type SourceLocation,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { SERIALIZED_LEAVES } from '../graphql/serializedLeaves.js';

/** How queries are executed (`--execution`). */
export type ExecutionMode = 'compiled' | 'interpreted' | 'differential';

export const EXECUTION_MODES: readonly ExecutionMode[] = ['compiled', 'interpreted', 'differential'];

export interface CompiledPlansOptions {
  /** Documents whose plans (or sightings) are kept. @default 500 (the document cache's default) */
  maxEntries?: number;
  /**
   * Characters of the text of compiled documents kept, summed: a plan's generated code grows with its
   * document, so repeated large documents are bounded by their size, as in the document cache. @default 262144
   */
  maxChars?: number;
  /** Sightings of a document before it is compiled; 1 compiles on first sight. @default 2 */
  compileAfter?: number;
  /** Told of each document and operation that could not be compiled (runs on graphql-js). @default nothing */
  onFallback?: (operationName: string | undefined, reason: string) => void;
}

/** A plan that could not be made: the operation runs on graphql-js. */
const FALLBACK = Symbol('fallback');

type Plan = CompiledQuery | typeof FALLBACK;

interface Entry {
  seen: number;
  /** The document's text length once it has plans (what it weighs against maxChars), else 0. */
  chars: number;
  /** Plans by operation name ('' for the document's only operation), made once the document is repeated. */
  plans?: Map<string, Plan>;
}

export class CompiledPlans {
  /** A Map iterates in insertion order: re-inserting on every hit keeps the least recently used first. */
  private readonly byDocument = new Map<DocumentNode, Entry>();
  private readonly maxEntries: number;
  private readonly maxChars: number;
  private chars = 0;
  private readonly compileAfter: number;
  private readonly onFallback: CompiledPlansOptions['onFallback'];
  /** Plans that could not be made, counted (tests, diagnostics). */
  fallbacks = 0;

  constructor(private readonly schema: GraphQLSchema, options: CompiledPlansOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 500);
    this.maxChars = options.maxChars ?? 256 * 1024;
    this.compileAfter = Math.max(1, options.compileAfter ?? 2);
    this.onFallback = options.onFallback;
  }

  /**
   * The compiled plan of this operation of `document`, or undefined: run it on graphql-js (a document not
   * repeated yet, an operation other than a query, or one graphql-jit could not compile).
   */
  planFor(document: DocumentNode, operation: OperationDefinitionNode, operationName: string | undefined): CompiledQuery | undefined {
    if (operation.operation !== 'query') return undefined;
    let entry = this.byDocument.get(document);
    if (entry) {
      this.byDocument.delete(document);
    } else {
      entry = { seen: 0, chars: 0 };
      if (this.byDocument.size >= this.maxEntries) this.evict(this.byDocument.keys().next().value!);
    }
    this.byDocument.set(document, entry);
    if (entry.seen < this.compileAfter) entry.seen++;
    if (entry.seen < this.compileAfter) return undefined;
    if (!entry.plans) {
      const chars = document.loc?.source.body.length ?? 0;
      if (chars > this.maxChars) return undefined; // larger than the whole bound: never compiled
      entry.chars = chars;
      this.chars += chars;
      for (const oldest of this.byDocument.keys()) {
        if (this.chars <= this.maxChars || oldest === document) break;
        // Only compiled documents weigh: a mere sighting stays.
        if (this.byDocument.get(oldest)!.chars > 0) this.evict(oldest);
      }
    }
    const key = operationName ?? '';
    const plans = (entry.plans ??= new Map());
    let plan = plans.get(key);
    if (plan === undefined) {
      plan = this.compile(document, operationName);
      plans.set(key, plan);
    }
    return plan === FALLBACK ? undefined : plan;
  }

  private evict(document: DocumentNode): void {
    this.chars -= this.byDocument.get(document)?.chars ?? 0;
    this.byDocument.delete(document);
  }

  private compile(document: DocumentNode, operationName: string | undefined): Plan {
    try {
      const compiled = compileQuery(this.schema, document, operationName, {
        // Errors graphql-jit makes itself (a null in a non-null field) need no stack: they are answered, not logged
        // with their trace; a resolver's own error keeps its stack.
        disablingCapturingStackErrors: true,
        // Only where it changes nothing: every leaf the document selects already holds its serialized value.
        disableLeafSerialization: selectsOnlySerializedLeaves(this.schema, document),
      });
      if (isCompiledQuery(compiled)) return compiled;
      return this.fallBack(operationName, compiled.errors?.map((e) => e.message).join('; ') ?? 'not compiled');
    } catch (error) {
      return this.fallBack(operationName, error instanceof Error ? error.message : String(error));
    }
  }

  private fallBack(operationName: string | undefined, reason: string): Plan {
    this.fallbacks++;
    this.onFallback?.(operationName, reason);
    return FALLBACK;
  }

  /** Documents tracked (sighted or compiled). */
  get size(): number {
    return this.byDocument.size;
  }
}

/**
 * Whether every leaf field of a built-in scalar or enum type that `document` selects (in any of its operations
 * and fragments) is one whose values are serialized already (src/graphql/serializedLeaves.ts), on an object
 * type: then skipping graphql-jit's leaf serialization answers the same. `__typename` is never serialized;
 * custom scalars are serialized either way.
 */
export function selectsOnlySerializedLeaves(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let only = true;
  visit(document, visitWithTypeInfo(typeInfo, {
    Field() {
      const field = typeInfo.getFieldDef();
      const parent = typeInfo.getParentType();
      if (!field || !parent) {
        only = false;
        return BREAK;
      }
      if (field.name.startsWith('__')) return undefined;
      const type = getNamedType(field.type);
      if (!(type instanceof GraphQLEnumType) && !isSpecifiedScalarType(type)) return undefined;
      if (isObjectType(parent) && SERIALIZED_LEAVES.has(`${parent.name}.${field.name}`)) return undefined;
      only = false;
      return BREAK;
    },
  }));
  return only;
}

/**
 * A compiled plan's result as graphql-js gives it: `errors` first and only when there are some, and each error
 * a graphql-js GraphQLError. graphql-jit's own errors leave `extensions` undefined when the original error had
 * none, where graphql-js always has an object (the error formatter reads it); message, locations, path and
 * original error (with its stack, logged for an INTERNAL error) are kept.
 */
export function asInterpretedResult(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return { data: result.data };
  return { errors: result.errors.map(asGraphQLJsError), data: result.data };
}

function asGraphQLJsError(error: GraphQLError): GraphQLError {
  const out = new GraphQLError(error.message, {
    path: error.path, ...(error.originalError ? { originalError: error.originalError } : {}), ...(error.extensions ? { extensions: error.extensions } : {}),
  });
  // graphql-jit keeps the locations only (no AST nodes to compute them from); GraphQLError's are a plain field.
  if (error.locations) (out as { locations?: readonly SourceLocation[] }).locations = error.locations;
  return out;
}
