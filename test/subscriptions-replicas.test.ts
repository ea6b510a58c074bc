/**
 * Subscriptions e2e, several replicas: two gateway processes share the Redis on 127.0.0.1:6379 (a unique
 * channel prefix per run). To prove the event crossed Redis, each gateway watches its OWN simulator (both
 * with the same `mini` fleet): a node cordoned in the first gateway's simulator reaches a nodeChanged
 * subscriber connected to the second gateway, whose own simulator never changed. The second gateway is a
 * separate Node process started from the built CLI (`node dist/main.js serve`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../src/sim/index.js';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openClient, openSubscriptionsOf, record, settle, waitForOpen } from './support/subscriptionsClient.js';
import { mergePatch } from './support/subscriptionsSim.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `fleetgraph-test-${randomUUID()}:`;
const CLI = resolve('dist/main.js');
// Two simulators stand for ONE fleet seen by two replicas: their endpoints differ, so the fleet id (which
// would otherwise be derived from each endpoint, keeping their Redis channels apart) is given.
const FLEET_ID = 'replicas-test';

let fxA: GatewayFixture;
let simB: Awaited<ReturnType<typeof startSimulator>>;
let gatewayB: ChildProcess | undefined;
let urlB = '';
let dir = '';

/** Starts `fleetgraph serve` in its own process; resolves with its GraphQL URL. */
function startGatewayProcess(kubeconfig: string): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--kubeconfig', kubeconfig, '--port', '0', '--host', '127.0.0.1',
      '--redis-url', REDIS_URL, '--redis-channel-prefix', PREFIX, '--fleet-id', FLEET_ID, '--log-level', 'error'], { stdio: ['ignore', 'pipe', 'pipe'] });
    gatewayB = child;
    let out = '';
    const timer = setTimeout(() => reject(new Error(`gateway B did not start: ${out}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(/GraphQL at (http:\/\/\S+\/graphql)/);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway B exited with ${code}: ${out}`));
    });
  });
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  dir = mkdtempSync(join(tmpdir(), 'fleetgraph-subs-replicas-'));
  fxA = await startGatewayFixture({ scenario: 'mini', args: ['--redis-url', REDIS_URL, '--redis-channel-prefix', PREFIX, '--fleet-id', FLEET_ID] });
  simB = await startSimulator({ port: 0, host: '127.0.0.1', scenario: 'mini', kubeconfigOut: join(dir, 'kubeconfig-b.yaml'), churnPerMinute: 0 });
  urlB = await startGatewayProcess(join(dir, 'kubeconfig-b.yaml'));
  // Ready once its caches synced.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await fetch(urlB.replace('/graphql', '/readyz')).catch(() => undefined);
    if (r?.status === 200) break;
    if (Date.now() > deadline) throw new Error('gateway B not ready');
    await settle(200);
  }
  await fxA.gateway.subscriptions.ready();
});

afterAll(async () => {
  if (gatewayB && gatewayB.exitCode === null) {
    const exited = new Promise((r) => gatewayB!.once('exit', r));
    gatewayB.kill('SIGTERM');
    await Promise.race([exited, settle(10_000)]);
    if (gatewayB.exitCode === null) gatewayB.kill('SIGKILL');
  }
  await simB?.stop();
  await fxA?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('two gateway processes sharing Redis', () => {
  it('delivers to a subscriber on one replica an event first seen by the other', async () => {
    const member = [...fxA.sim.fleet.members.keys()][0]!;
    const node = [...fxA.sim.fleet.members.get(member)!.objects.list('nodes')][0]!.metadata!.name!;
    const client = openClient(urlB);
    const onB = record(client, `subscription($c: String) { nodeChanged(cluster: $c) { type cluster node { cluster name unschedulable } } }`, { c: member });
    try {
      // The route must exist on B (its /metrics says so) before the change happens on A.
      await waitForOpen(() => openSubscriptionsOf(urlB), 1);

      await mergePatch(fxA.sim, member, `/api/v1/nodes/${node}`, { spec: { unschedulable: true } });
      const events = await onB.waitFor((es) => es.some((e) => e.nodeChanged.node?.name === node && e.nodeChanged.node.unschedulable === true), 20_000, 'event from the other replica');
      expect(events.find((e) => e.nodeChanged.node?.unschedulable).nodeChanged).toMatchObject({
        type: 'MODIFIED', cluster: member, node: { cluster: member, name: node, unschedulable: true },
      });
      // Gateway B's own fleet never saw it: its simulator's node is still schedulable.
      expect((simB.fleet.members.get(member)!.objects.get('nodes', undefined, node)!.spec as { unschedulable?: boolean } | undefined)?.unschedulable).toBeFalsy();
      const own = await fetch(urlB, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ node(cluster: "${member}", name: "${node}") { unschedulable } }` }),
      }).then((r) => r.json() as Promise<any>);
      expect(own.data.node.unschedulable).toBe(false);
      // Exactly once on B, though A published it and (in a real deployment) B could have seen it too.
      expect(events.filter((e) => e.nodeChanged.node?.unschedulable === true)).toHaveLength(1);
      expect(onB.errors).toEqual([]);
    } finally {
      onB.stop();
      await client.dispose();
    }
  });

  it('follows an Operation running on the other replica', { timeout: 90_000 }, async () => {
    const member = [...fxA.sim.fleet.members.keys()][0]!;
    const node = [...fxA.sim.fleet.members.get(member)!.objects.list('nodes')][1]!.metadata!.name!;
    // Slow member answers on A's side, so the Operation is still moving when B's subscriber arrives.
    await fxA.admin('POST', `/_sim/faults/${member}`, { latencyMs: 1500 });
    const client = openClient(urlB);
    try {
      const created = await fxA.query<{ cordonNode: { id: string } }>(`mutation { cordonNode(cluster: "${member}", name: "${node}") { id } }`);
      expect(created.body.errors).toBeUndefined();
      const id = created.body.data!.cordonNode.id;
      const progress = record(client, `subscription($id: ID!) { operationProgress(id: $id) { id phase } }`, { id });
      await progress.waitForEnd(60_000);
      expect(progress.errors).toEqual([]);
      expect(progress.events.length).toBeGreaterThan(0);
      expect(progress.events.every((e) => e.operationProgress.id === id)).toBe(true);
      expect(progress.events.at(-1).operationProgress.phase).toBe('SUCCEEDED');
      expect(progress.completed).toBe(true);
    } finally {
      await fxA.admin('POST', `/_sim/faults/${member}`, { latencyMs: 0 }).catch(() => undefined);
      await client.dispose();
    }
  });
});
