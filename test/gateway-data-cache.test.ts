/**
 * The gateway's informer caches against a running simulator (demo scenario) over HTTPS through
 * client-node: the caches hold exactly what the simulator's stores hold (names and resourceVersions per
 * cluster and kind), the indexes agree with the stores, a dropped watch and a forced 410 leave the cache
 * equal to the simulator (the 410 as one RESYNC change), a member made unreachable yields typed
 * CLUSTER_UNAVAILABLE results while the others answer, and recovers by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleet } from '../src/fleet/createFleet.js';
import type { KindName } from '../src/fleet/kinds.js';
import { CONTROL_PLANE, type Fleet } from '../src/fleet/types.js';
import type { ChangeEvent, SlimObject } from '../src/cache/types.js';
import { dataConfig, eventually, simAdmin, startDataSim, type StartedSim } from './support/gatewayDataSim.js';

/** Store keys of the simulator for the kinds the gateway watches. */
const MEMBER_KINDS: Array<[KindName, string]> = [
  ['nodes', 'nodes'],
  ['pods', 'pods'],
  ['namespaces', 'namespaces'],
  ['deployments', 'apps/deployments'],
  ['replicasets', 'apps/replicasets'],
  ['statefulsets', 'apps/statefulsets'],
  ['daemonsets', 'apps/daemonsets'],
  ['services', 'services'],
  ['configmaps', 'configmaps'],
  ['secrets', 'secrets'],
  ['applications', 'middleware.fleetgraph.io/applications'],
  ['components', 'middleware.fleetgraph.io/components'],
  ['workloadsets', 'middleware.fleetgraph.io/workloadsets'],
  ['operations', 'middleware.fleetgraph.io/operations'],
];
const CONTROL_PLANE_KINDS: Array<[KindName, string]> = [
  ['clusters', 'cluster.karmada.io/clusters'],
  ['deployments', 'apps/deployments'],
  ['namespaces', 'namespaces'],
  ['propagationpolicies', 'policy.karmada.io/propagationpolicies'],
  ['clusterpropagationpolicies', 'policy.karmada.io/clusterpropagationpolicies'],
  ['overridepolicies', 'policy.karmada.io/overridepolicies'],
  ['resourcebindings', 'work.karmada.io/resourcebindings'],
];

let started: StartedSim;
let fleet: Fleet;
let members: string[];
const changes: ChangeEvent[] = [];

function simCluster(cluster: string) {
  return cluster === CONTROL_PLANE ? started.sim.fleet.controlPlane : started.sim.fleet.members.get(cluster)!;
}

function simObjects(cluster: string) {
  return simCluster(cluster).objects;
}

/** The kinds of the list that the simulated cluster serves (the others must answer API_NOT_SERVED). */
function served(cluster: string, kinds: Array<[KindName, string]>): Array<[KindName, string]> {
  return kinds.filter(([, key]) => simCluster(cluster).resources.has(key));
}

/** `ns/name@resourceVersion`, sorted: what "the same objects" means. */
function versions(objects: ReadonlyArray<{ metadata: { namespace?: string; name: string; resourceVersion?: string } }>): string[] {
  return objects.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}@${o.metadata.resourceVersion}`).sort();
}

async function cacheVersions(kind: KindName, cluster: string): Promise<string[] | string> {
  const r = await fleet.list(kind, cluster);
  return r.ok ? versions(r.value) : `${r.error.code}: ${r.error.message}`;
}

/** Waits until cache and store agree for every listed kind of a cluster, then asserts it (with a diff on failure). */
async function expectCacheEqualsSim(cluster: string, allKinds: Array<[KindName, string]>): Promise<void> {
  const kinds = served(cluster, allKinds);
  expect(kinds.length).toBeGreaterThan(0);
  for (const [kind] of allKinds.filter((k) => !kinds.includes(k))) {
    const r = await fleet.list(kind, cluster);
    expect({ kind, reason: r.ok ? 'ok' : r.error.reason }).toEqual({ kind, reason: 'API_NOT_SERVED' });
  }
  const same = async () => {
    for (const [kind, key] of kinds) {
      const cached = await cacheVersions(kind, cluster);
      if (JSON.stringify(cached) !== JSON.stringify(versions(simObjects(cluster).list(key)))) return false;
    }
    return true;
  };
  await eventually(same, 30_000);
  for (const [kind, key] of kinds) {
    expect({ cluster, kind, objects: await cacheVersions(kind, cluster) }).toEqual({ cluster, kind, objects: versions(simObjects(cluster).list(key)) });
  }
}

beforeAll(async () => {
  started = await startDataSim('demo');
  fleet = await createFleet(dataConfig(started.kubeconfig, { callTimeoutMs: 15_000 }), {
    healthIntervalMs: 300,
    backoff: { initialMs: 100, maxMs: 1_000 },
  });
  fleet.onChange((e) => changes.push(e));
  const readiness = await fleet.whenReady();
  expect(readiness.ready).toBe(true);
  members = fleet.members();
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
  await started?.stop();
});

describe('gateway data layer: informer caches over the simulator', () => {
  it('knows every member Karmada knows, and is ready with every cluster synced', async () => {
    const simMembers = [...started.sim.fleet.members.keys()].sort();
    expect(simMembers.length).toBeGreaterThanOrEqual(3);
    expect(members).toEqual(simMembers);
    const clusters = await fleet.clusters();
    expect(clusters.ok && clusters.value.map((c) => c.metadata.name).sort()).toEqual(simMembers);
    // Every cluster reaches synced (on a loaded machine a slow first watch may still be opening).
    await eventually(() => fleet.readiness().clusters.every((c) => c.state === 'synced'), 30_000);
    const r = fleet.readiness();
    expect(r.ready).toBe(true);
    expect(r.clusters.map((c) => [c.cluster, c.state])).toEqual([[CONTROL_PLANE, 'synced'], ...simMembers.map((m) => [m, 'synced'])]);
    for (const m of simMembers) {
      const h = fleet.health(m)!;
      expect(h).toMatchObject({ cluster: m, synced: true, unreachableSince: null });
      expect(h.kinds.pods).toBe('synced');
    }
  });

  it('holds exactly what the simulator holds, per cluster and kind', async () => {
    await expectCacheEqualsSim(CONTROL_PLANE, CONTROL_PLANE_KINDS);
    for (const m of members) await expectCacheEqualsSim(m, MEMBER_KINDS);
    // Not a vacuous comparison: the demo fleet has pods and nodes on every member.
    for (const m of members) {
      const pods = await fleet.list('pods', m);
      expect(pods.ok && pods.value.length).toBeGreaterThan(0);
    }
  });

  it('keeps slim pods: no managedFields, secrets without values (bytes per pod printed)', async () => {
    let bytes = 0;
    let n = 0;
    for (const m of members) {
      const pods = await fleet.list('pods', m);
      if (!pods.ok) throw new Error(pods.error.message);
      for (const p of pods.value) {
        const text = JSON.stringify(p);
        bytes += Buffer.byteLength(text);
        n++;
        expect(text).not.toContain('managedFields');
      }
      const secrets = await fleet.list('secrets', m);
      if (!secrets.ok) throw new Error(secrets.error.message);
      for (const s of secrets.value as Array<SlimObject & { data?: unknown; dataKeys?: string[] }>) {
        expect(s.data).toBeUndefined();
        expect(Array.isArray(s.dataKeys)).toBe(true);
      }
    }
    console.log(`slim pods of the demo fleet: ${n} pods, ${(bytes / n).toFixed(0)} bytes of JSON per pod`);
    expect(n).toBeGreaterThan(0);
  });

  it('answers filters and indexes as the simulator store does', async () => {
    for (const m of members) {
      const simPods = simObjects(m).list('pods');
      const nodes = [...new Set(simPods.map((p: any) => p.spec?.nodeName).filter(Boolean))] as string[];
      expect(nodes.length).toBeGreaterThan(0);
      for (const node of nodes) {
        const byNode = await fleet.index('pods', m, 'byNode', node);
        expect(byNode.ok && versions(byNode.value)).toEqual(versions(simPods.filter((p: any) => p.spec?.nodeName === node)));
        const filtered = await fleet.list('pods', m, { nodeName: node });
        expect(filtered.ok && versions(filtered.value)).toEqual(versions(simPods.filter((p: any) => p.spec?.nodeName === node)));
      }
      for (const rs of simObjects(m).list('apps/replicasets')) {
        const owned = simPods.filter((p: any) => (p.metadata.ownerReferences ?? []).some((o: any) => o.uid === rs.metadata.uid));
        const byOwner = await fleet.index('pods', m, 'byOwner', rs.metadata.uid);
        expect(byOwner.ok && versions(byOwner.value)).toEqual(versions(owned));
      }
      const namespaces = [...new Set(simPods.map((p: any) => p.metadata.namespace))] as string[];
      for (const ns of namespaces) {
        const inNs = await fleet.list('pods', m, { namespace: ns });
        expect(inNs.ok && versions(inNs.value)).toEqual(versions(simPods.filter((p: any) => p.metadata.namespace === ns)));
      }
      const labelled = simPods.find((p: any) => p.metadata.labels && Object.keys(p.metadata.labels).length);
      if (labelled) {
        const [k, v] = Object.entries(labelled.metadata.labels as Record<string, string>)[0]!;
        const byLabel = await fleet.list('pods', m, { labelSelector: `${k}=${v}` });
        expect(byLabel.ok && versions(byLabel.value)).toEqual(versions(simPods.filter((p: any) => p.metadata.labels?.[k] === v)));
      }
    }
    await expect(fleet.list('pods', members[0]!, { labelSelector: 'a b' })).rejects.toThrow(/invalid label selector/);
    const missing = await fleet.get('pods', members[0]!, 'default', 'no-such-pod');
    expect(missing.ok === false && missing.error.code).toBe('NOT_FOUND');
    const wrongSide = await fleet.list('pods', CONTROL_PLANE);
    expect(wrongSide.ok === false && wrongSide.error.reason).toBe('API_NOT_SERVED');
  });

  it('stays equal to the simulator after its watches are dropped', async () => {
    const m = members[0]!;
    await simAdmin(started.sim, 'POST', `/_sim/faults/${m}/drop-watches`);
    // Changes made while the watches are down must arrive through the re-opened watch.
    simObjects(m).create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-drop', namespace: 'default' }, data: { a: '1' } });
    await expectCacheEqualsSim(m, MEMBER_KINDS);
    const cm = await fleet.get('configmaps', m, 'default', 'after-drop');
    expect(cm.ok && (cm.value as any).data).toEqual({ a: '1' });
  });

  it('relists after a 410 and reports the differences as one RESYNC', async () => {
    const m = members[1]!;
    changes.length = 0;
    // A write to a kind the gateway does not watch moves the store's resourceVersion past every informer's;
    // compaction then makes their re-watch (after the dropped watches) from that older version a 410 Gone.
    simObjects(m).create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'moves-rv', namespace: 'default' } });
    await simAdmin(started.sim, 'POST', `/_sim/faults/${m}/compact`);
    await simAdmin(started.sim, 'POST', `/_sim/faults/${m}/drop-watches`);
    simObjects(m).create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-compact', namespace: 'default' }, data: { b: '2' } });
    await expectCacheEqualsSim(m, MEMBER_KINDS);
    const resyncs = changes.filter((c) => c.type === 'RESYNC' && c.cluster === m);
    expect(resyncs.length).toBeGreaterThan(0);
    const configMapResync = changes.find((c) => c.type === 'RESYNC' && c.cluster === m && c.kind === 'configmaps');
    const addedCm = changes.some((c) =>
      c.cluster === m && c.kind === 'configmaps' &&
      ((c.type === 'RESYNC' && c.added.some((o) => o.metadata.name === 'after-compact')) || (c.type === 'ADDED' && c.after.metadata.name === 'after-compact')));
    expect(configMapResync).toBeDefined();
    expect(addedCm).toBe(true);
  });

  it('answers CLUSTER_UNAVAILABLE for an unreachable member while the others answer, and recovers by itself', async () => {
    const down = members[2]!;
    await simAdmin(started.sim, 'POST', `/_sim/faults/${down}`, { unreachable: true });
    try {
      expect(await eventually(async () => !(await fleet.list('pods', down)).ok, 20_000)).toBe(true);
      const all = await fleet.listAll('pods');
      expect(all.map((r) => r.cluster).sort()).toEqual(members);
      for (const r of all) {
        if (r.cluster === down) {
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.error).toMatchObject({ code: 'CLUSTER_UNAVAILABLE', cluster: down });
        } else {
          expect(r.ok).toBe(true);
        }
      }
      const h = fleet.health(down)!;
      expect(h.unreachableSince).not.toBeNull();
      expect(h.lastError?.code).toBe('CLUSTER_UNAVAILABLE');
      expect(fleet.health(members[0]!)!.unreachableSince).toBeNull();
      // While it is down, the simulator changes behind its back.
      simObjects(down).create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'during-outage', namespace: 'default' } });
    } finally {
      await simAdmin(started.sim, 'POST', `/_sim/faults/${down}`, { unreachable: false });
    }
    expect(await eventually(async () => (await fleet.list('pods', down)).ok, 30_000)).toBe(true);
    await expectCacheEqualsSim(down, MEMBER_KINDS);
    expect(fleet.health(down)!.unreachableSince).toBeNull();
    const cm = await fleet.get('configmaps', down, 'default', 'during-outage');
    expect(cm.ok).toBe(true);
  });

  it('answers CLUSTER_UNAVAILABLE while a member answers 503, and resumes watching after', async () => {
    const m = members[0]!;
    await simAdmin(started.sim, 'POST', `/_sim/faults/${m}`, { unavailable503: true });
    try {
      expect(await eventually(async () => !(await fleet.list('nodes', m)).ok, 20_000)).toBe(true);
      const r = await fleet.list('nodes', m);
      expect(r.ok === false && r.error).toMatchObject({ code: 'CLUSTER_UNAVAILABLE', cluster: m });
      const other = await fleet.list('nodes', members[1]!);
      expect(other.ok).toBe(true);
      simObjects(m).create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'during-503', namespace: 'default' } });
    } finally {
      await simAdmin(started.sim, 'POST', `/_sim/faults/${m}`, { unavailable503: false });
    }
    await expectCacheEqualsSim(m, MEMBER_KINDS);
    expect((await fleet.get('configmaps', m, 'default', 'during-503')).ok).toBe(true);
  });
});
