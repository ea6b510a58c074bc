import { describe, expect, it } from 'vitest';
import { clusterMatches } from './clusterAffinityMatch.js';
import type { ClusterView } from './karmadaShapes.js';
import { scheduleReplicas } from './replicaScheduler.js';

function cluster(name: string, extra: Partial<ClusterView> = {}): ClusterView {
  return { name, labels: {}, zones: [], taints: [], ready: true, apiEnablements: undefined, free: { cpu: 100, memory: 1e12, pods: 110 }, ...extra };
}

const divided = { replicaScheduling: { replicaSchedulingType: 'Divided' as const, replicaDivisionPreference: 'Weighted' as const } };

describe('cluster taints in scheduling', () => {
  const tainted = [cluster('member1'), cluster('member2', { taints: [{ key: 'maintenance', effect: 'NoSchedule' }] }), cluster('member3')];

  it('keeps new placements off a NoSchedule cluster', () => {
    const result = scheduleReplicas({ apiVersion: 'apps/v1', replicas: 6, clusters: tainted, placement: divided });
    expect(result).toEqual({ ok: true, clusters: [{ name: 'member1', replicas: 3 }, { name: 'member3', replicas: 3 }] });
  });

  it('places on it when the policy tolerates the taint (by key, or Exists on every key)', () => {
    for (const toleration of [{ key: 'maintenance', operator: 'Exists' as const, effect: 'NoSchedule' as const }, { operator: 'Exists' as const }]) {
      const result = scheduleReplicas({ apiVersion: 'apps/v1', replicas: 6, clusters: tainted, placement: { ...divided, clusterTolerations: [toleration] } });
      expect(result).toEqual({ ok: true, clusters: [{ name: 'member1', replicas: 2 }, { name: 'member2', replicas: 2 }, { name: 'member3', replicas: 2 }] });
    }
  });

  it('does not tolerate with a toleration of another value or effect', () => {
    const result = scheduleReplicas({
      apiVersion: 'apps/v1', replicas: 6, clusters: tainted,
      placement: { ...divided, clusterTolerations: [{ key: 'maintenance', operator: 'Exists', effect: 'NoExecute' }] },
    });
    expect(result.ok && result.clusters.map((c) => c.name)).toEqual(['member1', 'member3']);
  });

  it('keeps a cluster the binding already targets (the taint manager evicts, not the scheduler)', () => {
    const result = scheduleReplicas({ apiVersion: 'apps/v1', replicas: 6, clusters: tainted, placement: divided, currentTargets: ['member1', 'member2', 'member3'] });
    expect(result.ok && result.clusters.map((c) => c.name)).toEqual(['member1', 'member2', 'member3']);
  });

  it('keeps new placements off a NoExecute cluster too, and says why when nothing fits', () => {
    const all = [cluster('member1', { taints: [{ key: 'gone', effect: 'NoExecute' }] })];
    expect(scheduleReplicas({ apiVersion: 'apps/v1', replicas: 2, clusters: all, placement: divided })).toEqual({
      ok: false, reason: 'NoClusterFit', message: '0/1 clusters are available: 1 cluster(s) had untolerated taint.',
    });
  });
});

describe('cluster labels and fields in affinity', () => {
  const aws = cluster('member1', { labels: { environment: 'production', provider: 'aws' }, provider: 'aws', region: 'us-east-1', zones: ['us-east-1a', 'us-east-1b'] });
  const gke = cluster('member2', { labels: { environment: 'staging' }, provider: 'gcp', region: 'europe-west1', zones: ['europe-west1-b'] });

  it('matches label selectors on the Cluster labels', () => {
    expect(clusterMatches(aws, { labelSelector: { matchLabels: { environment: 'production' } } })).toBe(true);
    expect(clusterMatches(gke, { labelSelector: { matchLabels: { environment: 'production' } } })).toBe(false);
    expect(clusterMatches(gke, { labelSelector: { matchExpressions: [{ key: 'environment', operator: 'NotIn', values: ['production'] }] } })).toBe(true);
  });

  it('matches provider, region and zone field selectors on spec fields', () => {
    expect(clusterMatches(aws, { fieldSelector: { matchExpressions: [{ key: 'provider', operator: 'In', values: ['aws'] }] } })).toBe(true);
    expect(clusterMatches(gke, { fieldSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['us-east-1'] }] } })).toBe(false);
    expect(clusterMatches(aws, { fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['us-east-1b'] }] } })).toBe(true);
    expect(clusterMatches(gke, { fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['europe-west1-b'] }] } })).toBe(false);
  });

  it('places a Divided workload only on the clusters the affinity selects', () => {
    const result = scheduleReplicas({
      apiVersion: 'apps/v1', replicas: 4, clusters: [aws, gke, cluster('member3')],
      placement: { ...divided, clusterAffinity: { fieldSelector: { matchExpressions: [{ key: 'provider', operator: 'In', values: ['aws', 'gcp'] }] } } },
    });
    expect(result).toEqual({ ok: true, clusters: [{ name: 'member1', replicas: 2 }, { name: 'member2', replicas: 2 }] });
  });
});
