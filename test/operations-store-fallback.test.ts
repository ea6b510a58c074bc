/**
 * Where Operations live when the shared store cannot be had (issue 14, "Fallback"): on a fleet without the
 * FleetOperation CRD, `--operations-store auto` (the default) runs Operations in process and says why in
 * `/readyz`; `--operations-store shared` refuses to start in one line; and once an operator installs the CRD
 * (as `kubectl apply -f deploy/crds/…` does), a gateway started next shares its Operations as FleetOperations.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../src/config/loadConfig.js';
import { createLogger } from '../src/server/logger.js';
import { startGateway, type Gateway } from '../src/server/startGateway.js';
import { startSimulator } from '../src/sim/index.js';

let sim: Awaited<ReturnType<typeof startSimulator>>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fleetgraph-ops-fallback-'));
  sim = await startSimulator({ port: 0, host: '127.0.0.1', scenario: 'mini', kubeconfigOut: join(dir, 'kubeconfig.yaml'), churnPerMinute: 0, operationsCrd: false });
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function configOf(extra: string[]) {
  const loaded = loadConfig(['--kubeconfig', join(dir, 'kubeconfig.yaml'), '--port', '0', '--host', '127.0.0.1', '--log-level', 'error', ...extra], {});
  if (loaded.kind !== 'config') throw new Error('unexpected help');
  return loaded.config;
}

/** /readyz once ready (the caches fill after start), bounded. */
async function readyz(g: Gateway): Promise<any> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const body = (await (await fetch(g.url.replace(/\/graphql$/, '/readyz'))).json()) as any;
    if (body.ready || Date.now() > deadline) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('without the CRD, auto runs Operations in process and /readyz says why; mutations still work', async () => {
  const g = await startGateway(configOf([]), { logger: createLogger('error') });
  try {
    const body = await readyz(g);
    expect(body.ready).toBe(true);
    expect(body.operations.store).toBe('in-process');
    expect(body.operations.reason).toMatch(/FleetOperation CRD \(fleetoperations\.fleetgraph\.io\) is not installed/);
    const res = await fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'mutation { cordonNode(cluster: "member1", name: "member1-worker-1") { id phase } }' }) });
    const answer = (await res.json()) as any;
    expect(answer.errors).toBeUndefined();
    expect(answer.data.cordonNode.id).toMatch(/^op-/);
  } finally {
    await g.stop();
  }
});

it('--operations-store shared refuses to start without the CRD, saying so in one line', async () => {
  const error = await startGateway(configOf(['--operations-store', 'shared']), { logger: createLogger('error') }).then(
    async (g) => {
      await g.stop();
      return null;
    },
    (e: Error) => e,
  );
  expect(error?.message).toMatch(/^--operations-store shared: the FleetOperation CRD \(fleetoperations\.fleetgraph\.io\) is not installed on the control plane \(deploy\/crds\)$/);
});

it('once the CRD is installed as an operator would, the next gateway shares its Operations as FleetOperations', async () => {
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  kc.setCurrentContext('karmada');
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const crd = load(readFileSync(join(import.meta.dirname, '..', 'deploy', 'crds', 'fleetgraph.io_fleetoperations.yaml'), 'utf8')) as any;
  await objects.create(crd);
  const g = await startGateway(configOf([]), { logger: createLogger('error') });
  try {
    expect((await readyz(g)).operations).toMatchObject({ store: 'shared', namespace: 'fleetgraph-system' });
    const res = await fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'mutation { uncordonNode(cluster: "member1", name: "member1-worker-1") { id } }' }) });
    const id = ((await res.json()) as any).data.uncordonNode.id;
    const cr = await objects.read({ apiVersion: 'fleetgraph.io/v1alpha1', kind: 'FleetOperation', metadata: { name: id, namespace: 'fleetgraph-system' } } as any);
    expect((cr as any).spec).toMatchObject({ type: 'uncordonNode', target: { cluster: 'member1', kind: 'Node', name: 'member1-worker-1' } });
  } finally {
    await g.stop();
  }
});
