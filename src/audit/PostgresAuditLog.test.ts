/**
 * What the PostgreSQL store adds to the shared behaviours (AuditStore.test.ts), on the machine's server, each
 * test in fresh schemas dropped after: the URL's schema, migrations applied once by replicas starting
 * together, replicas seeing each other's rows and adding up their statistics, one winner for an idempotency
 * key raced from two replicas, the Operations lock, and a database that goes away (flush rejects, the process
 * lives on, the store recovers when it is back).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { closedPortUrl, freshSchema, POSTGRES_URL, type TestSchema } from '../../test/support/postgresSchema.js';
import type { AuditEntry } from './AuditStore.js';
import { createAuditStore } from './createAuditStore.js';
import { MIGRATIONS } from './postgresAuditSchema.js';
import { PostgresAuditLog } from './PostgresAuditLog.js';
import { parsePostgresUrl, redactPostgresUrl } from './postgresUrl.js';

const schemas: TestSchema[] = [];
const stores: Array<{ close(): Promise<void> }> = [];
const cleanups: Array<() => Promise<void>> = [];

function schema(): TestSchema {
  const s = freshSchema();
  schemas.push(s);
  return s;
}

async function open(url: string, options: Partial<Parameters<typeof PostgresAuditLog.open>[0]> = {}): Promise<PostgresAuditLog> {
  const s = await PostgresAuditLog.open({ url, ...options });
  stores.push(s);
  return s;
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  for (const c of cleanups.splice(0)) await c();
  for (const s of schemas.splice(0)) await s.drop();
});

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  at: new Date().toISOString(), user: 'alice', action: 'cordonNode', targetKind: 'Node', targetName: 'n1', cluster: 'member1',
  namespace: null, success: true, error: null, errorCode: null, requestId: 'r1', sourceIp: '127.0.0.1', userAgent: 'ua',
  durationMs: 3, operationId: 'op-1', arguments: '{}', ...over,
});

/** A TCP proxy to the PostgreSQL server that can be cut (every connection dropped, nothing listening) and restored. */
async function cuttableProxy(): Promise<{ url: (schema: string) => string; cut(): Promise<void>; restore(): Promise<void>; stop(): Promise<void> }> {
  const target = new URL(POSTGRES_URL);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server!.address() as { port: number }).port;
  };
  const cut = async () => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return {
    url: (name) => `postgres://${target.username}:not-the-password@127.0.0.1:${port}${target.pathname}?schema=${name}`,
    cut,
    restore: listen,
    stop: cut,
  };
}

describe('PostgreSQL audit URL', () => {
  it('takes the schema out of the URL, keeps the rest, and never shows the password', () => {
    const t = parsePostgresUrl('postgres://fg:s3cret@db.example:5433/audit?sslmode=disable&schema=fleet_a&options=-c%20statement_timeout%3D5000');
    expect(t.schema).toBe('fleet_a');
    expect(t.connectionString).toBe('postgres://fg:s3cret@db.example:5433/audit?sslmode=disable');
    expect(t.options).toBe('-c statement_timeout=5000 -c search_path=fleet_a');
    expect(t.redacted).toBe('postgres://fg@db.example:5433/audit?sslmode=disable&schema=fleet_a&options=-c%20statement_timeout%3D5000');
    expect(parsePostgresUrl('postgresql://db/audit')).toMatchObject({ schema: null, options: undefined });
    expect(() => parsePostgresUrl('postgres://u:pw@db/audit?schema=Bad-Name')).toThrow('postgres://u@db/audit?schema=Bad-Name: schema "Bad-Name" must be');
    expect(redactPostgresUrl('postgres://u:pw@[broken')).not.toContain('pw');
  });
});

describe('PostgresAuditLog', () => {
  it('creates the named schema and its tables there, recording the migrations', async () => {
    const s = schema();
    const log = await open(s.url);
    expect(log.migrationsApplied).toBe(MIGRATIONS.length);
    const tables = await s.rows<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [s.name]);
    expect(tables.map((t) => t.table_name)).toEqual(['audit_entries', 'fleetgraph_schema_migrations', 'idempotency_keys', 'operations', 'request_statistics', 'resource_changes']);
    expect((await s.rows('SELECT version FROM fleetgraph_schema_migrations')).map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    // Reopening applies nothing.
    expect((await open(s.url)).migrationsApplied).toBe(0);
  });

  it("puts the tables in the database's default schema when the URL names none", async () => {
    const db = `fg_test_db_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    cleanups.push(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin.end();
    });
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${db}`;
    const log = await open(url.toString());
    log.recordMutation(entry());
    await log.flush();
    const reader = new pg.Client({ connectionString: url.toString() });
    await reader.connect();
    const rows = (await reader.query(`SELECT table_schema, COUNT(*)::int AS n FROM information_schema.tables WHERE table_name = 'audit_entries' GROUP BY table_schema`)).rows;
    expect(rows).toEqual([{ table_schema: 'public', n: 1 }]);
    expect((await reader.query('SELECT COUNT(*)::int AS n FROM public.audit_entries')).rows[0].n).toBe(1);
    await reader.end();
    await log.close();
  });

  it('migrates once when three replicas open the same new schema at the same time', async () => {
    const s = schema();
    const three = await Promise.all([open(s.url), open(s.url), open(s.url)]);
    expect(three.map((l) => l.migrationsApplied).sort()).toEqual([0, 0, MIGRATIONS.length]);
    expect(await s.rows('SELECT version FROM fleetgraph_schema_migrations')).toHaveLength(MIGRATIONS.length);
  });

  it('two replicas on one schema see each other’s rows and Operations, and their statistics add up', async () => {
    const s = schema();
    const [a, b] = await Promise.all([open(s.url), open(s.url)]);
    a.recordMutation(entry({ targetName: 'from-a' }));
    b.recordMutation(entry({ targetName: 'from-b' }));
    a.saveOperation({ id: 'op-a', type: 'cordonNode', target: { cluster: 'member1', apiVersion: 'v1', kind: 'Node', namespace: null, name: 'n1', uid: null }, parameters: {},
      phase: 'SUCCEEDED', steps: [], currentStep: null, requestedBy: 'alice', createdAt: '2026-01-01T00:00:00.000Z', startedAt: null, completedAt: null, error: null, reason: null,
      executor: 'GATEWAY', resource: null } as never);
    await Promise.all([a.flush(), b.flush()]);
    expect((await b.entries()).map((e) => e.targetName).sort()).toEqual(['from-a', 'from-b']);
    expect((await b.loadOperations()).map((o) => o.id)).toEqual(['op-a']);

    for (let i = 0; i < 5; i++) a.recordRequest('Fleet', 'HTTP', 10, i === 0);
    for (let i = 0; i < 3; i++) b.recordRequest('Fleet', 'HTTP', 40, false);
    b.recordRequest('Other', 'WEBSOCKET', 1, false);
    await Promise.all([a.flush(), b.flush()]);
    const stats = await a.statistics();
    expect(stats[0]).toEqual({ operationName: 'Fleet', transport: 'HTTP', count: 8, errors: 1, totalMs: 170, maxMs: 40, lastAt: expect.any(String) });
    expect(stats[1]).toMatchObject({ operationName: 'Other', transport: 'WEBSOCKET', count: 1 });
    expect(await b.statistics()).toEqual(stats);
  });

  it('gives an idempotency key raced from two replicas to exactly one request', async () => {
    const s = schema();
    const [a, b] = await Promise.all([open(s.url), open(s.url)]);
    const attempts = Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).reserveIdempotencyKey('alice\u0000cordonNode', 'k1', 'h', `op-${i}`));
    const results = await Promise.all(attempts);
    const winners = results.filter((r) => r.reserved);
    expect(winners).toHaveLength(1);
    expect(new Set(results.map((r) => r.operationId))).toEqual(new Set([winners[0]!.operationId]));
    expect(await s.rows('SELECT operation_id FROM idempotency_keys')).toEqual([{ operation_id: winners[0]!.operationId }]);
  });

  it('gives the Operations lock of a fleet to one replica at a time, naming the holder to the others', async () => {
    const s = schema();
    const [a, b] = await Promise.all([open(s.url), open(s.url)]);
    const held = await a.acquireOperationsLock('fleet-1');
    expect(held.acquired).toBe(true);
    const refused = await b.acquireOperationsLock('fleet-1');
    expect(refused.acquired).toBe(false);
    expect(refused.holder).toContain(`fleetgraph ${hostname()} pid ${process.pid}`.slice(0, 63));
    // Another fleet on the same database is another lock.
    const otherFleet = await b.acquireOperationsLock('fleet-2');
    expect(otherFleet.acquired).toBe(true);
    await held.release();
    const taken = await b.acquireOperationsLock('fleet-1');
    expect(taken.acquired).toBe(true);
    // Closing a store gives its locks up.
    await b.close();
    expect((await a.acquireOperationsLock('fleet-1')).acquired).toBe(true);
  });

  it('rejects flush while the database is unreachable, without crashing, and writes again once it is back', async () => {
    const s = schema();
    const proxy = await cuttableProxy();
    cleanups.push(() => proxy.stop());
    const errors: Error[] = [];
    const log = await open(proxy.url(s.name), { connectTimeoutMs: 1_000, onError: (e) => errors.push(e) });
    log.recordMutation(entry({ targetName: 'before' }));
    await log.flush();

    await proxy.cut();
    log.recordMutation(entry({ targetName: 'lost' }));
    const failed = await log.flush().then(() => null, (e: Error) => e);
    expect(failed?.message).toMatch(/^audit database postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?schema=fg_test_\w+: /);
    expect(failed?.message).not.toContain('not-the-password');
    await expect(log.entries()).rejects.toThrow(/^audit database /);
    // Counts made while the database is away are kept for the next fold.
    log.recordRequest('Away', 'HTTP', 5, false);
    await log.flush();

    await proxy.restore();
    log.recordMutation(entry({ targetName: 'after' }));
    await log.flush();
    expect((await s.rows('SELECT target_name FROM audit_entries ORDER BY id')).map((r) => r.target_name)).toEqual(['before', 'after']);
    expect((await log.statistics()).map((r) => [r.operationName, r.count])).toEqual([['Away', 1]]);
    // An idle pooled connection that was cut is reported, not thrown.
    expect(errors.every((e) => e.message.startsWith('audit database '))).toBe(true);
  });

  it('refuses to open an unreachable database with one line naming it without its password', async () => {
    const url = await closedPortUrl();
    const error = await createAuditStore(url, { connectTimeoutMs: 1_000 }).then(() => null, (e: Error) => e);
    expect(error?.message).toMatch(/^audit database postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?schema=fg_unreachable: .*ECONNREFUSED.* \(--audit-db\)$/);
    expect(error?.message).not.toContain('secret');
    expect(error?.message).not.toContain('\n');
  });

  it('createAuditStore opens SQLite for a path or :memory:, PostgreSQL for a postgres:// or postgresql:// URL', async () => {
    const s = schema();
    const memory = await createAuditStore(':memory:');
    expect(memory.kind).toBe('sqlite');
    await memory.close();
    const postgres = await createAuditStore(s.url.replace(/^postgres:/, 'postgresql:'));
    stores.push(postgres);
    expect(postgres.kind).toBe('postgres');
    expect(postgres.describe()).toBe(s.url.replace(/^postgres:/, 'postgresql:'));
  });
});
