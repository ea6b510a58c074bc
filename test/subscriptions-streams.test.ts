/**
 * Subscriptions e2e, the streams that are not plain object changes: podLogs follows lines the simulator's
 * kubelet log book receives after the subscription started and ends when the pod is deleted;
 * operationProgress gives an Operation's current state first, then each move, and completes after the
 * terminal phase (at once for a finished Operation); fleetChanged gives the roll-up first, then one update
 * per interval however many pods change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openClient, poll, record } from './support/subscriptionsClient.js';
import { createIn, deleteIn } from './support/subscriptionsSim.js';

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGatewayFixture({ scenario: 'mini' });
});

afterAll(async () => {
  await fx?.stop();
});

describe('podLogs', () => {
  it('receives lines written after it started, and ends when the pod goes away', async () => {
    const member = [...fx.sim.fleet.members.keys()][0]!;
    const sim = fx.sim.fleet.members.get(member)!;
    // A running pod of the scenario (on a node with a simulated kubelet, so its log is served).
    const pod = sim.objects.list('pods').find((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running')!;
    const ns = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    const container = (pod.spec as { containers: Array<{ name: string }> }).containers[0]!.name;
    sim.logs.append(ns, name, container, 'subs-before');

    const client = openClient(fx.gateway.url);
    const logs = record(client, `subscription { podLogs(cluster: "${member}", namespace: "${ns}", name: "${name}", container: "${container}", tailLines: 1) { cluster namespace pod container line dropped } }`);
    const ours = () => logs.events.map((e) => e.podLogs.line as string).filter((l) => l.startsWith('subs-'));
    try {
      await logs.waitFor((es) => es.length >= 1, 20_000, 'tail line');
      expect(logs.events[0].podLogs).toMatchObject({ cluster: member, namespace: ns, pod: name, container, dropped: 0 });
      expect(logs.events[0].podLogs.line).not.toMatch(/^subs-after/);
      for (let i = 1; i <= 5; i++) sim.logs.append(ns, name, container, `subs-after-${i}`);
      await logs.waitFor(() => ours().includes('subs-after-5'), 20_000, 'followed lines');
      expect(ours().filter((l) => l.startsWith('subs-after'))).toEqual(['subs-after-1', 'subs-after-2', 'subs-after-3', 'subs-after-4', 'subs-after-5']);
      expect(logs.completed).toBe(false);

      await deleteIn(fx.sim, member, `/api/v1/namespaces/${ns}/pods/${name}`);
      await logs.waitForEnd(30_000);
      expect(logs.completed).toBe(true);
      expect(logs.errors).toEqual([]);
    } finally {
      logs.stop();
      await client.dispose();
    }
  });

  it('refuses a pod that does not exist with NOT_FOUND', async () => {
    const member = [...fx.sim.fleet.members.keys()][0]!;
    const client = openClient(fx.gateway.url);
    try {
      const logs = record(client, `subscription { podLogs(cluster: "${member}", namespace: "default", name: "no-such-pod") { line } }`);
      await logs.waitForEnd();
      expect(logs.errors.map((e: any) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    } finally {
      await client.dispose();
    }
  });
});

describe('operationProgress', () => {
  it('sends the current state, each move, and completes after the terminal phase', async () => {
    const member = [...fx.sim.fleet.members.keys()][0]!;
    const node = fx.sim.fleet.members.get(member)!.objects.list('nodes')[0]!.metadata!.name!;
    const created = await fx.query<{ cordonNode: { id: string; phase: string } }>(
      `mutation { cordonNode(cluster: "${member}", name: "${node}") { id phase } }`);
    expect(created.body.errors).toBeUndefined();
    const id = created.body.data!.cordonNode.id;

    const client = openClient(fx.gateway.url);
    try {
      const progress = record(client, `subscription($id: ID!) { operationProgress(id: $id) { id phase steps { name phase } } }`, { id });
      await progress.waitForEnd(60_000);
      expect(progress.errors).toEqual([]);
      const phases = progress.events.map((e) => e.operationProgress.phase);
      expect(progress.events.every((e) => e.operationProgress.id === id)).toBe(true);
      expect(['SUCCEEDED', 'FAILED', 'CANCELLED']).toContain(phases.at(-1));
      expect(phases.at(-1)).toBe('SUCCEEDED');
      // Terminal phase reached: it completed by itself.
      expect(progress.completed).toBe(true);

      // Subscribing to a finished Operation gives its state once and completes at once.
      const again = record(client, `subscription($id: ID!) { operationProgress(id: $id) { id phase } }`, { id });
      await again.waitForEnd();
      expect(again.events.map((e) => e.operationProgress)).toEqual([{ id, phase: 'SUCCEEDED' }]);
      expect(again.completed).toBe(true);

      const missing = record(client, `subscription { operationProgress(id: "no-such-operation") { id } }`);
      await missing.waitForEnd();
      expect(missing.errors.map((e: any) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    } finally {
      await fx.query(`mutation { uncordonNode(cluster: "${member}", name: "${node}") { id } }`).catch(() => undefined);
      await client.dispose();
    }
  });
});

describe('fleetChanged', () => {
  it('sends the roll-up first, then at most one update per interval during a burst', async () => {
    const member = [...fx.sim.fleet.members.keys()][0]!;
    await createIn(fx.sim, member, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rollup' } });
    const client = openClient(fx.gateway.url);
    const fleet = record(client, `subscription { fleetChanged(minIntervalMs: 2000) { pods { total } nodes { total } } }`);
    try {
      const first = await fleet.waitFor((es) => es.length >= 1, 20_000, 'initial roll-up');
      const before = first[0].fleetChanged.pods.total as number;
      expect(first[0].fleetChanged.nodes.total).toBeGreaterThan(0);
      // 20 pods created in a burst (a few hundred ms): the subscriber gets one or two updates, not twenty.
      for (let i = 0; i < 20; i++) {
        await createIn(fx.sim, member, '/api/v1/namespaces/rollup/pods', {
          apiVersion: 'v1', kind: 'Pod', metadata: { name: `r-${i}`, namespace: 'rollup' },
          spec: { nodeName: 'no-kubelet-node', containers: [{ name: 'main', image: 'busybox:1.36' }] },
        });
      }
      await fleet.waitFor((es) => es.at(-1).fleetChanged.pods.total === before + 20, 20_000, 'roll-up with the new pods');
      const updates = fleet.events.length - 1;
      expect(updates).toBeGreaterThanOrEqual(1);
      expect(updates).toBeLessThanOrEqual(3);
      expect(fleet.errors).toEqual([]);
    } finally {
      fleet.stop();
      await client.dispose();
    }
  });

  it('honours minIntervalMs from the second message on: the first update comes at least the interval after the initial roll-up', async () => {
    const member = [...fx.sim.fleet.members.keys()][0]!;
    await createIn(fx.sim, member, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rollup-gap' } });
    const client = openClient(fx.gateway.url);
    const arrivals: Array<{ at: number; total: number }> = [];
    const errors: unknown[] = [];
    const stop = client.subscribe<{ fleetChanged: { pods: { total: number } } }>(
      { query: `subscription { fleetChanged(minIntervalMs: 3000) { pods { total } } }` },
      {
        next: (v) => {
          if (v.errors) errors.push(...v.errors);
          if (v.data) arrivals.push({ at: Date.now(), total: v.data.fleetChanged.pods.total });
        },
        error: (e) => errors.push(e),
        complete: () => {},
      },
    );
    try {
      await poll(() => (arrivals.length >= 1 ? true : undefined), 20_000, () => 'initial roll-up');
      // A change right after the initial message: the update must still wait for the interval.
      await createIn(fx.sim, member, '/api/v1/namespaces/rollup-gap/pods', {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'gap-0', namespace: 'rollup-gap' },
        spec: { nodeName: 'no-kubelet-node', containers: [{ name: 'main', image: 'busybox:1.36' }] },
      });
      await poll(() => (arrivals.length >= 2 ? true : undefined), 20_000, () => `second message: ${JSON.stringify(arrivals)} ${JSON.stringify(errors)}`);
      expect(errors).toEqual([]);
      expect(arrivals[1]!.total).toBe(arrivals[0]!.total + 1);
      // A correctness bound (the interval the client asked for), with room for timer and delivery jitter.
      expect(arrivals[1]!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(2500);
    } finally {
      stop();
      await client.dispose();
    }
  });
});
