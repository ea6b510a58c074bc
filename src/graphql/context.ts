/**
 * The per-request GraphQL context: who asks, the fleet facade, this request's DataLoaders, and the
 * partial-failure collector. Built once per HTTP request (and, later, per WebSocket operation).
 */
import type { GraphQLError } from 'graphql';
import type { AuditLog } from '../audit/AuditLog.js';
import type { OperationService } from '../operations/OperationService.js';
import type { Fleet, FleetLoaders } from '../fleet/types.js';
import type { Identity } from './authorize.js';
import { PartialErrors } from './partialErrors.js';

export interface GraphQLContext {
  identity: Identity;
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
  auditLog?: AuditLog;
  /** Trace fields of the HTTP request, for the audit log. */
  request?: RequestInfo;
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
  auditLog?: AuditLog | undefined;
  request?: RequestInfo | undefined;
}

export function createContext(fleet: Fleet, identity: Identity, extras: ContextExtras = {}): GraphQLContext {
  const ctx: GraphQLContext = { identity, fleet, loaders: fleet.loaders(), partial: new PartialErrors() };
  if (extras.operations) ctx.operations = extras.operations;
  if (extras.auditLog) ctx.auditLog = extras.auditLog;
  if (extras.request) ctx.request = extras.request;
  return ctx;
}

export type { GraphQLError };
