import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisEventHub } from './RedisEventHub.js';
import type { HubMessage } from './types.js';

// Against the real Redis on 127.0.0.1:6379 (the CI starts one), with a channel prefix unique to this run.
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const hubs: RedisEventHub[] = [];

function hub(prefix: string): RedisEventHub {
  const h = new RedisEventHub({ url, channelPrefix: prefix });
  hubs.push(h);
  return h;
}

function health(id: string, cluster = 'm1'): HubMessage {
  return { topic: 'member-health', id, cluster, reachable: true, at: new Date().toISOString() };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

describe('RedisEventHub', () => {
  it('delivers a message to every replica once, its publisher included', async () => {
    const prefix = `fleetgraph-unit-${randomUUID()}:`;
    const a = hub(prefix);
    const b = hub(prefix);
    await Promise.all([a.ready(), b.ready()]);
    const gotA: string[] = [];
    const gotB: string[] = [];
    a.subscribe((m) => gotA.push(m.id));
    b.subscribe((m) => gotB.push(m.id));
    a.publish(health('one'));
    await until(() => gotB.length === 1);
    // The same change seen by both replicas' informers (same id): still once each.
    b.publish(health('two'));
    a.publish(health('two'));
    await until(() => gotA.includes('two') && gotB.includes('two'));
    await new Promise((r) => setTimeout(r, 200));
    expect(gotA).toEqual(['one', 'two']);
    expect(gotB).toEqual(['one', 'two']);
  });

  it('keeps localOnly messages on the replica and other prefixes apart', async () => {
    const prefix = `fleetgraph-unit-${randomUUID()}:`;
    const a = hub(prefix);
    const b = hub(prefix);
    const other = hub(`fleetgraph-unit-${randomUUID()}:`);
    await Promise.all([a.ready(), b.ready(), other.ready()]);
    const gotB: string[] = [];
    const gotOther: string[] = [];
    b.subscribe((m) => gotB.push(m.id));
    other.subscribe((m) => gotOther.push(m.id));
    a.publish(health('local'), { localOnly: true });
    a.publish(health('shared'));
    await until(() => gotB.includes('shared'));
    await new Promise((r) => setTimeout(r, 200));
    expect(gotB).toEqual(['shared']);
    expect(gotOther).toEqual([]);
  });
});
