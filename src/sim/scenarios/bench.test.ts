import { afterEach, describe, expect, it } from 'vitest';
import { createSimFleet, type ClosableSimFleet } from '../fleet.js';
import { benchScenario } from './bench.js';
import { getScenario } from './index.js';

let fleet: ClosableSimFleet | undefined;
afterEach(() => fleet?.close());

async function until(probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('bench scenarios', () => {
  it('are registered with their sizes in the description', () => {
    expect(getScenario('bench-m')?.description).toContain('30,000 pods');
    expect(getScenario('bench-l')?.description).toContain('300,000 pods');
    expect(getScenario('bench-xl')?.description).toContain('1,000,000 pods');
  });

  it('seed settled pods per node and let Karmada bind every template to every member (small size)', async () => {
    fleet = createSimFleet();
    const size = { members: 3, nodesPerMember: 2, podsPerNode: 30, replicasPerMember: 30 };
    await benchScenario('bench-test', size, '').setup(fleet, { seed: 1, churnPerMinute: 0 });
    for (const m of fleet.members.values()) {
      const pods = m.objects.list('pods');
      expect(pods).toHaveLength(60);
      const perNode = new Map<string, number>();
      for (const p of pods) perNode.set((p.spec as any).nodeName, (perNode.get((p.spec as any).nodeName) ?? 0) + 1);
      expect([...perNode.values()]).toEqual([30, 30]);
      expect(pods.every((p) => (p.status as any).phase === 'Running' && p.metadata.ownerReferences?.[0]?.kind === 'ReplicaSet')).toBe(true);
      expect(m.objects.list('pods', { fieldSelector: `spec.nodeName=${m.name}-node-000` })).toHaveLength(30);
    }
    // The pods of one ReplicaSet share their common parts (frozen), and each keeps its own node and address.
    const app0 = fleet.members.get('member-001')!.objects.list('pods', { labelSelector: 'app=app-000' });
    const a = app0.find((p) => (p.spec as any).nodeName.endsWith('-000'));
    const b = app0.find((p) => (p.spec as any).nodeName.endsWith('-001'));
    expect(a!.metadata.labels).toBe(b!.metadata.labels);
    expect((a!.status as any).conditions).toBe((b!.status as any).conditions);
    expect(Object.isFrozen((a!.spec as any).containers)).toBe(true);
    expect((a!.spec as any).containers[0].resources.requests.cpu).toBe('10m');
    expect(a!.metadata.uid).not.toBe(b!.metadata.uid);
    const podIps = fleet.members.get('member-001')!.objects.list('pods').map((p) => (p.status as any).podIP);
    expect(new Set(podIps).size).toBe(podIps.length);
    // Deployments ask for 10m to 100m of CPU, so a sort by CPU request has distinct keys.
    const cpus = new Set(fleet.members.get('member-001')!.objects.list('apps/deployments').map((d) => (d.spec as any).template.spec.containers[0].resources.requests.cpu));
    expect([...cpus].sort()).toEqual(['10m', '20m']);
    const cp = fleet.controlPlane.objects;
    expect(cp.list('policy.karmada.io/propagationpolicies')).toHaveLength(1);
    await until(() => {
      const rbs = cp.list('work.karmada.io/resourcebindings');
      return rbs.length === 2 && rbs.every((b) => ((b.status as any)?.conditions ?? []).some((c: any) => c.type === 'FullyApplied' && c.status === 'True'));
    });
    expect(cp.list('work.karmada.io/works')).toHaveLength(6);
    const binding = cp.get('work.karmada.io/resourcebindings', 'bench', 'app-000-deployment')!;
    expect((binding.spec as any).clusters).toEqual([{ name: 'member-001', replicas: 30 }, { name: 'member-002', replicas: 30 }, { name: 'member-003', replicas: 30 }]);
    await until(() => (cp.get('apps/deployments', 'bench', 'app-000')!.status as any)?.readyReplicas === 90);
  });
});
