/**
 * Truthful Operations after a crash. A gateway-run Operation that a previous process left unfinished (killed,
 * OOM, power cut) cannot be resumed safely: its PDB retries, timers and half-written state are gone. So at
 * startup it ends FAILED with reason INTERRUPTED, in two passes:
 *
 *  1. `markInterrupted` (synchronous, before anything can read the store): no step stays RUNNING or PENDING.
 *     A step that was in flight is provisionally FAILED ("its outcome is being checked"), a step never started
 *     SKIPPED; the error names the steps that were in flight, found by their phase: `currentStep` is only the
 *     last one STARTED, and with concurrent steps (a drain's evictions) that one may well have succeeded.
 *  2. `reconcileInterrupted` (asynchronous, reads only): each step that did not finish is checked against the
 *     cluster where a read can tell what really happened (did the eviction happen, is the node cordoned),
 *     and marked with it. A step no read can settle keeps its provisional FAILED, saying its outcome is unknown.
 *
 * The record the database holds may also lag behind the last moves before the kill (writes are batched per
 * event-loop turn): that is one more reason to trust the cluster over the record for in-flight steps.
 */
import type { KubeObject } from './ClusterWriter.js';
import type { OperationRecord, OperationStepRecord } from './OperationRecord.js';

/** The reads reconciliation needs (a ClusterWriter of the Operation's cluster provides them). */
export interface ClusterReader {
  read(ref: { apiVersion: string; kind: string; namespace?: string | null; name: string }): Promise<KubeObject | null>;
}

/** Marks the provisional message of an in-flight step, so that reconciliation finds the steps it must check. */
const CHECKING = 'interrupted: the gateway stopped while this step ran; its outcome is being checked against the cluster';
const UNKNOWN = 'interrupted: the gateway stopped while this step ran; its outcome could not be checked';
const NOT_RUN = 'not run: the gateway stopped before this step';

/**
 * Ends an unfinished gateway-run Operation as FAILED / INTERRUPTED at `now`, with no step RUNNING or PENDING.
 * @returns the names of the steps that were in flight
 */
export function markInterrupted(op: OperationRecord, now: string): string[] {
  const inFlight: string[] = [];
  for (const step of op.steps) {
    if (step.phase === 'RUNNING') {
      inFlight.push(step.name);
      Object.assign(step, { phase: 'FAILED', message: CHECKING, finishedAt: now });
    } else if (step.phase === 'PENDING') {
      Object.assign(step, { phase: 'SKIPPED', message: NOT_RUN, finishedAt: now });
    }
  }
  op.phase = 'FAILED';
  op.reason = 'INTERRUPTED';
  op.completedAt = now;
  describeInterruption(op, inFlight);
  return inFlight;
}

/** Whether a step still waits for reconciliation. */
export function awaitsCheck(step: OperationStepRecord): boolean {
  return step.phase === 'FAILED' && step.message === CHECKING;
}

/**
 * Checks every in-flight step of an interrupted Operation (and the steps never started, whose message says
 * whether their work is needed any more) against the cluster, and marks each with what really happened.
 * Reads only. A step whose read fails keeps waiting for a later attempt, unless `final`: then its outcome is
 * recorded as unknown, with the read's error.
 * @param inFlight the in-flight step names `markInterrupted` returned (the error keeps naming them)
 * @returns `unsettled`: steps whose read failed and that still await a check
 */
export async function reconcileInterrupted(op: OperationRecord, inFlight: readonly string[], reader: ClusterReader | null, final = true): Promise<{ unsettled: number }> {
  const check = checkerFor(op);
  let unsettled = 0;
  for (const step of op.steps) {
    const started = awaitsCheck(step);
    if (!started && !(step.phase === 'SKIPPED' && step.message === NOT_RUN)) continue;
    let outcome: StepOutcome | undefined;
    try {
      outcome = reader && check ? await check(step.name, reader) : undefined;
    } catch (err) {
      if (started && final) step.message = `${UNKNOWN}: ${(err as Error)?.message ?? String(err)}`;
      else if (started) unsettled++;
      continue;
    }
    if (started) {
      if (!outcome) step.message = UNKNOWN;
      else if (outcome.done) Object.assign(step, { phase: 'SUCCEEDED', message: `done before the gateway stopped (checked after the restart): ${outcome.what}` });
      else step.message = `interrupted: the gateway stopped while this step ran; checked after the restart: ${outcome.what}`;
    } else if (outcome) {
      step.message = `${NOT_RUN}; checked after the restart: ${outcome.what}`;
    }
  }
  describeInterruption(op, [...inFlight]);
  return { unsettled };
}

interface StepOutcome {
  /** The step's work is found done in the cluster. */
  done: boolean;
  /** What the read found, for the step's message. */
  what: string;
}

type StepChecker = (step: string, reader: ClusterReader) => Promise<StepOutcome | undefined>;

/** The checks of one Operation type; undefined when no read can tell what its steps did. */
function checkerFor(op: OperationRecord): StepChecker | undefined {
  const node = op.target.kind === 'Node' ? op.target.name : undefined;
  if (!node) return undefined;
  const cordon = async (reader: ClusterReader, wanted: boolean): Promise<StepOutcome> => {
    const n = await reader.read({ apiVersion: 'v1', kind: 'Node', name: node });
    if (!n) return { done: false, what: `node ${node} not found` };
    const unschedulable = Boolean(n.spec?.unschedulable);
    return { done: unschedulable === wanted, what: `node ${node} is ${unschedulable ? 'cordoned' : 'schedulable'}` };
  };
  return async (step, reader) => {
    if (step === 'cordon') return cordon(reader, true);
    if (step === 'uncordon') return cordon(reader, false);
    const evict = /^evict ([^/]+)\/(.+)$/.exec(step);
    if (op.type === 'drainNode' && evict) {
      const [, namespace, name] = evict;
      const pod = await reader.read({ apiVersion: 'v1', kind: 'Pod', namespace: namespace!, name: name! });
      // A pod of the same name elsewhere is a replacement (a StatefulSet's): this node's pod is gone.
      if (!pod || pod.spec?.nodeName !== node) return { done: true, what: `pod ${namespace}/${name} is no longer on node ${node}` };
      // Evicted and still shutting down: the eviction happened (the executor would have waited for it to go).
      if (pod.metadata?.deletionTimestamp) return { done: true, what: `pod ${namespace}/${name} was evicted and is terminating` };
      return { done: false, what: `pod ${namespace}/${name} is still on node ${node}` };
    }
    return undefined;
  };
}

/**
 * The error of an interrupted Operation: the steps that were in flight, the unfinished ones first (the
 * one to look at, which also becomes `currentStep`), with how many were found done after the restart.
 */
function describeInterruption(op: OperationRecord, inFlight: string[]): void {
  if (inFlight.length === 0) {
    const last = [...op.steps].reverse().find((s) => s.phase === 'SUCCEEDED');
    op.error = `interrupted: the gateway stopped ${last ? `after step "${last.name}"` : 'before the first step'}, between steps; it was not resumed`;
    return;
  }
  const byName = new Map(op.steps.map((s) => [s.name, s]));
  const unfinished = inFlight.filter((n) => byName.get(n)?.phase !== 'SUCCEEDED');
  const named = [...unfinished, ...inFlight.filter((n) => !unfinished.includes(n))];
  const more = named.length > 1 ? ` (and ${named.length - 1} more step(s) in flight)` : '';
  const done = inFlight.length - unfinished.length;
  const checked = inFlight.some((n) => awaitsCheck(byName.get(n)!)) ? '' : `; after the restart ${done} of the ${inFlight.length} in-flight step(s) were found done`;
  op.currentStep = op.steps.findIndex((s) => s.name === named[0]);
  op.error = `interrupted: the gateway stopped during step "${named[0]}"${more}; it was not resumed${checked}`;
}
