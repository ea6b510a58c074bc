import { describe, expect, it } from 'vitest';
import { MemoryStore } from './MemoryStore.js';
import type { StoreEvent } from './Store.js';

const obj = (ns: string, name: string) => ({ metadata: { name, namespace: ns } });
const seen = (events: StoreEvent[]) => events.map((e) => `${e.type} ${e.resource} ${e.object.metadata.name}`);

describe('WatchHistory listeners', () => {
  it('calls the watchers of the event\'s resource and the "*" ones, in the order they subscribed', () => {
    const s = new MemoryStore();
    const calls: string[] = [];
    s.watch('*', undefined, s.currentResourceVersion(), (e) => calls.push(`all ${e.object.metadata.name}`));
    s.watch('pods', 'a', s.currentResourceVersion(), (e) => calls.push(`pods/a ${e.object.metadata.name}`));
    s.watch('configmaps', undefined, s.currentResourceVersion(), (e) => calls.push(`cms ${e.object.metadata.name}`));
    s.watch('pods', undefined, s.currentResourceVersion(), (e) => calls.push(`pods ${e.object.metadata.name}`));
    s.create('pods', obj('a', 'p1'));
    s.create('configmaps', obj('a', 'c1'));
    s.create('pods', obj('b', 'p2'));
    expect(calls).toEqual(['all p1', 'pods/a p1', 'pods p1', 'all c1', 'cms c1', 'all p2', 'pods p2']);
  });

  it('keeps each change once per watcher while watchers come and go inside a listener', () => {
    const s = new MemoryStore();
    const late: StoreEvent[] = [];
    const early: StoreEvent[] = [];
    let stopEarly: () => void = () => {};
    // On the first pod, a listener starts a watch from before it (replay) and stops another one.
    s.watch('pods', undefined, s.currentResourceVersion(), (e) => {
      if (e.object.metadata.name !== 'p1') return;
      s.watch('pods', undefined, 1, (ev) => late.push(ev));
      stopEarly();
    });
    stopEarly = s.watch('pods', undefined, s.currentResourceVersion(), (e) => early.push(e));
    s.create('pods', obj('a', 'p1'));
    s.create('pods', obj('a', 'p2'));
    // The new watch got p1 from its replay only, not a second time live; then p2 live.
    expect(seen(late)).toEqual(['ADDED pods p1', 'ADDED pods p2']);
    // The stopped watcher still got the change it was stopped during (as a snapshot gives), then nothing.
    expect(seen(early)).toEqual(['ADDED pods p1']);
  });
});
