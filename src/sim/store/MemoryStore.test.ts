import { describe, expect, it } from 'vitest';
import { MemoryStore } from './MemoryStore.js';
import { StoreError } from './Store.js';
import type { StoreEvent } from './Store.js';

const pod = (ns: string, name: string) => ({ metadata: { name, namespace: ns } });

describe('MemoryStore', () => {
  it('assigns growing resourceVersions and lists by namespace then name', () => {
    const s = new MemoryStore();
    const a = s.create('pods', pod('b', 'x'));
    const b = s.create('pods', pod('a', 'z'));
    s.create('pods', pod('a', 'y'));
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    expect(s.list('pods').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['a/y', 'a/z', 'b/x']);
    expect(s.list('pods', 'a').map((o) => o.metadata.name)).toEqual(['y', 'z']);
    expect(s.list('pods', 'c')).toEqual([]);
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects duplicates and stale updates', () => {
    const s = new MemoryStore();
    const a = s.create('pods', pod('a', 'x'));
    expect(() => s.create('pods', pod('a', 'x'))).toThrow(StoreError);
    s.update('pods', { ...a, spec: { v: 1 } });
    try {
      s.update('pods', { ...a, spec: { v: 2 } });
      expect.unreachable();
    } catch (err) {
      expect((err as StoreError).reason).toBe('Conflict');
    }
  });

  it('replays history to watchers and expires compacted versions', () => {
    const s = new MemoryStore();
    const start = s.currentResourceVersion();
    s.create('pods', pod('a', 'x'));
    s.create('configmaps', pod('a', 'c'));
    const seen: StoreEvent[] = [];
    const stop = s.watch('pods', undefined, start, (e) => seen.push(e));
    s.delete('pods', 'a', 'x');
    expect(seen.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    expect(seen[1]!.resourceVersion).toBe(s.currentResourceVersion());
    stop();
    s.compact();
    expect(() => s.watch('pods', undefined, start, () => {})).toThrow(/too old resource version/);
  });

  it('drops old history beyond its window', () => {
    const s = new MemoryStore({ historySize: 3 });
    const start = s.currentResourceVersion();
    for (let i = 0; i < 5; i++) s.create('pods', pod('a', `p${i}`));
    expect(() => s.watch('pods', undefined, start, () => {})).toThrow(StoreError);
    const seen: string[] = [];
    s.watch('pods', undefined, s.currentResourceVersion() - 2, (e) => seen.push(e.object.metadata.name!));
    expect(seen).toEqual(['p3', 'p4']);
  });
});
