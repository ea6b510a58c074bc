/**
 * The one Operation model (issue 6): what a mutation asked for, who asked, and how far it got, step by step.
 * Gateway-run Operations and middleware Operation custom resources are both held in this shape, so the API,
 * the audit database and subscriptions see one thing.
 */

export type OperationPhase = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export type OperationStepPhase = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | 'CANCELLED';
export type OperationExecutor = 'GATEWAY' | 'MIDDLEWARE_CONTROLLER';

/** Terminal phases: nothing changes an Operation after it reaches one of these. */
export const TERMINAL_PHASES: ReadonlySet<OperationPhase> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** The identifying fields of the object acted on (the GraphQL `ResourceRef`). */
export interface OperationTarget {
  /** Member name; null for the Karmada control plane. */
  cluster: string | null;
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
  uid: string | null;
}

export interface OperationStepRecord {
  name: string;
  phase: OperationStepPhase;
  message: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface OperationRecord {
  id: string;
  /** Mutation name for gateway-run Operations, the CR's `spec.type` for middleware ones. */
  type: string;
  target: OperationTarget;
  /** Request arguments, flattened to text. */
  parameters: Record<string, string>;
  phase: OperationPhase;
  steps: OperationStepRecord[];
  /** Index into `steps` of the running (or last run) step; -1 before the first. */
  currentStep: number;
  requestedBy: string;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  error: string | null;
  /** Machine-readable failure reason (INTERRUPTED, PDB_TIMEOUT, NOT_FOUND, ...). */
  reason: string | null;
  executor: OperationExecutor;
  /** The Operation custom resource, for middleware Operations. */
  resource: OperationTarget | null;
}

/** A deep copy, so listeners and callers never share the executor's mutable record. */
export function cloneOperation(op: OperationRecord): OperationRecord {
  return { ...op, target: { ...op.target }, parameters: { ...op.parameters }, steps: op.steps.map((s) => ({ ...s })), resource: op.resource ? { ...op.resource } : null };
}
