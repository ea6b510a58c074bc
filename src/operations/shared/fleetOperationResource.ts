/**
 * The FleetOperation custom resource (deploy/crds/fleetgraph.io_fleetoperations.yaml): how a gateway-run
 * Operation is written on the Karmada control plane so that every replica sees the same one. The object's
 * name is the Operation's id; `spec` is what was asked (written once, at creation, plus `spec.cancel` when
 * someone cancels it), `status` is how far it got (written by the replica holding its Lease).
 *
 * `spec.arguments` keeps the mutation's own arguments, so that a replica taking an Operation over rebuilds the
 * same plan (src/operations/shared/resumePlans.ts); `spec.requestedBy`/`requestedGroups`/`impersonate` keep
 * whom its writes are made as.
 */
import { createHash } from 'node:crypto';
import type { KindDescriptor, KindName } from '../../fleet/kinds.js';
import type { OperationPhase, OperationRecord, OperationStepRecord, OperationTarget } from '../OperationRecord.js';

export const FLEET_OPERATION_GROUP = 'fleetgraph.io';
export const FLEET_OPERATION_VERSION = 'v1alpha1';
export const FLEET_OPERATION_PLURAL = 'fleetoperations';
export const FLEET_OPERATION_KIND = 'FleetOperation';
export const FLEET_OPERATION_API_VERSION = `${FLEET_OPERATION_GROUP}/${FLEET_OPERATION_VERSION}`;

/** Label on the Leases of Operations (they are listed by it). */
export const LEASE_LABEL = 'fleetgraph.io/operation-lease';

/**
 * The informer descriptor. `name` is typed by the served kinds; the informer uses it only as a label, so the
 * plural stands in for it, as the RBAC kinds do (src/authz/rbacKinds.ts).
 */
export const FLEET_OPERATION_KIND_DESCRIPTOR: KindDescriptor = {
  name: FLEET_OPERATION_PLURAL as unknown as KindName,
  group: FLEET_OPERATION_GROUP,
  version: FLEET_OPERATION_VERSION,
  plural: FLEET_OPERATION_PLURAL,
  kind: FLEET_OPERATION_KIND,
  namespaced: true,
  side: 'controlPlane',
};

/** A cancel asked of an Operation through its resource, by any replica. */
export interface CancelRequest {
  requestedBy: string;
  reason: string | null;
  at: string;
}

/** What a FleetOperation's spec holds besides the record's own fields. */
export interface RequestFacts {
  /** The mutation's arguments as JSON (without the idempotency key). */
  arguments: string;
  /** sha256 of the mutation name and its canonical arguments: equal requests, equal hash. */
  argumentsHash: string;
  /** sha256 of the caller and the idempotency key, when one was given. */
  idempotencyKeyHash: string | null;
  requestedGroups: readonly string[];
  /** Whether the writes are made as the caller (a signed-in caller). */
  impersonate: boolean;
  requestId: string | null;
}

export interface FleetOperationObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string>; creationTimestamp?: string; uid?: string };
  spec: {
    type: string;
    target: OperationTarget;
    parameters: Record<string, string>;
    requestedBy: string;
    createdAt: string;
    cancel?: CancelRequest | null;
  } & RequestFacts;
  status?: FleetOperationStatus;
}

export interface FleetOperationStatus {
  phase: OperationPhase;
  steps: OperationStepRecord[];
  currentStep: number;
  startedAt: string | null;
  completedAt: string | null;
  error: string | null;
  reason: string | null;
  /** The replica that holds (or last held) the Operation's Lease. */
  holder: string | null;
}

/**
 * The id (and object name) of an Operation asked with an idempotency key: a hash of who asked, the key and the
 * mutation (keys are scoped to the caller and the mutation, as with one replica), so that two replicas
 * receiving the same request at once both try to create the same object, and one succeeds.
 */
export function keyedOperationId(user: string, mutation: string, key: string): string {
  return `op-k${createHash('sha256').update(`${user}\u0000${mutation}\u0000${key}`).digest('hex').slice(0, 24)}`;
}

export function idempotencyKeyHash(user: string, key: string): string {
  return createHash('sha256').update(`${user}\u0000${key}`).digest('hex');
}

/** The resource of a new Operation (its status is written next, through the status subresource). */
export function toResource(op: OperationRecord, facts: RequestFacts, namespace: string): FleetOperationObject {
  return {
    apiVersion: FLEET_OPERATION_API_VERSION,
    kind: FLEET_OPERATION_KIND,
    metadata: { name: op.id, namespace, labels: { 'fleetgraph.io/type': labelValue(op.type) } },
    spec: {
      type: op.type,
      target: { ...op.target },
      parameters: { ...op.parameters },
      requestedBy: op.requestedBy,
      createdAt: op.createdAt,
      ...facts,
      requestedGroups: [...facts.requestedGroups],
    },
  };
}

export function statusOf(op: OperationRecord, holder: string | null): FleetOperationStatus {
  return {
    phase: op.phase,
    steps: op.steps.map((s) => ({ ...s })),
    currentStep: op.currentStep,
    startedAt: op.startedAt,
    completedAt: op.completedAt,
    error: op.error,
    reason: op.reason,
    holder,
  };
}

/** The Operation a FleetOperation describes (PENDING with no step while its status is not written yet). */
export function recordOf(obj: FleetOperationObject): OperationRecord {
  const s = obj.spec;
  const st = obj.status;
  return {
    id: obj.metadata.name,
    type: s.type,
    target: { cluster: s.target.cluster ?? null, apiVersion: s.target.apiVersion, kind: s.target.kind, namespace: s.target.namespace ?? null, name: s.target.name, uid: s.target.uid ?? null },
    parameters: { ...(s.parameters ?? {}) },
    phase: st?.phase ?? 'PENDING',
    steps: (st?.steps ?? []).map((x) => ({ name: x.name, phase: x.phase, message: x.message ?? null, startedAt: x.startedAt ?? null, finishedAt: x.finishedAt ?? null })),
    currentStep: st?.currentStep ?? -1,
    requestedBy: s.requestedBy,
    createdAt: s.createdAt ?? obj.metadata.creationTimestamp ?? new Date(0).toISOString(),
    startedAt: st?.startedAt ?? null,
    completedAt: st?.completedAt ?? null,
    error: st?.error ?? null,
    reason: st?.reason ?? null,
    executor: 'GATEWAY',
    resource: null,
  };
}

/** A label value (at most 63 characters of [A-Za-z0-9_.-], starting and ending alphanumeric). */
function labelValue(v: string): string {
  const cleaned = v.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned || 'x';
}
