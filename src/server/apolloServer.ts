/**
 * The HTTP adapter's Apollo Server: GraphQL over HTTP (GET and POST, batches, content negotiation, CSRF
 * prevention kept as Apollo's default, automatic persisted queries) in front of the request core
 * (src/request/RequestCore.ts), which does everything GraphQL about the request. Apollo Server 5 has no
 * executor option; its plugin hooks are the seam:
 *   - didResolveSource: the core prepares the request (limits, parse, validation, operation, transport,
 *     variables, cost) and its document is handed to Apollo, so Apollo neither parses nor validates again
 *     (its documentStore is off: the core keeps its own cache of validated documents);
 *   - responseForOperation: the core's refusal, or the core's execution, formatted by the core's formatter,
 *     becomes the response; Apollo's own execution never runs;
 *   - willSendResponse: the request is counted in the statistics.
 * With `--execution compiled` (the default) plain JSON POSTs never reach Apollo: graphqlHttpHandler.ts's direct
 * path answers them through the same core, as this plugin would; Apollo serves everything else.
 * Apollo's own request errors (malformed body, CSRF, persisted queries, a GET with a mutation) are formatted
 * by the same formatter, which maps Apollo's codes onto ours. The landing page is disabled (Apollo's load
 * from a CDN; we serve GraphiQL ourselves).
 */
import {
  ApolloServer, type ApolloServerPlugin, type GraphQLRequestContextDidResolveSource,
  type GraphQLRequestContextResponseForOperation, type GraphQLRequestContextWillSendResponse,
  type GraphQLRequestListener, type GraphQLResponse,
} from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { parse, type DocumentNode } from 'graphql';
import type { RequestCount } from '../audit/requestStatistics.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { PreparedRequest, RefusedRequest, RequestCore } from '../request/RequestCore.js';
import type { Logger } from './logger.js';

/**
 * The document Apollo is given for a request the core refused: Apollo skips its own parsing only when a
 * document is there, and the refusal is what responseForOperation answers (this document never runs).
 */
const REFUSED_PLACEHOLDER: DocumentNode = parse('{ __typename }');

/** One HTTP request through the core: what it prepared, and the statistics count it started. */
class CoreRequestListener implements GraphQLRequestListener<GraphQLContext> {
  private prepared: PreparedRequest | RefusedRequest | undefined;

  constructor(private readonly core: RequestCore, private readonly count: RequestCount) {}

  async didResolveSource(rc: GraphQLRequestContextDidResolveSource<GraphQLContext>): Promise<void> {
    const { request } = rc;
    const prepared = this.core.prepare({ query: rc.source, operationName: request.operationName, variables: request.variables }, 'HTTP');
    this.prepared = prepared;
    // Apollo's pipeline reads `document` right after this hook and parses only when it is absent.
    (rc as { document?: DocumentNode }).document = prepared.kind === 'prepared' ? prepared.document : REFUSED_PLACEHOLDER;
  }

  async responseForOperation(rc: GraphQLRequestContextResponseForOperation<GraphQLContext>): Promise<GraphQLResponse> {
    const prepared = this.prepared!;
    // Apollo merges the returned head into the response's own: hand it that same head (no new HeaderMap).
    const http = rc.response.http;
    // The request's trace fields; its id is read (and, when the client sent none, made) only for an INTERNAL error.
    const request = rc.contextValue.request;
    if (prepared.kind === 'refused') {
      // 400: the client's request; 500 only for a bug of ours while preparing it.
      http.status = prepared.status;
      return { http, body: { kind: 'single', singleResult: { errors: this.core.formatErrors(prepared.errors, request) } } };
    }
    const result = await this.core.execute(this.core.executionArgs(prepared, rc.contextValue));
    return { http, body: { kind: 'single', singleResult: this.core.formatResult(result, request) } };
  }

  async willSendResponse({ response, errors }: GraphQLRequestContextWillSendResponse<GraphQLContext>): Promise<void> {
    const failed = Boolean(errors?.length) || (response.body.kind === 'single' && Boolean(response.body.singleResult.errors?.length));
    const prepared = this.prepared;
    this.count.finish(prepared?.countedName, failed, prepared?.kind === 'prepared' ? prepared.operation.operation : undefined);
  }
}

function corePlugin(core: RequestCore): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return new CoreRequestListener(core, core.startCount('HTTP'));
    },
  };
}

export interface GatewayApolloOptions {
  core: RequestCore;
  logger: Logger;
  /** More plugins (drain, WS disposal). @default [] */
  plugins?: Array<ApolloServerPlugin<GraphQLContext>>;
}

export function createApolloServer(options: GatewayApolloOptions): ApolloServer<GraphQLContext> {
  const { core } = options;
  return new ApolloServer<GraphQLContext>({
    schema: core.schema,
    // The core caches validated documents itself; Apollo's store would also overwrite the document the core
    // hands over in didResolveSource with its own lookup.
    documentStore: null,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => core.formatError(formatted, error),
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // The schema has no @cacheControl hints, so every answer is uncacheable (`cache-control: no-store`,
      // which the HTTP handler sets). Apollo's cache-control plugin would still wrap every field resolver.
      ApolloServerPluginCacheControlDisabled(),
      corePlugin(core),
      ...(options.plugins ?? []),
    ],
    logger: options.logger,
    // The CLI (src/server/cli.ts) owns SIGINT/SIGTERM: it stops the gateway, the embedded simulator and removes
    // the demo's temporary folder. Apollo's own handler (on outside NODE_ENV=test) would stop only Apollo and
    // then re-raise the signal, killing the process (exit 143) before that cleanup ran.
    stopOnTerminationSignals: false,
  });
}

