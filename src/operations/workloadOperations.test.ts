/**
 * When scaleWorkload's placements count as ready: every target cluster of the binding runs its share, ready,
 * and no more.
 */
import { describe, expect, it } from 'vitest';
import { placementState } from './workloadOperations.js';

const binding = (replicas: number, clusters: Array<{ name: string; replicas?: number }>, status: Array<{ clusterName: string; applied: boolean; ready: number; total: number }>) => ({
  apiVersion: 'work.karmada.io/v1alpha2', kind: 'ResourceBinding', metadata: { name: 'b' },
  spec: { replicas, clusters },
  status: { aggregatedStatus: status.map((s) => ({ clusterName: s.clusterName, applied: s.applied, status: { readyReplicas: s.ready, replicas: s.total } })) },
});

describe('placementState', () => {
  it('is ready when each divided share is applied and ready', () => {
    const b = binding(6, [{ name: 'm1', replicas: 2 }, { name: 'm2', replicas: 4 }], [{ clusterName: 'm1', applied: true, ready: 2, total: 2 }, { clusterName: 'm2', applied: true, ready: 4, total: 4 }]);
    expect(placementState(b, 6)).toEqual({ ready: true, message: 'ready: m1=2, m2=4' });
  });

  it('waits while a share is short, still has surplus pods, or the binding has not seen the new count', () => {
    const short = binding(6, [{ name: 'm1', replicas: 2 }, { name: 'm2', replicas: 4 }], [{ clusterName: 'm1', applied: true, ready: 2, total: 2 }, { clusterName: 'm2', applied: true, ready: 3, total: 4 }]);
    expect(placementState(short, 6)).toEqual({ ready: false, message: 'waiting for m2 3/4' });
    const surplus = binding(2, [{ name: 'm1', replicas: 2 }], [{ clusterName: 'm1', applied: true, ready: 2, total: 3 }]);
    expect(placementState(surplus, 2).ready).toBe(false);
    expect(placementState(binding(4, [], []), 6).message).toMatch(/still asks for 4/);
    expect(placementState(null, 6).message).toBe('no ResourceBinding yet');
  });

  it('uses the whole count for duplicated placements (no per-cluster replicas)', () => {
    const b = binding(3, [{ name: 'm1' }, { name: 'm2' }], [{ clusterName: 'm1', applied: true, ready: 3, total: 3 }, { clusterName: 'm2', applied: false, ready: 0, total: 0 }]);
    expect(placementState(b, 3)).toEqual({ ready: false, message: 'waiting for m2 0/3' });
  });
});
