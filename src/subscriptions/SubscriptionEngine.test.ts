import { describe, expect, it } from 'vitest';
import type { SlimObject } from '../cache/types.js';
import { parseLabelSelector } from '../cache/labelSelector.js';
import { InProcessEventHub } from './InProcessEventHub.js';
import { SubscriptionEngine } from './SubscriptionEngine.js';
import type { ResourceEvent } from './types.js';

let seq = 0;
function podEvent(cluster: string, namespace: string, name: string, labels: Record<string, string> = {}, type: ResourceEvent['type'] = 'MODIFIED'): ResourceEvent {
  const object: SlimObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, uid: `${cluster}-${namespace}-${name}`, resourceVersion: String(++seq), labels } };
  return { topic: 'resource', id: `e${seq}`, type, cluster, kind: 'pods', namespace, name, uid: object.metadata.uid, resourceVersion: object.metadata.resourceVersion, at: '', object };
}

describe('SubscriptionEngine', () => {
  it('routes by kind, cluster, namespace, labels and names, and stops routing after close', async () => {
    const hub = new InProcessEventHub();
    const engine = new SubscriptionEngine({ hub });
    const web = engine.open({ filter: { kinds: ['pods'], clusters: ['m1'], namespaces: ['web'], labelSelector: parseLabelSelector('app=web') } });
    const named = engine.open({ filter: { kinds: ['pods'], names: ['db-0'] } });
    const nodes = engine.open({ filter: { kinds: ['nodes'] } });

    hub.publish(podEvent('m1', 'web', 'web-1', { app: 'web' }));
    hub.publish(podEvent('m2', 'web', 'web-2', { app: 'web' }));
    hub.publish(podEvent('m1', 'web', 'other', { app: 'other' }));
    hub.publish(podEvent('m2', 'data', 'db-0'));

    expect(web.stats.pushed).toBe(1);
    expect((await web.next()).value?.item).toMatchObject({ kind: 'event', event: { name: 'web-1' } });
    expect((await named.next()).value?.item).toMatchObject({ kind: 'event', event: { name: 'db-0', cluster: 'm2' } });
    expect(nodes.stats.pushed).toBe(0);

    await web.return();
    hub.publish(podEvent('m1', 'web', 'web-3', { app: 'web' }));
    expect(web.stats.pushed).toBe(1);
    expect(engine.stats().subscriptions).toBe(2);
    engine.close();
    expect(engine.stats().subscriptions).toBe(0);
  });

  it('delivers a label change that takes an object out of the selection once', () => {
    const hub = new InProcessEventHub();
    const engine = new SubscriptionEngine({ hub });
    const q = engine.open({ filter: { kinds: ['pods'], labelSelector: parseLabelSelector('app=web') } });
    const before = podEvent('m1', 'web', 'p', { app: 'web' });
    const after = { ...podEvent('m1', 'web', 'p', { app: 'other' }), before: before.object };
    hub.publish(after);
    expect(q.stats.pushed).toBe(1);
    hub.publish(podEvent('m1', 'web', 'p', { app: 'other' }));
    expect(q.stats.pushed).toBe(1);
  });

  it('sends operation moves to their subscribers only and finishes after a terminal one', async () => {
    const hub = new InProcessEventHub();
    const engine = new SubscriptionEngine({ hub });
    const q = engine.openOperation('op-1');
    const other = engine.openOperation('op-2');
    hub.publish({ topic: 'operation', id: 'a', operationId: 'op-1', terminal: false, operation: { phase: 'RUNNING' }, at: '' });
    hub.publish({ topic: 'operation', id: 'b', operationId: 'op-1', terminal: true, operation: { phase: 'SUCCEEDED' }, at: '' });
    const phases = [];
    for await (const d of q) if (d.item.kind === 'event' && d.item.event.topic === 'operation') phases.push((d.item.event.operation as { phase: string }).phase);
    expect(phases).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(other.stats.pushed).toBe(0);
  });

  it('sends every operation move to each feed as one shared object, not finished by a terminal one; a waiting move is replaced, ADDED kept', async () => {
    const hub = new InProcessEventHub();
    const engine = new SubscriptionEngine({ hub });
    const a = engine.openOperationFeed();
    const b = engine.openOperationFeed();
    hub.publish({ topic: 'operation', id: 'x1', type: 'ADDED', operationId: 'op-1', terminal: false, operation: { phase: 'PENDING' }, at: '' });
    hub.publish({ topic: 'operation', id: 'y1', type: 'ADDED', operationId: 'op-2', terminal: false, operation: { phase: 'PENDING' }, at: '' });
    // No type: a move (MODIFIED). op-1's ADDED still waits: it is replaced by the newer state, still an ADDED.
    hub.publish({ topic: 'operation', id: 'x2', operationId: 'op-1', terminal: true, operation: { phase: 'SUCCEEDED' }, at: '' });
    const seen = async (q: typeof a) => {
      const d = (await q.next()).value!;
      if (d.item.kind !== 'event' || d.item.event.topic !== 'operation') throw new Error('not an operation move');
      return { event: d.item.event, row: [d.item.event.operationId, d.item.event.type, (d.item.event.operation as { phase: string }).phase, d.coalesced] };
    };
    expect((await seen(a)).row).toEqual(['op-1', 'ADDED', 'SUCCEEDED', 1]);
    expect((await seen(b)).row).toEqual(['op-1', 'ADDED', 'SUCCEEDED', 1]);
    const [a2, b2] = [await seen(a), await seen(b)];
    expect(a2.row).toEqual(['op-2', 'ADDED', 'PENDING', 0]);
    // The very same routed object for both subscribers: its payload is executed once (sharedExecution.ts).
    expect(a2.event).toBe(b2.event);
    // A terminal move does not end a feed.
    expect(a.isClosed).toBe(false);
    hub.publish({ topic: 'operation', id: 'z1', type: 'ADDED', operationId: 'op-3', terminal: false, operation: { phase: 'PENDING' }, at: '' });
    expect((await seen(a)).row).toEqual(['op-3', 'ADDED', 'PENDING', 0]);
    a.close();
    b.close();
    expect(engine.stats().subscriptions).toBe(0);
  });
});
