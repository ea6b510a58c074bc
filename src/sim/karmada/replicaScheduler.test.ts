import { describe, expect, it } from 'vitest';
import type { ClusterView } from './karmadaShapes.js';
import { dispense, scheduleReplicas } from './replicaScheduler.js';

function cluster(name: string, extra: Partial<ClusterView> = {}): ClusterView {
  return { name, labels: {}, zones: [], taints: [], ready: true, apiEnablements: undefined, free: { cpu: 100, memory: 1e12, pods: 110 }, ...extra };
}

const three = [cluster('member1'), cluster('member2'), cluster('member3')];

describe('scheduleReplicas', () => {
  it('divides 12 replicas by static weights 1:2:3 into 2/4/6', () => {
    const result = scheduleReplicas({
      apiVersion: 'apps/v1', replicas: 12, clusters: three,
      placement: {
        replicaScheduling: {
          replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted',
          weightPreference: { staticWeightList: [
            { targetCluster: { clusterNames: ['member1'] }, weight: 1 },
            { targetCluster: { clusterNames: ['member2'] }, weight: 2 },
            { targetCluster: { clusterNames: ['member3'] }, weight: 3 },
          ] },
        },
      },
    });
    expect(result).toEqual({ ok: true, clusters: [{ name: 'member1', replicas: 2 }, { name: 'member2', replicas: 4 }, { name: 'member3', replicas: 6 }] });
  });

  it('gives every cluster the full count when Duplicated, and filters by affinity', () => {
    const result = scheduleReplicas({
      apiVersion: 'apps/v1', replicas: 3, clusters: three,
      placement: { clusterAffinity: { clusterNames: ['member1', 'member3'] }, replicaScheduling: { replicaSchedulingType: 'Duplicated' } },
    });
    expect(result).toEqual({ ok: true, clusters: [{ name: 'member1', replicas: 3 }, { name: 'member3', replicas: 3 }] });
  });

  it('hands the remainder to the heaviest clusters', () => {
    expect(dispense(7, [{ name: 'a', weight: 1 }, { name: 'b', weight: 1 }, { name: 'c', weight: 1 }])).toEqual([
      { name: 'a', replicas: 3 }, { name: 'b', replicas: 2 }, { name: 'c', replicas: 2 },
    ]);
  });

  it('weights dynamically by available replicas and aggregates into as few clusters as fit', () => {
    const clusters = [
      cluster('small', { free: { cpu: 2, memory: 1e12, pods: 110 } }),
      cluster('big', { free: { cpu: 6, memory: 1e12, pods: 110 } }),
    ];
    const dynamic = scheduleReplicas({
      apiVersion: 'apps/v1', replicas: 4, resourceRequest: { cpu: '1' }, clusters,
      placement: { replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { dynamicWeight: 'AvailableReplicas' } } },
    });
    expect(dynamic).toEqual({ ok: true, clusters: [{ name: 'big', replicas: 3 }, { name: 'small', replicas: 1 }] });
    const aggregated = scheduleReplicas({
      apiVersion: 'apps/v1', replicas: 5, resourceRequest: { cpu: '1' }, clusters,
      placement: { replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Aggregated' } },
    });
    expect(aggregated).toEqual({ ok: true, clusters: [{ name: 'big', replicas: 5 }] });
    const tooMany = scheduleReplicas({
      apiVersion: 'apps/v1', replicas: 20, resourceRequest: { cpu: '1' }, clusters,
      placement: { replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Aggregated' } },
    });
    expect(tooMany.ok).toBe(false);
    if (!tooMany.ok) expect(tooMany.message).toContain('max 8 replicas');
  });

  it('filters by labels, untolerated taints and API enablement, and says why nothing fits', () => {
    const clusters = [
      cluster('tainted', { labels: { env: 'prod' }, taints: [{ key: 'maintenance', effect: 'NoSchedule' }] }),
      cluster('noapi', { labels: { env: 'prod' }, apiEnablements: new Set(['v1']) }),
      cluster('dev', { labels: { env: 'dev' } }),
    ];
    const result = scheduleReplicas({ apiVersion: 'apps/v1', replicas: 1, clusters, placement: { clusterAffinity: { labelSelector: { matchLabels: { env: 'prod' } } } } });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe('NoClusterFit');
      expect(result.message).toContain('0/3 clusters are available');
      expect(result.message).toContain('untolerated taint');
    }
    const tolerated = scheduleReplicas({
      apiVersion: 'apps/v1', replicas: 1, clusters,
      placement: { clusterAffinity: { labelSelector: { matchLabels: { env: 'prod' } } }, clusterTolerations: [{ key: 'maintenance', operator: 'Exists', effect: 'NoSchedule' }], replicaScheduling: { replicaSchedulingType: 'Duplicated' } },
    });
    expect(tolerated).toEqual({ ok: true, clusters: [{ name: 'tainted', replicas: 1 }] });
  });

  it('spreads over at most maxGroups regions and fails under minGroups', () => {
    const clusters = [
      cluster('a1', { region: 'east' }), cluster('a2', { region: 'east' }), cluster('b1', { region: 'west' }), cluster('c1', { region: 'north' }),
    ];
    const spread = scheduleReplicas({
      apiVersion: 'apps/v1', replicas: 2, clusters,
      placement: { spreadConstraints: [{ spreadByField: 'region', maxGroups: 1, minGroups: 1 }], replicaScheduling: { replicaSchedulingType: 'Duplicated' } },
    });
    expect(spread).toEqual({ ok: true, clusters: [{ name: 'a1', replicas: 2 }, { name: 'a2', replicas: 2 }] });
    const tooFew = scheduleReplicas({
      apiVersion: 'apps/v1', replicas: 2, clusters,
      placement: { spreadConstraints: [{ spreadByField: 'region', minGroups: 4 }] },
    });
    expect(tooFew.ok).toBe(false);
  });
});
