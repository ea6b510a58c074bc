import { describe, expect, it } from 'vitest';
import { jsonMergePatch, jsonPatch, strategicMergePatch } from './patches.js';
import { ApiError } from '../cluster/ApiError.js';

const pod = {
  metadata: { name: 'p', labels: { a: '1', b: '2' }, finalizers: ['x'] },
  spec: {
    containers: [
      { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }] },
      { name: 'side', image: 'side:1' },
    ],
    tolerations: [{ key: 't1' }],
  },
};

describe('JSON merge patch', () => {
  it('merges maps, deletes with null, replaces lists', () => {
    const out = jsonMergePatch(pod, { metadata: { labels: { a: null, c: '3' } }, spec: { tolerations: [{ key: 't2' }] } }) as any;
    expect(out.metadata.labels).toEqual({ b: '2', c: '3' });
    expect(out.spec.tolerations).toEqual([{ key: 't2' }]);
    expect(out.spec.containers).toHaveLength(2);
    expect(pod.metadata.labels).toEqual({ a: '1', b: '2' });
  });
});

describe('strategic merge patch', () => {
  it('merges containers and env by name, keeps the others', () => {
    const out = strategicMergePatch(pod, { spec: { containers: [{ name: 'app', image: 'app:2', env: [{ name: 'B', value: '2' }] }] } }) as any;
    expect(out.spec.containers.map((c: any) => [c.name, c.image])).toEqual([['app', 'app:2'], ['side', 'side:1']]);
    expect(out.spec.containers[0].env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
  });

  it('honours $patch: delete, $setElementOrder, $deleteFromPrimitiveList and merges finalizers as a set', () => {
    const out = strategicMergePatch(pod, {
      metadata: { finalizers: ['y', 'x'], '$deleteFromPrimitiveList/finalizers': ['x'] },
      spec: {
        '$setElementOrder/containers': [{ name: 'side' }, { name: 'app' }],
        containers: [{ name: 'app', $patch: 'delete' }, { name: 'side', image: 'side:2' }],
      },
    }) as any;
    expect(out.spec.containers).toEqual([{ name: 'side', image: 'side:2' }]);
    expect(out.metadata.finalizers).toEqual(['y']);
  });

  it('replaces lists without a merge key (tolerations, taints) as kubectl cordon/taint expect', () => {
    const out = strategicMergePatch({ spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] } }, { spec: { taints: [{ key: 'b', effect: 'NoSchedule' }], unschedulable: true } }) as any;
    expect(out.spec).toEqual({ taints: [{ key: 'b', effect: 'NoSchedule' }], unschedulable: true });
  });
});

describe('JSON patch', () => {
  it('applies add, replace, remove, move, copy and test', () => {
    const out = jsonPatch(pod, [
      { op: 'add', path: '/metadata/labels/c', value: '3' },
      { op: 'replace', path: '/spec/containers/0/image', value: 'app:3' },
      { op: 'remove', path: '/spec/tolerations/0' },
      { op: 'copy', from: '/metadata/labels/a', path: '/metadata/labels/d' },
      { op: 'move', from: '/metadata/labels/b', path: '/metadata/labels/e' },
      { op: 'test', path: '/metadata/labels/e', value: '2' },
      { op: 'add', path: '/metadata/finalizers/-', value: 'z' },
    ]) as any;
    expect(out.metadata.labels).toEqual({ a: '1', c: '3', d: '1', e: '2' });
    expect(out.spec.containers[0].image).toBe('app:3');
    expect(out.spec.tolerations).toEqual([]);
    expect(out.metadata.finalizers).toEqual(['x', 'z']);
  });

  it('answers a failed test or a bad path with the 422 of the recordings', () => {
    for (const ops of [[{ op: 'test', path: '/metadata/name', value: 'q' }], [{ op: 'remove', path: '/nope/x' }], [{ op: 'bogus', path: '/a' }]]) {
      try {
        jsonPatch(pod, ops);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(ApiError);
        expect((err as ApiError).toStatus()).toMatchObject({ code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request', details: {} });
      }
    }
  });
});
