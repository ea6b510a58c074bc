/**
 * rollbackWorkload end to end on the demo fleet (`edge-gateway`, Duplicated on member1..3): a template change
 * made with kubectl on the Karmada context rolls out to every member; rolling back to the previous revision
 * ends SUCCEEDED only once every member runs it again, and kubectl on every member shows the previous image and
 * nothing of the removed fields (env var, pod template annotation). A member that cannot get there (its nodes
 * cordoned, or the member unreachable through the simulator's fault switch) makes the Operation FAILED within
 * the configured --ready-timeout, naming that member and what it reports.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOperationsFixture, until, type OperationsFixture } from './support/operationsFixture.js';
import { adminPost } from './support/simFaultsClient.js';

const MEMBERS = ['member1', 'member2', 'member3'];
// Long enough for a healthy rollout on a loaded 2-core machine (about 4 s idle), short enough for the failure cases.
const READY_TIMEOUT_S = 15;
let fx: OperationsFixture;

beforeAll(async () => {
  fx = await startOperationsFixture({ scenario: 'demo', args: ['--ready-timeout', `${READY_TIMEOUT_S}s`] });
});

afterAll(async () => {
  await fx?.stop();
});

function kubectl(context: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('kubectl', ['--kubeconfig', join(fx.dir, 'kubeconfig.yaml'), '--context', context, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl --context ${context} ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

const deployment = async (context: string): Promise<any> => JSON.parse(await kubectl(context, ['-n', 'web', 'get', 'deployment', 'edge-gateway', '-o', 'json']));
const revisionOf = (d: any): number => Number(d.metadata.annotations['deployment.kubernetes.io/revision']);
const complete = (d: any) => d.status.observedGeneration >= d.metadata.generation && d.status.updatedReplicas === d.spec.replicas
  && d.status.availableReplicas === d.spec.replicas && d.status.replicas === d.spec.replicas;

/** Changes the template's image with kubectl on the Karmada context, adding an env var and a pod template annotation. */
async function changeTemplate(image: string): Promise<void> {
  const template = (await deployment('karmada')).spec.template;
  const [main, ...rest] = template.spec.containers;
  const patch = {
    spec: { template: {
      metadata: { annotations: { 'example.com/rollout': image } },
      spec: { containers: [{ ...main, image, env: [...(main.env ?? []), { name: 'ROLLOUT_PROBE', value: image }] }, ...rest] },
    } },
  };
  await kubectl('karmada', ['-n', 'web', 'patch', 'deployment', 'edge-gateway', '--type', 'merge', '-p', JSON.stringify(patch)]);
}

/** Waits until every member runs `image`, rolled out; returns member1's revision then. */
async function rolledOutEverywhere(image: string): Promise<number> {
  for (const m of MEMBERS) {
    await until(async () => {
      const d = await deployment(m);
      return d.spec.template.spec.containers[0].image === image && complete(d);
    }, 160, 250);
  }
  return revisionOf(await deployment('member1'));
}

async function rollback(revision: number): Promise<any> {
  const r = await fx.gql(`mutation($revision: Int!) { rollbackWorkload(kind: DEPLOYMENT, namespace: "web", name: "edge-gateway", cluster: "member1", revision: $revision) { id } }`, { revision });
  expect(r.errors).toBeUndefined();
  return fx.waitTerminal(r.data.rollbackWorkload.id, 60_000);
}

describe('rollbackWorkload', () => {
  it('restores the previous revision on every member, with nothing left of the removed fields, and only then SUCCEEDS', async () => {
    const before = await deployment('member1');
    const previousImage = before.spec.template.spec.containers[0].image;
    const previous = revisionOf(before);
    const newImage = 'docker.io/envoyproxy/envoy:v1.29.1';
    await changeTemplate(newImage);
    const changed = await rolledOutEverywhere(newImage);
    expect(changed).toBeGreaterThan(previous);
    for (const m of MEMBERS) expect((await deployment(m)).spec.template.metadata.annotations?.['example.com/rollout']).toBe(newImage);

    const done = await rollback(previous);
    expect(done.phase, JSON.stringify(done.steps)).toBe('SUCCEEDED');
    expect(done.steps.map((s: any) => s.name)).toEqual(['find revision', 'write pod template', 'wait for rollout']);
    // The last progress names every member at the revision.
    for (const m of MEMBERS) expect(done.steps[2].message).toMatch(new RegExp(`${m}: at the revision, [^;]+; 1/1 updated, 1/1 available`));
    expect(done.steps[2].message).toMatch(/member1: at the revision, pod-template-hash \w+ is the current revision/);

    for (const m of MEMBERS) {
      const d = await deployment(m);
      const main = d.spec.template.spec.containers[0];
      expect(main.image, m).toBe(previousImage);
      expect((main.env ?? []).map((e: any) => e.name), m).not.toContain('ROLLOUT_PROBE');
      expect(d.spec.template.metadata.annotations?.['example.com/rollout'], m).toBeUndefined();
      expect(complete(d), m).toBe(true);
      // Its ReplicaSets with replicas and its pods not terminating are the previous revision's.
      const live = JSON.parse(await kubectl(m, ['-n', 'web', 'get', 'replicasets', '-o', 'json'])).items
        .filter((rs: any) => rs.metadata.ownerReferences?.some((o: any) => o.uid === d.metadata.uid) && rs.spec.replicas > 0);
      expect(live.map((rs: any) => rs.spec.template.spec.containers[0].image), m).toEqual([previousImage]);
      const selector = Object.entries(d.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(',');
      const pods = JSON.parse(await kubectl(m, ['-n', 'web', 'get', 'pods', '-l', selector, '-o', 'json'])).items.filter((p: any) => !p.metadata.deletionTimestamp);
      expect(pods.length, m).toBe(1);
      expect(pods[0].spec.containers[0].image, m).toBe(previousImage);
      expect((pods[0].spec.containers[0].env ?? []).map((e: any) => e.name), m).not.toContain('ROLLOUT_PROBE');
    }
  });

  it('FAILS within the timeout naming a member whose nodes are all cordoned (its new pods cannot run)', async () => {
    const previous = revisionOf(await deployment('member1'));
    const image = 'docker.io/envoyproxy/envoy:v1.30.0';
    await changeTemplate(image);
    await rolledOutEverywhere(image);
    const nodes = (await kubectl('member3', ['get', 'nodes', '-o', 'name'])).trim().split('\n');
    await kubectl('member3', ['cordon', ...nodes]);
    try {
      const started = Date.now();
      const done = await rollback(previous);
      expect(done.phase, JSON.stringify(done.steps)).toBe('FAILED');
      expect(done.reason).toBe('ROLLOUT_TIMEOUT');
      expect(done.error).toContain(`step "wait for rollout" failed: not every member reached revision ${previous} within ${READY_TIMEOUT_S} s: member3 (`);
      expect(done.error).toMatch(/member3 \(template generation \d+; 1\/1 updated, \d\/1 available, 1 old left\)/);
      expect(done.error).not.toMatch(/member[12] \(/);
      expect(Date.now() - started).toBeLessThan((READY_TIMEOUT_S + 15) * 1000);
      // member1 and member2 did roll back.
      for (const m of ['member1', 'member2']) expect((await deployment(m)).spec.template.spec.containers[0].image).not.toBe(image);
    } finally {
      await kubectl('member3', ['uncordon', ...nodes]);
    }
    await until(async () => complete(await deployment('member3')), 160, 250);
  });

  it('FAILS naming a member that cannot be reached, with what its API answered', async () => {
    const previous = revisionOf(await deployment('member1'));
    const image = 'docker.io/envoyproxy/envoy:v1.31.0';
    await changeTemplate(image);
    await rolledOutEverywhere(image);
    expect((await adminPost(fx.sim, 'faults/member2', { unreachable: true })).status).toBe(200);
    try {
      const done = await rollback(previous);
      expect(done.phase, JSON.stringify(done.steps)).toBe('FAILED');
      expect(done.reason).toBe('ROLLOUT_TIMEOUT');
      expect(done.error).toMatch(new RegExp(`within ${READY_TIMEOUT_S} s: member2 \\(cannot be read \\((HTTP \\d{3}[^)]*|no answer)\\)\\)$`));
    } finally {
      await adminPost(fx.sim, 'faults/member2', { unreachable: false });
    }
  });
});
