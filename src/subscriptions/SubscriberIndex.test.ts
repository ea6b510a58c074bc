import { describe, expect, it } from 'vitest';
import { SubscriberIndex } from './SubscriberIndex.js';

describe('SubscriberIndex', () => {
  it('returns only routes filed under the event kind, cluster and namespace (or any)', () => {
    const idx = new SubscriberIndex<string>();
    idx.add('all-pods', { kinds: ['pods'] });
    idx.add('m1-pods', { kinds: ['pods'], clusters: ['m1'] });
    const removeNs = idx.add('m2-ns-a', { kinds: ['pods'], clusters: ['m2'], namespaces: ['a'] });
    idx.add('nodes-m1', { kinds: ['nodes'], clusters: ['m1'] });
    idx.add('any-ns-b', { kinds: ['pods', 'deployments'], namespaces: ['b'] });

    expect([...idx.candidates('pods', 'm1', 'x')].sort()).toEqual(['all-pods', 'm1-pods']);
    expect([...idx.candidates('pods', 'm2', 'a')].sort()).toEqual(['all-pods', 'm2-ns-a']);
    expect([...idx.candidates('pods', 'm2', 'b')].sort()).toEqual(['all-pods', 'any-ns-b']);
    expect([...idx.candidates('nodes', 'm1', undefined)]).toEqual(['nodes-m1']);
    expect([...idx.candidates('nodes', 'm2', undefined)]).toEqual([]);
    expect([...idx.candidates('deployments', 'controlPlane', 'b')]).toEqual(['any-ns-b']);

    removeNs();
    expect([...idx.candidates('pods', 'm2', 'a')]).toEqual(['all-pods']);
    expect(idx.size).toBe(4);
  });
});
