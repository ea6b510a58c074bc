/**
 * kubectl against the simulated Karmada fleet: the Karmada kinds and the middleware kinds print the
 * columns of their CRDs (additionalPrinterColumns), resolve by short name, and a policy applied with
 * kubectl propagates.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKarmadaSim, type KarmadaSim } from './support/simKarmadaFleet.js';
import { waitFor } from './support/simKarmadaWait.js';

function haveKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const HAVE_KUBECTL = haveKubectl();
if (!HAVE_KUBECTL) console.warn('[sim-karmada-kubectl] kubectl is not installed: skipping');

describe.skipIf(!HAVE_KUBECTL)('kubectl on the Karmada simulator', () => {
  let k: KarmadaSim;
  let dir: string;
  let kubeconfig: string;

  const kubectl = (args: string[], input?: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const child = execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
      if (input !== undefined) child.stdin!.end(input);
    });

  beforeAll(async () => {
    k = await startKarmadaSim({ members: [{ name: 'member1' }, { name: 'member2' }], namespaces: ['shop'], middleware: true });
    dir = mkdtempSync(join(tmpdir(), 'sim-karmada-kubectl-'));
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, k.sim.kubeconfig, { mode: 0o600 });
  });

  afterAll(async () => {
    await k?.sim.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('applies a PropagationPolicy and a Deployment, and prints bindings and works with their CRD columns', async () => {
    await kubectl(['apply', '-f', '-'], `
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: web, namespace: default}
spec:
  priority: 5
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]
  placement:
    clusterAffinity: {clusterNames: [member1, member2]}
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
      weightPreference:
        staticWeightList:
        - {targetCluster: {clusterNames: [member1]}, weight: 1}
        - {targetCluster: {clusterNames: [member2]}, weight: 3}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.25}]}
`);
    const pp = await kubectl(['get', 'pp', '-n', 'default']);
    expect(pp.split('\n')[0]).toMatch(/^NAME\s+CONFLICT-RESOLUTION\s+PRIORITY\s+AGE$/);
    expect(pp).toMatch(/^web\s+Abort\s+5\s+/m);
    await waitFor('FullyApplied', async () => /^web-deployment\s+True\s+True\s+/m.test(await kubectl(['get', 'rb', '-n', 'default'])));
    const rb = await kubectl(['get', 'resourcebindings.work.karmada.io', '-n', 'default']);
    expect(rb.split('\n')[0]).toMatch(/^NAME\s+SCHEDULED\s+FULLYAPPLIED\s+AGE$/);
    const works = await kubectl(['get', 'works', '-A']);
    expect(works.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+WORKLOAD-KIND\s+APPLIED\s+AGE$/);
    expect(works).toMatch(/^karmada-es-member2\s+web-\S+\s+Deployment\s+True\s+/m);
    const replicas = await kubectl(['--context', 'member2', 'get', 'deploy', 'web', '-n', 'default', '-o', 'jsonpath={.spec.replicas}']);
    expect(replicas).toBe('3');
  });

  it('lists middleware instances and operations with their columns on a member', async () => {
    await kubectl(['--context', 'member1', 'apply', '-f', '-'], `
apiVersion: middleware.fleetgraph.io/v1alpha1
kind: Application
metadata: {name: cache, namespace: shop}
spec: {type: redis, pluginVersion: v1.0.0, version: "7.2", components: [{name: redis-node, replicas: 2}]}
`);
    await waitFor('Running', async () => /^cache\s+redis\s+7\.2\s+v1\.0\.0\s+Running\s+cache-redis-node-0-\d\s+/m.test(await kubectl(['--context', 'member1', 'get', 'mwapp', '-n', 'shop'])), 40_000);
    await kubectl(['--context', 'member1', 'create', '-f', '-'], `
apiVersion: middleware.fleetgraph.io/v1alpha1
kind: Operation
metadata: {name: bad-upgrade, namespace: shop}
spec: {type: UpgradePaaS, targetRef: {kind: Application, name: cache}, parameters: {version: "6.0"}}
`);
    await waitFor('Failed', async () => /^bad-upgrade\s+UpgradePaaS\s+cache\s+Failed\s+0\s+/m.test(await kubectl(['--context', 'member1', 'get', 'operations.middleware.fleetgraph.io', '-n', 'shop'])));
    const error = await kubectl(['--context', 'member1', 'get', 'mwop', 'bad-upgrade', '-n', 'shop', '-o', 'jsonpath={.status.reason}: {.status.error}']);
    expect(error).toBe('UnsupportedVersion: version "6.0" is not in supported-versions "7.2,7.4" of redis-manifest-v1.0.0');
  });
});
