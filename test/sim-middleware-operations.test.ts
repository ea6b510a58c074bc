/**
 * The simulated middleware platform (seed 002), driven and observed through @kubernetes/client-node over
 * HTTPS on a member: an Application becomes Components, WorkloadSets and pods whose roles the status
 * agents report; Operations move Pending → Running → Succeeded step by step (watched as they go); invalid
 * Operations fail with a reason although no admission step validated them.
 */
import { Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKarmadaSim, type KarmadaSim } from './support/simKarmadaFleet.js';
import { waitFor } from './support/simKarmadaWait.js';

const G = { group: 'middleware.fleetgraph.io', version: 'v1alpha1', namespace: 'shop' };
let k: KarmadaSim;

beforeAll(async () => {
  k = await startKarmadaSim({ members: [{ name: 'member1' }], namespaces: ['shop'], middleware: true });
});

afterAll(async () => {
  await k?.sim.stop();
});

const custom = () => k.custom('member1');

async function createRedis(name: string, replicas = 3): Promise<void> {
  await custom().createNamespacedCustomObject({ ...G, plural: 'applications', body: {
    apiVersion: 'middleware.fleetgraph.io/v1alpha1', kind: 'Application', metadata: { name, namespace: 'shop' },
    spec: { type: 'redis', pluginVersion: 'v1.0.0', version: '7.2', components: [{ name: 'redis-node', replicas }] },
  } });
}

const getApp = (name: string): Promise<any> => custom().getNamespacedCustomObject({ ...G, plural: 'applications', name });

async function roles(app: string): Promise<Record<string, string | undefined>> {
  const pods = await k.core('member1').listNamespacedPod({ namespace: 'shop', labelSelector: `middleware.fleetgraph.io/application=${app}` });
  return Object.fromEntries(pods.items.filter((p) => !p.metadata!.deletionTimestamp).map((p) => [p.metadata!.name!, p.metadata!.annotations?.['middleware.fleetgraph.io/role']]));
}

async function running(app: string): Promise<any> {
  return waitFor(`${app} Running`, async () => ((await getApp(app)).status?.phase === 'Running' ? getApp(app) : undefined), 40_000);
}

async function operation(name: string, type: string, target: string, parameters?: Record<string, string>): Promise<void> {
  await custom().createNamespacedCustomObject({ ...G, plural: 'operations', body: {
    apiVersion: 'middleware.fleetgraph.io/v1alpha1', kind: 'Operation', metadata: { name, namespace: 'shop' },
    spec: { type, targetRef: { kind: 'Application', name: target }, ...(parameters ? { parameters } : {}) },
  } });
}

/** Watches an Operation and records each (phase, currentStep) it passes through. */
async function trace(name: string): Promise<{ seen: string[]; stop: () => void }> {
  const seen: string[] = [];
  const controller = await new Watch(k.kubeConfig('member1')).watch(
    '/apis/middleware.fleetgraph.io/v1alpha1/namespaces/shop/operations',
    { fieldSelector: `metadata.name=${name}` },
    (_type, object: any) => {
      const st = object.status;
      const entry = st ? `${st.phase}:${st.currentStep}` : 'new';
      if (seen[seen.length - 1] !== entry) seen.push(entry);
    },
    () => {},
  );
  return { seen, stop: () => controller.abort() };
}

async function finished(name: string): Promise<any> {
  return waitFor(`operation ${name} finished`, async () => {
    const op: any = await custom().getNamespacedCustomObject({ ...G, plural: 'operations', name });
    return ['Succeeded', 'Failed'].includes(op.status?.phase) ? op.status : undefined;
  }, 40_000);
}

describe('middleware controller over HTTPS', () => {
  it('creates an instance\'s components, workload sets and pods: one primary, the rest replicas', async () => {
    await createRedis('cache-a');
    const app = await running('cache-a');
    const component: any = await custom().getNamespacedCustomObject({ ...G, plural: 'components', name: 'cache-a-redis-node' });
    expect(component.spec).toMatchObject({ image: 'docker.io/library/redis:7.2', replicas: 3, roles: ['primary', 'replica'] });
    const ws: any = await custom().getNamespacedCustomObject({ ...G, plural: 'workloadsets', name: 'cache-a-redis-node-0' });
    expect(ws.metadata.ownerReferences[0]).toMatchObject({ kind: 'Component', name: 'cache-a-redis-node' });
    const r = await roles('cache-a');
    expect(Object.keys(r).sort()).toEqual(['cache-a-redis-node-0-0', 'cache-a-redis-node-0-1', 'cache-a-redis-node-0-2']);
    expect(Object.values(r).sort()).toEqual(['primary', 'replica', 'replica']);
    expect(app.status.primary).toBe(Object.entries(r).find(([, role]) => role === 'primary')![0]);
    expect(ws.status.primary).toBe(app.status.primary);
  });

  it('runs a Restart to Succeeded step by step, restarting processes but not pods', async () => {
    await createRedis('cache-b');
    await running('cache-b');
    const podUids = async () => (await k.core('member1').listNamespacedPod({ namespace: 'shop', labelSelector: 'middleware.fleetgraph.io/application=cache-b' })).items.map((p) => p.metadata!.uid).sort();
    const before = await podUids();
    const t = await trace('restart-b');
    try {
      await operation('restart-b', 'Restart', 'cache-b');
      const st = await finished('restart-b');
      expect(st.phase).toBe('Succeeded');
      expect(st.steps.map((s: any) => [s.name, s.phase])).toEqual([
        ['check-instance', 'Succeeded'], ['restart-replicas', 'Succeeded'], ['restart-primary', 'Succeeded'], ['verify', 'Succeeded'],
      ]);
      for (const s of st.steps) expect(Date.parse(s.completionTime)).toBeGreaterThanOrEqual(Date.parse(s.startTime));
      expect(st.steps[1].message).toContain('2 replica pod(s)');
      await waitFor('watch saw the end', () => t.seen.includes('Succeeded:4'));
      expect(t.seen.filter((e) => e !== 'new')).toEqual(['Pending:0', 'Running:1', 'Running:2', 'Running:3', 'Running:4', 'Succeeded:4']);
    } finally {
      t.stop();
    }
    expect(await podUids()).toEqual(before);
    const replica = (await k.core('member1').readNamespacedPod({ namespace: 'shop', name: 'cache-b-redis-node-0-1' }));
    expect(replica.metadata!.annotations?.['middleware.fleetgraph.io/process-restarted-at']).toBeDefined();
  });

  it('runs a Failover to Succeeded and the status agents report the new primary', async () => {
    await createRedis('cache-c');
    await running('cache-c');
    const before = await roles('cache-c');
    const oldPrimary = Object.entries(before).find(([, r]) => r === 'primary')![0];
    await operation('failover-c', 'Failover', 'cache-c');
    const st = await finished('failover-c');
    expect(st.phase).toBe('Succeeded');
    expect(st.steps.map((s: any) => s.name)).toEqual(['check-instance', 'select-candidate', 'demote-primary', 'promote-replica', 'update-status']);
    const after = await roles('cache-c');
    const newPrimary = Object.entries(after).find(([, r]) => r === 'primary')![0];
    expect(newPrimary).not.toBe(oldPrimary);
    expect(newPrimary).toBe(st.context.candidate);
    expect(after[oldPrimary]).toBe('replica');
    await waitFor('application reports the new primary', async () => (await getApp('cache-c')).status.primary === newPrimary);
  });

  it('fails an upgrade to a version outside supported-versions with the reason, and runs a supported one', async () => {
    await createRedis('cache-d', 2);
    await running('cache-d');
    await operation('upgrade-d-bad', 'UpgradePaaS', 'cache-d', { version: '8.0' });
    const bad = await finished('upgrade-d-bad');
    expect(bad).toMatchObject({ phase: 'Failed', reason: 'UnsupportedVersion', error: 'version "8.0" is not in supported-versions "7.2,7.4" of redis-manifest-v1.0.0' });
    expect((await getApp('cache-d')).spec.version).toBe('7.2');
    await operation('upgrade-d-ok', 'UpgradePaaS', 'cache-d', { version: '7.4' });
    expect((await finished('upgrade-d-ok')).phase).toBe('Succeeded');
    expect((await getApp('cache-d')).spec.version).toBe('7.4');
    const pods = await k.core('member1').listNamespacedPod({ namespace: 'shop', labelSelector: 'middleware.fleetgraph.io/application=cache-d' });
    expect(new Set(pods.items.map((p) => p.spec!.containers[0]!.image))).toEqual(new Set(['docker.io/library/redis:7.4']));
  });

  it('fails other invalid operations with reasons: unknown target, scale out of range, unknown backup, unsupported plugin upgrade', async () => {
    await createRedis('cache-e', 2);
    await operation('e-no-target', 'Restart', 'nothing');
    expect(await finished('e-no-target')).toMatchObject({ phase: 'Failed', reason: 'TargetNotFound' });
    await operation('e-too-big', 'HorizontalScale', 'cache-e', { replicas: '50' });
    const tooBig = await finished('e-too-big');
    expect(tooBig).toMatchObject({ phase: 'Failed', reason: 'InvalidReplicas' });
    expect(tooBig.error).toContain('1..6');
    await operation('e-restore', 'Restore', 'cache-e', { backup: 'nope' });
    expect(await finished('e-restore')).toMatchObject({ phase: 'Failed', reason: 'BackupNotFound' });
    await operation('e-plugin', 'UpgradeApp', 'cache-e', { pluginVersion: 'v9.9.9' });
    expect(await finished('e-plugin')).toMatchObject({ phase: 'Failed', reason: 'PluginNotFound' });
  });

  it('stops, starts, scales and backs up an instance, keeping backups as a list', async () => {
    await createRedis('cache-f', 2);
    await running('cache-f');
    await operation('f-stop', 'Stop', 'cache-f');
    expect((await finished('f-stop')).phase).toBe('Succeeded');
    expect(Object.keys(await roles('cache-f'))).toHaveLength(0);
    await waitFor('Stopped', async () => (await getApp('cache-f')).status.phase === 'Stopped');
    await operation('f-start', 'Start', 'cache-f');
    expect((await finished('f-start')).phase).toBe('Succeeded');
    await operation('f-scale', 'HorizontalScale', 'cache-f', { replicas: '4' });
    expect((await finished('f-scale')).phase).toBe('Succeeded');
    expect(Object.values(await roles('cache-f')).sort()).toEqual(['primary', 'replica', 'replica', 'replica']);
    await operation('f-backup', 'Backup', 'cache-f');
    const b = await finished('f-backup');
    expect(b.phase).toBe('Succeeded');
    const backups = (await getApp('cache-f')).status.backups;
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatchObject({ name: b.context.backup, type: 'Full', trigger: 'OnDemand', phase: 'Completed', operation: 'f-backup' });
    await operation('f-restore', 'Restore', 'cache-f', { backup: b.context.backup });
    expect((await finished('f-restore')).phase).toBe('Succeeded');
  });

  it('scales vertically by replacing pods one at a time with the new resources', async () => {
    await createRedis('cache-g', 2);
    await running('cache-g');
    await operation('g-vscale', 'VerticalScaleResource', 'cache-g', { cpu: '250m', memory: '512Mi' });
    const st = await finished('g-vscale');
    expect(st.phase).toBe('Succeeded');
    const pods = await k.core('member1').listNamespacedPod({ namespace: 'shop', labelSelector: 'middleware.fleetgraph.io/application=cache-g' });
    const live = pods.items.filter((p) => !p.metadata!.deletionTimestamp);
    expect(live).toHaveLength(2);
    for (const p of live) expect(p.spec!.containers[0]!.resources!.requests).toEqual({ cpu: '250m', memory: '512Mi' });
    expect(Object.values(await roles('cache-g')).sort()).toEqual(['primary', 'replica']);
  });
});
