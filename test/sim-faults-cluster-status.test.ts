/**
 * The Karmada Cluster object follows a member's faults as karmada-controller-manager's would, read with
 * client-node over HTTPS: unreachable → Ready=False/ClusterNotReachable (with the unreachable taint),
 * answering 503 → ClusterNotReady, and Ready again once the member answers.
 */
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../src/sim/index.js';
import { installKarmada } from '../src/sim/karmada/installKarmada.js';
import { adminPost, kubeConfigFor } from './support/simFaultsClient.js';
import { waitFor } from './support/simKarmadaWait.js';

let sim: RunningSimulator;
let custom: CustomObjectsApi;

beforeAll(async () => {
  sim = await startSimulator({ scenario: 'mini', seed: 5 });
  // Real durations are 10 s / 30 s; the test shortens them (they are options of the controller).
  installKarmada(sim.fleet, { clusterStatus: { intervalMs: 100, failureThresholdMs: 400, successThresholdMs: 200 } });
  custom = kubeConfigFor(sim, 'karmada').makeApiClient(CustomObjectsApi);
});

afterAll(async () => {
  await sim?.stop();
});

async function cluster(): Promise<any> {
  return custom.getClusterCustomObject({ group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters', name: 'member1' });
}

async function readyReason(): Promise<string | undefined> {
  return (await cluster()).status?.conditions?.find((c: any) => c.type === 'Ready')?.reason;
}

describe('Cluster status under faults, over HTTPS', () => {
  it('collects the member: nodes, resources, APIs, Ready', async () => {
    await waitFor('node summary', async () => (await cluster()).status?.nodeSummary?.totalNum === 2);
    const c = await cluster();
    expect(c.status.nodeSummary).toEqual({ totalNum: 2, readyNum: 2 });
    expect(c.status.resourceSummary.allocated.pods).not.toBe('0');
    expect(c.status.apiEnablements.map((a: any) => a.groupVersion)).toEqual(expect.arrayContaining(['v1', 'apps/v1']));
    expect(await readyReason()).toBe('ClusterReady');
  });

  it('turns ClusterNotReachable while the member is unreachable and Ready when it returns', async () => {
    await adminPost(sim, 'faults/member1', { unreachable: true });
    await waitFor('ClusterNotReachable', async () => (await readyReason()) === 'ClusterNotReachable', 15_000);
    const down = await cluster();
    expect(down.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'False', message: 'cluster is not reachable' });
    expect(down.spec.taints).toContainEqual(expect.objectContaining({ key: 'cluster.karmada.io/unreachable', effect: 'NoSchedule' }));
    await adminPost(sim, 'faults/member1', { unreachable: false });
    await waitFor('Ready again', async () => (await readyReason()) === 'ClusterReady', 15_000);
    expect((await cluster()).spec.taints ?? []).toEqual([]);
  });

  it('turns ClusterNotReady while the member answers 503', async () => {
    await adminPost(sim, 'faults/member1', { unavailable503: true });
    await waitFor('ClusterNotReady', async () => (await readyReason()) === 'ClusterNotReady', 15_000);
    await adminPost(sim, 'faults/member1', { unavailable503: false });
    await waitFor('Ready again', async () => (await readyReason()) === 'ClusterReady', 15_000);
  });
});
