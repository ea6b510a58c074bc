/**
 * Middleware lifecycle end to end on the `demo` scenario: requests checked against the instance's plugin
 * manifest before any write, valid ones written as Operation custom resources that the simulator's middleware
 * controller runs, their progress followed through the gateway's informer; results read back from the
 * simulator through client-node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_FIELDS, startOperationsFixture, until, type OperationsFixture } from './support/operationsFixture.js';

let fx: OperationsFixture;
const MW = 'middleware.fleetgraph.io/v1alpha1';

beforeAll(async () => {
  fx = await startOperationsFixture({ scenario: 'demo' });
});

afterAll(async () => {
  await fx?.stop();
});

const RUN = `mutation($input: MiddlewareOperationInput!, $key: String) { runMiddlewareOperation(input: $input, idempotencyKey: $key) { ${OPERATION_FIELDS} resource { kind name namespace cluster } } }`;

async function readApp(cluster: string, namespace: string, name: string): Promise<any> {
  return fx.simClients(cluster).objects.read({ apiVersion: MW, kind: 'Application', metadata: { name, namespace } });
}

async function operationCount(): Promise<number> {
  return (await fx.gql(`{ operations { totalCount } }`)).data.operations.totalCount;
}

describe('lifecycle operations as Operation custom resources', () => {
  it('RESTART writes an Operation CR (type, targetRef, templateRef, requester annotation) and follows it to SUCCEEDED', async () => {
    const r = await fx.gql(RUN, { input: { cluster: 'member1', namespace: 'shop', name: 'orders-cache', type: 'RESTART' } });
    expect(r.errors).toBeUndefined();
    const op = r.data.runMiddlewareOperation;
    expect(op.executor).toBe('MIDDLEWARE_CONTROLLER');
    expect(op.type).toBe('Restart');
    expect(op.target).toEqual({ kind: 'Application', name: 'orders-cache', namespace: 'shop', cluster: 'member1' });
    expect(op.resource.kind).toBe('Operation');

    const cr: any = await fx.simClients('member1').objects.read({ apiVersion: MW, kind: 'Operation', metadata: { name: op.resource.name, namespace: 'shop' } });
    expect(cr.spec.type).toBe('Restart');
    expect(cr.spec.targetRef.name).toBe('orders-cache');
    expect(cr.spec.templateRef).toBe('redis-operations-v1.0.0#Restart');
    expect(cr.metadata.annotations['fleetgraph.io/requested-by']).toBe('anonymous');
    expect(JSON.stringify(cr.spec)).not.toContain('anonymous');

    const done = await fx.waitTerminal(op.id);
    expect(done.phase, JSON.stringify(done)).toBe('SUCCEEDED');
    expect(done.steps.map((s: any) => s.name)).toEqual(['check-instance', 'restart-replicas', 'restart-primary', 'verify']);
    expect(done.steps.every((s: any) => s.phase === 'SUCCEEDED')).toBe(true);
    expect(done.completedAt).not.toBeNull();
  });

  it('HORIZONTAL_SCALE within the component range changes the instance in the simulator', async () => {
    const r = await fx.gql(RUN, { input: { cluster: 'member1', namespace: 'shop', name: 'orders-cache', type: 'HORIZONTAL_SCALE', replicas: 4 } });
    expect(r.errors).toBeUndefined();
    const done = await fx.waitTerminal(r.data.runMiddlewareOperation.id);
    expect(done.phase, JSON.stringify(done)).toBe('SUCCEEDED');
    expect(done.parameters).toEqual([{ key: 'component', value: 'redis-node' }, { key: 'replicas', value: '4' }]);
    const app = await readApp('member1', 'shop', 'orders-cache');
    expect(app.spec.components[0].replicas).toBe(4);
  });

  it('UPGRADE_VERSION to a supported version moves the instance to it', async () => {
    const r = await fx.gql(RUN, { input: { cluster: 'member1', namespace: 'shop', name: 'orders-cache', type: 'UPGRADE_VERSION', version: '7.4' } });
    expect(r.errors).toBeUndefined();
    const done = await fx.waitTerminal(r.data.runMiddlewareOperation.id);
    expect(done.phase, JSON.stringify(done)).toBe('SUCCEEDED');
    expect((await readApp('member1', 'shop', 'orders-cache')).spec.version).toBe('7.4');
  });

  it('UPGRADE_PLUGIN along allowed-upgrade-from rebinds the instance', async () => {
    const r = await fx.gql(RUN, { input: { cluster: 'member1', namespace: 'shop', name: 'orders-cache', type: 'UPGRADE_PLUGIN', pluginVersion: 'v1.1.0' } });
    expect(r.errors).toBeUndefined();
    const done = await fx.waitTerminal(r.data.runMiddlewareOperation.id);
    expect(done.phase, JSON.stringify(done)).toBe('SUCCEEDED');
    expect((await readApp('member1', 'shop', 'orders-cache')).spec.pluginVersion).toBe('v1.1.0');
  });

  it('BACKUP takes a backup and RESTORE restores that chosen backup', async () => {
    const before = ((await readApp('member3', 'payments', 'orders-db')).status?.backups ?? []).map((b: any) => b.name);
    const b = await fx.gql(RUN, { input: { cluster: 'member3', namespace: 'payments', name: 'orders-db', type: 'BACKUP' } });
    expect(b.errors).toBeUndefined();
    const backup = await fx.waitTerminal(b.data.runMiddlewareOperation.id);
    expect(backup.phase, JSON.stringify(backup)).toBe('SUCCEEDED');
    const after = (await readApp('member3', 'payments', 'orders-db')).status.backups.map((x: any) => x.name);
    const fresh = after.filter((n: string) => !before.includes(n));
    expect(fresh.length).toBe(1);

    // The gateway reads the backup list from its informer, which may lag the simulator by a moment.
    const restore = await until(async () => {
      const r = await fx.gql(RUN, { input: { cluster: 'member3', namespace: 'payments', name: 'orders-db', type: 'RESTORE', backup: fresh[0] } });
      return r.errors ? undefined : r;
    }, 20);
    const done = await fx.waitTerminal(restore.data.runMiddlewareOperation.id);
    expect(done.phase, JSON.stringify(done)).toBe('SUCCEEDED');
    expect(done.parameters).toContainEqual({ key: 'backup', value: fresh[0] });
  });

  it('VERTICAL_SCALE_RESOURCES, VERTICAL_SCALE_VOLUME and FAILOVER change the instances in the simulator', async () => {
    let r = await fx.gql(RUN, { input: { cluster: 'member2', namespace: 'shop', name: 'session-cache', type: 'VERTICAL_SCALE_RESOURCES', cpu: '250m', memory: '512Mi' } });
    expect(r.errors).toBeUndefined();
    let done = await fx.waitTerminal(r.data.runMiddlewareOperation.id);
    expect(done.phase, JSON.stringify(done)).toBe('SUCCEEDED');
    expect((await readApp('member2', 'shop', 'session-cache')).spec.components[0].resources.requests).toMatchObject({ cpu: '250m', memory: '512Mi' });

    r = await fx.gql(RUN, { input: { cluster: 'member3', namespace: 'payments', name: 'orders-db', type: 'VERTICAL_SCALE_VOLUME', storage: '40Gi' } });
    done = await fx.waitTerminal(r.data.runMiddlewareOperation.id);
    expect(done.phase, JSON.stringify(done)).toBe('SUCCEEDED');
    expect((await readApp('member3', 'payments', 'orders-db')).spec.components[0].storage).toBe('40Gi');

    const primaryBefore = (await readApp('member2', 'shop', 'session-cache')).status.primary;
    expect(primaryBefore).toMatch(/^session-cache-/);
    r = await fx.gql(RUN, { input: { cluster: 'member2', namespace: 'shop', name: 'session-cache', type: 'FAILOVER' } });
    done = await fx.waitTerminal(r.data.runMiddlewareOperation.id);
    expect(done.phase, JSON.stringify(done)).toBe('SUCCEEDED');
    await until(async () => ((await readApp('member2', 'shop', 'session-cache')).status.primary !== primaryBefore ? true : undefined));
  });

  it('STOP then START', async () => {
    let r = await fx.gql(RUN, { input: { cluster: 'member2', namespace: 'shop', name: 'session-cache', type: 'STOP' } });
    let done = await fx.waitTerminal(r.data.runMiddlewareOperation.id);
    expect(done.phase, JSON.stringify(done)).toBe('SUCCEEDED');
    expect((await readApp('member2', 'shop', 'session-cache')).spec.stopped).toBe(true);
    r = await fx.gql(RUN, { input: { cluster: 'member2', namespace: 'shop', name: 'session-cache', type: 'START' } });
    done = await fx.waitTerminal(r.data.runMiddlewareOperation.id);
    expect(done.phase, JSON.stringify(done)).toBe('SUCCEEDED');
    expect((await readApp('member2', 'shop', 'session-cache')).spec.stopped ?? false).toBe(false);
  });

  it('setMiddlewareBackupPolicy sets the cron schedule and retention on the instance', async () => {
    const r = await fx.gql(`mutation { setMiddlewareBackupPolicy(cluster: "member3", namespace: "payments", name: "orders-db", policy: { schedule: "30 1 * * *", retentionCount: 5, retentionDays: 14 }) { id } }`);
    expect(r.errors).toBeUndefined();
    expect((await fx.waitTerminal(r.data.setMiddlewareBackupPolicy.id)).phase).toBe('SUCCEEDED');
    const app = await readApp('member3', 'payments', 'orders-db');
    expect(app.spec.backup.schedule).toBe('30 1 * * *');
    expect(app.spec.backup.retention).toBe(5);
    expect(app.spec.backup.retentionDays).toBe(14);
  });

  it('createMiddlewareInstance creates the Application and ends when it runs; deleteMiddlewareInstance removes it', async () => {
    const c = await fx.gql(`mutation($input: CreateMiddlewareInstanceInput!) { createMiddlewareInstance(input: $input) { id type executor } }`, {
      input: { cluster: 'member2', namespace: 'shop', name: 'cart-cache', plugin: 'redis', pluginVersion: 'v1.1.0', version: '8.0', components: [{ name: 'redis-node', replicas: 2 }], backup: { schedule: '0 4 * * *', retentionCount: 3 } },
    });
    expect(c.errors).toBeUndefined();
    expect(c.data.createMiddlewareInstance.type).toBe('createMiddlewareInstance');
    const created = await fx.waitTerminal(c.data.createMiddlewareInstance.id);
    expect(created.phase, JSON.stringify(created)).toBe('SUCCEEDED');
    const app = await readApp('member2', 'shop', 'cart-cache');
    expect(app.spec).toMatchObject({ type: 'redis', pluginVersion: 'v1.1.0', version: '8.0', backup: { schedule: '0 4 * * *', retention: 3 } });
    expect(app.status.phase).toBe('Running');

    const d = await until(async () => {
      const r = await fx.gql(`mutation { deleteMiddlewareInstance(cluster: "member2", namespace: "shop", name: "cart-cache") { id type executor } }`);
      return r.errors ? undefined : r;
    }, 20);
    expect(d.data.deleteMiddlewareInstance.type).toBe('Delete');
    expect(d.data.deleteMiddlewareInstance.executor).toBe('MIDDLEWARE_CONTROLLER');
    const deleted = await fx.waitTerminal(d.data.deleteMiddlewareInstance.id);
    expect(deleted.phase, JSON.stringify(deleted)).toBe('SUCCEEDED');
    await until(async () => {
      try {
        await readApp('member2', 'shop', 'cart-cache');
        return undefined;
      } catch (err: any) {
        return err.code === 404 ? true : undefined;
      }
    });
  });
});

describe('requests checked against the plugin manifest before any write', () => {
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['a middleware version outside supported-versions', { cluster: 'member2', namespace: 'shop', name: 'session-cache', type: 'UPGRADE_VERSION', version: '6.0' }, 'input.version', /supported-versions: 7\.2, 7\.4, 8\.0/],
    ['a plugin upgrade from a version not in allowed-upgrade-from', { cluster: 'member2', namespace: 'shop', name: 'session-cache', type: 'UPGRADE_PLUGIN', pluginVersion: 'v1.0.0' }, 'input.pluginVersion', /allowed-upgrade-from: none/],
    ['replicas outside the component range', { cluster: 'member2', namespace: 'shop', name: 'session-cache', type: 'HORIZONTAL_SCALE', replicas: 12 }, 'input.replicas', /outside the range 1\.\.9/],
    ['an unknown component', { cluster: 'member2', namespace: 'shop', name: 'session-cache', type: 'HORIZONTAL_SCALE', component: 'sentinel', replicas: 2 }, 'input.component', /unknown component "sentinel".*redis-node/],
    ['a restore from a backup that does not exist', { cluster: 'member3', namespace: 'payments', name: 'orders-db', type: 'RESTORE', backup: 'no-such-backup' }, 'input.backup', /does not exist/],
  ];
  for (const [what, input, field, message] of cases) {
    it(`refuses ${what}: BAD_USER_INPUT, no Operation, no write upstream`, async () => {
      const ops = await operationCount();
      const writes = await fx.simWrites();
      const r = await fx.gql(RUN, { input });
      expect(r.data).toBeNull();
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.extensions?.field).toBe(field);
      expect(r.errors?.[0]?.message).toMatch(message);
      expect(await operationCount()).toBe(ops);
      expect(await fx.simWrites()).toBe(writes);
    });
  }

  it('refuses a new instance whose version the plugin does not support, writing nothing', async () => {
    const ops = await operationCount();
    const writes = await fx.simWrites();
    const r = await fx.gql(`mutation($input: CreateMiddlewareInstanceInput!) { createMiddlewareInstance(input: $input) { id } }`, {
      input: { cluster: 'member1', namespace: 'shop', name: 'bad-cache', plugin: 'redis', pluginVersion: 'v1.0.0', version: '8.0' },
    });
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.extensions?.field).toBe('input.version');
    expect(await operationCount()).toBe(ops);
    expect(await fx.simWrites()).toBe(writes);
  });

  it('refuses an instance that does not exist with NOT_FOUND', async () => {
    const r = await fx.gql(RUN, { input: { cluster: 'member1', namespace: 'shop', name: 'ghost', type: 'RESTART' } });
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('every refusal is in the audit log with its code', async () => {
    const r = await fx.gql(`{ auditLog(filter: { action: "runMiddlewareOperation", success: false }) { entries { user action success errorCode targetName cluster namespace requestId durationMs } } }`);
    const entries = r.data.auditLog.entries;
    expect(entries.length).toBeGreaterThanOrEqual(6);
    expect(entries.every((e: any) => e.success === false && e.user === 'anonymous' && e.requestId)).toBe(true);
    expect(entries.map((e: any) => e.errorCode)).toContain('BAD_USER_INPUT');
    expect(entries.map((e: any) => e.errorCode)).toContain('NOT_FOUND');
  });
});
