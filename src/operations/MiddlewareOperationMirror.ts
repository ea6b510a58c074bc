/**
 * Brings the progress of middleware Operation custom resources into the OperationStore, from the data
 * layer's informer on `operations` (fleet.onChange): phase, steps, current step, times, error. Operations the
 * gateway created carry its ID in an annotation; others (created with kubectl) are mirrored too, under an ID
 * derived from where they live, so `operations` lists every Operation of the fleet.
 */
import type { ChangeEvent, SlimObject } from '../cache/types.js';
import { OPERATION_ID_ANNOTATION, REQUESTED_BY_ANNOTATION } from './middlewareOperations.js';
import { cloneOperation, type OperationPhase, type OperationRecord, type OperationStepPhase } from './OperationRecord.js';
import type { OperationStore } from './OperationStore.js';

const PHASES: Record<string, OperationPhase> = { Pending: 'PENDING', Running: 'RUNNING', Succeeded: 'SUCCEEDED', Failed: 'FAILED', Cancelled: 'CANCELLED' };
const STEP_PHASES: Record<string, OperationStepPhase> = { Pending: 'PENDING', Running: 'RUNNING', Succeeded: 'SUCCEEDED', Failed: 'FAILED', Skipped: 'SKIPPED', Cancelled: 'CANCELLED' };

/** The store ID of an Operation CR. */
export function mirroredId(cluster: string, cr: SlimObject): string {
  return cr.metadata.annotations?.[OPERATION_ID_ANNOTATION] ?? `cr-${cluster}-${cr.metadata.namespace}-${cr.metadata.name}`;
}

/** Applies an Operation CR's status onto the record (a new record when `base` is undefined). */
export function recordFromCr(cluster: string, cr: SlimObject, base: OperationRecord | undefined): OperationRecord {
  const spec = (cr.spec ?? {}) as { type?: string; targetRef?: { apiVersion?: string; kind?: string; name?: string }; parameters?: Record<string, string> };
  const status = (cr.status ?? {}) as {
    phase?: string; currentStep?: number; startTime?: string; completionTime?: string; error?: string; reason?: string;
    steps?: Array<{ name: string; phase?: string; message?: string; startTime?: string; completionTime?: string }>;
  };
  const ns = cr.metadata.namespace ?? null;
  const op: OperationRecord = base ?? {
    id: mirroredId(cluster, cr),
    type: spec.type ?? 'Unknown',
    target: {
      cluster,
      apiVersion: spec.targetRef?.apiVersion ?? cr.apiVersion,
      kind: spec.targetRef?.kind ?? 'Application',
      namespace: ns,
      name: spec.targetRef?.name ?? '',
      uid: null,
    },
    parameters: { ...(spec.parameters ?? {}) },
    phase: 'PENDING',
    steps: [],
    currentStep: -1,
    requestedBy: cr.metadata.annotations?.[REQUESTED_BY_ANNOTATION] ?? 'unknown',
    createdAt: cr.metadata.creationTimestamp ?? new Date().toISOString(),
    startedAt: null,
    completedAt: null,
    error: null,
    reason: null,
    executor: 'MIDDLEWARE_CONTROLLER',
    resource: { cluster, apiVersion: cr.apiVersion, kind: 'Operation', namespace: ns, name: cr.metadata.name, uid: cr.metadata.uid ?? null },
  };
  const phase = status.phase ? PHASES[status.phase] : undefined;
  if (phase) op.phase = phase;
  if (status.steps) {
    op.steps = status.steps.map((s) => ({
      name: s.name,
      phase: STEP_PHASES[s.phase ?? 'Pending'] ?? 'PENDING',
      message: s.message ?? null,
      startedAt: s.startTime ?? null,
      finishedAt: s.completionTime ?? null,
    }));
  }
  op.currentStep = status.currentStep && status.currentStep > 0 ? status.currentStep - 1 : -1;
  op.startedAt = status.startTime ?? op.startedAt;
  op.completedAt = status.completionTime ?? op.completedAt;
  op.error = status.error ?? op.error;
  op.reason = status.reason ?? op.reason;
  if (op.resource && !op.resource.uid) op.resource.uid = cr.metadata.uid ?? null;
  return op;
}

export class MiddlewareOperationMirror {
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly store: OperationStore) {}

  /** Starts following `subscribe`'s change events (fleet.onChange). */
  start(subscribe: (listener: (e: ChangeEvent) => void) => () => void): void {
    this.unsubscribe = subscribe((e) => this.onEvent(e));
  }

  stop(): void {
    this.unsubscribe?.();
  }

  /** Applies one CR seen by any path (the informer, or the gateway's own create answer). */
  apply(cluster: string, cr: SlimObject): void {
    const id = mirroredId(cluster, cr);
    const before = this.store.get(id);
    // recordFromCr updates the record it is given: give it a copy so `before` stays the old state.
    const next = recordFromCr(cluster, cr, before ? cloneOperation(before) : undefined);
    if (before && JSON.stringify(before) === JSON.stringify(next)) return;
    this.store.put(next);
  }

  private onEvent(e: ChangeEvent): void {
    if (e.kind !== 'operations') return;
    switch (e.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.apply(e.cluster, e.after);
        break;
      case 'RESYNC':
        for (const o of e.added) this.apply(e.cluster, o);
        for (const m of e.modified) this.apply(e.cluster, m.after);
        break;
      default:
        // A deleted CR (retention on the member) keeps its last state here: the audit log outlives etcd's.
        break;
    }
  }
}
