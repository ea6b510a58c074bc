/**
 * OperationStore with a real audit database: a restart fails the gateway-run Operations a previous process
 * left running (INTERRUPTED, naming the step), keeps finished and middleware ones; listing and pruning.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/AuditLog.js';
import type { OperationRecord } from './OperationRecord.js';
import { OperationStore } from './OperationStore.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleetgraph-opstore-unit-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const op = (id: string, over: Partial<OperationRecord> = {}): OperationRecord => ({
  id, type: 'drainNode', target: { cluster: 'member1', apiVersion: 'v1', kind: 'Node', namespace: null, name: 'n1', uid: null },
  parameters: {}, phase: 'RUNNING',
  steps: [{ name: 'cordon', phase: 'SUCCEEDED', message: null, startedAt: 't', finishedAt: 't' }, { name: 'evict a/b', phase: 'RUNNING', message: 'refused 3 time(s)', startedAt: 't', finishedAt: null }],
  currentStep: 1, requestedBy: 'alice', createdAt: '2026-01-01T00:00:00.000Z', startedAt: 't', completedAt: null, error: null, reason: null,
  executor: 'GATEWAY', resource: null, ...over,
});

describe('OperationStore', () => {
  it('after a restart, a running gateway Operation is FAILED with reason INTERRUPTED; others are kept as they were', async () => {
    const path = join(dir, 'audit.db');
    const first = new AuditLog({ path });
    const store = new OperationStore(first);
    store.put(op('op-running'));
    store.put(op('op-done', { phase: 'SUCCEEDED', createdAt: '2026-01-02T00:00:00.000Z' }));
    store.put(op('op-mw', { executor: 'MIDDLEWARE_CONTROLLER', type: 'Restart', createdAt: '2026-01-03T00:00:00.000Z' }));
    await first.flush();
    await first.close();

    const second = new AuditLog({ path });
    const restored = new OperationStore(second);
    const result = await restored.restore();
    expect(result).toEqual({ loaded: 3, interrupted: ['op-running'], inFlight: new Map([['op-running', ['evict a/b']]]) });
    const r = restored.get('op-running')!;
    expect(r.phase).toBe('FAILED');
    expect(r.reason).toBe('INTERRUPTED');
    expect(r.error).toContain('step "evict a/b"');
    expect(r.steps[1]!.phase).toBe('FAILED');
    expect(r.completedAt).not.toBeNull();
    expect(restored.get('op-done')!.phase).toBe('SUCCEEDED');
    expect(restored.get('op-mw')!.phase).toBe('RUNNING');
    await second.flush();
    await second.close();
    // The interruption itself is persisted: a third start finds nothing to interrupt.
    const third = new AuditLog({ path });
    expect((await new OperationStore(third).restore()).interrupted).toEqual([]);
    await third.close();
  });

  it('lists newest first with filters, tells listeners, and prunes finished ones only', () => {
    const store = new OperationStore(null);
    const seen: string[] = [];
    store.onChange((o) => seen.push(`${o.id}:${o.phase}`));
    store.put(op('a', { phase: 'SUCCEEDED', createdAt: '2026-01-01T00:00:00.000Z' }));
    store.put(op('b', { phase: 'FAILED', createdAt: '2026-01-02T00:00:00.000Z', type: 'cordonNode' }));
    store.put(op('c', { phase: 'RUNNING', createdAt: '2026-01-03T00:00:00.000Z', target: { cluster: null, apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'x', uid: null } }));
    expect(seen).toEqual(['a:SUCCEEDED', 'b:FAILED', 'c:RUNNING']);
    expect(store.list().map((o) => o.id)).toEqual(['c', 'b', 'a']);
    expect(store.list({ cluster: 'karmada' }).map((o) => o.id)).toEqual(['c']);
    expect(store.list({ phase: ['FAILED', 'SUCCEEDED'], type: 'drainNode' }).map((o) => o.id)).toEqual(['a']);
    expect(store.list({ since: '2026-01-02T00:00:00.000Z', until: '2026-01-03T00:00:00.000Z' }).map((o) => o.id)).toEqual(['b']);
    expect(store.prune(1000, 1)).toBe(2);
    expect(store.list().map((o) => o.id)).toEqual(['c']);
  });
});
