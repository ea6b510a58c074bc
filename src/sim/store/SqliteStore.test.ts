import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteDatabase } from './SqliteStore.js';
import type { StoreEvent } from './Store.js';

const dirs: string[] = [];
function dbPath(): string {
  const d = mkdtempSync(join(tmpdir(), 'sqlite-store-'));
  dirs.push(d);
  return join(d, 'fleet.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const pod = (ns: string, name: string) => ({ metadata: { name, namespace: ns } });

describe('SqliteStore', () => {
  it('behaves like a Store: order, conflicts, watch replay and expiry', () => {
    const db = new SqliteDatabase(dbPath());
    const s = db.storeFor('member1');
    const start = s.currentResourceVersion();
    const a = s.create('pods', pod('b', 'x'));
    s.create('pods', pod('a', 'z'));
    s.create('pods', pod('a', 'y'));
    expect(s.list('pods').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['a/y', 'a/z', 'b/x']);
    expect(s.list('pods', 'a').map((o) => o.metadata.name)).toEqual(['y', 'z']);
    expect(() => s.create('pods', pod('b', 'x'))).toThrow('already exists');
    s.update('pods', { ...a, spec: { v: 1 } });
    expect(() => s.update('pods', { ...a, spec: { v: 2 } })).toThrow('modified');
    const seen: StoreEvent[] = [];
    const stop = s.watch('pods', 'a', start, (e) => seen.push(e));
    s.delete('pods', 'a', 'z');
    expect(seen.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'z'], ['ADDED', 'y'], ['DELETED', 'z']]);
    stop();
    s.compact();
    expect(() => s.watch('pods', undefined, start, () => {})).toThrow('too old resource version');
    db.close();
  });

  it('keeps objects and resourceVersions across a reopen, per cluster', () => {
    const path = dbPath();
    let db = new SqliteDatabase(path);
    const m1 = db.storeFor('member1');
    const m2 = db.storeFor('member2');
    const created = m1.create('configmaps', { metadata: { name: 'c', namespace: 'default' }, data: { a: '1' } });
    m2.create('configmaps', { metadata: { name: 'other', namespace: 'default' } });
    const rv1 = m1.currentResourceVersion();
    db.close();
    db = new SqliteDatabase(path);
    const again = db.storeFor('member1');
    expect(again.currentResourceVersion()).toBe(rv1);
    expect(again.get('configmaps', 'default', 'c')).toEqual(created);
    expect(again.list('configmaps').map((o) => o.metadata.name)).toEqual(['c']);
    const next = again.update('configmaps', { ...created, data: { a: '2' } });
    expect(Number(next.metadata.resourceVersion)).toBe(rv1 + 1);
    // History starts at the reopen: a version from before it is too old.
    expect(() => again.watch('configmaps', undefined, rv1 - 1, () => {})).toThrow('too old');
    db.close();
  });
});
