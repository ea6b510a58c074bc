import { afterEach, describe, expect, it } from 'vitest';
import { createSimFleet, type ClosableSimFleet } from '../fleet.js';
import { getScenario, scenarioNames } from './index.js';

// The demo scenario on a real in-process fleet (no HTTP): shape, determinism and a settled start.

const fleets: ClosableSimFleet[] = [];
afterEach(() => {
  for (const f of fleets.splice(0)) f.close();
});

async function startDemo(seed: number): Promise<ClosableSimFleet> {
  const fleet = createSimFleet();
  fleets.push(fleet);
  await getScenario('demo')!.setup(fleet, { seed, churnPerMinute: 0 });
  return fleet;
}

describe('scenario demo', () => {
  it('is listed with empty and mini', () => {
    expect(scenarioNames()).toEqual(expect.arrayContaining(['empty', 'mini', 'demo']));
    expect(getScenario('nope')).toBeUndefined();
  });

  it('builds three members of 4 nodes and about 100 Running pods', async () => {
    const fleet = await startDemo(42);
    expect([...fleet.members.keys()]).toEqual(['member1', 'member2', 'member3']);
    const nodeNames: string[] = [];
    let pods = 0;
    for (const member of fleet.members.values()) {
      const nodes = member.objects.list('nodes');
      expect(nodes).toHaveLength(4);
      nodeNames.push(...nodes.map((n) => n.metadata.name!));
      const memberPods = member.objects.list('pods');
      pods += memberPods.length;
      const notRunning = memberPods.filter((p: any) => p.status?.phase !== 'Running').map((p) => `${member.name}/${p.metadata.namespace}/${p.metadata.name}`);
      expect(notRunning).toEqual([]);
      for (const p of memberPods as any[]) expect(nodes.map((n) => n.metadata.name)).toContain(p.spec.nodeName);
      for (const n of nodes as any[]) {
        expect(n.metadata.labels['topology.kubernetes.io/zone']).toMatch(/^[a-z0-9-]+$/);
        expect(n.status.nodeInfo.kubeletVersion).toBe('v1.26.5');
      }
      expect(member.objects.list('apps/statefulsets')).toHaveLength(1);
      expect(member.objects.list('apps/daemonsets').length).toBeGreaterThanOrEqual(1);
      expect(member.objects.list('policy/poddisruptionbudgets').length).toBeGreaterThanOrEqual(3);
      const secretTypes = new Set(member.objects.list('secrets').map((s: any) => s.type));
      expect([...secretTypes]).toEqual(expect.arrayContaining(['Opaque', 'kubernetes.io/tls', 'kubernetes.io/dockerconfigjson']));
      expect(member.objects.list('endpoints', { namespace: 'shop' }).some((e: any) => e.subsets?.[0]?.addresses?.length > 0)).toBe(true);
    }
    expect(new Set(nodeNames).size).toBe(12);
    expect(pods).toBeGreaterThanOrEqual(90);
    expect(pods).toBeLessThanOrEqual(135); // ~100 of the members' own + ~18 propagated by the Karmada layer and middleware instances
    const gpuNodes = [...fleet.members.values()].flatMap((m) => m.objects.list('nodes')).filter((n: any) => n.status.capacity['nvidia.com/gpu']);
    expect(gpuNodes.length).toBeGreaterThanOrEqual(1);
    const cluster = fleet.controlPlane.objects.get('cluster.karmada.io/clusters', undefined, 'member2') as any;
    expect(cluster.spec).toMatchObject({ provider: 'gcp', region: 'europe-west1' });
    expect(cluster.metadata.labels.provider).toBe('gcp');
  });

  it('names nodes and pods the same for the same seed and differently for another', async () => {
    const names = async (seed: number) => {
      const fleet = await startDemo(seed);
      const member = fleet.members.get('member2')!;
      const nodes = member.objects.list('nodes').map((n) => n.metadata.name).sort();
      const redis = member.objects.list('pods', { namespace: 'shop', labelSelector: 'app=redis' }).map((p) => p.metadata.name).sort();
      const frontend = member.objects.list('pods', { namespace: 'shop', labelSelector: 'app=frontend' }).map((p) => p.metadata.name).sort();
      fleet.close();
      return { nodes, redis, frontend };
    };
    const a = await names(5);
    const b = await names(5);
    const c = await names(6);
    expect(a).toEqual(b);
    expect(a.nodes).not.toEqual(c.nodes);
    expect(a.frontend).not.toEqual(c.frontend);
    expect(a.redis).toEqual(['redis-0', 'redis-1', 'redis-2']);
  });
});
