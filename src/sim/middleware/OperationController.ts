/**
 * Executes middleware Operations (seed 002 §10): validates each new Operation (a failed check ends it as
 * Failed with the reason, even when the client skipped validation), then moves it Pending → Running →
 * Succeeded / Failed one template step at a time, recording status.currentStep, each step's phase, times
 * and message, the start and completion times, and the failing step's error. Operations on one instance
 * run one at a time in creation order; different instances never wait for each other (§15). Finished
 * Operations beyond a per-namespace count are removed oldest first (§10.6 retention).
 */
import type { Controller } from '../SimFleet.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import { WorkQueue, objectKey, splitKey } from '../controllers/WorkQueue.js';
import type { KubeObject } from '../store/Store.js';
import type { ApplicationSpec, OperationSpec, OperationStatus, OperationStep, PluginVersion } from './middlewareShapes.js';
import { MIDDLEWARE_MANAGER } from './middlewareLabels.js';
import { APPLICATIONS, OPERATIONS } from './middlewareResourceTypes.js';
import { STEP_ACTIONS, type StepOutcome } from './operationActions.js';
import { validateOperation } from './operationValidation.js';
import { readPluginVersion } from './pluginCatalog.js';

export interface OperationControllerOptions {
  /**
   * Time between the end of one step and the start of the next (the simulated work of a step).
   * @default 1000
   */
  stepDelayMs?: number;
  /**
   * How often a waiting step (e.g. "wait-ready") looks again.
   * @default 500
   */
  pollMs?: number;
  /**
   * A step still waiting after this long fails the Operation with reason StepTimeout.
   * @default 300000
   */
  stepTimeoutMs?: number;
  /**
   * Finished Operations kept per namespace.
   * @default 100
   */
  keepFinished?: number;
  /**
   * Backups kept per instance when the Application sets no spec.backup.retention.
   * @default 7
   */
  defaultBackupRetention?: number;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const FINISHED = new Set(['Succeeded', 'Failed']);

export class OperationController implements Controller {
  readonly name = 'middleware-operation-controller';
  private readonly queue: WorkQueue;
  private unsubscribe: (() => void) | undefined;
  /** Operation key → earliest time its next step may run (writes of our own re-enqueue it at once). */
  private readonly notBefore = new Map<string, number>();
  private readonly stepDelayMs: number;
  private readonly pollMs: number;
  private readonly stepTimeoutMs: number;
  private readonly keepFinished: number;
  private readonly defaultBackupRetention: number;

  constructor(private readonly member: SimCluster, options: OperationControllerOptions = {}) {
    this.queue = new WorkQueue((key) => this.reconcile(key));
    this.stepDelayMs = options.stepDelayMs ?? 1000;
    this.pollMs = options.pollMs ?? 500;
    this.stepTimeoutMs = options.stepTimeoutMs ?? 300_000;
    this.keepFinished = options.keepFinished ?? 100;
    this.defaultBackupRetention = options.defaultBackupRetention ?? 7;
  }

  start(): void {
    this.unsubscribe = this.member.onChange(OPERATIONS, (event) => {
      const key = objectKey(event.object.metadata.namespace, event.object.metadata.name!);
      if (event.type === 'DELETED') this.notBefore.delete(key);
      else this.queue.add(key);
    });
    for (const op of this.member.objects.list(OPERATIONS)) this.queue.add(objectKey(op.metadata.namespace, op.metadata.name!));
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue.stop();
  }

  private later(key: string, ms: number): void {
    this.notBefore.set(key, Date.now() + ms);
    this.queue.addAfter(key, ms);
  }

  private write(op: KubeObject, status: OperationStatus): void {
    this.member.objects.mutate(OPERATIONS, op.metadata.namespace, op.metadata.name!, (copy) => {
      if (JSON.stringify(copy.status ?? {}) === JSON.stringify(status)) return undefined;
      copy.status = status;
      return copy;
    }, { manager: MIDDLEWARE_MANAGER, subresource: 'status' });
  }

  private reconcile(key: string): void {
    const due = this.notBefore.get(key);
    if (due !== undefined && Date.now() < due) return this.queue.addAfter(key, due - Date.now());
    this.notBefore.delete(key);
    const { namespace, name } = splitKey(key);
    const op = this.member.objects.get(OPERATIONS, namespace, name);
    if (!op || op.metadata.deletionTimestamp) return;
    const status = (op.status ?? {}) as OperationStatus;
    if (status.phase && FINISHED.has(status.phase)) return;
    if (!status.phase) return this.admit(key, op);
    if (status.phase === 'Pending') {
      // Checked again when it is its turn: the instance may have changed while it waited.
      const check = validateOperation(this.member, op);
      if (!check.ok) return this.finishFailed(op, status, check.reason, check.message);
      if (this.busyWithOther(op)) return this.later(key, this.pollMs);
      const steps = (status.steps ?? []).map((s, i) => (i === 0 ? { ...s, phase: 'Running' as const, startTime: now() } : s));
      this.write(op, { ...status, phase: 'Running', currentStep: 1, startTime: now(), steps });
      return this.later(key, this.stepDelayMs);
    }
    // Running: not validated again (its own steps change what validation looks at: a Stop stops the
    // instance, an upgrade changes the version), but the target must still be there.
    const spec = op.spec as OperationSpec;
    const app = this.member.objects.get(APPLICATIONS, namespace, spec.targetRef.name);
    if (!app) {
      return this.finishFailed(op, status, 'TargetNotFound', `Application ${namespace}/${spec.targetRef.name} disappeared during the operation`);
    }
    const appSpec = app.spec as ApplicationSpec;
    const plugin = readPluginVersion(this.member, appSpec.type, appSpec.pluginVersion);
    if (!plugin.ok) return this.finishFailed(op, status, plugin.reason, plugin.message);
    this.runStep(key, op, status, app, plugin.plugin);
  }

  /** A new Operation: validated, then Pending with its steps listed (or Failed at once with the reason). */
  private admit(key: string, op: KubeObject): void {
    const check = validateOperation(this.member, op);
    if (!check.ok) return this.finishFailed(op, {}, check.reason, check.message);
    const steps: OperationStep[] = check.template.steps.map((s) => ({ name: s.name, action: s.action, phase: 'Pending' }));
    this.write(op, { phase: 'Pending', currentStep: 0, steps });
    this.later(key, Math.min(this.stepDelayMs, this.pollMs));
  }

  private busyWithOther(op: KubeObject): boolean {
    const target = (op.spec as OperationSpec).targetRef.name;
    const mine = op.metadata.creationTimestamp ?? '';
    return this.member.objects.list(OPERATIONS, { namespace: op.metadata.namespace }).some((other) => {
      if (other.metadata.name === op.metadata.name || (other.spec as OperationSpec).targetRef?.name !== target) return false;
      const phase = (other.status as OperationStatus | undefined)?.phase;
      if (phase === 'Running') return true;
      // Earlier Pending operations on the same instance go first.
      return phase === 'Pending' && ((other.metadata.creationTimestamp ?? '') < mine || ((other.metadata.creationTimestamp ?? '') === mine && other.metadata.name! < op.metadata.name!));
    });
  }

  private runStep(key: string, op: KubeObject, status: OperationStatus, app: KubeObject, plugin: PluginVersion): void {
    const index = (status.currentStep ?? 1) - 1;
    const steps = [...(status.steps ?? [])];
    const step = steps[index];
    if (!step) return this.finishSucceeded(op, status);
    const spec = op.spec as OperationSpec;
    const templateStep = plugin.operations[spec.type]?.steps[index];
    const action = STEP_ACTIONS[step.action];
    let outcome: StepOutcome;
    const context = { ...(status.context ?? {}) };
    if (!action) {
      outcome = { kind: 'fail', reason: 'UnknownAction', message: `step action "${step.action}" is not implemented by the controller` };
    } else {
      try {
        outcome = action({
          member: this.member, operation: op, app, plugin, args: templateStep?.with ?? {}, params: spec.parameters ?? {}, context,
          defaultBackupRetention: this.defaultBackupRetention,
        });
      } catch (error) {
        outcome = { kind: 'fail', reason: 'StepError', message: (error as Error).message };
      }
    }
    const started = Date.parse(step.startTime ?? now());
    if (outcome.kind === 'wait') {
      if (Date.now() - started > this.stepTimeoutMs) {
        outcome = { kind: 'fail', reason: 'StepTimeout', message: `${outcome.message}; gave up after ${Math.round(this.stepTimeoutMs / 1000)}s` };
      } else {
        steps[index] = { ...step, message: outcome.message };
        this.write(op, { ...status, steps, context });
        return this.later(key, this.pollMs);
      }
    }
    if (outcome.kind === 'fail') {
      steps[index] = { ...step, phase: 'Failed', completionTime: now(), message: outcome.message };
      return this.finishFailed(op, { ...status, steps, context }, outcome.reason, `step ${index + 1} (${step.name}) failed: ${outcome.message}`);
    }
    steps[index] = { ...step, phase: 'Succeeded', completionTime: now(), message: outcome.message };
    if (index + 1 >= steps.length) return this.finishSucceeded(op, { ...status, steps, context });
    steps[index + 1] = { ...steps[index + 1]!, phase: 'Running', startTime: now() };
    this.write(op, { ...status, steps, context, currentStep: index + 2 });
    this.later(key, this.stepDelayMs);
  }

  private finishSucceeded(op: KubeObject, status: OperationStatus): void {
    this.write(op, { ...status, phase: 'Succeeded', completionTime: now() });
    this.enforceRetention(op.metadata.namespace!);
  }

  private finishFailed(op: KubeObject, status: OperationStatus, reason: string, message: string): void {
    const t = now();
    this.write(op, { ...status, phase: 'Failed', reason, error: message, startTime: status.startTime ?? t, completionTime: t, currentStep: status.currentStep ?? 0 });
    this.enforceRetention(op.metadata.namespace!);
  }

  private enforceRetention(namespace: string): void {
    const finished = this.member.objects
      .list(OPERATIONS, { namespace })
      .filter((o) => FINISHED.has((o.status as OperationStatus | undefined)?.phase ?? ''))
      .sort((a, b) => ((a.status as OperationStatus).completionTime ?? '').localeCompare((b.status as OperationStatus).completionTime ?? ''));
    for (const old of finished.slice(0, Math.max(0, finished.length - this.keepFinished))) {
      this.member.objects.delete(OPERATIONS, namespace, old.metadata.name!);
    }
  }
}
