import { describe, expect, it } from 'vitest';
import { ObjectIndex } from './ObjectIndex.js';
import type { SlimObject } from './types.js';

const pod = (name: string, node: string, owner: string, labels: Record<string, string>): SlimObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '1', labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: `uid-${owner}` }] },
  spec: { nodeName: node, containers: [] },
});

describe('ObjectIndex', () => {
  it('follows adds, moves and removals', () => {
    const index = new ObjectIndex();
    const a = pod('a', 'n1', 'rs1', { app: 'web' });
    const b = pod('b', 'n1', 'rs2', { app: 'api' });
    index.add('ns/a', a);
    index.add('ns/b', b);
    expect([...index.keys('byNode', 'n1')].sort()).toEqual(['ns/a', 'ns/b']);
    expect([...index.keys('byOwner', 'uid-rs1')]).toEqual(['ns/a']);
    expect([...index.keys('byLabel', 'app=api')]).toEqual(['ns/b']);
    expect([...index.keys('byNamespace', 'ns')].sort()).toEqual(['ns/a', 'ns/b']);
    // b moves to n2: remove the old version, add the new.
    index.remove('ns/b', b);
    index.add('ns/b', pod('b', 'n2', 'rs2', { app: 'api' }));
    expect([...index.keys('byNode', 'n1')]).toEqual(['ns/a']);
    expect([...index.keys('byNode', 'n2')]).toEqual(['ns/b']);
    index.remove('ns/a', a);
    expect(index.keys('byNode', 'n1').size).toBe(0);
    expect(index.keys('byOwner', 'uid-rs1').size).toBe(0);
  });
});
