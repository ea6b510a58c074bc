/**
 * applyResources and deleteResources end to end (issue 16): the demo fleet (Karmada control plane, three members,
 * the `edge-everywhere` PropagationPolicy that duplicates everything labelled `app.kubernetes.io/part-of: edge` in
 * namespace `web` to every member), a gateway over real HTTP, and kubectl with the simulator's own kubeconfig as the
 * independent witness of what exists upstream.
 *
 * - a dry run of a Deployment + Service + ConfigMap answers CREATE with diffs and no Operation, and kubectl finds
 *   none of them; the real apply creates them and its last step names the members Karmada placed them on;
 * - a changed image is an UPDATE whose diff is one `-` and one `+` line (the other objects UNCHANGED), and a dry
 *   run of it leaves the image as it was; applied, the members get it;
 * - bad YAML, an unknown kind, a missing name, an unknown cluster: BAD_USER_INPUT naming the document and its line,
 *   with no write upstream;
 * - deleteResources: a dry run deletes nothing, the real one removes the templates (and Karmada the members' copies);
 * - under `--auth kubernetes`, a caller without write rights is FORBIDDEN before anything is written, and one with
 *   rights (shop-dev in namespace shop of member1) applies as itself: the member sees every request impersonated.
 */
import { execFile } from 'node:child_process';
import { KubeConfig } from '@kubernetes/client-node';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';

const run = promisify(execFile);

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGatewayFixture({ scenario: 'demo' });
}, 120_000);

afterAll(async () => {
  await fx?.stop();
});

/** kubectl against the simulator (its own kubeconfig): the object as JSON, or null when NotFound. */
async function kubectlGet(context: string, resource: string, name: string, namespace = 'web'): Promise<any | null> {
  try {
    const { stdout } = await run('kubectl', ['--kubeconfig', fx.kubeconfig, '--context', context, '-n', namespace, 'get', resource, name, '-o', 'json', '--show-managed-fields'], { timeout: 30_000 });
    return JSON.parse(stdout);
  } catch (err: any) {
    if (/NotFound|not found/.test(String(err.stderr ?? ''))) return null;
    throw err;
  }
}

/** Writes to the fleet's objects (the reviews an authenticating gateway creates are questions, not writes). */
const isWrite = (r: { verb: string; resource: string }) => ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(r.verb) && !/(tokenreviews|subjectaccessreviews)$/.test(r.resource);
const writes = () => fx.countRequests(isWrite);

function manifests(image: string, name = 'apply-e2e'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/part-of: edge
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 8080
          protocol: TCP
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/part-of: edge
spec:
  selector:
    app: ${name}
  ports:
  - port: 80
    targetPort: 8080
    protocol: TCP
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/part-of: edge
data:
  LOG_LEVEL: info
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${name}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${name}
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 80
`;
}

const APPLY = `mutation($yaml: String!, $dryRun: Boolean, $cluster: String, $namespace: String, $key: String) {
  applyResources(yaml: $yaml, dryRun: $dryRun, cluster: $cluster, namespace: $namespace, idempotencyKey: $key) {
    objects { document line cluster apiVersion kind namespace name action diff warnings errors { field reason message } }
    operation { id type phase steps { name phase message } }
  }
}`;

const DELETE = `mutation($yaml: String, $refs: [ResourceRefInput!], $dryRun: Boolean, $namespace: String, $p: DeletePropagation) {
  deleteResources(yaml: $yaml, refs: $refs, dryRun: $dryRun, namespace: $namespace, propagationPolicy: $p) {
    objects { document line kind namespace name action diff }
    operation { id type phase steps { name phase message } }
  }
}`;

async function waitTerminal(id: string, timeoutMs = 90_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await fx.query(`query($id: ID!) { operation(id: $id) { id type phase error reason target { kind name namespace } steps { name phase message } } }`, { id });
    const op = r.body.data?.operation;
    if (!op) throw new Error(`operation ${id}: ${JSON.stringify(r.body)}`);
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(op.phase)) return op;
    if (Date.now() > deadline) throw new Error(`operation ${id} still ${op.phase}: ${JSON.stringify(op.steps)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The `-` and `+` lines of a unified diff (file headers left out). */
function changedLines(diff: string): { removed: string[]; added: string[] } {
  const lines = diff.split('\n');
  return {
    removed: lines.filter((l) => l.startsWith('-') && !l.startsWith('---')),
    added: lines.filter((l) => l.startsWith('+') && !l.startsWith('+++')),
  };
}

describe('applyResources', () => {
  it('a dry run answers CREATE with a diff per object, no Operation, and writes nothing (kubectl finds none of them)', async () => {
    const r = await fx.query(APPLY, { yaml: manifests('nginx:1.25'), namespace: 'web', dryRun: true });
    expect(r.body.errors).toBeUndefined();
    const result = r.body.data.applyResources;
    expect(result.operation).toBeNull();
    expect(result.objects.map((o: any) => [o.document, o.line, o.kind, o.namespace, o.name, o.action, o.cluster])).toEqual([
      [1, 1, 'Deployment', 'web', 'apply-e2e', 'CREATE', null],
      [2, 24, 'Service', 'web', 'apply-e2e', 'CREATE', null],
      [3, 38, 'ConfigMap', 'web', 'apply-e2e', 'CREATE', null],
      [4, 47, 'HorizontalPodAutoscaler', 'web', 'apply-e2e', 'CREATE', null],
    ]);
    const deployment = result.objects[0];
    expect(deployment.errors).toEqual([]);
    expect(deployment.diff).toContain('+++ applied/Deployment/web/apply-e2e');
    expect(deployment.diff).toContain('+        - image: nginx:1.25');
    // What the server manages is left out of the diff (the object's own metadata; a pod template's is the user's).
    expect(deployment.diff).not.toMatch(/^\+  (uid|managedFields|creationTimestamp|resourceVersion|generation):/m);
    expect(deployment.diff).not.toMatch(/^\+status:/m);
    expect(deployment.diff).toMatch(/^\+  name: apply-e2e$/m);
    expect(changedLines(deployment.diff).removed).toEqual([]);
    for (const [resource] of [['deployment'], ['service'], ['configmap'], ['horizontalpodautoscaler']]) {
      expect(await kubectlGet('karmada', resource!, 'apply-e2e'), `${resource} after the dry run`).toBeNull();
    }
  });

  it('the real apply creates the objects and its last step names the members Karmada placed them on', async () => {
    const r = await fx.query(APPLY, { yaml: manifests('nginx:1.25'), namespace: 'web', key: 'apply-e2e-1' });
    expect(r.body.errors).toBeUndefined();
    const result = r.body.data.applyResources;
    expect(result.objects.map((o: any) => o.action)).toEqual(['CREATE', 'CREATE', 'CREATE', 'CREATE']);
    expect(result.operation.type).toBe('applyResources');
    const done = await waitTerminal(result.operation.id);
    // The same key again: the first Operation, and the answer it had (not a new preview, which would say UNCHANGED).
    const replay = await fx.query(APPLY, { yaml: manifests('nginx:1.25'), namespace: 'web', key: 'apply-e2e-1' });
    expect(replay.body.data.applyResources.operation.id).toBe(result.operation.id);
    expect(replay.body.data.applyResources.objects).toEqual(result.objects);
    expect(done.phase, JSON.stringify(done.steps)).toBe('SUCCEEDED');
    expect(done.target).toEqual({ kind: 'Deployment', name: 'apply-e2e', namespace: 'web' });
    expect(done.steps.map((s: any) => s.name)).toEqual([
      'apply Deployment web/apply-e2e', 'apply Service web/apply-e2e', 'apply ConfigMap web/apply-e2e', 'apply HorizontalPodAutoscaler web/apply-e2e',
      'wait for Karmada scheduling',
    ]);
    expect(done.steps.slice(0, 4).map((s: any) => s.message)).toEqual(['created', 'created', 'created', 'created']);
    const placements = done.steps[4].message as string;
    // The demo's policies select no HorizontalPodAutoscaler: Karmada leaves it on the control plane, and the step says so.
    expect(placements).toContain('HorizontalPodAutoscaler web/apply-e2e: no PropagationPolicy or ClusterPropagationPolicy selects it (not propagated)');
    for (const kind of ['Deployment', 'Service', 'ConfigMap']) {
      expect(placements).toMatch(new RegExp(`${kind} web/apply-e2e → member1(: \\d+)?, member2(: \\d+)?, member3`));
    }
    const template = await kubectlGet('karmada', 'deployment', 'apply-e2e');
    expect(template.spec.template.spec.containers[0].image).toBe('nginx:1.25');
    expect(template.metadata.managedFields.map((m: any) => m.manager)).toContain('fleetgraph');
    // Karmada propagates the template: every member gets the Deployment.
    for (const member of ['member1', 'member2', 'member3']) {
      await eventually(async () => {
        const d = await kubectlGet(member, 'deployment', 'apply-e2e');
        if (!d) throw new Error(`no Deployment on ${member} yet`);
        return d;
      });
    }
  });

  it('a changed image is an UPDATE with a one-line diff (the rest UNCHANGED); the dry run leaves the image, the apply changes it', async () => {
    const before = await kubectlGet('karmada', 'deployment', 'apply-e2e');
    const dry = await fx.query(APPLY, { yaml: manifests('nginx:1.26'), namespace: 'web', dryRun: true });
    expect(dry.body.errors).toBeUndefined();
    const objects = dry.body.data.applyResources.objects;
    expect(objects.map((o: any) => o.action), objects.map((o: any) => o.diff).join('\n')).toEqual(['UPDATE', 'UNCHANGED', 'UNCHANGED', 'UNCHANGED']);
    expect(changedLines(objects[0].diff)).toEqual({ removed: ['-        - image: nginx:1.25'], added: ['+        - image: nginx:1.26'] });
    expect(objects[1].diff).toBe('');
    const after = await kubectlGet('karmada', 'deployment', 'apply-e2e');
    expect(after.spec.template.spec.containers[0].image).toBe('nginx:1.25');
    // Karmada keeps writing the template's status (aggregated from the members): its spec generation is what a write would move.
    expect(after.metadata.generation).toBe(before.metadata.generation);

    const real = await fx.query(APPLY, { yaml: manifests('nginx:1.26'), namespace: 'web' });
    expect(real.body.errors).toBeUndefined();
    expect(real.body.data.applyResources.objects.map((o: any) => o.action)).toEqual(['UPDATE', 'UNCHANGED', 'UNCHANGED', 'UNCHANGED']);
    const done = await waitTerminal(real.body.data.applyResources.operation.id);
    expect(done.phase, JSON.stringify(done.steps)).toBe('SUCCEEDED');
    expect(done.steps.slice(0, 4).map((s: any) => s.message)).toEqual(['configured', 'unchanged', 'unchanged', 'unchanged']);
    expect((await kubectlGet('karmada', 'deployment', 'apply-e2e')).spec.template.spec.containers[0].image).toBe('nginx:1.26');
    await eventually(async () => {
      const d = await kubectlGet('member2', 'deployment', 'apply-e2e');
      if (d?.spec.template.spec.containers[0].image !== 'nginx:1.26') throw new Error('member2 not updated yet');
      return d;
    });
  });

  it('answers the server\'s Warning headers, and the fields taken over from another field manager', async () => {
    await run('kubectl', ['--kubeconfig', fx.kubeconfig, '--context', 'karmada', '-n', 'web', 'create', 'configmap', 'apply-e2e-owned', '--from-literal=a=1'], { timeout: 30_000 });
    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: apply-e2e-owned\ndata:\n  a: "2"\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: apply-e2e-typo\ndata:\n  a: "1"\ndatta:\n  b: "2"\n`;
    const r = await fx.query(APPLY, { yaml, namespace: 'web', dryRun: true });
    expect(r.body.errors).toBeUndefined();
    const [owned, typo] = r.body.data.applyResources.objects;
    expect(owned.action).toBe('UPDATE');
    expect(owned.warnings).toEqual([expect.stringMatching(/^takes over \.data\.a \(conflict with "kubectl-create"\): applied with force$/)]);
    expect(changedLines(owned.diff)).toEqual({ removed: ['-  a: "1"'], added: ['+  a: "2"'] });
    expect(typo.action).toBe('CREATE');
    expect(typo.warnings).toEqual(['unknown field "datta"']);
    expect(typo.diff).not.toContain('datta');
  });

  it('an object no propagation policy selects is applied and reported as not propagated (no failure)', async () => {
    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: apply-e2e-local\n  namespace: web\ndata:\n  a: "1"\n`;
    const r = await fx.query(APPLY, { yaml });
    expect(r.body.errors).toBeUndefined();
    const done = await waitTerminal(r.body.data.applyResources.operation.id);
    expect(done.phase, JSON.stringify(done.steps)).toBe('SUCCEEDED');
    expect(done.steps[1].message).toMatch(/ConfigMap web\/apply-e2e-local: no PropagationPolicy or ClusterPropagationPolicy selects it \(not propagated\)/);
    expect(await kubectlGet('karmada', 'configmap', 'apply-e2e-local')).not.toBeNull();
  });

  it('applies to a member when `cluster` is given (no scheduling step)', async () => {
    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: apply-e2e-member\ndata:\n  a: "1"\n`;
    const r = await fx.query(APPLY, { yaml, cluster: 'member3', namespace: 'web' });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.applyResources.objects[0]).toMatchObject({ cluster: 'member3', action: 'CREATE', namespace: 'web' });
    const done = await waitTerminal(r.body.data.applyResources.operation.id);
    expect(done.phase, JSON.stringify(done.steps)).toBe('SUCCEEDED');
    expect(done.steps.map((s: any) => s.name)).toEqual(['apply ConfigMap web/apply-e2e-member']);
    expect((await kubectlGet('member3', 'configmap', 'apply-e2e-member')).data).toEqual({ a: '1' });
    expect(await kubectlGet('karmada', 'configmap', 'apply-e2e-member')).toBeNull();
  });

  it('a change on a member to an object Karmada propagates there is warned about (Karmada would put it back)', async () => {
    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: edge-gateway-config\n  namespace: web\n  labels:\n    app.kubernetes.io/part-of: edge\ndata:\n  LOG_LEVEL: debug\n`;
    const r = await fx.query(APPLY, { yaml, cluster: 'member1', dryRun: true });
    expect(r.body.errors).toBeUndefined();
    const [change] = r.body.data.applyResources.objects;
    expect(change).toMatchObject({ cluster: 'member1', action: 'UPDATE' });
    expect(change.warnings).toContain('Karmada propagates this object to member1: its next sync puts the template\'s version back; change the template on the control plane instead');
    expect((await kubectlGet('member1', 'configmap', 'edge-gateway-config')).data.LOG_LEVEL).toBe('warn');
  });

  it.each([
    ['bad YAML', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n`, /^document 2 \(line \d+\): invalid YAML: /, 2],
    ['an unknown kind', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\n# a widget\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n`, /^document 2 \(line 7\): the Karmada control plane does not serve kind Widget in example\.com\/v1$/, 2],
    ['a kind its group does not have', `apiVersion: v1\nkind: Gizmo\nmetadata:\n  name: g\n`, /^document 1 \(line 1\): the Karmada control plane does not serve kind Gizmo in v1$/, 1],
    ['a missing name', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n`, /^document 2 \(line 6\): metadata\.name is missing$/, 2],
    ['a namespace other than the argument', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n  namespace: shop\n`, /^document 1 \(line 1\): ConfigMap ok is in namespace shop, not in the namespace argument web$/, 1],
  ])('%s is BAD_USER_INPUT naming the document and its line, with no write upstream', async (_what, yaml, message, document) => {
    const before = await writes();
    for (const dryRun of [true, false]) {
      const r = await fx.query(APPLY, { yaml, namespace: 'web', dryRun });
      expect(r.body.errors?.[0]?.message).toMatch(message);
      expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'yaml', document });
      expect(r.body.data?.applyResources ?? null).toBeNull();
    }
    expect(await writes()).toBe(before);
    expect(await kubectlGet('karmada', 'configmap', 'ok')).toBeNull();
  });

  it('the server\'s validation errors: per object on a dry run; the real apply refused whole, before any write', async () => {
    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: apply-e2e-valid\ndata:\n  a: "1"\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_A_Name\ndata:\n  a: "1"\n`;
    const dry = await fx.query(APPLY, { yaml, namespace: 'web', dryRun: true });
    expect(dry.body.errors).toBeUndefined();
    const [valid, invalid] = dry.body.data.applyResources.objects;
    expect(valid.errors).toEqual([]);
    expect(invalid).toMatchObject({ action: 'CREATE', diff: null, errors: [{ field: 'metadata.name', reason: 'FieldValueInvalid' }] });
    // The simulator's counts do not tell a dry run from a write; the apply itself is a PATCH, which never comes.
    const applies = () => fx.countRequests((r) => r.verb === 'patch');
    const before = await applies();
    const real = await fx.query(APPLY, { yaml, namespace: 'web' });
    expect(real.body.errors?.[0]?.message).toMatch(/^document 2 \(line 8\): ConfigMap web\/Not_A_Name is invalid: metadata\.name: /);
    expect(real.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', document: 2, line: 8 });
    expect(real.body.data?.applyResources ?? null).toBeNull();
    expect(await applies()).toBe(before);
    expect(await kubectlGet('karmada', 'configmap', 'apply-e2e-valid')).toBeNull();
  });

  it('an unknown cluster is BAD_USER_INPUT before any upstream call', async () => {
    const before = await writes();
    const r = await fx.query(APPLY, { yaml: manifests('nginx:1.25'), cluster: 'member9' });
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'cluster' });
    expect(await writes()).toBe(before);
  });
});

describe('deleteResources', () => {
  it('a dry run deletes nothing; the real delete removes the templates and Karmada the members\' copies', async () => {
    const dry = await fx.query(DELETE, { yaml: manifests('nginx:1.26'), namespace: 'web', dryRun: true });
    expect(dry.body.errors).toBeUndefined();
    expect(dry.body.data.deleteResources.operation).toBeNull();
    expect(dry.body.data.deleteResources.objects.map((o: any) => [o.kind, o.action])).toEqual([['Deployment', 'DELETE'], ['Service', 'DELETE'], ['ConfigMap', 'DELETE'], ['HorizontalPodAutoscaler', 'DELETE']]);
    for (const resource of ['deployment', 'service', 'configmap', 'horizontalpodautoscaler']) expect(await kubectlGet('karmada', resource, 'apply-e2e'), resource).not.toBeNull();

    const refs = [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'apply-e2e' },
      { apiVersion: 'v1', kind: 'Service', name: 'apply-e2e' },
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'apply-e2e' },
      { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'apply-e2e' },
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'apply-e2e-never-made' },
    ];
    const r = await fx.query(DELETE, { refs, namespace: 'web', p: 'FOREGROUND' });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.deleteResources.objects.map((o: any) => o.action)).toEqual(['DELETE', 'DELETE', 'DELETE', 'DELETE', 'ABSENT']);
    const done = await waitTerminal(r.body.data.deleteResources.operation.id);
    expect(done.phase, JSON.stringify(done.steps)).toBe('SUCCEEDED');
    expect(done.steps.map((s: any) => s.name)).toEqual([
      'delete ConfigMap web/apply-e2e-never-made', 'delete HorizontalPodAutoscaler web/apply-e2e', 'delete ConfigMap web/apply-e2e', 'delete Service web/apply-e2e',
      'delete Deployment web/apply-e2e',
    ]);
    expect(done.steps[0].message).toBe('already absent');
    await eventually(async () => {
      for (const resource of ['deployment', 'service', 'configmap', 'horizontalpodautoscaler']) {
        if (await kubectlGet('karmada', resource, 'apply-e2e')) throw new Error(`${resource} still on the control plane`);
      }
      if (await kubectlGet('member1', 'deployment', 'apply-e2e')) throw new Error('still on member1');
      return true;
    });
  });

  it('refs with an empty name are BAD_USER_INPUT naming the item', async () => {
    const r = await fx.query(DELETE, { refs: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x' }, { apiVersion: 'v1', kind: 'ConfigMap', name: '' }], namespace: 'web' });
    expect(r.body.errors?.[0]?.message).toBe('refs[1]: name is empty');
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'refs' });
  });
});

describe('under --auth kubernetes', () => {
  let authFx: GatewayFixture;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    authFx = await startGatewayFixture({ args: ['--auth', 'kubernetes'] });
    const kc = new KubeConfig();
    kc.loadFromFile(authFx.kubeconfig);
    tokens = Object.fromEntries(kc.getUsers().map((u) => [u.name, u.token ?? '']));
  }, 120_000);

  afterAll(async () => {
    await authFx?.stop();
  });

  it('a caller who may only read is FORBIDDEN naming the permission, before anything is written (dry run or not)', async () => {
    const before = await authFx.countRequests(isWrite);
    for (const dryRun of [true, false]) {
      const r = await authFx.query(APPLY, { yaml: manifests('nginx:1.25', 'apply-forbidden'), namespace: 'web', dryRun }, { authorization: `Bearer ${tokens['platform-viewer']}` });
      expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', cluster: 'karmada', permission: expect.stringMatching(/^patch deployments\.apps/) });
      expect(r.body.data?.applyResources ?? null).toBeNull();
    }
    expect(await authFx.countRequests(isWrite)).toBe(before);
    expect(authFx.sim.fleet.controlPlane.objects.get('apps/deployments', 'web', 'apply-forbidden')).toBeUndefined();
  });

  it('a caller with rights applies as itself: the preflight passes, the member sees the caller impersonated, and elsewhere it is FORBIDDEN', async () => {
    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop-notes\ndata:\n  owner: shop-dev\n`;
    const asShopDev = { authorization: `Bearer ${tokens['shop-dev']}` };
    const refused = await authFx.query(APPLY, { yaml, cluster: 'member3', namespace: 'shop' }, asShopDev);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', cluster: 'member3' });

    const seenBefore = (await authFx.admin<{ requests: any[] }>('GET', '/_sim/requests')).requests.length;
    const r = await authFx.query(APPLY, { yaml, cluster: 'member1', namespace: 'shop' }, asShopDev);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.applyResources.objects.map((o: any) => [o.cluster, o.namespace, o.name, o.action])).toEqual([['member1', 'shop', 'shop-notes', 'CREATE']]);
    const id = r.body.data.applyResources.operation.id;
    let op: any;
    await eventually(async () => {
      op = (await authFx.query(`query($id: ID!) { operation(id: $id) { phase requestedBy steps { name phase message } } }`, { id }, asShopDev)).body.data.operation;
      if (!['SUCCEEDED', 'FAILED'].includes(op.phase)) throw new Error(`still ${op.phase}`);
      return op;
    });
    expect(op.phase, JSON.stringify(op.steps)).toBe('SUCCEEDED');
    expect(op.requestedBy).toBe('shop-dev');
    // The dry run (a create with dryRun=All: the object did not exist) and the server-side apply, both as shop-dev.
    const seen = (await authFx.admin<{ requests: any[] }>('GET', '/_sim/requests')).requests.slice(seenBefore)
      .filter((q) => q.cluster === 'member1' && ['create', 'patch'].includes(q.verb) && q.path.startsWith('/api/v1/namespaces/shop/configmaps'));
    expect(seen.map((q) => [q.verb, q.user, q.impersonateUser])).toEqual([['create', authFx.gatewayUser, 'shop-dev'], ['patch', authFx.gatewayUser, 'shop-dev']]);
    expect(authFx.sim.fleet.members.get('member1')!.objects.get('configmaps', 'shop', 'shop-notes')?.data).toEqual({ owner: 'shop-dev' });
  });
});
