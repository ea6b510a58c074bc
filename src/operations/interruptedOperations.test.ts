import { describe, expect, it } from 'vitest';
import type { KubeObject } from './ClusterWriter.js';
import { markInterrupted, reconcileInterrupted, type ClusterReader } from './interruptedOperations.js';
import type { OperationRecord, OperationStepRecord } from './OperationRecord.js';

const step = (name: string, phase: OperationStepRecord['phase'], message: string | null = null): OperationStepRecord =>
  ({ name, phase, message, startedAt: phase === 'PENDING' ? null : 't', finishedAt: phase === 'SUCCEEDED' ? 't' : null });

/** A drain killed mid-way: a, b and c evicted concurrently; c (the last STARTED) had already succeeded. */
function drain(): OperationRecord {
  return {
    id: 'op-1', type: 'drainNode', target: { cluster: 'member1', apiVersion: 'v1', kind: 'Node', namespace: null, name: 'n1', uid: null },
    parameters: {}, phase: 'RUNNING',
    steps: [
      step('cordon', 'SUCCEEDED'), step('list pods', 'SUCCEEDED'),
      step('evict web/a', 'RUNNING', 'eviction refused 4 time(s)'), step('evict web/b', 'RUNNING'), step('evict web/c', 'SUCCEEDED'),
      step('evict web/d', 'PENDING'), step('evict web/e', 'PENDING'),
    ],
    currentStep: 4, requestedBy: 'alice', createdAt: 't', startedAt: 't', completedAt: null, error: null, reason: null, executor: 'GATEWAY', resource: null,
  };
}

/** Pods of the member: a and d still on n1; b gone; e replaced on another node (same name, a StatefulSet's). */
function reader(pods: Record<string, string>, fail = false): ClusterReader & { reads: number } {
  const r = {
    reads: 0,
    async read(ref: { kind: string; namespace?: string | null; name: string }): Promise<KubeObject | null> {
      r.reads++;
      if (fail) throw new Error('connect ECONNREFUSED');
      if (ref.kind === 'Node') return { metadata: { name: ref.name }, spec: { unschedulable: true } };
      const node = pods[`${ref.namespace}/${ref.name}`];
      if (node === 'terminating') return { metadata: { name: ref.name, deletionTimestamp: new Date() }, spec: { nodeName: 'n1' } };
      return node ? { metadata: { name: ref.name, namespace: ref.namespace ?? undefined }, spec: { nodeName: node } } : null;
    },
  };
  return r;
}

describe('interrupted Operations', () => {
  it('leave no step RUNNING or PENDING, and name a step that was in flight, not the last one started', () => {
    const op = drain();
    const inFlight = markInterrupted(op, 'now');
    expect(inFlight).toEqual(['evict web/a', 'evict web/b']);
    expect(op).toMatchObject({ phase: 'FAILED', reason: 'INTERRUPTED', completedAt: 'now' });
    expect(op.steps.map((s) => s.phase)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'FAILED', 'FAILED', 'SUCCEEDED', 'SKIPPED', 'SKIPPED']);
    expect(op.error).toMatch(/^interrupted: the gateway stopped during step "evict web\/a" \(and 1 more step\(s\) in flight\)/);
    expect(op.error).not.toContain('web/c');
  });

  it('mark each step with what the cluster says happened', async () => {
    const op = drain();
    const inFlight = markInterrupted(op, 'now');
    const r = reader({ 'web/a': 'n1', 'web/d': 'n1', 'web/e': 'n2' });
    expect(await reconcileInterrupted(op, inFlight, r)).toEqual({ unsettled: 0 });
    const byName = Object.fromEntries(op.steps.map((s) => [s.name, s]));
    expect(byName['evict web/a']).toMatchObject({ phase: 'FAILED', message: expect.stringMatching(/still on node n1/) });
    expect(byName['evict web/b']).toMatchObject({ phase: 'SUCCEEDED', message: expect.stringMatching(/no longer on node n1/) });
    expect(byName['evict web/c']!.phase).toBe('SUCCEEDED');
    expect(byName['evict web/d']).toMatchObject({ phase: 'SKIPPED', message: expect.stringMatching(/not run.*still on node n1/) });
    expect(byName['evict web/e']).toMatchObject({ phase: 'SKIPPED', message: expect.stringMatching(/not run.*no longer on node n1/) });
    expect(op.phase).toBe('FAILED');
    // The step named is the one that did not finish; b was found done.
    expect(op.error).toBe('interrupted: the gateway stopped during step "evict web/a" (and 1 more step(s) in flight); it was not resumed; after the restart 1 of the 2 in-flight step(s) were found done');
  });

  it('count an evicted pod that is still terminating as evicted', async () => {
    const op = drain();
    const inFlight = markInterrupted(op, 'now');
    await reconcileInterrupted(op, inFlight, reader({ 'web/a': 'terminating', 'web/b': 'n1' }));
    expect(op.steps[2]).toMatchObject({ phase: 'SUCCEEDED', message: expect.stringMatching(/evicted and is terminating/) });
    expect(op.steps[3]!.phase).toBe('FAILED');
    expect(op.error).toMatch(/during step "evict web\/b"/);
  });

  it('keep waiting for a check while the cluster cannot be read, then call the outcome unknown', async () => {
    const op = drain();
    const inFlight = markInterrupted(op, 'now');
    expect(await reconcileInterrupted(op, inFlight, reader({}, true), false)).toEqual({ unsettled: 2 });
    expect(op.steps[2]!.message).toMatch(/being checked/);
    expect(await reconcileInterrupted(op, inFlight, reader({}, true), true)).toEqual({ unsettled: 0 });
    expect(op.steps[2]).toMatchObject({ phase: 'FAILED', message: expect.stringMatching(/could not be checked: connect ECONNREFUSED/) });
    expect(op.steps.some((s) => s.phase === 'RUNNING' || s.phase === 'PENDING')).toBe(false);
  });

  it('check a cordon; leave steps no read can settle FAILED with an unknown outcome', async () => {
    const cordon: OperationRecord = { ...drain(), type: 'cordonNode', steps: [step('cordon', 'RUNNING')], currentStep: 0 };
    const inFlight = markInterrupted(cordon, 'now');
    await reconcileInterrupted(cordon, inFlight, reader({}));
    expect(cordon.steps[0]).toMatchObject({ phase: 'SUCCEEDED', message: expect.stringMatching(/node n1 is cordoned/) });

    const labels: OperationRecord = { ...drain(), type: 'setNodeLabels', steps: [step('set labels', 'RUNNING')], currentStep: 0 };
    const r = reader({});
    await reconcileInterrupted(labels, markInterrupted(labels, 'now'), r);
    expect(labels.steps[0]).toMatchObject({ phase: 'FAILED', message: expect.stringMatching(/could not be checked/) });
    expect(labels.error).toMatch(/during step "set labels"/);
  });
});
