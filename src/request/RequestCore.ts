/**
 * The request core: what a GraphQL request goes through whatever carried it, in one place (Apollo's
 * requestPipeline.ts and graphql-ws's makeServer are the models). The transports are thin adapters around
 * it: Apollo Server speaks GraphQL over HTTP (src/server/apolloServer.ts), graphql-ws the WebSocket protocol
 * (src/server/ws.ts); both hand the core the document text, operation name and variables, and get back
 * either a typed refusal or a prepared operation to execute through the core. Hence the same document and
 * variables give the same data, errors and codes on both.
 *
 * Stages, each in its own file: who is asking (authenticateCaller.ts), the caller's request budget
 * (src/ratelimit/, `admit`, before anything is read or parsed), the size and token limits and parsing (parseDocument.ts), validation with
 * every limit (validateDocument.ts, limits.ts), the cache of validated documents (DocumentCache.ts), the
 * operation and its transport, variables (checkVariables.ts), cost with the variables (limits.ts), the
 * context (src/graphql/context.ts), execution with partial member errors appended (src/graphql/partialErrors.ts):
 * queries of repeated documents on their compiled plan (CompiledPlans.ts, graphql-jit), everything else on
 * graphql-js, or both compared (`--execution differential`, differentialExecution.ts), error formatting (formatError.ts) and the request statistics (src/audit/requestStatistics.ts).
 */
import {
  execute, getDirectiveValues, getOperationAST, GraphQLError, GraphQLIncludeDirective, GraphQLSkipDirective, Kind,
  type DocumentNode, type ExecutionArgs, type ExecutionResult, type FormattedExecutionResult, type GraphQLFormattedError, type GraphQLSchema,
  type OperationDefinitionNode, type SelectionSetNode,
} from 'graphql';
import type { AuditStore } from '../audit/AuditStore.js';
import { AnonymousAuthenticator } from '../auth/AnonymousAuthenticator.js';
import type { Authenticator } from '../auth/AuthResult.js';
import { operationNameOf, startRequestCount, type RequestCount, type RequestTransport } from '../audit/requestStatistics.js';
import { ErrorCode, Reason } from '../errors/codes.js';
import type { Fleet } from '../fleet/types.js';
import type { Identity } from '../graphql/authorize.js';
import { createContext, type ContextExtras, type GraphQLContext, type RequestInfo } from '../graphql/context.js';
import { requestError } from '../graphql/errors.js';
import { withPartialErrors } from '../graphql/partialErrors.js';
import { sharedSubscribe } from '../graphql/subscriptions/sharedExecution.js';
import type { Logger } from '../server/logger.js';
import { authenticateCaller, type Authentication, type CredentialSource } from './authenticateCaller.js';
import { checkVariables, isVariablesObject } from './checkVariables.js';
import { DocumentCache, type DocumentCacheOptions } from './DocumentCache.js';
import { asInterpretedResult, CompiledPlans, type CompiledPlansOptions, type ExecutionMode } from './CompiledPlans.js';
import { runDifferential } from './differentialExecution.js';
import { makeErrorFormatter, type ErrorFormatter } from './formatError.js';
import { CostLimitCache, DEFAULT_LIMITS, type QueryLimits } from './limits.js';
import { parseDocument } from './parseDocument.js';
import type { Admission, RateLimiter } from '../ratelimit/WindowLimiter.js';
import { validateDocument, validationRules, type ValidationPasses } from './validateDocument.js';
import type { OperationType, RequestSignals } from './RequestSignals.js';
import type { CompiledQuery } from 'graphql-jit';

export type { RequestTransport, Authentication, CredentialSource };

export interface RequestCoreOptions {
  /** The one executable schema (buildGatewaySchema). */
  schema: GraphQLSchema;
  fleet: Fleet;
  logger: Logger;
  /** Limits on documents, applied alike on both transports. @default DEFAULT_LIMITS */
  limits?: QueryLimits;
  /** Whether introspection is allowed. @default true */
  introspection?: boolean;
  /** What each request's context carries beyond fleet and identity (Operations, audit log). @default {} */
  extras?: Omit<ContextExtras, 'request'>;
  /** Where requests are counted per operation name; absent counts nothing. @default extras.auditLog */
  auditLog?: AuditStore;
  /** The cache of validated documents. @default DocumentCache's defaults */
  documentCache?: DocumentCacheOptions;
  /** Who a bearer token belongs to (`--auth`, src/auth/createAuthenticator.ts). @default AnonymousAuthenticator (mode none) */
  authenticator?: Authenticator;
  /**
   * The per-identity request budget (`--rate-limit-per-minute`, src/ratelimit/): every operation on either
   * transport takes one request from its caller's budget before anything of it is parsed.
   * @default undefined (no limit)
   */
  rateLimiter?: RateLimiter;
  /**
   * Told each request's end and duration, each error answered and its code; wraps executions (traces). The
   * gateway's metrics and tracing (src/server). @default undefined (nothing observed)
   */
  signals?: RequestSignals;
  /**
   * How queries run (`--execution`): `compiled` runs a repeated document's queries on its graphql-jit plan
   * (graphql-js for the rest), `interpreted` everything on graphql-js, `differential` every query both ways,
   * answering graphql-js's and counting persistent differences (signals.executionMismatch). @default 'compiled'
   */
  execution?: ExecutionMode;
  /** The bound of the compiled plans and when a document is compiled. @default CompiledPlans' defaults (differential: compiled on first sight) */
  compiledPlans?: CompiledPlansOptions;
}

/** What a request asks for, as either transport received it (not yet trusted: any JSON may be here). */
export interface GraphQLRequestParams {
  query: unknown;
  operationName?: unknown;
  variables?: unknown;
}

/** A request that may run: its validated document and the operation in it. */
export interface PreparedRequest {
  kind: 'prepared';
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
  /** The name it is counted under. */
  countedName: string | undefined;
}

/** A request refused before anything ran; every error carries its code and Reason. */
export interface RefusedRequest {
  kind: 'refused';
  errors: readonly GraphQLError[];
  countedName: string | undefined;
  /** The client's mistake (400 over HTTP), or our bug while preparing (500). */
  status: 400 | 500;
}

/**
 * The root fields a subscription selects with these variables (`@skip`/`@include` applied, fragments
 * followed): graphql-js 16 throws a TypeError for a subscription whose only root field is skipped.
 */
function selectsRootField(schema: GraphQLSchema, document: DocumentNode, set: SelectionSetNode, variables: Record<string, unknown>, seen = new Set<string>()): boolean {
  for (const selection of set.selections) {
    if (getDirectiveValues(GraphQLSkipDirective, selection, variables)?.if === true) continue;
    if (getDirectiveValues(GraphQLIncludeDirective, selection, variables)?.if === false) continue;
    if (selection.kind === Kind.FIELD) return true;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (selectsRootField(schema, document, selection.selectionSet, variables, seen)) return true;
    } else {
      const name = selection.name.value;
      if (seen.has(name)) continue;
      seen.add(name);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name);
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION && selectsRootField(schema, document, fragment.selectionSet, variables, seen)) return true;
    }
  }
  return false;
}

export class RequestCore {
  readonly schema: GraphQLSchema;
  readonly limits: QueryLimits;
  /** The one error formatter (formatError.ts), also Apollo's `formatError` for its own request errors. */
  readonly formatError: ErrorFormatter;
  private readonly rules: ValidationPasses;
  private readonly documents: DocumentCache;
  private readonly costs: CostLimitCache;
  private readonly fleet: Fleet;
  private readonly extras: Omit<ContextExtras, 'request'>;
  private readonly auditLog: AuditStore | undefined;
  private readonly logger: Logger;
  /** The `--auth` authenticator, asked once per HTTP request and once per WebSocket connection. */
  readonly authenticator: Authenticator;
  private readonly rateLimiter: RateLimiter | undefined;
  private readonly signals: RequestSignals | undefined;
  /** `--execution`. */
  readonly execution: ExecutionMode;
  /** The compiled plans of repeated documents; absent with `--execution interpreted`. */
  private readonly plans: CompiledPlans | undefined;
  /** The formatter differential runs compare answers with: as the one formatter, but logs and counts nothing. */
  private readonly quietFormat: ErrorFormatter;

  constructor(options: RequestCoreOptions) {
    this.schema = options.schema;
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.signals = options.signals;
    const signals = options.signals;
    this.formatError = makeErrorFormatter(options.logger, signals ? (code, reason) => signals.errorAnswered(code, reason) : undefined);
    this.rules = validationRules(this.limits, options.introspection ?? true);
    this.documents = new DocumentCache(options.documentCache);
    this.costs = new CostLimitCache(this.limits);
    this.fleet = options.fleet;
    this.extras = options.extras ?? {};
    this.auditLog = options.auditLog ?? options.extras?.auditLog;
    this.logger = options.logger;
    this.authenticator = options.authenticator ?? new AnonymousAuthenticator();
    this.rateLimiter = options.rateLimiter;
    this.execution = options.execution ?? 'compiled';
    const logger = options.logger;
    this.plans = this.execution === 'interpreted' ? undefined : new CompiledPlans(this.schema, {
      // Differential runs compare every query of a test suite, most of them sent once: compiled at first sight.
      ...(this.execution === 'differential' ? { compileAfter: 1 } : {}),
      ...options.compiledPlans,
      onFallback: (operationName, reason) => logger.debug({ operationName, reason }, 'query not compiled: runs on graphql-js'),
    });
    this.quietFormat = makeErrorFormatter({ error: () => undefined } as unknown as Logger);
  }

  /**
   * Takes one operation from its caller's budget: 0 = it may run, else the seconds until the budget renews
   * (answer it with rateLimitedError; nothing of it is parsed). The caller is the user name; anonymous callers
   * (auth mode `none`) are told apart by their source address, the only thing that tells them apart.
   */
  admit(identity: Identity, sourceIp: string | null | undefined): Admission | Promise<Admission> {
    if (!this.rateLimiter) return 0;
    return this.rateLimiter.take(identity.anonymous ? `ip:${sourceIp ?? 'unknown'}` : `user:${identity.user}`);
  }

  /** The answer to an operation over its caller's budget (HTTP adds 429 and `Retry-After`). */
  rateLimitedError(retryAfter: number): GraphQLError {
    return requestError(ErrorCode.RATE_LIMITED, Reason.RATE_LIMIT_EXCEEDED,
      `too many requests: at most ${this.rateLimiter?.limit ?? 0} per ${(this.rateLimiter?.periodMs ?? 60_000) / 1000}s per user; retry in ${retryAfter}s`,
      { retryAfter });
  }

  /**
   * Who is asking (authenticateCaller.ts): the identity of the first source holding a bearer token, or the
   * refusal as each transport answers it. Called before anything of the request is parsed.
   */
  authenticate(...sources: CredentialSource[]): Promise<Authentication> {
    return authenticateCaller(this.authenticator, this.logger, sources);
  }

  /**
   * As `authenticate`, for a request whose log lines carry its id (`reqId`): read only when a line is written.
   */
  authenticateRequest(request: { readonly id: string }, ...sources: CredentialSource[]): Promise<Authentication> {
    return authenticateCaller(this.authenticator, this.logger, sources, request);
  }

  /**
   * Tells the signals of an error a transport answered without the formatter (an HTTP refusal written
   * directly: 401, 413, 429, malformed JSON; a WebSocket closed over its user's connection cap).
   */
  noteAnswered(code: string, reason: string | undefined): void {
    this.signals?.errorAnswered(code, reason);
  }

  /** One request's context: who asks, the fleet, lazy loaders, the partial-error collector, trace fields. */
  createContext(identity: Identity, request: RequestInfo): GraphQLContext {
    const ctx = createContext(this.fleet, identity, this.extras);
    ctx.request = request;
    return ctx;
  }

  /** Starts counting one request in the statistics; the adapter finishes it once with its outcome. */
  startCount(transport: RequestTransport): RequestCount {
    const count = startRequestCount(this.auditLog, transport);
    return this.signals ? new SignalledCount(count, this.signals, transport) : count;
  }

  /**
   * Everything before execution: the document (from the cache, else limited, parsed and validated), the
   * operation, whether this transport runs it, the variables, the cost. Never throws for anything a client
   * can send.
   */
  prepare(params: GraphQLRequestParams, transport: RequestTransport): PreparedRequest | RefusedRequest {
    try {
      return this.prepareOrThrow(params, transport);
    } catch (error) {
      // Our bug, not the client's: answered INTERNAL (the formatter logs it), and still only this request's
      // answer: a throw here would be Apollo's 500 or graphql-ws's close 4500 for every operation on the socket.
      return { kind: 'refused', errors: [asGraphQLError(error)], countedName: undefined, status: 500 };
    }
  }

  private prepareOrThrow(params: GraphQLRequestParams, transport: RequestTransport): PreparedRequest | RefusedRequest {
    const { query, operationName, variables } = params;
    const requested = typeof operationName === 'string' && operationName !== '' ? operationName : undefined;
    if (typeof query !== 'string' || query === '') {
      return refused([requestError(ErrorCode.BAD_USER_INPUT, Reason.MALFORMED_REQUEST, 'the request has no `query` (a non-empty string)')], requested);
    }
    if (operationName != null && typeof operationName !== 'string') {
      return refused([requestError(ErrorCode.BAD_USER_INPUT, Reason.MALFORMED_REQUEST, '`operationName` must be a string')], undefined);
    }
    if (!isVariablesObject(variables)) {
      return refused([requestError(ErrorCode.BAD_USER_INPUT, Reason.MALFORMED_REQUEST, '`variables` must be a JSON object')], requested);
    }
    let document = this.documents.get(query);
    if (!document) {
      const parsed = parseDocument(query, this.limits);
      if (parsed instanceof GraphQLError) return refused([parsed], requested);
      const errors = validateDocument(this.schema, parsed, this.rules);
      if (errors.length > 0) return refused(errors, operationNameOf(parsed, requested));
      this.documents.set(query, parsed);
      document = parsed;
    }
    const operation = getOperationAST(document, requested);
    if (!operation) {
      return refused([requestError(ErrorCode.BAD_USER_INPUT, Reason.OPERATION_NOT_FOUND, requested
        ? `no operation named "${requested}" in the document`
        : 'the document has several operations: give operationName')], operationNameOf(document, requested));
    }
    const countedName = operation.name?.value ?? requested;
    if (transport === 'HTTP' && operation.operation === 'subscription') {
      return refused([requestError(ErrorCode.BAD_USER_INPUT, Reason.SUBSCRIPTION_OVER_HTTP,
        'subscriptions are served over WebSocket (graphql-ws, protocol graphql-transport-ws) at this same URL with ws:// or wss://; HTTP runs queries and mutations')], countedName);
    }
    const vars = variables ?? undefined;
    const variableErrors = checkVariables(this.schema, operation, vars);
    if (variableErrors) return refused(variableErrors, countedName);
    const tooCostly = this.costs.check(this.schema, document, operation, vars);
    if (tooCostly) return refused([tooCostly], countedName);
    return { kind: 'prepared', document, operation, operationName: requested, variables: vars, countedName };
  }

  /** The arguments graphql-js executes a prepared request with. */
  executionArgs(prepared: PreparedRequest, contextValue: GraphQLContext): ExecutionArgs {
    const args: ExecutionArgs = { schema: this.schema, document: prepared.document, contextValue };
    if (prepared.operationName) args.operationName = prepared.operationName;
    if (prepared.variables) args.variableValues = prepared.variables;
    return args;
  }

  /**
   * Runs a query or mutation; the member failures collected beside fields that still answered are appended
   * to `errors`. A query of a repeated document runs on its compiled plan (`--execution compiled`), or both
   * ways compared (`differential`). Never throws: a throw out of either engine is our bug, reported as an
   * error (INTERNAL once formatted).
   */
  async execute(args: ExecutionArgs, transport: RequestTransport = 'HTTP'): Promise<ExecutionResult> {
    const operation = getOperationAST(args.document, args.operationName);
    const plan = operation && this.plans?.planFor(args.document, operation, args.operationName ?? undefined);
    const context = args.contextValue as GraphQLContext;
    const run = (): Promise<ExecutionResult> => {
      if (!plan) return this.interpreted(args, context);
      if (this.execution !== 'differential') return this.compiled(plan, args, context);
      return runDifferential({
        context,
        interpreted: (ctx) => this.interpreted(args, ctx),
        compiled: (ctx) => this.compiled(plan, args, ctx),
        canonical: (result) => JSON.stringify(this.quietResult(result)),
      }, (mismatch) => {
        this.signals?.executionMismatch?.();
        this.logger.warn({
          document: args.document.loc?.source.body, operationName: args.operationName, variables: args.variableValues, ...mismatch,
        }, 'compiled execution answered differently from graphql-js');
      });
    };
    const signals = this.signals;
    if (!signals?.execution) return run();
    return signals.execution(operationOf(operation, args, transport), run);
  }

  private async interpreted(args: ExecutionArgs, context: GraphQLContext): Promise<ExecutionResult> {
    this.signals?.executed?.('interpreted');
    try {
      const result = await execute(context === args.contextValue ? args : { ...args, contextValue: context });
      return withPartialErrors(result, context.partial);
    } catch (error) {
      return { errors: [asGraphQLError(error)] };
    }
  }

  private async compiled(plan: CompiledQuery, args: ExecutionArgs, context: GraphQLContext): Promise<ExecutionResult> {
    this.signals?.executed?.('compiled');
    try {
      const result = await plan.query(args.rootValue, context, args.variableValues);
      return withPartialErrors(asInterpretedResult(result), context.partial);
    } catch (error) {
      return { errors: [asGraphQLError(error)] };
    }
  }

  /** A result as the one formatter would send it, without logging or counting its errors (comparisons). */
  private quietResult(result: ExecutionResult): FormattedExecutionResult {
    if (!result.errors?.length) return result as FormattedExecutionResult;
    return { ...result, errors: result.errors.map((e) => this.quietFormat(e.toJSON(), e)) } as FormattedExecutionResult;
  }

  /**
   * Sets up a subscription (its stream of results; see sharedExecution.ts), or answers at once: `{ data: {} }`
   * when `@skip`/`@include` leave no root field (an empty selection, as a query with all its fields skipped),
   * or errors. Never throws, so no failure of one operation can end the socket it came on.
   */
  async subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    try {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation && !selectsRootField(this.schema, args.document, operation.selectionSet, (args.variableValues ?? {}) as Record<string, unknown>)) {
        return { data: {} };
      }
      const signals = this.signals;
      return await (signals?.execution ? signals.execution(operationOf(operation, args, 'WEBSOCKET'), () => sharedSubscribe(args)) : sharedSubscribe(args));
    } catch (error) {
      return { errors: [asGraphQLError(error)] };
    }
  }

  /** A result as it leaves on either transport: every error formatted by the one formatter. */
  formatResult(result: ExecutionResult, request?: { readonly id: string }): FormattedExecutionResult {
    if (!result.errors?.length) return result as FormattedExecutionResult;
    return { ...result, errors: this.formatErrors(result.errors, request) } as FormattedExecutionResult;
  }

  formatErrors(errors: readonly GraphQLError[], request?: { readonly id: string }): GraphQLFormattedError[] {
    return errors.map((e) => this.formatError(e.toJSON(), e, request));
  }
}

/** The operation being run (already found in its document), as the signals name it. */
function operationOf(
  operation: OperationDefinitionNode | null | undefined, args: ExecutionArgs, transport: RequestTransport,
): { type: OperationType; name: string | undefined; transport: RequestTransport } {
  return { type: operation?.operation ?? 'query', name: operation?.name?.value ?? args.operationName ?? undefined, transport };
}

/** A request's statistics count that also tells the signals its end and duration (once, as the count). */
class SignalledCount implements RequestCount {
  private readonly started = performance.now();
  private done = false;

  constructor(private readonly inner: RequestCount, private readonly signals: RequestSignals, private readonly transport: RequestTransport) {}

  finish(operationName: string | null | undefined, failed: boolean, operationType?: string): void {
    this.inner.finish(operationName, failed, operationType);
    if (this.done) return;
    this.done = true;
    this.signals.requestEnded(this.transport, operationType as OperationType | undefined, (performance.now() - this.started) / 1000);
  }
}

function refused(errors: readonly GraphQLError[], countedName: string | undefined): RefusedRequest {
  return { kind: 'refused', errors, countedName, status: 400 };
}

function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const e = error instanceof Error ? error : new Error(String(error));
  return new GraphQLError(e.message, { originalError: e });
}
