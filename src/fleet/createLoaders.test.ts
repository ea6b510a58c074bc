/**
 * listKeyString: the DataLoader cache key of a list. Equal filters must share a key whatever the order of
 * their fields, and different filters must never share one (a shared key would hand one filter's answer to
 * the other), including the values a compact encoding could confuse.
 */
import { describe, expect, it } from 'vitest';
import type { ListKey } from './types.js';
import { listKeyString } from './createLoaders.js';

const key = (filter?: Record<string, unknown>, cluster = 'member1', kind: ListKey['kind'] = 'pods') =>
  listKeyString({ kind, cluster, ...(filter ? { filter: filter as ListKey['filter'] } : {}) });

describe('listKeyString', () => {
  it('gives equal filters one key, whatever the order of their fields', () => {
    expect(key({ namespace: 'default', phase: 'Running' })).toBe(key({ phase: 'Running', namespace: 'default' }));
    expect(key({ name: 'a', namespace: undefined })).toBe(key({ name: 'a' }));
  });

  it('gives different lists different keys', () => {
    const filters: Array<Record<string, unknown> | undefined> = [
      undefined,
      {},
      { namespace: '' },
      { name: '' },
      { namespace: 'a' },
      { name: 'a' },
      { namespace: 'a', name: 'b' },
      { namespace: 'b', name: 'a' },
      { labelSelector: 'app=x' },
      { labelSelector: 'app=x', nodeName: 'n1' },
      { nodeName: 'n1' },
      { phase: 'Running' },
      { ownerUid: 'u1' },
      // Values holding the separators, which are keyed by JSON instead.
      { namespace: 'a\u0000\u0001b' },
      { namespace: 'a', name: 'b\u0000' },
      { namespace: 'a\u0001' },
      { namespace: 'a\u0000' },
      // A field the filter type does not name is still part of the key.
      { namespace: 'a', extra: 'x' },
      { namespace: 'a', extra: 'y' },
    ];
    const keys = filters.map((f) => key(f));
    // {} and no filter at all select the same objects; every other pair must differ.
    expect(keys[0]).not.toBe(keys[2]);
    expect(new Set(keys.slice(1)).size).toBe(filters.length - 1);
    expect(key({ name: 'a' }, 'member1')).not.toBe(key({ name: 'a' }, 'member2'));
    expect(key({ name: 'a' }, 'member1', 'pods')).not.toBe(key({ name: 'a' }, 'member1', 'nodes'));
  });
});
