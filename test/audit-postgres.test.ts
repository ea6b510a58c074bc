/**
 * The audit log in PostgreSQL end to end: a gateway on the demo fleet (simulator over real HTTPS) started with
 * `--audit-db postgres://…?schema=<fresh>`, mutations over real HTTP, and the rows counted in PostgreSQL with a
 * plain `pg` client right when each answer arrives: exactly one audit row per answered mutation (accepted or
 * refused), committed before the answer. `auditLog` answers them; a second gateway on the same schema finds the
 * Operations (restored from PostgreSQL); a gateway whose database does not answer does not start, in one line.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/audit/postgresAuditSchema.js';
import { loadConfig } from '../src/config/loadConfig.js';
import { createLogger } from '../src/server/logger.js';
import { startGateway, type Gateway } from '../src/server/startGateway.js';
import { startOperationsFixture, type OperationsFixture } from './support/operationsFixture.js';
import { closedPortUrl, freshSchema, type TestSchema } from './support/postgresSchema.js';

let fx: OperationsFixture;
let schema: TestSchema;
let node: string;

beforeAll(async () => {
  schema = freshSchema();
  // In process (no shared FleetOperations): the Operations themselves are kept in the audit database.
  fx = await startOperationsFixture({ scenario: 'demo', auditDb: schema.url, args: ['--operations-store', 'in-process'] });
  const nodes = await fx.simClients('member1').core.listNode();
  node = nodes.items.map((n) => n.metadata!.name!).sort()[0]!;
});

afterAll(async () => {
  await fx?.stop();
  await schema?.drop();
});

/** Why a gateway on the fixture's fleet with these flags did not start (null: it started, and was stopped). */
async function startError(flags: string[]): Promise<Error | null> {
  const loaded = loadConfig(['--kubeconfig', join(fx.dir, 'kubeconfig.yaml'), '--port', '0', '--host', '127.0.0.1', '--log-level', 'error', ...flags], {});
  if (loaded.kind !== 'config') throw new Error('unexpected help');
  return startGateway(loaded.config, { logger: createLogger('error') }).then(
    async (g) => {
      await g.stop();
      return null;
    },
    (e: Error) => e,
  );
}

const entriesInPostgres = async () => Number((await schema.rows('SELECT COUNT(*) AS n FROM audit_entries'))[0].n);

describe('--audit-db postgres://', () => {
  it('commits one audit row per answered mutation before the answer, and auditLog reads them', async () => {
    expect(fx.gateway.operations.audit.kind).toBe('postgres');
    // Every audit row takes 300 ms to insert: a gateway answering before its row is committed would be
    // caught by the counts below (the row would still be on its way).
    await schema.rows(`CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$`);
    await schema.rows(`CREATE TRIGGER slow_audit BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION slow_insert()`);
    const before = await entriesInPostgres();

    const cordon = await fx.gql(`mutation { cordonNode(cluster: "member1", name: "${node}", idempotencyKey: "pg-e2e-1") { id } }`);
    expect(cordon.errors).toBeUndefined();
    // Counted the moment the answer is here: no polling, the row was committed before the gateway answered.
    expect(await entriesInPostgres()).toBe(before + 1);

    // The same key again: a replay, audited too, answering the same Operation.
    const replay = await fx.gql(`mutation { cordonNode(cluster: "member1", name: "${node}", idempotencyKey: "pg-e2e-1") { id } }`);
    expect(replay.data.cordonNode.id).toBe(cordon.data.cordonNode.id);
    expect(await entriesInPostgres()).toBe(before + 2);

    const refused = await fx.gql(`mutation { cordonNode(cluster: "member9", name: "${node}") { id } }`);
    expect(refused.errors?.[0]?.extensions?.code).toBeDefined();
    expect(await entriesInPostgres()).toBe(before + 3);

    await fx.waitTerminal(cordon.data.cordonNode.id);
    const uncordon = await fx.gql(`mutation { uncordonNode(cluster: "member1", name: "${node}") { id } }`);
    expect(uncordon.errors).toBeUndefined();
    expect(await entriesInPostgres()).toBe(before + 4);
    await fx.waitTerminal(uncordon.data.uncordonNode.id);

    const rows = await schema.rows(`SELECT action, success, error_code, operation_id, cluster FROM audit_entries ORDER BY id`);
    expect(rows.slice(-4)).toEqual([
      { action: 'cordonNode', success: true, error_code: null, operation_id: cordon.data.cordonNode.id, cluster: 'member1' },
      { action: 'cordonNode', success: true, error_code: null, operation_id: cordon.data.cordonNode.id, cluster: 'member1' },
      { action: 'cordonNode', success: false, error_code: refused.errors![0]!.extensions!.code, operation_id: null, cluster: 'member9' },
      { action: 'uncordonNode', success: true, error_code: null, operation_id: uncordon.data.uncordonNode.id, cluster: 'member1' },
    ]);
    // The node's changes (before/after) and both Operations are in PostgreSQL as well, once the steps' writes
    // are committed (a step's change row is queued when it happens; only the mutation's own row is awaited).
    await fx.gateway.operations.audit.flush();
    const changes = await schema.rows(`SELECT operation_id FROM resource_changes WHERE name = $1`, [node]);
    expect(changes.map((c) => c.operation_id)).toEqual(expect.arrayContaining([cordon.data.cordonNode.id, uncordon.data.uncordonNode.id]));
    const ops = await schema.rows(`SELECT id, phase FROM operations ORDER BY created_at`);
    expect(ops).toEqual([{ id: cordon.data.cordonNode.id, phase: 'SUCCEEDED' }, { id: uncordon.data.uncordonNode.id, phase: 'SUCCEEDED' }]);

    const log = await fx.gql(`query Audit { auditLog(filter: { limit: 10 }) {
      entries { id action success errorCode operationId targetName cluster }
      changes { operationId name }
      statistics { operationName transport count }
    } }`);
    expect(log.errors).toBeUndefined();
    expect(log.data.auditLog.entries.map((e: any) => [e.action, e.success, e.operationId])).toEqual([
      ['uncordonNode', true, uncordon.data.uncordonNode.id],
      ['cordonNode', false, null],
      ['cordonNode', true, cordon.data.cordonNode.id],
      ['cordonNode', true, cordon.data.cordonNode.id],
    ]);
    expect(typeof log.data.auditLog.entries[0].id).toBe('string');
    expect(log.data.auditLog.changes.length).toBeGreaterThanOrEqual(2);
    // Requests are counted in PostgreSQL too (anonymous mutations above, this query's name once folded).
    expect(log.data.auditLog.statistics).toEqual(expect.arrayContaining([expect.objectContaining({ operationName: 'anonymous', transport: 'HTTP' })]));
  });

  it('a second gateway running Operations in process on the same schema refuses to start while the first runs', async () => {
    const error = await startError(['--audit-db', schema.url, '--operations-store', 'in-process']);
    expect(error?.message).toMatch(/^another gateway \(fleetgraph .+\) runs Operations in process on the audit database postgres:\/\/postgres@127\.0\.0\.1:5432\/postgres\?schema=fg_test_\w+; /);
  });

  it('once the first has stopped, a second gateway on the same schema answers operation(id) from PostgreSQL', async () => {
    const [op] = await schema.rows<{ id: string }>(`SELECT id FROM operations ORDER BY created_at LIMIT 1`);
    expect(op).toBeDefined();
    await fx.gateway.stop();
    const loaded = loadConfig(['--kubeconfig', join(fx.dir, 'kubeconfig.yaml'), '--port', '0', '--host', '127.0.0.1', '--log-level', 'error', '--audit-db', schema.url, '--operations-store', 'in-process'], {});
    if (loaded.kind !== 'config') throw new Error('unexpected help');
    const second: Gateway = await startGateway(loaded.config, { logger: createLogger('error') });
    try {
      const res = await fetch(second.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `query($id: ID!) { operation(id: $id) { id type phase } }`, variables: { id: op!.id } }),
      });
      const body = (await res.json()) as any;
      expect(body.data.operation).toEqual({ id: op!.id, type: 'cordonNode', phase: 'SUCCEEDED' });
    } finally {
      await second.stop();
    }
    // Two gateways, one set of tables: the migrations ran once.
    expect(await schema.rows('SELECT version FROM fleetgraph_schema_migrations')).toHaveLength(MIGRATIONS.length);
  });

  it('does not start when the audit database does not answer, saying so in one line without the password', async () => {
    const url = await closedPortUrl();
    const error = await startError(['--audit-db', url]);
    expect(error?.message).toMatch(/^audit database postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?schema=fg_unreachable: .+ \(--audit-db\)$/);
    expect(error?.message).not.toContain('secret');
  });
});
