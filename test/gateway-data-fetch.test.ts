/**
 * Fetch mode and direct reads against a running simulator, counted with the simulator's own request
 * statistics (/_sim/stats): per-request DataLoaders make ONE list call per (cluster, kind) however many keys
 * a request asks for; events across 3 clusters cost at most 3 list calls; the TTL cache (memory, then the
 * real Redis at 127.0.0.1:6379 shared by two gateways) answers repeats with no upstream call; logs and
 * metrics are read directly; a member whose lists hang gives UPSTREAM_TIMEOUT while the others answer.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TTLS } from '../src/config/loadConfig.js';
import { createFleet } from '../src/fleet/createFleet.js';
import type { Fleet } from '../src/fleet/types.js';
import { countRequests, dataConfig, eventually, simAdmin, startDataSim, type StartedSim } from './support/gatewayDataSim.js';

let started: StartedSim;
let fleet: Fleet;
let members: string[];

const listsOf = (resource: string, cluster?: string) => (r: { verb: string; resource: string; cluster: string }) =>
  r.verb === 'list' && r.resource === resource && (cluster === undefined || r.cluster === cluster);

beforeAll(async () => {
  started = await startDataSim('demo');
  fleet = await createFleet(
    dataConfig(started.kubeconfig, { modes: { pods: 'fetch', nodes: 'fetch', configmaps: 'fetch' }, callTimeoutMs: 5_000 }),
    { healthIntervalMs: 500 },
  );
  await fleet.whenReady();
  members = fleet.members();
  expect(members.length).toBeGreaterThanOrEqual(3);
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
  await started?.stop();
});

describe('gateway data layer: fetch mode and direct reads', () => {
  it('batches every key of a request into one list call per (cluster, kind)', async () => {
    await simAdmin(started.sim, 'POST', '/_sim/stats/reset');
    const loaders = fleet.loaders();
    const namespaces = ['default', 'kube-system', 'shop', 'no-such-namespace'];
    const keys = members.flatMap((cluster) => [
      ...namespaces.map((namespace) => ({ kind: 'pods' as const, cluster, filter: { namespace } })),
      { kind: 'pods' as const, cluster, filter: { labelSelector: 'app' } },
      { kind: 'pods' as const, cluster },
      { kind: 'nodes' as const, cluster },
      { kind: 'nodes' as const, cluster, filter: { labelSelector: 'node-role.kubernetes.io/control-plane' } },
    ]);
    const results = await loaders.list.loadMany(keys);
    for (const r of results) {
      if (r instanceof Error) throw r;
      expect(r.ok).toBe(true);
    }
    // The answers are right, not just cheap: namespace slices add up and match the store.
    for (const cluster of members) {
      const all = results.find((r, i) => !(r instanceof Error) && keys[i]!.cluster === cluster && keys[i]!.kind === 'pods' && !keys[i]!.filter)!;
      if (all instanceof Error || !all.ok) throw new Error('no pods');
      expect(all.value.length).toBe(started.sim.fleet.members.get(cluster)!.objects.list('pods').length);
      expect(all.value.length).toBeGreaterThan(0);
    }
    // The gateway's own counters agree that pods were listed from each member.
    for (const cluster of members) expect(fleet.requestCounters.get(`${cluster} list pods`)).toBeGreaterThanOrEqual(1);
    for (const cluster of members) {
      expect({ cluster, pods: await countRequests(started.sim, listsOf('pods', cluster)) }).toEqual({ cluster, pods: 1 });
      expect({ cluster, nodes: await countRequests(started.sim, listsOf('nodes', cluster)) }).toEqual({ cluster, nodes: 1 });
    }
    // A second request within the TTL makes no list call at all.
    const again = fleet.loaders();
    await again.list.loadMany(members.map((cluster) => ({ kind: 'pods' as const, cluster, filter: { namespace: 'default' } })));
    expect(await countRequests(started.sim, listsOf('pods'))).toBe(members.length);
  });

  it('fetches a (cluster, kind) once per request even across batches, and again for the next request when no TTL applies', async () => {
    const noTtl = await createFleet(
      dataConfig(started.kubeconfig, { modes: { pods: 'fetch' }, ttl: { ...DEFAULT_TTLS, default: 0, events: 0 } }),
      { healthIntervalMs: 500 },
    );
    try {
      await noTtl.whenReady();
      await simAdmin(started.sim, 'POST', '/_sim/stats/reset');
      const request = noTtl.loaders();
      // Two batches of the same request (a nested resolver asks later, in another tick).
      await request.list.loadMany(members.map((cluster) => ({ kind: 'pods' as const, cluster, filter: { namespace: 'default' } })));
      await request.list.loadMany(members.map((cluster) => ({ kind: 'pods' as const, cluster, filter: { namespace: 'kube-system' } })));
      await request.events.loadMany(members.map((cluster) => ({ cluster, namespace: 'default' })));
      await request.events.loadMany(members.map((cluster) => ({ cluster, namespace: 'kube-system' })));
      for (const cluster of members) {
        expect({ cluster, pods: await countRequests(started.sim, listsOf('pods', cluster)) }).toEqual({ cluster, pods: 1 });
        expect({ cluster, events: await countRequests(started.sim, listsOf('events', cluster)) }).toEqual({ cluster, events: 1 });
      }
      // The next request lists again: with a TTL of 0 nothing is kept between requests.
      await noTtl.loaders().list.loadMany(members.map((cluster) => ({ kind: 'pods' as const, cluster })));
      for (const cluster of members) expect(await countRequests(started.sim, listsOf('pods', cluster))).toBe(2);
    } finally {
      await noTtl.stop();
    }
  });

  it('reads the events of pods across 3 clusters with at most 3 list calls', async () => {
    await simAdmin(started.sim, 'POST', '/_sim/stats/reset');
    const three = members.slice(0, 3);
    const loaders = fleet.loaders();
    const podKeys = await Promise.all(three.map(async (cluster) => {
      const pods = await loaders.list.load({ kind: 'pods', cluster });
      if (!pods.ok) throw new Error(pods.error.message);
      return pods.value.map((p) => ({ cluster, uid: p.metadata.uid }));
    }));
    const keys = podKeys.flat();
    expect(keys.length).toBeGreaterThan(3);
    const events = await loaders.events.loadMany(keys);
    let withEvents = 0;
    for (const [i, r] of events.entries()) {
      if (r instanceof Error) throw r;
      expect(r.ok).toBe(true);
      if (r.ok) {
        for (const e of r.value) expect(e.involvedObject.uid).toBe(keys[i]!.uid);
        if (r.value.length) withEvents++;
      }
    }
    expect(withEvents).toBeGreaterThan(0);
    expect(await countRequests(started.sim, listsOf('events'))).toBeLessThanOrEqual(3);
    expect(await countRequests(started.sim, listsOf('events'))).toBeGreaterThan(0);
  });

  it('reads pod logs (never cached) and metrics directly', async () => {
    const cluster = members[0]!;
    const pods = await fleet.list('pods', cluster, { phase: 'Running' });
    if (!pods.ok) throw new Error(pods.error.message);
    const pod = pods.value[0]!;
    await simAdmin(started.sim, 'POST', '/_sim/stats/reset');
    const first = await fleet.logs(cluster, pod.metadata.namespace!, pod.metadata.name, { tailLines: 5 });
    const second = await fleet.logs(cluster, pod.metadata.namespace!, pod.metadata.name, { tailLines: 5 });
    expect(first.ok && second.ok).toBe(true);
    if (first.ok) {
      expect(first.value.length).toBeGreaterThan(0);
      expect(first.value.trimEnd().split('\n').length).toBeLessThanOrEqual(5);
    }
    expect(await countRequests(started.sim, (r) => r.resource === 'pods/log' && r.cluster === cluster)).toBe(2);
    const missing = await fleet.logs(cluster, 'default', 'no-such-pod', { container: 'x' });
    expect(missing.ok === false && missing.error.code).toBe('NOT_FOUND');

    // The simulated kubelet publishes usage on its own period, as metrics-server scrapes: wait for a sample.
    await eventually(async () => {
      const m = await fleet.metrics(cluster);
      return m.ok && m.value.nodes.length > 0;
    }, 30_000, 250);
    const metrics = await fleet.metrics(cluster);
    if (!metrics.ok) throw new Error(metrics.error.message);
    const nodes = await fleet.list('nodes', cluster);
    expect(nodes.ok && metrics.value.nodes.map((n) => n.name).sort()).toEqual(nodes.ok && nodes.value.map((n) => n.metadata.name).sort());
    expect(metrics.value.nodes[0]!.cpu).toMatch(/^\d+(n|u|m)?$/);
    expect(metrics.value.pods.length).toBeGreaterThan(0);
  });

  it('gives UPSTREAM_TIMEOUT for logs slower than the logs timeout', async () => {
    const quick = await createFleet(dataConfig(started.kubeconfig, { logsTimeoutMs: 500 }), { healthIntervalMs: 500 });
    const cluster = members[2]!;
    try {
      await quick.whenReady();
      const pods = await quick.list('pods', cluster, { phase: 'Running' });
      if (!pods.ok) throw new Error(pods.error.message);
      const pod = pods.value[0]!;
      await simAdmin(started.sim, 'POST', `/_sim/faults/${cluster}`, { latencyMs: 2_000 });
      const r = await quick.logs(cluster, pod.metadata.namespace!, pod.metadata.name, { container: pod.spec!.containers[0]!.name, tailLines: 1 });
      expect(r.ok === false && r.error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', cluster });
    } finally {
      await simAdmin(started.sim, 'POST', `/_sim/faults/${cluster}`, { latencyMs: 0 });
      await quick.stop();
    }
  });

  it('gives UPSTREAM_TIMEOUT for a member whose lists hang, while the others answer', async () => {
    const slow = members[1]!;
    await simAdmin(started.sim, 'POST', `/_sim/faults/${slow}`, { hangLists: true });
    try {
      // configmaps are fetched; a fresh kind for this cluster is not in the TTL store yet.
      const results = await fleet.loaders().list.loadMany(members.map((cluster) => ({ kind: 'configmaps' as const, cluster })));
      for (const [i, r] of results.entries()) {
        if (r instanceof Error) throw r;
        if (members[i] === slow) expect(r.ok === false && r.error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', cluster: slow });
        else expect(r.ok).toBe(true);
      }
    } finally {
      await simAdmin(started.sim, 'POST', `/_sim/faults/${slow}`, { hangLists: false });
    }
  });

  describe('with the TTL cache in the real Redis', () => {
    const prefix = `fleetgraph-test-${randomUUID()}:`;
    const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
    const extra: Fleet[] = [];
    afterAll(async () => {
      for (const f of extra) await f.stop();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    });

    it('shares fetched lists between two gateways, slim and without secret values', async () => {
      await redis.connect();
      const config = dataConfig(started.kubeconfig, { modes: { secrets: 'fetch', nodes: 'fetch' }, redisUrl: 'redis://127.0.0.1:6379' });
      const one = await createFleet(config, { redisPrefix: prefix });
      extra.push(one);
      await one.whenReady();
      await simAdmin(started.sim, 'POST', '/_sim/stats/reset');
      const a = await one.loaders().list.loadMany(members.map((cluster) => ({ kind: 'secrets' as const, cluster })));
      expect(a.every((r) => !(r instanceof Error) && r.ok)).toBe(true);
      expect(await countRequests(started.sim, listsOf('secrets'))).toBe(members.length);

      const stored = await redis.keys(`${prefix}*`);
      expect(stored.some((k) => k.includes(`${members[0]}:secrets`))).toBe(true);
      for (const key of stored.filter((k) => k.includes(':secrets'))) {
        const text = (await redis.get(key))!;
        expect(text).toContain('dataKeys');
        expect(text).not.toContain('"data"');
        expect(text).not.toContain('managedFields');
      }

      const two = await createFleet(config, { redisPrefix: prefix });
      extra.push(two);
      await two.whenReady();
      const b = await two.loaders().list.loadMany(members.map((cluster) => ({ kind: 'secrets' as const, cluster })));
      expect(b.map((r) => (r instanceof Error || !r.ok ? -1 : r.value.length))).toEqual(a.map((r) => (r instanceof Error || !r.ok ? -2 : r.value.length)));
      // The second gateway answered from Redis.
      expect(await countRequests(started.sim, listsOf('secrets'))).toBe(members.length);
    });
  });
});
