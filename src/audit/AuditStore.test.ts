/**
 * The AuditStore behaviours every store must have, run against both: SQLite on a real file, and PostgreSQL on
 * the machine's server, each test in a fresh schema (dropped after). Rows are read back by an independent
 * reader (a second SQLite connection, a plain `pg` client), never only through the store under test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshSchema, type TestSchema } from '../../test/support/postgresSchema.js';
import type { OperationRecord } from '../operations/OperationRecord.js';
import { AuditLog } from './AuditLog.js';
import { AuditRetention } from './AuditRetention.js';
import { OTHER_OPERATIONS, type AuditEntry, type AuditStore } from './AuditStore.js';
import { PostgresAuditLog } from './PostgresAuditLog.js';

interface StoreOptions {
  maxOperationNames?: number;
  statisticsFlushMs?: number;
}

interface DiskStatistic {
  name: string;
  transport: string;
  count: number;
  errors: number;
  totalMs: number;
}

/** Opens stores of one kind on one database, and reads that database without them. */
interface Harness {
  /** Whether `count` reads synchronously, so that it can prove nothing is committed within the call. */
  syncReader: boolean;
  open(options?: StoreOptions): Promise<AuditStore>;
  count(table: string): Promise<number>;
  statsOnDisk(): Promise<DiskStatistic[]>;
  cleanup(): Promise<void>;
}

function sqliteHarness(): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-audit-store-'));
  const path = join(dir, 'audit.db');
  const read = <T>(f: (db: Database.Database) => T): T => {
    const db = new Database(path, { readonly: true });
    try {
      return f(db);
    } finally {
      db.close();
    }
  };
  return {
    syncReader: true,
    open: async (o = {}) => new AuditLog({ path, ...o }),
    count: async (table) => read((db) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n),
    statsOnDisk: async () =>
      read((db) => db.prepare('SELECT operation_name AS name, transport, count, errors, total_ms AS totalMs FROM request_statistics ORDER BY name, transport').all() as DiskStatistic[]),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresHarness(): Harness {
  const schema: TestSchema = freshSchema();
  return {
    syncReader: false,
    open: (o = {}) => PostgresAuditLog.open({ url: schema.url, ...o }),
    count: async (table) => Number((await schema.rows(`SELECT COUNT(*) AS n FROM ${table}`))[0].n),
    statsOnDisk: async () =>
      (await schema.rows('SELECT operation_name AS name, transport, count, errors, total_ms AS "totalMs" FROM request_statistics ORDER BY operation_name, transport')).map(
        (r) => ({ name: r.name, transport: r.transport, count: Number(r.count), errors: Number(r.errors), totalMs: Number(r.totalMs) }),
      ),
    cleanup: () => schema.drop(),
  };
}

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

describe.each([
  ['sqlite', sqliteHarness],
  ['postgres', postgresHarness],
] as const)('AuditStore (%s)', (kind, makeHarness) => {
  let h: Harness;
  const opened: AuditStore[] = [];
  const open = async (o?: StoreOptions) => {
    const s = await h.open(o);
    opened.push(s);
    return s;
  };

  beforeEach(() => {
    h = makeHarness();
  });

  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close().catch(() => undefined);
    await h.cleanup();
  });

  it('says what it is', async () => {
    const log = await open();
    expect(log.kind).toBe(kind);
    expect(log.describe()).not.toContain('secret');
  });

  it('commits queued writes in a batch after the call; flush resolves once they are committed', async () => {
    const log = await open();
    for (let i = 0; i < 20; i++) log.recordMutation(entry({ targetName: `n${i}` }));
    // Nothing committed synchronously: the request path never waits on the database. (A PostgreSQL reader's
    // round trip lets the batch commit meanwhile, so only SQLite's synchronous reader can see this.)
    if (h.syncReader) expect(await h.count('audit_entries')).toBe(0);
    await log.flush();
    expect(await h.count('audit_entries')).toBe(20);
    expect((await log.entries({ limit: 5 })).map((e) => e.targetName)).toEqual(['n19', 'n18', 'n17', 'n16', 'n15']);
  });

  it('gives rows the same shapes, and a reopened store has every committed row and Operation', async () => {
    const log = await open();
    const e = entry({ namespace: 'web', success: false, error: 'nope', errorCode: 'FORBIDDEN', durationMs: 12 });
    log.recordMutation(e);
    log.recordChange({ at: e.at, operationId: 'op-1', user: 'alice', verb: 'patch', cluster: 'member1', kind: 'Node', namespace: null, name: 'n1', before: '{"a":1}', after: '{"a":2}' });
    log.saveOperation(op('op-1', 'RUNNING'));
    await log.flush();
    await log.close();
    const again = await open();
    const [stored] = await again.entries();
    expect(stored).toEqual({ ...e, id: expect.any(Number) });
    expect(typeof stored!.success).toBe('boolean');
    expect((await again.changes())[0]).toEqual({
      id: expect.any(Number), at: e.at, operationId: 'op-1', user: 'alice', verb: 'patch', cluster: 'member1', kind: 'Node', namespace: null, name: 'n1', before: '{"a":1}', after: '{"a":2}',
    });
    expect((await again.changes({ operationId: 'op-2' }))).toEqual([]);
    expect((await again.loadOperations()).map((o) => [o.id, o.phase])).toEqual([['op-1', 'RUNNING']]);
  });

  it('writes only the newest state of an Operation saved many times in one turn', async () => {
    const log = await open();
    for (let i = 0; i < 50; i++) log.saveOperation({ ...op('op-1', 'RUNNING'), currentStep: i });
    log.saveOperation(op('op-1', 'SUCCEEDED'));
    await log.flush();
    const stored = await log.loadOperations();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.phase).toBe('SUCCEEDED');
    log.saveOperation(op('op-1', 'FAILED'));
    await log.flush();
    expect((await log.loadOperations())[0]!.phase).toBe('FAILED');
  });

  it('filters entries by user, action, success and time', async () => {
    const log = await open();
    log.recordMutation(entry({ user: 'bob', at: '2026-01-01T00:00:00.000Z' }));
    log.recordMutation(entry({ user: 'alice', action: 'drainNode', success: false, errorCode: 'FORBIDDEN', at: '2026-01-02T00:00:00.000Z' }));
    log.recordMutation(entry({ user: 'alice', at: '2026-01-03T00:00:00.000Z' }));
    await log.flush();
    expect(await log.entries({ user: 'bob' })).toHaveLength(1);
    expect((await log.entries({ success: false })).map((e) => e.errorCode)).toEqual(['FORBIDDEN']);
    expect((await log.entries({ success: true })).map((e) => e.user)).toEqual(['alice', 'bob']);
    expect(await log.entries({ action: 'cordonNode', user: 'alice' })).toHaveLength(1);
    expect((await log.entries({ since: '2026-01-02T00:00:00.000Z', until: '2026-01-03T00:00:00.000Z' })).map((e) => e.action)).toEqual(['drainNode']);
    expect(await log.entries({ limit: 0 })).toHaveLength(1);
  });

  it('retention deletes by age and keeps the newest rows by count; running Operations are kept', async () => {
    const log = await open();
    const old = new Date(Date.now() - 10 * 24 * 3600_000).toISOString();
    for (let i = 0; i < 3; i++) log.recordMutation(entry({ at: old, targetName: `old${i}` }));
    for (let i = 0; i < 5; i++) log.recordMutation(entry({ targetName: `new${i}` }));
    log.saveOperation(op('op-old-done', 'SUCCEEDED', old));
    log.saveOperation(op('op-old-running', 'RUNNING', old));
    await log.flush();
    await log.reserveIdempotencyKey('alice\u0000drainNode', 'k', 'h', 'op-old-done');
    const runs: unknown[] = [];
    const retention = new AuditRetention(log, { maxAgeMs: 24 * 3600_000, maxRows: 3, onRun: (r) => runs.push(r) });
    await retention.runOnce();
    expect(runs[0]).toMatchObject({ entries: 5, operations: 1 });
    expect((await log.entries()).map((e) => e.targetName)).toEqual(['new4', 'new3', 'new2']);
    expect((await log.loadOperations()).map((o) => o.id)).toEqual(['op-old-running']);
    // The key of a pruned Operation goes with it.
    expect(await log.lookupIdempotencyKey('alice\u0000drainNode', 'k')).toBeNull();
  });

  it('folds request statistics per operation name and transport', async () => {
    const log = await open();
    log.recordRequest('Fleet', 'HTTP', 10, false);
    log.recordRequest('Fleet', 'HTTP', 30, true);
    log.recordRequest('anonymous', 'HTTP', 5, false);
    log.recordRequest('Fleet', 'WEBSOCKET', 7, false);
    await log.flush();
    log.recordRequest('Fleet', 'HTTP', 20, false);
    await log.flush();
    const stats = await log.statistics();
    expect(stats).toHaveLength(3);
    expect(stats[0]).toEqual({ operationName: 'Fleet', transport: 'HTTP', count: 3, errors: 1, totalMs: 60, maxMs: 30, lastAt: expect.any(String) });
    expect(stats.slice(1)).toEqual([
      expect.objectContaining({ operationName: 'Fleet', transport: 'WEBSOCKET', count: 1, errors: 0, totalMs: 7, maxMs: 7 }),
      expect.objectContaining({ operationName: 'anonymous', transport: 'HTTP', count: 1 }),
    ]);
  });

  it('keeps at most maxOperationNames names, counting the rest under one "other" row, across a reopen', async () => {
    const log = await open({ maxOperationNames: 3 });
    for (let i = 0; i < 10; i++) log.recordRequest(`Op${i}`, 'HTTP', 1, i % 2 === 0);
    log.recordRequest('Op1', 'WEBSOCKET', 4, false);
    await log.flush();
    const names = (await log.statistics()).map((s) => `${s.operationName}/${s.transport}/${s.count}/${s.errors}`).sort();
    expect(names).toEqual(['Op0/HTTP/1/1', 'Op1/HTTP/1/0', 'Op1/WEBSOCKET/1/0', 'Op2/HTTP/1/1', `${OTHER_OPERATIONS}/HTTP/7/3`]);
    await log.close();
    const again = await open({ maxOperationNames: 3 });
    again.recordRequest('Fresh', 'HTTP', 1, false);
    again.recordRequest('Op2', 'HTTP', 1, false);
    await again.flush();
    const after = Object.fromEntries((await again.statistics()).filter((s) => s.transport === 'HTTP').map((s) => [s.operationName, s.count]));
    expect(after).toEqual({ Op0: 1, Op1: 1, Op2: 2, [OTHER_OPERATIONS]: 8 });
  });

  it('reads request statistics exactly before they are folded, folds them on its timer and on close', async () => {
    const log = await open({ statisticsFlushMs: 60_000 });
    log.recordRequest('Pending', 'HTTP', 4, false);
    log.recordRequest('Pending', 'HTTP', 6, true);
    expect(await h.statsOnDisk()).toEqual([]);
    expect(await log.statistics()).toEqual([expect.objectContaining({ operationName: 'Pending', transport: 'HTTP', count: 2, errors: 1, totalMs: 10, maxMs: 6 })]);
    // The read folded them: in the table now, and not counted twice by a later read.
    expect(await h.statsOnDisk()).toEqual([{ name: 'Pending', transport: 'HTTP', count: 2, errors: 1, totalMs: 10 }]);
    log.recordRequest('Pending', 'HTTP', 1, false);
    expect((await log.statistics())[0]).toMatchObject({ count: 3, errors: 1, totalMs: 11 });
    log.recordRequest('Closing', 'WEBSOCKET', 2, false);
    await log.close();
    expect(await h.statsOnDisk()).toEqual([
      { name: 'Closing', transport: 'WEBSOCKET', count: 1, errors: 0, totalMs: 2 },
      { name: 'Pending', transport: 'HTTP', count: 3, errors: 1, totalMs: 11 },
    ]);
    // A count after close (a request finishing during shutdown) is ignored rather than failing the request.
    expect(() => log.recordRequest('Late', 'HTTP', 1, false)).not.toThrow();

    const timed = await open({ statisticsFlushMs: 20 });
    timed.recordRequest('Timed', 'HTTP', 3, false);
    const deadline = Date.now() + 10_000;
    while (!(await h.statsOnDisk()).some((r) => r.name === 'Timed') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(await h.statsOnDisk()).toContainEqual({ name: 'Timed', transport: 'HTTP', count: 1, errors: 0, totalMs: 3 });
  });

  it('reserves an idempotency key once; the second reservation sees the first; a release frees it', async () => {
    const log = await open();
    expect(await log.reserveIdempotencyKey('alice\u0000cordonNode', 'k', 'h1', 'op-1')).toEqual({ reserved: true, operationId: 'op-1', argumentsHash: 'h1' });
    expect(await log.reserveIdempotencyKey('alice\u0000cordonNode', 'k', 'h2', 'op-2')).toEqual({ reserved: false, operationId: 'op-1', argumentsHash: 'h1' });
    expect((await log.reserveIdempotencyKey('bob\u0000cordonNode', 'k', 'h2', 'op-3')).reserved).toBe(true);
    // Scopes and keys that differ only around the NUL separator stay distinct.
    expect((await log.reserveIdempotencyKey('alice\\0cordonNode', 'k', 'h4', 'op-4')).reserved).toBe(true);
    expect(await log.lookupIdempotencyKey('alice\u0000cordonNode', 'k')).toEqual({ operationId: 'op-1', argumentsHash: 'h1' });
    expect(await log.lookupIdempotencyKey('alice\u0000cordonNode', 'other')).toBeNull();
    await log.releaseIdempotencyKey('alice\u0000cordonNode', 'k', 'op-other');
    expect(await log.lookupIdempotencyKey('alice\u0000cordonNode', 'k')).not.toBeNull();
    await log.releaseIdempotencyKey('alice\u0000cordonNode', 'k', 'op-1');
    expect(await log.lookupIdempotencyKey('alice\u0000cordonNode', 'k')).toBeNull();
  });

  it('rejects writes after close', async () => {
    const log = await open();
    await log.close();
    expect(() => log.recordMutation(entry())).toThrow(/closed/);
  });
});
