/**
 * kubectl (the machine's, 1.32 here) against the simulator through the kubeconfig it writes: the
 * control plane context and a member through the Karmada proxy path. Each case asserts on what the
 * simulator then holds.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubectl as runKubectl, startTestSimulator, kubectlRuns } from './support/simServer.js';
import type { TestSimulator } from './support/simServer.js';

const HAVE_KUBECTL = kubectlRuns('kubectl');
if (!HAVE_KUBECTL) console.warn('[sim tests] kubectl is not installed: kubectl tests are skipped (apt-get install kubernetes-client)');
/**
 * More kubectl binaries to run the same suite with (colon-separated paths), e.g. Debian's 1.20
 * unpacked next to a newer one: SIM_EXTRA_KUBECTL=/opt/kubectl-1.20/kubectl.
 */
const EXTRA = (process.env['SIM_EXTRA_KUBECTL'] ?? '').split(':').filter((b) => b && kubectlRuns(b));
const BINARIES = [...(HAVE_KUBECTL ? ['kubectl'] : []), ...EXTRA];

describe.skipIf(BINARIES.length === 0).each(BINARIES)('kubectl (%s) against the simulator', (bin) => {
  let sim: TestSimulator;
  const member = () => sim.fleet.members.get('member1')!;
  const kubectl = (s: TestSimulator, args: string[]) => runKubectl(s, args, { bin });

  beforeAll(async () => {
    sim = await startTestSimulator({ scenario: 'mini' });
    // A workload for the member's pods: the member's controllers make and run them.
    member().objects.create('apps/deployments', {
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
      },
    });
    await eventually(() => member().objects.list('pods', { namespace: 'default', labelSelector: 'app=web' }).filter((p: any) => p.status?.phase === 'Running').length === 3);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('get nodes on a member', async () => {
    const r = await kubectl(sim, ['--context', 'member1', 'get', 'nodes']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    const names = rows.slice(1).map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(member().objects.list('nodes').map((n) => n.metadata.name));
    for (const l of rows.slice(1)) expect(l.split(/\s+/)[1]).toBe('Ready');
  });

  it('get pods -A -o wide shows STATUS and NODE', async () => {
    const r = await kubectl(sim, ['--context', 'member1', 'get', 'pods', '-A', '-o', 'wide']);
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trim().split('\n');
    const cols = header!.split(/\s{2,}/);
    expect(cols.slice(0, 9)).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE']);
    // Column starts from the header (headers are separated by two or more spaces).
    const starts = new Map([...header!.matchAll(/\S+(?: \S+)*/g)].map((m) => [m[0], m.index!]));
    const at = (name: string) => starts.get(name)!;
    const pods = member().objects.list('pods');
    expect(rows.length).toBe(pods.length);
    for (const p of pods as any[]) {
      const row = rows.find((l) => l.slice(at('NAME')).split(/\s+/)[0] === p.metadata.name);
      expect(row, p.metadata.name).toBeDefined();
      const status = row!.slice(at('STATUS')).split(/\s+/)[0];
      const node = row!.slice(at('NODE')).split(/\s+/)[0];
      expect(node).toBe(p.spec.nodeName ?? '<none>');
      if (p.status.phase === 'Running' && !p.metadata.deletionTimestamp) expect(status).toBe('Running');
    }
  });

  it('get pods -w receives a change', async () => {
    const child = spawn(bin, ['--kubeconfig', sim.kubeconfigPath, '--context', 'member1', 'get', 'pods', '-n', 'default', '-w'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await eventually(() => out.includes('web-'), 20_000);
      member().objects.create('pods', { metadata: { name: 'watched-pod', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
      await eventually(() => /watched-pod\s+\S+\s+(Pending|ContainerCreating|Running)/.test(out), 20_000);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('cordon and label a node', async () => {
    const [n1, n2] = member().objects.list('nodes').map((n) => n.metadata.name!);
    const cordon = await kubectl(sim, ['--context', 'member1', 'cordon', n1!]);
    expect(cordon.stdout).toContain(`node/${n1} cordoned`);
    expect((member().objects.get('nodes', undefined, n1!) as any).spec.unschedulable).toBe(true);
    const label = await kubectl(sim, ['--context', 'member1', 'label', 'node', n2!, 'tier=gold']);
    expect(label.code).toBe(0);
    expect(member().objects.get('nodes', undefined, n2!)!.metadata.labels!['tier']).toBe('gold');
    const table = await kubectl(sim, ['--context', 'member1', 'get', 'nodes']);
    expect(table.stdout).toMatch(new RegExp(`${n1}\\s+Ready,SchedulingDisabled`));
    const uncordon = await kubectl(sim, ['--context', 'member1', 'uncordon', n1!]);
    expect(uncordon.code).toBe(0);
    expect((member().objects.get('nodes', undefined, n1!) as any).spec.unschedulable).toBeUndefined();
  });

  it('get clusters.cluster.karmada.io on the control plane', async () => {
    const r = await kubectl(sim, ['get', 'clusters.cluster.karmada.io']);
    expect(r.code).toBe(0);
    const [header, row] = r.stdout.trim().split('\n');
    expect(header).toMatch(/^NAME\s+VERSION\s+MODE\s+READY\s+AGE$/);
    expect(row).toMatch(/^member1\s+v1\.26\.5\s+Push\s+True\s+\S+$/);
  });

  it('get --raw of a member node list through the proxy path', async () => {
    const r = await kubectl(sim, ['get', '--raw', '/apis/cluster.karmada.io/v1alpha1/clusters/member1/proxy/api/v1/nodes']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(list.kind).toBe('NodeList');
    expect(list.items.map((n: any) => n.metadata.name)).toEqual(member().objects.list('nodes').map((n) => n.metadata.name));
    const stats = sim.server.stats.recent().filter((q) => q.cluster === 'member1' && q.path === '/api/v1/nodes');
    expect(stats.at(-1)!.impersonateUser).toBe('karmada-admin');
  });

  it('create with protobuf bodies (kubectl create deployment, namespace, configmap, secret) and scale', async () => {
    const create = await kubectl(sim, ['--context', 'member1', 'create', 'deployment', 'pb', '--image=nginx:1.25', '--port=8080', '--replicas=2']);
    expect(create.stderr).toBe('');
    const d = member().objects.get('apps/deployments', 'default', 'pb') as any;
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.selector).toEqual({ matchLabels: { app: 'pb' } });
    expect(d.spec.template.spec.containers).toMatchObject([{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 8080, protocol: 'TCP' }] }]);
    expect(d.metadata.generateName).toBeUndefined();
    expect(d.metadata.managedFields[0].manager).toBe('kubectl-create');
    const scale = await kubectl(sim, ['--context', 'member1', 'scale', 'deployment', 'pb', '--replicas=3']);
    expect(scale.stdout).toContain('deployment.apps/pb scaled');
    expect((member().objects.get('apps/deployments', 'default', 'pb') as any).spec.replicas).toBe(3);
    expect((await kubectl(sim, ['--context', 'member1', 'create', 'namespace', 'pbns'])).code).toBe(0);
    expect(member().objects.get('namespaces', undefined, 'pbns')!.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'pbns' });
    expect((await kubectl(sim, ['--context', 'member1', 'create', 'configmap', 'pbcm', '-n', 'pbns', '--from-literal=k=v'])).code).toBe(0);
    expect((member().objects.get('configmaps', 'pbns', 'pbcm') as any).data).toEqual({ k: 'v' });
    expect((await kubectl(sim, ['--context', 'member1', 'create', 'secret', 'generic', 'pbs', '-n', 'pbns', '--from-literal=k=v'])).code).toBe(0);
    const secret = member().objects.get('secrets', 'pbns', 'pbs') as any;
    expect(secret.type).toBe('Opaque');
    expect(Buffer.from(secret.data.k, 'base64').toString()).toBe('v');
  });

  it('top nodes and pods from metrics.k8s.io', async () => {
    await eventually(() => member().metrics.nodes.size === member().objects.list('nodes').length && member().metrics.pods.size > 0);
    const nodes = await kubectl(sim, ['--context', 'member1', 'top', 'nodes']);
    expect(nodes.code).toBe(0);
    const rows = nodes.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^NAME\s+CPU\(cores\)\s+CPU(\(%\)|%)\s+MEMORY\(bytes\)\s+MEMORY(\(%\)|%)/);
    expect(rows.slice(1).map((r) => r.split(/\s+/)[0]).sort()).toEqual([...member().metrics.nodes.keys()].sort());
    const pods = await kubectl(sim, ['--context', 'member1', 'top', 'pods', '-A']);
    expect(pods.code).toBe(0);
    const listed = pods.stdout.trim().split('\n').slice(1).map((r) => r.split(/\s+/).slice(0, 2).join('/'));
    const known = new Set([...member().metrics.pods.keys()]);
    expect(listed.length).toBeGreaterThan(0);
    for (const p of listed) expect(known.has(p), p).toBe(true);
  });

  it('apply --server-side creates, updates and reports conflicts', async () => {
    const file = join(sim.dir, 'cm.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  namespace: default\ndata:\n  a: "1"\n');
    const first = await kubectl(sim, ['--context', 'member1', 'apply', '--server-side', '-f', file]);
    expect(first.stdout).toContain('configmap/applied serverside-applied');
    const cm = member().objects.get('configmaps', 'default', 'applied') as any;
    expect(cm.data).toEqual({ a: '1' });
    expect(cm.metadata.managedFields.map((e: any) => [e.manager, e.operation])).toEqual([['kubectl', 'Apply']]);
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  namespace: default\ndata:\n  a: "2"\n  b: "3"\n');
    const second = await kubectl(sim, ['--context', 'member1', 'apply', '--server-side', '-f', file]);
    expect(second.code).toBe(0);
    expect((member().objects.get('configmaps', 'default', 'applied') as any).data).toEqual({ a: '2', b: '3' });
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  namespace: default\ndata:\n  a: "9"\n');
    const conflict = await kubectl(sim, ['--context', 'member1', 'apply', '--server-side', '--field-manager', 'someone-else', '-f', file]);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('conflict with "kubectl"');
    expect((member().objects.get('configmaps', 'default', 'applied') as any).data.a).toBe('2');
    const forced = await kubectl(sim, ['--context', 'member1', 'apply', '--server-side', '--force-conflicts', '--field-manager', 'someone-else', '-f', file]);
    expect(forced.code).toBe(0);
    expect((member().objects.get('configmaps', 'default', 'applied') as any).data.a).toBe('9');
  });
});
