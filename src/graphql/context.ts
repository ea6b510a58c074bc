/**
 * The per-request GraphQL context: who asks, the fleet facade, this request's DataLoaders, and the
 * partial-failure collector. Built once per HTTP request and per WebSocket operation.
 */
import type { GraphQLError } from 'graphql';
import type { AuditStore } from '../audit/AuditStore.js';
import type { OperationService } from '../operations/OperationService.js';
import type { Fleet, FleetLoaders } from '../fleet/types.js';
import type { UsageHistory } from '../history/UsageHistory.js';
import { RequestAccess, type Identity } from './authorize.js';
import { PartialErrors } from './partialErrors.js';

export interface GraphQLContext {
  identity: Identity;
  /** What this caller may do in each cluster (src/graphql/authorize.ts, the one place that decides). */
  access: RequestAccess;
  fleet: Fleet;
  /** Fresh per request: keys of one request are batched, never shared across users. */
  loaders: FleetLoaders;
  /**
   * Errors of members that failed under a field that still resolves (a fleet-wide list merges the members
   * that answered); appended to the response's `errors` by the partialErrorsPlugin.
   */
  partial: PartialErrors;
  /** The mutation door (src/operations); absent when the gateway runs without it. */
  operations?: OperationService;
  /** The audit log read by `auditLog`; absent when the gateway runs without it. */
  auditLog?: AuditStore;
  /** Groups whose members read every caller's audit entries (`--audit-readers`); others read their own. */
  auditReaders?: readonly string[];
  /** Trace fields of the HTTP request, for the audit log. */
  request?: RequestInfo;
  /** Usage history (src/history) read by the `usageHistory` fields; absent when the gateway runs without it. */
  usageHistory?: UsageHistory;
}

/** Where a request came from (audit rows). */
export interface RequestInfo {
  /** `x-request-id` header, or one the gateway made. */
  id: string;
  sourceIp: string | null;
  userAgent: string | null;
}

/** What the server adds beyond the fleet and identity. */
export interface ContextExtras {
  operations?: OperationService | undefined;
  auditLog?: AuditStore | undefined;
  auditReaders?: readonly string[] | undefined;
  request?: RequestInfo | undefined;
  usageHistory?: UsageHistory | undefined;
}

/**
 * Builds one request's context. The DataLoaders are made on first use: a request answered from the
 * informer caches alone (`cluster(name) { health }`) never needs them, and they are the costliest part
 * of a context. Laziness sits inside the `loaders` object rather than on the context, because Apollo
 * copies the context with Object.assign (which would run a getter) and the WebSocket adapter spreads it.
 */
export function createContext(fleet: Fleet, identity: Identity, extras: ContextExtras = {}): GraphQLContext {
  const ctx: GraphQLContext = {
    identity, access: new RequestAccess(identity, fleet.authorizer, fleet.kinds, fleet.dynamic), fleet, loaders: new LazyLoaders(fleet), partial: new PartialErrors(),
  };
  if (extras.operations) ctx.operations = extras.operations;
  if (extras.auditLog) ctx.auditLog = extras.auditLog;
  if (extras.auditReaders) ctx.auditReaders = extras.auditReaders;
  if (extras.request) ctx.request = extras.request;
  if (extras.usageHistory) ctx.usageHistory = extras.usageHistory;
  return ctx;
}

/**
 * One request's loaders, made by `fleet.loaders()` when a resolver first reaches for one of them. A class
 * (getters on the prototype) rather than an object literal with getters, which would allocate its
 * accessors anew for every request.
 */
class LazyLoaders implements FleetLoaders {
  private real: FleetLoaders | undefined;

  constructor(private readonly fleet: Fleet) {}

  private get loaders(): FleetLoaders {
    return (this.real ??= this.fleet.loaders());
  }

  get list(): FleetLoaders['list'] { return this.loaders.list; }
  get events(): FleetLoaders['events'] { return this.loaders.events; }
  get nodeMetrics(): FleetLoaders['nodeMetrics'] { return this.loaders.nodeMetrics; }
  get podMetrics(): FleetLoaders['podMetrics'] { return this.loaders.podMetrics; }
}

export type { GraphQLError };
