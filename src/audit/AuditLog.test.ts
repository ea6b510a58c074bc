/**
 * AuditLog on a real SQLite file: batched commits visible after flush and after reopening, WAL mode,
 * retention by age and by count, request statistics folding, idempotency key reservation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OperationRecord } from '../operations/OperationRecord.js';
import { AuditLog, OTHER_OPERATIONS, type AuditEntry } from './AuditLog.js';
import { AuditRetention } from './AuditRetention.js';

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleetgraph-audit-unit-'));
  path = join(dir, 'audit.db');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  at: new Date().toISOString(), user: 'alice', action: 'cordonNode', targetKind: 'Node', targetName: 'n1', cluster: 'member1',
  namespace: null, success: true, error: null, errorCode: null, requestId: 'r1', sourceIp: '127.0.0.1', userAgent: 'ua',
  durationMs: 3, operationId: 'op-1', arguments: '{}', ...over,
});

const op = (id: string, phase: OperationRecord['phase'], createdAt = new Date().toISOString()): OperationRecord => ({
  id, type: 'drainNode', target: { cluster: 'member1', apiVersion: 'v1', kind: 'Node', namespace: null, name: 'n1', uid: null },
  parameters: {}, phase, steps: [{ name: 'cordon', phase: 'RUNNING', message: null, startedAt: createdAt, finishedAt: null }], currentStep: 0,
  requestedBy: 'alice', createdAt, startedAt: createdAt, completedAt: null, error: null, reason: null, executor: 'GATEWAY', resource: null,
});

describe('AuditLog', () => {
  it('commits queued writes in a batch on the next turn; flush resolves once they are on disk', async () => {
    const log = new AuditLog({ path });
    for (let i = 0; i < 20; i++) log.recordMutation(entry({ targetName: `n${i}` }));
    // Nothing committed synchronously: the request path never waits on SQLite.
    const other = new Database(path, { readonly: true });
    expect((other.prepare('SELECT COUNT(*) AS n FROM audit_entries').get() as { n: number }).n).toBe(0);
    await log.flush();
    expect((other.prepare('SELECT COUNT(*) AS n FROM audit_entries').get() as { n: number }).n).toBe(20);
    expect(log.entries({ limit: 5 }).map((e) => e.targetName)).toEqual(['n19', 'n18', 'n17', 'n16', 'n15']);
    other.close();
    log.close();
  });

  it('uses WAL, and a reopened log has every committed row and Operation', async () => {
    const log = new AuditLog({ path });
    log.recordMutation(entry());
    log.recordChange({ at: new Date().toISOString(), operationId: 'op-1', user: 'alice', verb: 'patch', cluster: 'member1', kind: 'Node', namespace: null, name: 'n1', before: '{"a":1}', after: '{"a":2}' });
    log.saveOperation(op('op-1', 'RUNNING'));
    await log.flush();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    log.close();
    const again = new AuditLog({ path });
    expect(again.entries()).toHaveLength(1);
    expect(again.changes()[0]).toMatchObject({ verb: 'patch', before: '{"a":1}', after: '{"a":2}' });
    expect(again.loadOperations().map((o) => [o.id, o.phase])).toEqual([['op-1', 'RUNNING']]);
    again.close();
  });

  it('writes only the newest state of an Operation saved many times in one turn', async () => {
    const log = new AuditLog({ path });
    for (let i = 0; i < 50; i++) log.saveOperation({ ...op('op-1', 'RUNNING'), currentStep: i });
    log.saveOperation(op('op-1', 'SUCCEEDED'));
    await log.flush();
    const stored = log.loadOperations();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.phase).toBe('SUCCEEDED');
    log.saveOperation(op('op-1', 'FAILED'));
    await log.flush();
    expect(log.loadOperations()[0]!.phase).toBe('FAILED');
    log.close();
  });

  it('filters entries by user, action, success and time', async () => {
    const log = new AuditLog({ path });
    log.recordMutation(entry({ user: 'bob', at: '2026-01-01T00:00:00.000Z' }));
    log.recordMutation(entry({ user: 'alice', action: 'drainNode', success: false, errorCode: 'FORBIDDEN', at: '2026-01-02T00:00:00.000Z' }));
    log.recordMutation(entry({ user: 'alice', at: '2026-01-03T00:00:00.000Z' }));
    await log.flush();
    expect(log.entries({ user: 'bob' })).toHaveLength(1);
    expect(log.entries({ success: false }).map((e) => e.errorCode)).toEqual(['FORBIDDEN']);
    expect(log.entries({ action: 'cordonNode', user: 'alice' })).toHaveLength(1);
    expect(log.entries({ since: '2026-01-02T00:00:00.000Z', until: '2026-01-03T00:00:00.000Z' }).map((e) => e.action)).toEqual(['drainNode']);
    log.close();
  });

  it('retention deletes by age and keeps the newest rows by count; running Operations are kept', async () => {
    const log = new AuditLog({ path });
    const old = new Date(Date.now() - 10 * 24 * 3600_000).toISOString();
    for (let i = 0; i < 3; i++) log.recordMutation(entry({ at: old, targetName: `old${i}` }));
    for (let i = 0; i < 5; i++) log.recordMutation(entry({ targetName: `new${i}` }));
    log.saveOperation(op('op-old-done', 'SUCCEEDED', old));
    log.saveOperation(op('op-old-running', 'RUNNING', old));
    await log.flush();
    const runs: unknown[] = [];
    const retention = new AuditRetention(log, { maxAgeMs: 24 * 3600_000, maxRows: 3, onRun: (r) => runs.push(r) });
    retention.runOnce();
    expect(runs[0]).toMatchObject({ entries: 5, operations: 1 });
    expect(log.entries().map((e) => e.targetName)).toEqual(['new4', 'new3', 'new2']);
    expect(log.loadOperations().map((o) => o.id)).toEqual(['op-old-running']);
    log.close();
  });

  it('folds request statistics per operation name and transport', async () => {
    const log = new AuditLog({ path });
    log.recordRequest('Fleet', 'HTTP', 10, false);
    log.recordRequest('Fleet', 'HTTP', 30, true);
    log.recordRequest('anonymous', 'HTTP', 5, false);
    log.recordRequest('Fleet', 'WEBSOCKET', 7, false);
    await log.flush();
    log.recordRequest('Fleet', 'HTTP', 20, false);
    await log.flush();
    const stats = log.statistics();
    expect(stats).toHaveLength(3);
    expect(stats[0]).toMatchObject({ operationName: 'Fleet', transport: 'HTTP', count: 3, errors: 1, totalMs: 60, maxMs: 30 });
    expect(stats.slice(1)).toEqual([
      expect.objectContaining({ operationName: 'Fleet', transport: 'WEBSOCKET', count: 1, errors: 0, totalMs: 7, maxMs: 7 }),
      expect.objectContaining({ operationName: 'anonymous', transport: 'HTTP', count: 1 }),
    ]);
    log.close();
  });

  it('keeps at most maxOperationNames names, counting the rest under one "other" row, across a reopen', async () => {
    const log = new AuditLog({ path, maxOperationNames: 3 });
    for (let i = 0; i < 10; i++) log.recordRequest(`Op${i}`, 'HTTP', 1, i % 2 === 0);
    log.recordRequest('Op1', 'WEBSOCKET', 4, false);
    await log.flush();
    const names = log.statistics().map((s) => `${s.operationName}/${s.transport}/${s.count}/${s.errors}`).sort();
    expect(names).toEqual(['Op0/HTTP/1/1', 'Op1/HTTP/1/0', 'Op1/WEBSOCKET/1/0', 'Op2/HTTP/1/1', `${OTHER_OPERATIONS}/HTTP/7/3`]);
    log.close();
    // A reopened log knows the names it has rows for: a new name still goes to "other", a known one to its row.
    const again = new AuditLog({ path, maxOperationNames: 3 });
    again.recordRequest('Fresh', 'HTTP', 1, false);
    again.recordRequest('Op2', 'HTTP', 1, false);
    await again.flush();
    const after = Object.fromEntries(again.statistics().filter((s) => s.transport === 'HTTP').map((s) => [s.operationName, s.count]));
    expect(after).toEqual({ Op0: 1, Op1: 1, Op2: 2, [OTHER_OPERATIONS]: 8 });
    again.close();
  });

  it('reads request statistics exactly before they are folded, folds them on its timer and on close', async () => {
    // A long interval: the counts below are read before any timer could fold them.
    const log = new AuditLog({ path, statisticsFlushMs: 60_000 });
    const onDisk = () => {
      const reader = new Database(path, { readonly: true });
      try {
        return reader.prepare('SELECT operation_name AS name, transport, count, errors, total_ms AS totalMs FROM request_statistics ORDER BY name, transport').all();
      } finally {
        reader.close();
      }
    };
    log.recordRequest('Pending', 'HTTP', 4, false);
    log.recordRequest('Pending', 'HTTP', 6, true);
    expect(onDisk()).toEqual([]);
    expect(log.statistics()).toEqual([expect.objectContaining({ operationName: 'Pending', transport: 'HTTP', count: 2, errors: 1, totalMs: 10, maxMs: 6 })]);
    // The read folded them: on disk now, and not counted twice by a later read.
    expect(onDisk()).toEqual([{ name: 'Pending', transport: 'HTTP', count: 2, errors: 1, totalMs: 10 }]);
    log.recordRequest('Pending', 'HTTP', 1, false);
    expect(log.statistics()[0]).toMatchObject({ count: 3, errors: 1, totalMs: 11 });
    // close() folds what is pending: nothing is lost on a clean stop.
    log.recordRequest('Closing', 'WEBSOCKET', 2, false);
    log.close();
    expect(onDisk()).toEqual([
      { name: 'Closing', transport: 'WEBSOCKET', count: 1, errors: 0, totalMs: 2 },
      { name: 'Pending', transport: 'HTTP', count: 3, errors: 1, totalMs: 11 },
    ]);
    // A count after close (a request finishing during shutdown) is ignored rather than failing the request.
    expect(() => log.recordRequest('Late', 'HTTP', 1, false)).not.toThrow();

    // The timer folds without any read, flush or close.
    const timed = new AuditLog({ path, statisticsFlushMs: 20 });
    timed.recordRequest('Timed', 'HTTP', 3, false);
    const deadline = Date.now() + 10_000;
    while (!onDisk().some((r: any) => r.name === 'Timed') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(onDisk()).toContainEqual({ name: 'Timed', transport: 'HTTP', count: 1, errors: 0, totalMs: 3 });
    timed.close();
  });

  it('opens a database written before the transport was recorded, keeping its statistics as HTTP', async () => {
    // The request_statistics table as older gateways created it: keyed by operation name alone.
    const old = new Database(path);
    old.prepare(
      `CREATE TABLE request_statistics (operation_name TEXT PRIMARY KEY, count INTEGER NOT NULL, errors INTEGER NOT NULL,
         total_ms INTEGER NOT NULL, max_ms INTEGER NOT NULL, last_at TEXT NOT NULL)`,
    ).run();
    old.prepare(`INSERT INTO request_statistics VALUES ('Fleet', 4, 1, 40, 20, '2026-01-01T00:00:00.000Z')`).run();
    old.close();

    const log = new AuditLog({ path });
    expect(log.statistics()).toEqual([{ operationName: 'Fleet', transport: 'HTTP', count: 4, errors: 1, totalMs: 40, maxMs: 20, lastAt: '2026-01-01T00:00:00.000Z' }]);
    log.recordRequest('Fleet', 'HTTP', 10, false);
    log.recordRequest('Fleet', 'WEBSOCKET', 3, true);
    await log.flush();
    log.close();

    // Reopened again: the migration does not run twice and the new rows are kept.
    const again = new AuditLog({ path });
    expect(again.statistics().map((s) => [s.operationName, s.transport, s.count, s.errors])).toEqual([
      ['Fleet', 'HTTP', 5, 1],
      ['Fleet', 'WEBSOCKET', 1, 1],
    ]);
    again.close();
  });

  it('reserves an idempotency key once; the second reservation sees the first', () => {
    const log = new AuditLog({ path });
    expect(log.reserveIdempotencyKey('alice\u0000cordonNode', 'k', 'h1', 'op-1')).toEqual({ reserved: true, operationId: 'op-1', argumentsHash: 'h1' });
    expect(log.reserveIdempotencyKey('alice\u0000cordonNode', 'k', 'h2', 'op-2')).toEqual({ reserved: false, operationId: 'op-1', argumentsHash: 'h1' });
    expect(log.reserveIdempotencyKey('bob\u0000cordonNode', 'k', 'h2', 'op-3').reserved).toBe(true);
    expect(log.lookupIdempotencyKey('alice\u0000cordonNode', 'k')).toEqual({ operationId: 'op-1', argumentsHash: 'h1' });
    log.close();
  });
});
