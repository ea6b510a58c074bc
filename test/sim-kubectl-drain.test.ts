import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubectl, startTestSimulator, type TestSimulator } from './support/simServer.js';

// `kubectl drain` against the demo fleet: kubectl evicts through the eviction API (PDBs included), the
// simulated kubelet finishes the evicted pods, and their controllers bring them back on other nodes.

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator({ scenario: 'demo', seed: 3 });
});
afterAll(async () => {
  await sim?.stop();
});

const ready = (p: any) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
const ownerKind = (p: any) => p.metadata.ownerReferences?.find((r: any) => r.controller)?.kind;

describe('kubectl drain on the demo fleet', () => {
  it('drain --ignore-daemonsets --delete-emptydir-data finishes and evicted pods come back Running elsewhere', async () => {
    const m = sim.fleet.members.get('member1')!;
    const node = 'member1-worker-0';
    const before = (m.objects.list('pods', { fieldSelector: `spec.nodeName=${node}` }) as any[]).filter((p) => ownerKind(p) !== 'DaemonSet');
    expect(before.length).toBeGreaterThanOrEqual(3);
    const protectedByPdb = before.filter((p) => ['frontend', 'orders', 'redis', 'coredns', 'payment-api'].includes(p.metadata.labels?.app));
    expect(protectedByPdb.length).toBeGreaterThan(0);

    const res = await kubectl(sim, ['--context', 'member1', 'drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=90s'], { timeoutMs: 100_000 });
    // kubectl evicts in parallel; a budget may refuse one eviction until a replacement is Ready, which
    // kubectl reports and retries. Nothing else may go wrong.
    const errors = res.stderr.split('\n').filter((l) => /error/i.test(l) && !/will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget/.test(l));
    expect(errors).toEqual([]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`node/${node} drained`);
    for (const pod of before) expect(res.stdout).toContain(`pod/${pod.metadata.name} evicted`);

    expect((m.objects.get('nodes', undefined, node) as any).spec.unschedulable).toBe(true);
    const left = (m.objects.list('pods', { fieldSelector: `spec.nodeName=${node}` }) as any[]).filter((p) => ownerKind(p) !== 'DaemonSet');
    expect(left.map((p) => p.metadata.name)).toEqual([]);
    // Daemon pods stay: cordon and drain do not remove them.
    expect((m.objects.list('pods', { fieldSelector: `spec.nodeName=${node}` }) as any[]).filter(ready).length).toBeGreaterThanOrEqual(2);

    // Every evicted pod's workload is whole again, on the other nodes.
    await eventually(() => {
      const deployments = m.objects.list('apps/deployments') as any[];
      const statefulSets = m.objects.list('apps/statefulsets') as any[];
      return (
        deployments.every((d) => (d.status?.availableReplicas ?? 0) === d.spec.replicas || d.metadata.name === 'inference') &&
        statefulSets.every((s) => (s.status?.readyReplicas ?? 0) === s.spec.replicas)
      );
    }, 45_000);
    for (const pod of before) {
      const app = pod.metadata.labels?.app;
      if (!app) continue;
      const now = (m.objects.list('pods', { namespace: pod.metadata.namespace, labelSelector: `app=${app}` }) as any[]).filter(ready);
      expect(now.length, app).toBeGreaterThan(0);
      for (const p of now) {
        expect(p.spec.nodeName, `${app} ${p.metadata.name}`).not.toBe(node);
        expect(p.metadata.uid).not.toBe(pod.metadata.uid);
      }
    }
    // StatefulSet ordinals come back under the same name with a new identity.
    for (const pod of before.filter((p) => ownerKind(p) === 'StatefulSet')) {
      const again = m.objects.get('pods', pod.metadata.namespace, pod.metadata.name) as any;
      expect(again?.metadata.uid).not.toBe(pod.metadata.uid);
      expect(ready(again)).toBe(true);
    }
    // The budgets are whole again too.
    await eventually(() => (m.objects.list('policy/poddisruptionbudgets') as any[]).every((b) => b.status?.currentHealthy >= b.status?.desiredHealthy && b.status?.disruptionsAllowed >= 1), 20_000);
    const events = m.objects.list('events') as any[];
    expect(events.some((e) => e.reason === 'Killing' && before.some((p) => p.metadata.name === e.involvedObject.name))).toBe(true);
  });
});
