/**
 * Membership and readiness of the gateway's fleet against a running simulator: readiness never waits for a
 * member that is down at start (it is reported failed with CLUSTER_UNAVAILABLE, and syncs by itself once it
 * answers); members start and stop as Cluster objects come and go; a member read through its own kubeconfig
 * context (--member) holds the same objects as through the Karmada proxy.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleet } from '../src/fleet/createFleet.js';
import { CONTROL_PLANE, type Fleet } from '../src/fleet/types.js';
import { dataConfig, eventually, keysOf, simAdmin, startDataSim, type StartedSim } from './support/gatewayDataSim.js';

let started: StartedSim;
const fleets: Fleet[] = [];
let members: string[];

async function open(overrides: Parameters<typeof dataConfig>[1] = {}): Promise<Fleet> {
  const f = await createFleet(dataConfig(started.kubeconfig, { callTimeoutMs: 15_000, ...overrides }), {
    healthIntervalMs: 300,
    rediscoveryIntervalMs: 1_000,
    backoff: { initialMs: 100, maxMs: 1_000 },
  });
  fleets.push(f);
  return f;
}

beforeAll(async () => {
  started = await startDataSim('demo');
  members = [...started.sim.fleet.members.keys()].sort();
}, 120_000);

afterAll(async () => {
  for (const f of fleets) await f.stop();
  await started?.stop();
});

describe('gateway data layer: membership and readiness', () => {
  it('is ready without waiting for a member that is down at start, and syncs it once it answers', async () => {
    const down = members[0]!;
    await simAdmin(started.sim, 'POST', `/_sim/faults/${down}`, { unreachable: true });
    let fleet: Fleet;
    try {
      fleet = await open();
      const r = await fleet.whenReady();
      expect(r.ready).toBe(true);
      const byCluster = Object.fromEntries(r.clusters.map((c) => [c.cluster, c]));
      expect(byCluster[down]).toMatchObject({ state: 'failed', error: { code: 'CLUSTER_UNAVAILABLE', cluster: down } });
      for (const m of members.filter((x) => x !== down)) expect(byCluster[m]!.state).toBe('synced');
      expect(byCluster[CONTROL_PLANE]!.state).toBe('synced');
      const pods = await fleet.list('pods', down);
      expect(pods.ok === false && pods.error.code).toBe('CLUSTER_UNAVAILABLE');
      expect(fleet.health(down)!.unreachableSince).not.toBeNull();
    } finally {
      await simAdmin(started.sim, 'POST', `/_sim/faults/${down}`, { unreachable: false });
    }
    expect(await eventually(() => fleet.readiness().clusters.find((c) => c.cluster === down)?.state === 'synced', 30_000)).toBe(true);
    const pods = await fleet.list('pods', down);
    expect(pods.ok && keysOf(pods.value)).toEqual(keysOf(started.sim.fleet.members.get(down)!.objects.list('pods')));
    expect(fleet.health(down)).toMatchObject({ synced: true, unreachableSince: null });
  });

  it('starts and stops members as Cluster objects come and go', async () => {
    const fleet = await open();
    await fleet.whenReady();
    expect(fleet.members()).toEqual(members);
    const sim = started.sim.fleet as unknown as { addMember(name: string): { objects: { create(r: string, o: object): unknown } } };
    const late = sim.addMember('member-late');
    late.objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    late.objects.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hello', namespace: 'default' }, data: { x: '1' } });
    expect(await eventually(() => fleet.members().includes('member-late'), 20_000)).toBe(true);
    expect(await eventually(async () => (await fleet.get('configmaps', 'member-late', 'default', 'hello')).ok, 20_000)).toBe(true);

    started.sim.fleet.controlPlane.objects.delete('cluster.karmada.io/clusters', undefined, 'member-late');
    expect(await eventually(() => !fleet.members().includes('member-late'), 20_000)).toBe(true);
    const gone = await fleet.list('configmaps', 'member-late');
    expect(gone.ok === false && gone.error.code).toBe('NOT_FOUND');
    expect(fleet.health('member-late')).toBeUndefined();
  });

  it('reports a member the Karmada proxy does not serve as API_NOT_SERVED without waiting for it, and picks it and later APIs up (and drops removed ones)', async () => {
    // A Cluster object with no member behind it: the proxy answers 404, as a Karmada without the
    // cluster proxy (Cluster served as a plain CRD) would.
    started.sim.fleet.controlPlane.objects.create('cluster.karmada.io/clusters', {
      apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'ghost' }, spec: { syncMode: 'Push' },
    });
    try {
      const fleet = await open();
      expect(await eventually(() => fleet.members().includes('ghost'), 20_000)).toBe(true);
      const r = await fleet.whenReady();
      expect(r.ready).toBe(true);
      expect(r.clusters.find((c) => c.cluster === 'ghost')).toMatchObject({ state: 'failed', error: { code: 'NOT_FOUND', reason: 'API_NOT_SERVED', cluster: 'ghost' } });
      const pods = await fleet.list('pods', 'ghost');
      expect(pods.ok === false && pods.error.reason).toBe('API_NOT_SERVED');
      expect(pods.ok === false && pods.error.message).toMatch(/cluster proxy/);
      const all = await fleet.listAll('nodes');
      const answered = all.filter((x) => x.ok).map((x) => x.cluster);
      expect(answered).toEqual(expect.arrayContaining(members));
      expect(answered).not.toContain('ghost');

      // The member appears behind the proxy: discovery, retried, succeeds and its caches fill by themselves.
      const ghost = (started.sim.fleet as unknown as { addMember(n: string): { registerResource(t: unknown): void } }).addMember('ghost');
      expect(await eventually(async () => (await fleet.list('nodes', 'ghost')).ok, 20_000)).toBe(true);
      const apps = await fleet.list('applications', 'ghost');
      expect(apps.ok === false && apps.error.reason).toBe('API_NOT_SERVED');
      expect(fleet.health('ghost')!.notServed).toContain('applications');

      // An API installed later (the middleware CRDs) is found by a later discovery and then watched.
      const modPath = '../src/sim/middleware/middlewareResourceTypes.js';
      const { registerMiddlewareResources } = (await import(modPath)) as { registerMiddlewareResources(c: unknown): void };
      registerMiddlewareResources(ghost);
      expect(await eventually(async () => (await fleet.list('applications', 'ghost')).ok, 20_000)).toBe(true);
      expect(fleet.health('ghost')!.notServed).not.toContain('applications');
      expect(fleet.health('ghost')!.apis.middleware).toBe(true);

      // And an API removed later (the CRDs deleted) is reported again instead of being retried forever.
      const served = (ghost as unknown as { resources: Map<string, unknown> }).resources;
      for (const key of [...served.keys()].filter((k) => k.startsWith('middleware.fleetgraph.io/'))) served.delete(key);
      expect(await eventually(() => fleet.health('ghost')!.notServed.includes('applications'), 20_000)).toBe(true);
      const removed = await fleet.list('applications', 'ghost');
      expect(removed.ok === false && removed.error.reason).toBe('API_NOT_SERVED');
      expect(fleet.health('ghost')!.kinds.applications).toBe('not-served');
    } finally {
      started.sim.fleet.controlPlane.objects.delete('cluster.karmada.io/clusters', undefined, 'ghost');
    }
  });

  it('reports FORBIDDEN, typed and without waiting, when the fleet refuses the credentials', async () => {
    const text = readFileSync(started.kubeconfig, 'utf8');
    const bad = join(started.dir, 'bad-token.yaml');
    writeFileSync(bad, text.replace(/token: .*/g, 'token: not-a-valid-token'));
    const fleet = await createFleet(dataConfig(bad, { callTimeoutMs: 15_000 }), { healthIntervalMs: 300 });
    fleets.push(fleet);
    const r = await fleet.whenReady();
    expect(r.ready).toBe(true);
    expect(r.clusters).toEqual([expect.objectContaining({ cluster: CONTROL_PLANE, state: 'failed', error: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
    const clusters = await fleet.clusters();
    expect(clusters.ok === false && clusters.error.code).toBe('FORBIDDEN');
    expect(fleet.members()).toEqual([]);
  });

  it('reads a member through its own kubeconfig context (--member) as through the Karmada proxy', async () => {
    const m = members[1]!;
    const direct = await open({ memberContexts: { [m]: m } });
    await direct.whenReady();
    expect(direct.members()).toContain(m);
    for (const kind of ['pods', 'nodes', 'deployments'] as const) {
      const a = await direct.list(kind, m);
      expect(a.ok).toBe(true);
      expect(a.ok && a.value.length).toBeGreaterThan(0);
    }
    const pods = await direct.list('pods', m);
    expect(pods.ok && keysOf(pods.value)).toEqual(keysOf(started.sim.fleet.members.get(m)!.objects.list('pods')));
  });
});
