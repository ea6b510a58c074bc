/**
 * Unit test on an in-process fleet. The simulated karmada-controller-manager's Cluster status: collected from members, and following the
 * fault switch — unreachable turns Ready=False/ClusterNotReachable once the failure threshold has passed,
 * 503 turns ClusterNotReady, and the member returning turns Ready again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSimFleet, type ClosableSimFleet } from '../fleet.js';
import { installKarmada } from './installKarmada.js';

let fleet: ClosableSimFleet;

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
let karmada: ReturnType<typeof installKarmada>;

beforeEach(() => {
  fleet = createSimFleet();
  const m1 = fleet.addMember('member1');
  fleet.addMember('member2');
  for (const [i, ready] of [[1, 'True'], [2, 'True'], [3, 'False']] as const) {
    m1.objects.create('nodes', {
      apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}` },
      status: { allocatable: { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' }, conditions: [{ type: 'Ready', status: ready }] },
    });
  }
  karmada = installKarmada(fleet, { clusterStatus: { intervalMs: 100, failureThresholdMs: 500, successThresholdMs: 200 } });
});

afterEach(() => fleet.close());

const cluster = (name: string) => fleet.controlPlane.objects.get('cluster.karmada.io/clusters', undefined, name)!;
const ready = (name: string) => ((cluster(name).status as any)?.conditions ?? []).find((c: any) => c.type === 'Ready');

describe('Cluster status in the simulator', () => {
  it('summarises nodes, resources and APIs of a member', async () => {
    const st = await waitFor('status collected', () => ((cluster('member1').status as any)?.nodeSummary ? cluster('member1').status as any : undefined));
    expect(st.nodeSummary).toEqual({ totalNum: 3, readyNum: 2 });
    expect(st.resourceSummary.allocatable).toMatchObject({ cpu: '12', memory: '48Gi', pods: '330' });
    expect(st.kubernetesVersion).toBe('v1.26.5');
    expect(st.apiEnablements.find((a: any) => a.groupVersion === 'apps/v1').resources).toContainEqual({ name: 'deployments', kind: 'Deployment' });
    expect(ready('member1')).toMatchObject({ status: 'True', reason: 'ClusterReady' });
  });

  it('collects the resource summary again only after a pod or node of the member changed', async () => {
    const allocated = () => (cluster('member1').status as any)?.resourceSummary?.allocated;
    await waitFor('status collected', () => allocated());
    expect(allocated()).toMatchObject({ cpu: '0', pods: '0' });
    const m1 = fleet.members.get('member1')!;
    if (!m1.objects.get('namespaces', undefined, 'default')) m1.objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    m1.objects.create('pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' },
      spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '250m', memory: '1Gi' } } }] },
      status: { phase: 'Running' },
    });
    await waitFor('the new pod counted', () => allocated()?.pods === '1');
    expect(allocated()).toMatchObject({ cpu: '250m', pods: '1' });
    m1.objects.delete('pods', 'default', 'p', { gracePeriodSeconds: 0 });
    await waitFor('the pod gone from the summary', () => allocated()?.pods === '0');
    // member2 has no node: its summary was never invalidated by member1's pods.
    expect((cluster('member2').status as any).resourceSummary.allocatable).toMatchObject({ cpu: '0', pods: '0' });
  });

  it('turns ClusterNotReachable after the failure threshold, taints the cluster, and returns to Ready', async () => {
    await waitFor('ready first', () => ready('member2')?.status === 'True');
    fleet.faults.set('member2', { unreachable: true });
    // The first failed probe starts the threshold rather than flipping the condition: a blip does not flap.
    karmada.clusterStatus.tick();
    expect(ready('member2')?.status).toBe('True');
    await waitFor('not reachable', () => ready('member2')?.reason === 'ClusterNotReachable', 10_000);
    expect(ready('member2')).toMatchObject({ status: 'False', message: 'cluster is not reachable' });
    expect((cluster('member2').spec as any).taints).toContainEqual(expect.objectContaining({ key: 'cluster.karmada.io/unreachable', effect: 'NoSchedule' }));
    expect(ready('member1')?.status).toBe('True');
    fleet.faults.set('member2', { unreachable: false });
    await waitFor('ready again', () => ready('member2')?.reason === 'ClusterReady', 10_000);
    expect((cluster('member2').spec as any).taints ?? []).toEqual([]);
  });

  it('turns ClusterNotReady while the member answers 503', async () => {
    fleet.faults.set('member1', { unavailable503: true });
    await waitFor('not ready', () => ready('member1')?.reason === 'ClusterNotReady', 10_000);
    expect(ready('member1').message).toBe('cluster is reachable but health endpoint responded without ok');
  });
});
