import { describe, expect, it } from 'vitest';
import { GatewayExecutor, type OperationPlan } from './GatewayExecutor.js';
import type { OperationRecord } from './OperationRecord.js';
import { OperationStore } from './OperationStore.js';
import { OperationCancelled, OperationInterrupted } from './PlanContext.js';

function record(id: string): OperationRecord {
  return {
    id, type: 'test', target: { cluster: 'member1', apiVersion: 'v1', kind: 'Node', namespace: null, name: 'n1', uid: null },
    parameters: {}, phase: 'PENDING', steps: [], currentStep: -1, requestedBy: 'tester', createdAt: new Date().toISOString(),
    startedAt: null, completedAt: null, error: null, reason: null, executor: 'GATEWAY', resource: null,
  };
}

/** Resolves when `signal` aborts (a step blocked until it is cancelled). */
const untilAborted = (signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

describe('GatewayExecutor.cancel', () => {
  it('stops between steps: the running step and the ones not reached become CANCELLED, the Operation CANCELLED', async () => {
    const store = new OperationStore(null);
    const executor = new GatewayExecutor(store);
    const cancel = new AbortController();
    let third = false;
    const plan: OperationPlan = async (run) => {
      run.declare(['one', 'two', 'three']);
      await run.step('one', async () => undefined);
      await run.step('two', async () => {
        await untilAborted(cancel.signal);
        throw new OperationCancelled();
      });
      await run.step('three', async () => { third = true; });
    };
    store.put(record('op-1'));
    const done = executor.start(store.get('op-1')!, plan, cancel);
    await new Promise((r) => setImmediate(r));
    expect(store.get('op-1')!.steps.map((s) => s.phase)).toEqual(['SUCCEEDED', 'RUNNING', 'PENDING']);
    expect(await executor.cancel('op-1', 'cancelled by tester: no')).toBe(true);
    await done;
    const op = store.get('op-1')!;
    expect(third).toBe(false);
    expect(op.phase).toBe('CANCELLED');
    expect(op.reason).toBe('CANCELLED');
    expect(op.error).toBe('cancelled by tester: no');
    expect(op.steps.map((s) => [s.name, s.phase])).toEqual([['one', 'SUCCEEDED'], ['two', 'CANCELLED'], ['three', 'CANCELLED']]);
    expect(op.steps[2]!.message).toBe('not run: the Operation was cancelled');
    expect(op.completedAt).not.toBeNull();
    expect(executor.isRunning('op-1')).toBe(false);
    expect(await executor.cancel('op-1', 'again')).toBe(false);
  });

  it('lets every concurrent continueOnError step end before the Operation is CANCELLED', async () => {
    const store = new OperationStore(null);
    const executor = new GatewayExecutor(store);
    const cancel = new AbortController();
    const ended: string[] = [];
    const plan: OperationPlan = async (run) => {
      await Promise.all(['a', 'b'].map((name, i) => run.step(name, async () => {
        await untilAborted(cancel.signal);
        // The second one takes a moment longer to notice, as an upstream call in flight would.
        await new Promise((r) => setTimeout(r, i * 20));
        ended.push(name);
        throw new OperationCancelled();
      }, { continueOnError: true })));
    };
    store.put(record('op-2'));
    const done = executor.start(store.get('op-2')!, plan, cancel);
    await executor.cancel('op-2', 'cancelled by tester');
    await done;
    expect(ended.sort()).toEqual(['a', 'b']);
    const op = store.get('op-2')!;
    expect(op.phase).toBe('CANCELLED');
    expect(op.steps.map((s) => s.phase)).toEqual(['CANCELLED', 'CANCELLED']);
  });

  it('keeps the outcome of a plan that finished before the cancel reached a step', async () => {
    const store = new OperationStore(null);
    const executor = new GatewayExecutor(store);
    store.put(record('op-3'));
    await executor.start(store.get('op-3')!, async (run) => { await run.step('only', async () => undefined); });
    expect(await executor.cancel('op-3', 'late')).toBe(false);
    expect(store.get('op-3')!.phase).toBe('SUCCEEDED');
  });
});

describe('GatewayExecutor.interruptAll (shutdown)', () => {
  it('stops every running Operation at a step boundary: FAILED, reason INTERRUPTED, the steps saying why', async () => {
    const store = new OperationStore(null);
    const executor = new GatewayExecutor(store);
    const plan = (signal: AbortSignal): OperationPlan => async (run) => {
      run.declare(['one', 'two', 'three']);
      await run.step('one', async () => undefined);
      await run.step('two', async () => {
        await untilAborted(signal);
        throw new OperationCancelled();
      });
      await run.step('three', async () => undefined);
    };
    const a = new AbortController();
    store.put(record('op-a'));
    const done = executor.start(store.get('op-a')!, plan(a.signal), a);
    await new Promise((r) => setImmediate(r));
    await executor.interruptAll('the gateway shut down (SIGTERM)');
    await done;
    const op = store.get('op-a')!;
    expect(op).toMatchObject({ phase: 'FAILED', reason: 'INTERRUPTED', error: 'the gateway shut down (SIGTERM)' });
    expect(op.steps.map((s) => [s.name, s.phase, s.message])).toEqual([
      ['one', 'SUCCEEDED', null],
      ['two', 'CANCELLED', 'stopped: the gateway shut down (SIGTERM)'],
      ['three', 'CANCELLED', 'not run: the gateway shut down'],
    ]);
    // One started once the shutdown began runs no step at all.
    const b = new AbortController();
    b.abort(new OperationInterrupted('the gateway was shutting down'));
    store.put(record('op-b'));
    await executor.start(store.get('op-b')!, plan(b.signal), b);
    expect(store.get('op-b')!).toMatchObject({ phase: 'FAILED', reason: 'INTERRUPTED', error: 'the gateway was shutting down' });
    expect(store.get('op-b')!.steps.every((s) => s.phase === 'CANCELLED')).toBe(true);
  });
});
