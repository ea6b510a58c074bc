import { describe, expect, it } from 'vitest';
import { changedPaths, fieldPathsOf, fromFieldsV1, recordOwnership, toFieldsV1, type ManagedFieldsEntry } from './managedFields.js';
import type { KubeObject } from '../store/Store.js';

/** recordOwnership as it was before its shortcuts: every entry listed and rebuilt. */
function reference(existing: ManagedFieldsEntry[], manager: string, paths: Set<string>, subresource?: string): unknown[] {
  const same = (e: ManagedFieldsEntry) => e.manager === manager && e.operation === 'Update' && (e.subresource ?? '') === (subresource ?? '');
  const out: unknown[] = [];
  let mine: ManagedFieldsEntry | undefined;
  for (const e of existing) {
    if (same(e)) { mine = e; continue; }
    const owned = fromFieldsV1(e.fieldsV1);
    for (const p of paths) if (!p.endsWith('\u0000.')) owned.delete(p);
    if (owned.size === 0) continue;
    out.push({ ...e, fieldsV1: toFieldsV1(owned) });
  }
  const merged = new Set([...(mine ? fromFieldsV1(mine.fieldsV1) : []), ...paths]);
  const entry = { manager, operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(merged), ...(subresource ? { subresource } : {}) };
  const at = mine ? existing.indexOf(mine) : -1;
  if (at >= 0) out.splice(Math.min(at, out.length), 0, entry); else out.push(entry);
  return out;
}

/** Entries without their time (which is "now"). */
const timeless = (entries: unknown[]) => entries.map((e) => { const { time: _t, ...rest } = e as ManagedFieldsEntry; return rest; });

describe('recordOwnership', () => {
  const pod = (annotations: Record<string, string>, image = 'nginx'): KubeObject => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', labels: { app: 'a' }, annotations },
    spec: { containers: [{ name: 'c', image }], nodeName: 'n1' },
  });

  it('gives the entries a full rebuild gives, whether the write adds, repeats or takes over fields', () => {
    const created = pod({ seq: '0' });
    let entries = recordOwnership([], 'scenario', 'Update', 'v1', fieldPathsOf(created));
    let current = created;
    const writes: Array<[string, KubeObject]> = [
      ['curl', pod({ seq: '1' })], // takes .metadata.annotations.seq from the scenario
      ['curl', pod({ seq: '2' })], // a field curl owns already: its tree is kept
      ['curl', pod({ seq: '2', other: 'x' })], // one more field
      ['kubectl', pod({ seq: '2', other: 'x' }, 'nginx:2')], // another manager, another field
      ['curl', pod({ seq: '3', other: 'x' }, 'nginx:2')],
    ];
    for (const [manager, next] of writes) {
      const paths = changedPaths(current, next);
      const expected = reference(entries, manager, paths);
      entries = recordOwnership(entries, manager, 'Update', 'v1', paths);
      expect(timeless(entries)).toEqual(timeless(expected));
      // Byte for byte as the wire shows them.
      expect(JSON.stringify(timeless(entries))).toBe(JSON.stringify(timeless(expected)));
      current = next;
    }
    expect(entries.map((e) => e.manager)).toEqual(['scenario', 'curl', 'kubectl']);
  });

  it('keeps the tree of a manager that writes the same fields again', () => {
    const p = pod({ seq: '1' });
    const first = recordOwnership([], 'curl', 'Update', 'v1', fieldPathsOf(p));
    const again = recordOwnership(first, 'curl', 'Update', 'v1', changedPaths(pod({ seq: '0' }), p));
    expect(again).toHaveLength(1);
    expect(again[0]!.fieldsV1).toBe(first[0]!.fieldsV1);
  });
});
