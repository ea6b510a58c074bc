/**
 * What only the SQLite AuditLog does, on a real file: WAL mode, the migration of a database written before the
 * transport was recorded, and the Operations lock file. The behaviours both stores share are in
 * AuditStore.test.ts, run against SQLite and PostgreSQL alike.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, type AuditEntry } from './AuditLog.js';

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

describe('AuditLog (SQLite)', () => {
  it('uses WAL: a committed batch is in the file for another connection', async () => {
    const log = new AuditLog({ path });
    log.recordMutation(entry());
    await log.flush();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect((raw.prepare('SELECT success FROM audit_entries').get() as { success: number }).success).toBe(1);
    raw.close();
    await log.close();
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
    expect(await log.statistics()).toEqual([{ operationName: 'Fleet', transport: 'HTTP', count: 4, errors: 1, totalMs: 40, maxMs: 20, lastAt: '2026-01-01T00:00:00.000Z' }]);
    log.recordRequest('Fleet', 'HTTP', 10, false);
    log.recordRequest('Fleet', 'WEBSOCKET', 3, true);
    await log.flush();
    await log.close();

    // Reopened again: the migration does not run twice and the new rows are kept.
    const again = new AuditLog({ path });
    expect((await again.statistics()).map((s) => [s.operationName, s.transport, s.count, s.errors])).toEqual([
      ['Fleet', 'HTTP', 5, 1],
      ['Fleet', 'WEBSOCKET', 1, 1],
    ]);
    await again.close();
  });
});

describe('AuditLog Operations lock', () => {
  it('is always acquired for :memory:', async () => {
    const log = new AuditLog({ path: ':memory:' });
    const a = await log.acquireOperationsLock('fleet');
    const b = await log.acquireOperationsLock('fleet');
    expect([a.acquired, b.acquired]).toEqual([true, true]);
    await log.close();
  });

  it('writes <path>.lock naming this process; a second taker is refused with the holder until release', async () => {
    const log = new AuditLog({ path });
    const lockPath = `${path}.lock`;
    const held = await log.acquireOperationsLock('fleet-a');
    expect(held.acquired).toBe(true);
    const content = JSON.parse(readFileSync(lockPath, 'utf8'));
    expect(content).toEqual({ pid: process.pid, hostname: hostname(), startedAt: expect.any(String), fleetId: 'fleet-a' });

    const other = new AuditLog({ path });
    const refused = await other.acquireOperationsLock('fleet-a');
    expect(refused.acquired).toBe(false);
    expect(refused.holder).toBe(`pid ${process.pid} on ${hostname()} since ${content.startedAt}`);
    await refused.release(); // A refused lock's release does nothing: the holder keeps it.
    expect(existsSync(lockPath)).toBe(true);

    await held.release();
    expect(existsSync(lockPath)).toBe(false);
    const taken = await other.acquireOperationsLock('fleet-a');
    expect(taken.acquired).toBe(true);
    // Closing the log releases what it holds.
    await other.close();
    expect(existsSync(lockPath)).toBe(false);
    await log.close();
  });

  it('takes over the lock of a process of this host that is gone, and respects one from another host', async () => {
    const lockPath = `${path}.lock`;
    // A pid that surely is not alive: a child that has exited.
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = child.pid!;
    await new Promise((r) => child.once('exit', r));
    writeFileSync(lockPath, JSON.stringify({ pid: deadPid, hostname: hostname(), startedAt: '2026-01-01T00:00:00.000Z', fleetId: 'f' }));
    const log = new AuditLog({ path });
    const lock = await log.acquireOperationsLock('f');
    expect(lock.acquired).toBe(true);
    expect(JSON.parse(readFileSync(lockPath, 'utf8')).pid).toBe(process.pid);
    await lock.release();

    writeFileSync(lockPath, JSON.stringify({ pid: deadPid, hostname: 'elsewhere.example', startedAt: '2026-01-01T00:00:00.000Z', fleetId: 'f' }));
    const refused = await log.acquireOperationsLock('f');
    expect(refused).toMatchObject({ acquired: false, holder: `pid ${deadPid} on elsewhere.example since 2026-01-01T00:00:00.000Z` });
    expect(JSON.parse(readFileSync(lockPath, 'utf8')).hostname).toBe('elsewhere.example');
    await log.close();
  });
});
