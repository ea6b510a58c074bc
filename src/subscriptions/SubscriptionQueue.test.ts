import { describe, expect, it } from 'vitest';
import { SubscriptionQueue } from './SubscriptionQueue.js';

type Ev = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; n: number; obj: string };

async function drain(q: SubscriptionQueue<Ev>, count: number) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const r = await q.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

describe('SubscriptionQueue policy', () => {
  it('resync discards what is pending for one RESYNC notice, and wakes a waiting reader with it', async () => {
    const q = new SubscriptionQueue<Ev>({ capacity: 10 });
    q.push({ type: 'ADDED', n: 1, obj: 'a' }, 'a');
    q.push({ type: 'ADDED', n: 2, obj: 'b' }, 'b');
    q.push({ type: 'MODIFIED', n: 3, obj: 'b' }, 'b');
    q.resync();
    const first = await q.next();
    expect(first.value?.item).toMatchObject({ kind: 'overflow', dropped: 3 });
    // Nothing pending now: the reader waits, and a resync hands it an empty notice at once.
    const waiting = q.next();
    q.resync();
    expect((await waiting).value?.item).toMatchObject({ kind: 'overflow', dropped: 0 });
    q.push({ type: 'ADDED', n: 4, obj: 'c' }, 'c');
    expect((await q.next()).value?.item).toMatchObject({ kind: 'event', event: { n: 4 } });
    expect(q.stats).toMatchObject({ dropped: 3, pending: 0 });
  });

  it('coalesces MODIFIED of one object into the pending event, keeping its type and position', async () => {
    const q = new SubscriptionQueue<Ev>({ capacity: 10 });
    q.push({ type: 'ADDED', n: 1, obj: 'a' }, 'a');
    q.push({ type: 'ADDED', n: 2, obj: 'b' }, 'b');
    q.push({ type: 'MODIFIED', n: 3, obj: 'a' }, 'a');
    q.push({ type: 'MODIFIED', n: 4, obj: 'a' }, 'a');
    const got = await drain(q, 2);
    expect(got.map((d) => (d.item.kind === 'event' ? [d.item.event.type, d.item.event.n, d.coalesced] : null))).toEqual([
      ['ADDED', 4, 2],
      ['ADDED', 2, 0],
    ]);
    expect(q.stats).toMatchObject({ pushed: 4, delivered: 2, coalesced: 2, dropped: 0, pending: 0 });
  });

  it('drops everything pending for one overflow notice when full, and accounts for every event', async () => {
    const q = new SubscriptionQueue<Ev>({ capacity: 3 });
    for (let i = 0; i < 10; i++) q.push({ type: 'ADDED', n: i, obj: `o${i}` }, `o${i}`);
    const first = await q.next();
    // 3 queued, the 4th overflowed (dropping those 3 and itself), the 6 after it counted into the notice.
    expect(first.value?.item).toMatchObject({ kind: 'overflow', dropped: 10 });
    q.push({ type: 'ADDED', n: 99, obj: 'x' }, 'x');
    const next = await q.next();
    expect(next.value?.item).toMatchObject({ kind: 'event', event: { n: 99 } });
    const s = q.stats;
    expect(s.pushed).toBe(11);
    expect([s.delivered, s.coalesced, s.dropped]).toEqual([1, 0, 10]);
  });

  it('never holds more than capacity items however many events arrive', () => {
    const q = new SubscriptionQueue<Ev>({ capacity: 5 });
    for (let i = 0; i < 100_000; i++) q.push({ type: 'MODIFIED', n: i, obj: `o${i % 50}` }, `o${i % 50}`);
    expect(q.stats.pending).toBeLessThanOrEqual(5);
    const s = q.stats;
    expect(s.delivered + s.coalesced + s.dropped + s.pending).toBeGreaterThan(0);
  });

  it('hands an event straight to a waiting consumer and ends with done after close', async () => {
    const q = new SubscriptionQueue<Ev>();
    const waiting = q.next();
    q.push({ type: 'DELETED', n: 1, obj: 'a' }, 'a');
    expect((await waiting).value?.item).toMatchObject({ kind: 'event', event: { type: 'DELETED' } });
    const pending = q.next();
    let closed = 0;
    q.onClose(() => closed++);
    await q.return();
    expect((await pending).done).toBe(true);
    expect(closed).toBe(1);
  });
});
