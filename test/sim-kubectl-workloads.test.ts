import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubectl, startTestSimulator, type TestSimulator } from './support/simServer.js';

// kubectl (the real client, over HTTPS with the simulator's kubeconfig) against the `demo` scenario:
// what kubectl prints must match what the simulator's controllers made.

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator({ scenario: 'demo', seed: 11 });
});
afterAll(async () => {
  await sim?.stop();
});

const member = (name: string) => sim.fleet.members.get(name)!;
const ready = (p: any) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

/** Parses kubectl's column output into rows keyed by header. */
function table(stdout: string): Array<Record<string, string>> {
  const lines = stdout.trimEnd().split('\n');
  const header = lines[0]!;
  const starts: number[] = [];
  const names: string[] = [];
  for (const m of header.matchAll(/\S+(?: \S+)*/g)) {
    starts.push(m.index!);
    names.push(m[0]);
  }
  return lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    names.forEach((name, i) => (row[name] = line.slice(starts[i], starts[i + 1]).trim()));
    return row;
  });
}

describe('kubectl on the demo fleet', () => {
  it('get pods -A -o wide shows every pod Running with its NODE', async () => {
    const res = await kubectl(sim, ['--context', 'member1', 'get', 'pods', '-A', '-o', 'wide']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const rows = table(res.stdout);
    const held = member('member1').objects.list('pods');
    expect(rows).toHaveLength(held.length);
    expect(rows.length).toBeGreaterThan(25);
    for (const row of rows) {
      const pod = held.find((p) => p.metadata.name === row.NAME && p.metadata.namespace === row.NAMESPACE) as any;
      expect(pod, `${row.NAMESPACE}/${row.NAME}`).toBeDefined();
      expect(row.STATUS).toBe('Running');
      expect(row.NODE).toBe(pod.spec.nodeName);
      expect(row.IP).toBe(pod.status.podIP);
    }
    const nodes = new Set(rows.map((r) => r.NODE));
    expect(nodes.size).toBe(4);
  });

  it('get nodes lists the member nodes as Ready with their roles and version', async () => {
    const res = await kubectl(sim, ['--context', 'member3', 'get', 'nodes']);
    expect(res.code).toBe(0);
    const rows = table(res.stdout);
    expect(rows.map((r) => r.NAME).sort()).toEqual(member('member3').objects.list('nodes').map((n) => n.metadata.name).sort());
    for (const row of rows) {
      expect(row.STATUS).toBe('Ready');
      expect(row.VERSION).toBe('v1.26.5');
    }
    expect(rows.find((r) => r.NAME === 'member3-master-0')?.ROLES).toBe('control-plane');
  });

  it('create deployment then scale --replicas=3 gives 3 ready replicas', async () => {
    // kubectl >= 1.32 sends this as protobuf: the simulator decodes it like a real API server.
    const create = await kubectl(sim, ['--context', 'member2', 'create', 'deployment', 'hello', '--image=nginx:1.25', '-n', 'default']);
    expect(create.stderr).toBe('');
    expect(create.stdout).toContain('deployment.apps/hello created');
    const scale = await kubectl(sim, ['--context', 'member2', 'scale', 'deployment/hello', '--replicas=3', '-n', 'default']);
    expect(scale.stdout).toContain('deployment.apps/hello scaled');
    const m = member('member2');
    await eventually(() => {
      const d = m.objects.get('apps/deployments', 'default', 'hello') as any;
      return d?.status?.readyReplicas === 3 && d.status.availableReplicas === 3 && d.status.observedGeneration === d.metadata.generation;
    }, 30_000);
    const pods = m.objects.list('pods', { namespace: 'default', labelSelector: 'app=hello' });
    expect(pods.filter(ready)).toHaveLength(3);
    const get = await kubectl(sim, ['--context', 'member2', 'get', 'deployment', 'hello', '-n', 'default']);
    const row = table(get.stdout)[0]!;
    expect(row.READY).toBe('3/3');
    expect(row['UP-TO-DATE']).toBe('3');
    expect(row.AVAILABLE).toBe('3');
    // rollout status agrees (it reads the Deployment status and conditions).
    const rollout = await kubectl(sim, ['--context', 'member2', 'rollout', 'status', 'deployment/hello', '-n', 'default', '--timeout=20s']);
    expect(rollout.code).toBe(0);
    expect(rollout.stdout).toContain('successfully rolled out');
  });

  it('cordon: no new pod lands on the cordoned node', async () => {
    const m = member('member3');
    const node = 'member3-node-2';
    const cordon = await kubectl(sim, ['--context', 'member3', 'cordon', node]);
    expect(cordon.stdout).toContain(`node/${node} cordoned`);
    expect((m.objects.get('nodes', undefined, node) as any).spec.unschedulable).toBe(true);
    const nodes = table((await kubectl(sim, ['--context', 'member3', 'get', 'nodes'])).stdout);
    expect(nodes.find((r) => r.NAME === node)?.STATUS).toBe('Ready,SchedulingDisabled');
    await eventually(() => (m.objects.list('events', { namespace: 'default' }) as any[]).some((e) => e.reason === 'NodeNotSchedulable' && e.involvedObject.name === node), 10_000);
    const before = new Set(m.objects.list('pods').map((p) => p.metadata.uid));
    const created = await kubectl(sim, ['--context', 'member3', 'create', 'deployment', 'spread', '--image=nginx:1.25', '--replicas=8', '-n', 'default']);
    expect(created.code).toBe(0);
    await eventually(() => m.objects.list('pods', { namespace: 'default', labelSelector: 'app=spread' }).filter(ready).length === 8, 30_000);
    const fresh = m.objects.list('pods').filter((p) => !before.has(p.metadata.uid)) as any[];
    expect(fresh.length).toBeGreaterThanOrEqual(8);
    for (const pod of fresh) expect(pod.spec.nodeName).not.toBe(node);
    // Uncordon: the node takes pods again.
    const uncordon = await kubectl(sim, ['--context', 'member3', 'uncordon', node]);
    expect(uncordon.stdout).toContain(`node/${node} uncordoned`);
    await kubectl(sim, ['--context', 'member3', 'scale', 'deployment/spread', '--replicas=16', '-n', 'default']);
    await eventually(() => m.objects.list('pods', { namespace: 'default', labelSelector: 'app=spread' }).some((p: any) => p.spec.nodeName === node), 30_000);
  });

  it('top nodes and top pods show the kubelet usage samples', async () => {
    const m = member('member1');
    await eventually(() => m.metrics.pods.size >= m.objects.list('pods').length && m.metrics.nodes.size === 4, 30_000);
    const nodes = await kubectl(sim, ['--context', 'member1', 'top', 'nodes']);
    expect(nodes.code).toBe(0);
    const nodeRows = table(nodes.stdout);
    expect(nodeRows.map((r) => r.NAME).sort()).toEqual([...m.metrics.nodes.keys()].sort());
    for (const row of nodeRows) {
      expect(row['CPU(cores)']).toMatch(/^\d+m$/);
      expect(Number(row['CPU(%)']!.replace('%', ''))).toBeLessThan(100);
      expect(row['MEMORY(bytes)']).toMatch(/^\d+Mi$/);
    }
    const pods = await kubectl(sim, ['--context', 'member1', 'top', 'pods', '-n', 'shop']);
    expect(pods.code).toBe(0);
    const podRows = table(pods.stdout);
    expect(podRows.map((r) => r.NAME).sort()).toEqual(m.objects.list('pods', { namespace: 'shop' }).map((p) => p.metadata.name).sort());
    for (const row of podRows) expect(row['CPU(cores)']).toMatch(/^\d+m$/);
  });

  it('set image rolls out revision 2; rollout undo brings revision 1 back as revision 3', async () => {
    const m = member('member2');
    const rsOf = () => m.objects.list('apps/replicasets', { namespace: 'default', labelSelector: 'app=hello' }) as any[];
    const first = rsOf();
    expect(first).toHaveLength(1);
    const firstName = first[0].metadata.name;
    const setImage = await kubectl(sim, ['--context', 'member2', 'set', 'image', 'deployment/hello', 'nginx=nginx:1.26', '-n', 'default']);
    expect(setImage.stdout).toContain('deployment.apps/hello image updated');
    const done = (revision: string) =>
      eventually(() => {
        const d = m.objects.get('apps/deployments', 'default', 'hello') as any;
        const live = m.objects.list('pods', { namespace: 'default', labelSelector: 'app=hello' }).filter((p) => !p.metadata.deletionTimestamp);
        return (
          d.metadata.annotations['deployment.kubernetes.io/revision'] === revision &&
          d.status.observedGeneration === d.metadata.generation &&
          d.status.updatedReplicas === 3 && d.status.availableReplicas === 3 && live.length === 3
        );
      }, 40_000);
    await done('2');
    expect(rsOf()).toHaveLength(2);
    const undo = await kubectl(sim, ['--context', 'member2', 'rollout', 'undo', 'deployment/hello', '-n', 'default']);
    expect(undo.stdout).toContain('deployment.apps/hello rolled back');
    await done('3');
    // The first ReplicaSet is reused (same template, same hash) and renumbered.
    const sets = rsOf();
    expect(sets).toHaveLength(2);
    const reused = sets.find((rs) => rs.metadata.name === firstName);
    expect(reused.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect(reused.spec.replicas).toBe(3);
    for (const pod of m.objects.list('pods', { namespace: 'default', labelSelector: 'app=hello' }).filter((p) => !p.metadata.deletionTimestamp) as any[]) {
      expect(pod.spec.containers[0].image).toBe('nginx:1.25');
    }
    const history = await kubectl(sim, ['--context', 'member2', 'rollout', 'history', 'deployment/hello', '-n', 'default']);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/^2\s/m);
    expect(history.stdout).toMatch(/^3\s/m);
  });
});
