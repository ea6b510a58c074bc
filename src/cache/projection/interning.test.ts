import { describe, expect, it } from 'vitest';
import { kindTable } from '../../fleet/kinds.js';
import { internString, internStructure } from './interning.js';
import { projectObject } from './projectObject.js';

describe('interning of repeated values', () => {
  it('returns one instance for equal strings and equal structures, frozen', () => {
    const a = internString(['re', 'gistry/x:1'].join(''));
    const b = internString(['regis', 'try/x:1'].join(''));
    expect(a).toBe(b);
    const s1 = internStructure({ app: 'web', tier: 'front' });
    const s2 = internStructure({ app: 'web', tier: 'front' });
    expect(s1).toBe(s2);
    expect(Object.isFrozen(s1)).toBe(true);
    expect(internStructure({ app: 'api' })).not.toBe(s1);
  });

  it('makes replicas share labels, owners and containers, never their identity', () => {
    const kinds = kindTable({ group: 'g', version: 'v1' });
    const replica = (name: string) => projectObject(kinds.get('pods')!, {
      metadata: { name, namespace: 'shop', uid: `uid-${name}`, resourceVersion: '1', labels: { app: 'web', 'pod-template-hash': 'abc' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs', controller: true }] },
      spec: { nodeName: 'n1', containers: [{ name: 'web', image: 'web:1', resources: { requests: { cpu: '100m' } } }] },
      status: { phase: 'Running' },
    });
    const a = replica('web-abc-1');
    const b = replica('web-abc-2');
    expect(a.metadata.labels).toBe(b.metadata.labels);
    expect(a.metadata.ownerReferences).toBe(b.metadata.ownerReferences);
    expect(a.spec!.containers).toBe(b.spec!.containers);
    expect(a.metadata.name).not.toBe(b.metadata.name);
    expect(a.metadata.uid).toBe('uid-web-abc-1');
    expect(() => {
      'use strict';
      (a.metadata.labels as Record<string, string>).app = 'changed';
    }).toThrow(TypeError);
  });

  it('makes replicas started together share their condition and container status lists, frozen', () => {
    const kinds = kindTable({ group: 'g', version: 'v1' });
    const at = '2026-11-20T10:00:00Z';
    const replica = (name: string, podIP: string) => projectObject(kinds.get('pods')!, {
      metadata: { name, namespace: 'shop', uid: `uid-${name}`, resourceVersion: '1' },
      spec: { nodeName: 'n1', containers: [{ name: 'web', image: 'web:1' }] },
      status: {
        phase: 'Running', podIP,
        conditions: ['Ready', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: at })),
        containerStatuses: [{ name: 'web', ready: true, restartCount: 0, image: 'web:1', state: { running: { startedAt: at } } }],
      },
    });
    const a = replica('web-1', '10.0.0.1');
    const b = replica('web-2', '10.0.0.2');
    expect(a.status!.conditions).toBe(b.status!.conditions);
    expect(a.status!.containerStatuses).toBe(b.status!.containerStatuses);
    expect(Object.isFrozen(a.status!.conditions)).toBe(true);
    expect(Object.isFrozen(a.status!.containerStatuses![0]!.state)).toBe(true);
    expect(a.status!.conditions).toEqual([{ type: 'Ready', status: 'True', lastTransitionTime: at }, { type: 'PodScheduled', status: 'True', lastTransitionTime: at }]);
    // Per-pod values stay per pod.
    expect(a.status!.podIP).toBe('10.0.0.1');
    expect(b.status!.podIP).toBe('10.0.0.2');
  });

  it('shares only equal structures, key order and value types included, across many of them', () => {
    const made = Array.from({ length: 20_000 }, (_, i) => ({ app: `app-${i}`, hash: String(i % 97) }));
    const pooled = made.map((m) => internStructure({ ...m }));
    pooled.forEach((p, i) => expect(p).toEqual(made[i]));
    expect(new Set(pooled).size).toBe(made.length);
    expect(made.every((m, i) => internStructure({ ...m }) === pooled[i])).toBe(true);
    // Same entries in another order, or a number where a string was: not the same JSON, not shared.
    const ab = internStructure({ a: '1', b: '2' });
    expect(internStructure({ b: '2', a: '1' })).not.toBe(ab);
    expect(Object.keys(internStructure({ b: '2', a: '1' }))).toEqual(['b', 'a']);
    expect(internStructure({ a: 1, b: '2' })).not.toBe(ab);
    expect(internStructure([['x', 'y']])).not.toBe(internStructure([['xy']]));
    expect(internStructure({ a: '1', b: '2' })).toBe(ab);
  });
});
