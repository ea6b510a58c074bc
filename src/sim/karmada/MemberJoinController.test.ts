/**
 * Unit test on an in-process fleet: Karmada's side of join and unjoin. A Cluster object pointing at a spare
 * member's own endpoint with a Secret whose token authenticates joins it (the fleet's members, status
 * collected, execution namespace made); a wrong token or endpoint does not (Ready False, not-ready taint);
 * deleting the Cluster unjoins it and removes its Works, the objects they applied and its execution namespace.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSimFleet, type ClosableSimFleet } from '../fleet.js';
import { installKarmada } from './installKarmada.js';
import { CLUSTERS, RESOURCE_BINDINGS, WORKS } from './karmadaResourceTypes.js';

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

beforeEach(() => {
  fleet = createSimFleet({ ownEndpointFor: (m) => `https://127.0.0.1:6443/members/${m}` });
  fleet.tokenAuthenticates = (token, cluster) => token === `token-of-${cluster.name}`;
  fleet.addMember('member1');
  const spare = fleet.addSpareMember('spare1');
  spare.objects.create('nodes', {
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'spare1-node' },
    status: { allocatable: { cpu: '4', memory: '16Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
  });
  installKarmada(fleet, { clusterStatus: { intervalMs: 60_000 } });
  fleet.controlPlane.objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'karmada-cluster' } });
});

afterEach(() => fleet.close());

function join(name: string, endpoint: string, token: string): void {
  fleet.controlPlane.objects.create('secrets', {
    apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'karmada-cluster' }, data: { token: Buffer.from(token).toString('base64') },
  });
  fleet.controlPlane.objects.create(CLUSTERS, {
    apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name },
    spec: { apiEndpoint: endpoint, syncMode: 'Push', secretRef: { namespace: 'karmada-cluster', name } },
  });
}

const ready = (name: string) => ((fleet.controlPlane.objects.get(CLUSTERS, undefined, name)?.status as any)?.conditions ?? []).find((c: any) => c.type === 'Ready');

describe('MemberJoinController', () => {
  it('joins a spare whose Cluster names its endpoint and a valid token, and unjoins it with its Works and objects', async () => {
    expect(fleet.members.has('spare1')).toBe(false);
    join('spare1', 'https://127.0.0.1:6443/members/spare1', 'token-of-spare1');
    await waitFor('spare1 joined and Ready', () => fleet.members.get('spare1') === fleet.spares.get('spare1') && ready('spare1')?.status === 'True');
    expect(fleet.controlPlane.objects.get('namespaces', undefined, 'karmada-es-spare1')).toBeDefined();

    // A Deployment propagated to every cluster lands on the spare.
    const cp = fleet.controlPlane;
    cp.objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
    cp.objects.create('apps/deployments', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'apps' },
      spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    });
    cp.objects.create('policy.karmada.io/propagationpolicies', {
      apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'web', namespace: 'apps' },
      spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }], placement: { replicaScheduling: { replicaSchedulingType: 'Divided' } } },
    });
    const spare = fleet.spares.get('spare1')!;
    await waitFor('web on spare1', () => spare.objects.get('apps/deployments', 'apps', 'web'));

    cp.objects.delete(CLUSTERS, undefined, 'spare1');
    expect(fleet.members.has('spare1')).toBe(false);
    await waitFor('web gone from spare1', () => !spare.objects.get('apps/deployments', 'apps', 'web'));
    await waitFor('execution namespace gone', () => !cp.objects.get('namespaces', undefined, 'karmada-es-spare1') || cp.objects.get('namespaces', undefined, 'karmada-es-spare1')?.metadata.deletionTimestamp);
    expect(cp.objects.list(WORKS, { namespace: 'karmada-es-spare1' })).toEqual([]);
    const binding = await waitFor('binding without spare1', () => {
      const b = cp.objects.get(RESOURCE_BINDINGS, 'apps', 'web-deployment');
      const targets = (b?.spec as any)?.clusters ?? [];
      return targets.length > 0 && !targets.some((t: any) => t.name === 'spare1') ? targets : undefined;
    });
    expect(binding).toEqual([{ name: 'member1', replicas: 4 }]);
    // Still running at its own endpoint, and joinable again.
    expect(fleet.ownClusters.get('spare1')).toBe(spare);
  });

  it('does not join with a token the member refuses, or an endpoint no member has', async () => {
    join('spare1', 'https://127.0.0.1:6443/members/spare1', 'token-of-member1');
    join('elsewhere', 'https://10.0.0.1:6443', 'token-of-spare1');
    for (const name of ['spare1', 'elsewhere']) {
      const condition = await waitFor(`${name} not reachable`, () => ready(name));
      expect(condition).toMatchObject({ status: 'False', reason: 'ClusterNotReachable' });
      expect(fleet.members.has(name)).toBe(false);
      expect((fleet.controlPlane.objects.get(CLUSTERS, undefined, name)?.spec as any).taints).toContainEqual(expect.objectContaining({ key: 'cluster.karmada.io/not-ready', effect: 'NoSchedule' }));
    }
    expect(ready('spare1').message).toContain('Unauthorized');
  });
});
