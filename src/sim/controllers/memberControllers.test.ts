import { afterEach, describe, expect, it } from 'vitest';
import { createSimFleet, type ClosableSimFleet } from '../fleet.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { installMemberControllers } from './installMemberControllers.js';
import { addKubeletNode, buildNode } from '../scenarios/buildNode.js';

// Unit tests of the member controllers on a real SimCluster (no HTTP): each waits, bounded, for the
// controllers to reach a state, then asserts on what the cluster holds.

let fleet: ClosableSimFleet | undefined;
afterEach(() => {
  fleet?.close();
  fleet = undefined;
});

function setup(nodes = 3, extra: Partial<Parameters<typeof buildNode>[0]> = {}, controllers: Partial<Parameters<typeof installMemberControllers>[2]> = {}): SimCluster {
  fleet = createSimFleet();
  const member = fleet.addMember('m1');
  for (const ns of ['default', 'kube-system', 'kube-node-lease', 'app']) member.objects.create('namespaces', { metadata: { name: ns } });
  for (let i = 0; i < nodes; i++) {
    addKubeletNode(
      member,
      buildNode({ name: `m1-w-${i}`, role: 'worker', provider: 'on-prem', region: 'r', zone: `r-${i}`, instanceType: 't', cpu: 4, memoryGi: 8, index: i, networkOctet: 1, createdAt: new Date().toISOString(), ...extra }),
    );
  }
  installMemberControllers(fleet, member, { seed: 7, kubelet: { metricsSeconds: 1 }, ...controllers });
  return member;
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function deployment(name: string, replicas: number, image = 'nginx:1.25', extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'app' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image, resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
      },
      ...extra,
    },
  };
}

const podsOf = (m: SimCluster, app: string) => m.objects.list('pods', { namespace: 'app', labelSelector: `app=${app}` });
const readyCount = (pods: KubeObject[]) =>
  pods.filter((p) => !p.metadata.deletionTimestamp && ((p.status as any)?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')).length;

describe('member controllers', () => {
  it('turns a Deployment into a ReplicaSet and Running, Ready, bound pods with status', async () => {
    const m = setup();
    m.objects.create('apps/deployments', deployment('web', 3));
    const d = await until('deployment available', () => {
      const d = m.objects.get('apps/deployments', 'app', 'web') as any;
      return d?.status?.availableReplicas === 3 && d.status.conditions?.find((c: any) => c.type === 'Progressing')?.reason === 'NewReplicaSetAvailable' && d;
    });
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, observedGeneration: 1 });
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');
    const rss = m.objects.list('apps/replicasets', { namespace: 'app' });
    expect(rss).toHaveLength(1);
    const hash = rss[0]!.metadata.labels!['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    expect(rss[0]!.metadata.name).toBe(`web-${hash}`);
    const pods = podsOf(m, 'web');
    expect(pods).toHaveLength(3);
    for (const pod of pods as any[]) {
      expect(pod.metadata.name).toMatch(new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(pod.metadata.ownerReferences[0]).toMatchObject({ kind: 'ReplicaSet', name: `web-${hash}`, controller: true });
      expect(pod.spec.nodeName).toMatch(/^m1-w-\d$/);
      expect(pod.status.phase).toBe('Running');
      expect(pod.status.podIP).toMatch(/^10\.101\.\d\.\d+$/);
      expect(Number.isNaN(Date.parse(pod.status.containerStatuses[0].state.running.startedAt))).toBe(false);
      expect(pod.status.qosClass).toBe('Burstable');
      expect(pod.status.conditions.map((c: any) => c.type)).toEqual(['Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
    }
    // Spread: three replicas on three nodes.
    expect(new Set(pods.map((p: any) => p.spec.nodeName)).size).toBe(3);
    const reasons = new Set(m.objects.list('events', { namespace: 'app' }).map((e: any) => e.reason));
    for (const r of ['ScalingReplicaSet', 'SuccessfulCreate', 'Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']) expect(reasons).toContain(r);
    // Logs: startup lines at least.
    expect(m.logs.read('app', pods[0]!.metadata.name!, 'web').length).toBeGreaterThan(0);
  });

  it('scales, rolls out a new template with a second revision, and prunes history', async () => {
    const m = setup();
    m.objects.create('apps/deployments', deployment('web', 2, 'nginx:1.25', { revisionHistoryLimit: 1 }));
    await until('2 ready', () => readyCount(podsOf(m, 'web')) === 2);
    m.objects.mutate('apps/deployments', 'app', 'web', (d: any) => ((d.spec.replicas = 4), d));
    await until('4 ready', () => (m.objects.get('apps/deployments', 'app', 'web') as any)?.status?.availableReplicas === 4);
    m.objects.mutate('apps/deployments', 'app', 'web', (d: any) => ((d.spec.template.spec.containers[0].image = 'nginx:1.26'), d));
    const done = await until('rollout done', () => {
      const d = m.objects.get('apps/deployments', 'app', 'web') as any;
      const pods = podsOf(m, 'web').filter((p) => !p.metadata.deletionTimestamp);
      return d.status.observedGeneration === d.metadata.generation && d.status.updatedReplicas === 4 && d.status.availableReplicas === 4 && d.status.replicas === 4 && pods.length === 4 && d;
    }, 30_000);
    expect(done.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
    const rss = m.objects.list('apps/replicasets', { namespace: 'app' }) as any[];
    expect(rss.map((r) => [r.metadata.annotations['deployment.kubernetes.io/revision'], r.spec.replicas]).sort()).toEqual([['1', 0], ['2', 4]]);
    for (const p of podsOf(m, 'web').filter((p) => !p.metadata.deletionTimestamp) as any[]) expect(p.spec.containers[0].image).toBe('nginx:1.26');
    // A third template: revision 3, and history keeps only one old ReplicaSet.
    m.objects.mutate('apps/deployments', 'app', 'web', (d: any) => ((d.spec.template.spec.containers[0].image = 'nginx:1.27'), d));
    await until('history pruned', () => {
      const rss = m.objects.list('apps/replicasets', { namespace: 'app' }) as any[];
      const revisions = rss.map((r) => r.metadata.annotations['deployment.kubernetes.io/revision']).sort();
      return revisions.join() === '2,3' && rss.find((r) => r.metadata.annotations['deployment.kubernetes.io/revision'] === '3')?.status?.availableReplicas === 4;
    }, 30_000);
  });

  it('never schedules on a cordoned node, and reports unschedulable pods', async () => {
    const m = setup(2);
    m.objects.mutate('nodes', undefined, 'm1-w-0', (n: any) => ((n.spec.unschedulable = true), n));
    m.objects.create('apps/deployments', deployment('web', 4));
    await until('4 ready', () => readyCount(podsOf(m, 'web')) === 4);
    expect(podsOf(m, 'web').map((p: any) => p.spec.nodeName)).toEqual(['m1-w-1', 'm1-w-1', 'm1-w-1', 'm1-w-1']);
    // A pod asking for more cpu than any node has stays Pending with a reason.
    m.objects.create('pods', { metadata: { name: 'huge', namespace: 'app' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', resources: { requests: { cpu: '64' } } }] } });
    const huge = await until('FailedScheduling', () => {
      const p = m.objects.get('pods', 'app', 'huge') as any;
      return p?.status?.conditions?.find((c: any) => c.type === 'PodScheduled' && c.status === 'False') && p;
    });
    expect(huge.spec.nodeName).toBeUndefined();
    const condition = huge.status.conditions.find((c: any) => c.type === 'PodScheduled');
    expect(condition.reason).toBe('Unschedulable');
    expect(condition.message).toBe('0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.');
    const events = m.objects.list('events', { namespace: 'app' }) as any[];
    expect(events.find((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'huge')?.type).toBe('Warning');
  });

  it('finishes graceful deletion within seconds and the ReplicaSet replaces the pod', async () => {
    const m = setup();
    m.objects.create('apps/deployments', deployment('web', 2));
    await until('2 ready', () => readyCount(podsOf(m, 'web')) === 2);
    const victim = podsOf(m, 'web')[0]!;
    const marked = m.objects.delete('pods', 'app', victim.metadata.name!);
    expect(Number.isNaN(Date.parse(marked.metadata.deletionTimestamp ?? ""))).toBe(false);
    await until('victim gone', () => !m.objects.get('pods', 'app', victim.metadata.name!));
    await until('replacement ready', () => readyCount(podsOf(m, 'web')) === 2 && !podsOf(m, 'web').some((p) => p.metadata.name === victim.metadata.name));
    const events = m.objects.list('events', { namespace: 'app' }) as any[];
    expect(events.some((e) => e.reason === 'Killing' && e.involvedObject.name === victim.metadata.name)).toBe(true);
  });

  it('keeps StatefulSet ordinals, DaemonSet pods (also on cordoned nodes), and PDB status', async () => {
    const m = setup(3);
    m.objects.mutate('nodes', undefined, 'm1-w-2', (n: any) => ((n.spec.unschedulable = true), n));
    const template = (app: string) => ({
      metadata: { labels: { app } },
      spec: { containers: [{ name: 'c', image: 'redis:7.2', readinessProbe: { tcpSocket: { port: 6379 }, initialDelaySeconds: 1 } }] },
    });
    m.objects.create('apps/statefulsets', { metadata: { name: 'db', namespace: 'app' }, spec: { replicas: 3, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template('db') } });
    m.objects.create('apps/daemonsets', { metadata: { name: 'agent', namespace: 'app' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent') } });
    m.objects.create('policy/poddisruptionbudgets', { metadata: { name: 'db', namespace: 'app' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'db' } } } });
    const sts = await until('sts ready', () => {
      const s = m.objects.get('apps/statefulsets', 'app', 'db') as any;
      return s?.status?.readyReplicas === 3 && s;
    }, 30_000);
    expect(podsOf(m, 'db').map((p) => p.metadata.name).sort()).toEqual(['db-0', 'db-1', 'db-2']);
    expect(sts.status.currentRevision).toBe(sts.status.updateRevision);
    expect(m.objects.get('apps/controllerrevisions', 'app', sts.status.updateRevision)).toBeDefined();
    const ds = await until('ds ready', () => {
      const d = m.objects.get('apps/daemonsets', 'app', 'agent') as any;
      return d?.status?.numberReady === 3 && d;
    }, 30_000);
    expect(ds.status.desiredNumberScheduled).toBe(3);
    expect(podsOf(m, 'agent').map((p: any) => p.spec.nodeName).sort()).toEqual(['m1-w-0', 'm1-w-1', 'm1-w-2']);
    const pdb = await until('pdb status', () => {
      const p = m.objects.get('policy/poddisruptionbudgets', 'app', 'db') as any;
      return p?.status?.currentHealthy === 3 && p;
    });
    expect(pdb.status).toMatchObject({ expectedPods: 3, desiredHealthy: 2, disruptionsAllowed: 1 });
    // Deleting db-1 brings back a pod of the same name.
    const old = m.objects.get('pods', 'app', 'db-1')!;
    m.objects.delete('pods', 'app', 'db-1');
    await until('db-1 back', () => {
      const p = m.objects.get('pods', 'app', 'db-1') as any;
      return p && p.metadata.uid !== old.metadata.uid && p.status?.phase === 'Running';
    }, 30_000);
  });

  it('keeps leases, node heartbeats and usage metrics fresh', async () => {
    const m = setup(2);
    m.objects.create('apps/deployments', deployment('web', 2));
    await until('2 ready', () => readyCount(podsOf(m, 'web')) === 2);
    const lease = m.objects.get('coordination.k8s.io/leases', 'kube-node-lease', 'm1-w-0') as any;
    expect(lease.spec.holderIdentity).toBe('m1-w-0');
    await until('metrics', () => m.metrics.nodes.size === 2 && m.metrics.pods.size === 2, 10_000);
    const nodeEvents = (m.objects.list('events', { namespace: 'default' }) as any[]).filter((e) => e.involvedObject.kind === 'Node' && e.involvedObject.name === 'm1-w-0');
    expect(nodeEvents.map((e) => e.reason)).toEqual(expect.arrayContaining(['Starting', 'NodeReady']));
    m.objects.mutate('nodes', undefined, 'm1-w-0', (n: any) => ((n.spec.unschedulable = true), n));
    await until('NodeNotSchedulable event', () =>
      (m.objects.list('events', { namespace: 'default' }) as any[]).some((e) => e.reason === 'NodeNotSchedulable' && e.message === 'Node m1-w-0 status is now: NodeNotSchedulable'),
    );
    const sample = m.metrics.nodes.get('m1-w-0')!;
    expect(sample.cpu).toMatch(/^\d+n$/);
    expect(sample.memory).toMatch(/^\d+Ki$/);
  });

  it('never starts pods on a node created through the API (no kubelet there)', async () => {
    const m = setup(1);
    m.objects.create('nodes', { metadata: { name: 'byhand', labels: { 'kubernetes.io/hostname': 'byhand' } }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } });
    const spec = (nodeName: string) => ({ nodeName, containers: [{ name: 'c', image: 'nginx:1.25' }] });
    m.objects.create('pods', { metadata: { name: 'orphan', namespace: 'app' }, spec: spec('byhand') });
    m.objects.create('pods', { metadata: { name: 'normal', namespace: 'app' }, spec: spec('m1-w-0') });
    await until('normal running', () => (m.objects.get('pods', 'app', 'normal') as any)?.status?.phase === 'Running');
    // The kubelet of m1-w-0 has started its pod and written a lease; the hand-made node has neither.
    await until('lease of m1-w-0', () => m.objects.get('coordination.k8s.io/leases', 'kube-node-lease', 'm1-w-0'));
    const orphan = m.objects.get('pods', 'app', 'orphan') as any;
    expect(orphan.status.phase).toBe('Pending');
    expect(orphan.status.containerStatuses).toBeUndefined();
    expect(m.objects.get('coordination.k8s.io/leases', 'kube-node-lease', 'byhand')).toBeUndefined();
    // And the scheduler does not pick it for new pods either (it is not Ready).
    m.objects.create('apps/deployments', deployment('web', 3));
    await until('3 ready', () => readyCount(podsOf(m, 'web')) === 3);
    expect(podsOf(m, 'web').every((p: any) => p.spec.nodeName === 'm1-w-0')).toBe(true);
  });

  it('churn deletes ReplicaSet pods now and then and their ReplicaSet replaces them', async () => {
    const m = setup(2, {}, { churnPerMinute: 120 });
    m.objects.create('apps/deployments', deployment('web', 3));
    await until('3 ready', () => readyCount(podsOf(m, 'web')) === 3);
    const first = new Set(podsOf(m, 'web').map((p) => p.metadata.uid));
    await until('a churned pod replaced', () => {
      const pods = podsOf(m, 'web').filter((p) => !p.metadata.deletionTimestamp);
      return pods.some((p) => !first.has(p.metadata.uid)) && [...first].some((uid) => !podsOf(m, 'web').some((p) => p.metadata.uid === uid));
    });
    const events = m.objects.list('events', { namespace: 'app' }) as any[];
    expect(events.filter((e) => e.reason === 'SuccessfulCreate' && e.involvedObject.kind === 'ReplicaSet').length).toBeGreaterThan(0);
  });

  it('restarts a container now and then: restartCount, lastState, previous logs, BackOff event', async () => {
    const m = setup(1, {}, { kubelet: { restartsPerHour: 3600 * 2, restartGraceSeconds: 0 } });
    const states: string[] = [];
    m.onChange('pods', (e) => {
      const s = (e.object.status as any)?.containerStatuses?.[0];
      if (s) states.push(`${Object.keys(s.state)[0]}:${s.state.waiting?.reason ?? ''}:${s.restartCount}`);
    });
    m.objects.create('apps/deployments', deployment('web', 1));
    await until('1 ready', () => readyCount(podsOf(m, 'web')) === 1);
    const pod = await until('a restart', () => {
      const p = podsOf(m, 'web')[0] as any;
      return p?.status?.containerStatuses?.[0]?.restartCount >= 1 && p;
    });
    // It waits in CrashLoopBackOff, then runs again.
    await until('running again after the back-off', () => states.includes('running::1'), 10_000);
    expect(states).toContain('waiting:CrashLoopBackOff:1');
    expect(states.indexOf('waiting:CrashLoopBackOff:1')).toBeLessThan(states.indexOf('running::1'));
    const status = pod.status.containerStatuses[0];
    expect(status.lastState.terminated.reason).toMatch(/^(Error|OOMKilled)$/);
    expect(Number.isNaN(Date.parse(status.lastState.terminated.finishedAt))).toBe(false);
    expect(m.logs.read('app', pod.metadata.name, 'web', true).length).toBeGreaterThan(0);
    const events = m.objects.list('events', { namespace: 'app' }) as any[];
    expect(events.find((e) => e.reason === 'BackOff' && e.involvedObject.name === pod.metadata.name)?.type).toBe('Warning');
  });

  it('keeps Endpoints of a Service in step with its ready pods', async () => {
    const m = setup(2);
    m.objects.create('services', { metadata: { name: 'web', namespace: 'app' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
    m.objects.create('apps/deployments', deployment('web', 2));
    const ep = await until('2 addresses', () => {
      const e = m.objects.get('endpoints', 'app', 'web') as any;
      return e?.subsets?.[0]?.addresses?.length === 2 && e;
    });
    const ips = podsOf(m, 'web').map((p: any) => p.status.podIP).sort();
    expect(ep.subsets[0].addresses.map((a: any) => a.ip).sort()).toEqual(ips);
    expect(ep.subsets[0].ports).toEqual([{ port: 8080, protocol: 'TCP', name: 'http' }]);
    m.objects.mutate('apps/deployments', 'app', 'web', (d: any) => ((d.spec.replicas = 0), d));
    await until('no subsets', () => (m.objects.get('endpoints', 'app', 'web') as any)?.subsets === undefined);
  });

  it('direct start mode goes to Running and Ready in one step (for large scenarios)', async () => {
    const m = setup(1, {}, { kubelet: { startMode: 'direct', lifecycleEvents: false } });
    const waiting: string[] = [];
    m.onChange('pods', (e) => {
      const state = (e.object.status as any)?.containerStatuses?.[0]?.state;
      if (state?.waiting) waiting.push(e.object.metadata.name!);
    });
    m.objects.create('apps/deployments', deployment('web', 3));
    await until('3 ready', () => readyCount(podsOf(m, 'web')) === 3);
    expect(waiting).toEqual([]);
    const events = (m.objects.list('events', { namespace: 'app' }) as any[]).map((e) => e.reason);
    expect(events).toContain('Scheduled');
    expect(events).not.toContain('Pulling');
  });

  it('collects the pods of a deleted node; their ReplicaSet recreates them elsewhere', async () => {
    const m = setup(2);
    m.objects.create('apps/deployments', deployment('web', 4));
    await until('4 ready', () => readyCount(podsOf(m, 'web')) === 4);
    const onNode0 = podsOf(m, 'web').filter((p: any) => p.spec.nodeName === 'm1-w-0');
    expect(onNode0.length).toBeGreaterThan(0);
    m.objects.delete('nodes', undefined, 'm1-w-0');
    await until('4 ready on m1-w-1', () => {
      const pods = podsOf(m, 'web');
      return pods.length === 4 && readyCount(pods) === 4 && pods.every((p: any) => p.spec.nodeName === 'm1-w-1');
    });
    expect(m.kubeletNodes.has('m1-w-0')).toBe(false);
  });

  it('reports ProgressDeadlineExceeded when a rollout cannot progress', async () => {
    const m = setup(1);
    const d = deployment('stuck', 2, 'nginx:1.25', { progressDeadlineSeconds: 2 }) as any;
    d.spec.template.spec.containers[0].resources.requests.cpu = '64';
    m.objects.create('apps/deployments', d);
    const stuck = await until('deadline exceeded', () => {
      const x = m.objects.get('apps/deployments', 'app', 'stuck') as any;
      return x?.status?.conditions?.find((c: any) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded') && x;
    }, 15_000);
    const progressing = stuck.status.conditions.find((c: any) => c.type === 'Progressing');
    expect(progressing.status).toBe('False');
    expect(progressing.message).toMatch(/^ReplicaSet "stuck-\w+" has timed out progressing\.$/);
    expect(stuck.status.conditions.find((c: any) => c.type === 'Available').status).toBe('False');
  });

  it('Recreate: every old pod is gone before a new one is created', async () => {
    const m = setup(2);
    m.objects.create('apps/deployments', deployment('rec', 2, 'nginx:1.25', { strategy: { type: 'Recreate' } }));
    await until('2 ready', () => readyCount(podsOf(m, 'rec')) === 2);
    const overlap: number[] = [];
    m.onChange('pods', () => {
      const pods = podsOf(m, 'rec');
      const images = new Set(pods.map((p: any) => p.spec.containers[0].image));
      if (images.size > 1) overlap.push(pods.length);
    });
    m.objects.mutate('apps/deployments', 'app', 'rec', (d: any) => ((d.spec.template.spec.containers[0].image = 'nginx:1.26'), d));
    await until('2 new ready', () => {
      const pods = podsOf(m, 'rec');
      return pods.length === 2 && readyCount(pods) === 2 && pods.every((p: any) => p.spec.containers[0].image === 'nginx:1.26');
    });
    expect(overlap).toEqual([]);
  });

  it('rolls a StatefulSet from the highest ordinal down and then reports the new revision as current', async () => {
    const m = setup(2);
    const sts = {
      metadata: { name: 'kv', namespace: 'app' },
      spec: { replicas: 3, serviceName: 'kv', podManagementPolicy: 'Parallel', selector: { matchLabels: { app: 'kv' } }, template: { metadata: { labels: { app: 'kv' } }, spec: { containers: [{ name: 'c', image: 'redis:7.0' }] } } },
    };
    m.objects.create('apps/statefulsets', sts);
    const first = await until('3 ready', () => {
      const s = m.objects.get('apps/statefulsets', 'app', 'kv') as any;
      return s?.status?.readyReplicas === 3 && s;
    });
    const replacedOrder: string[] = [];
    m.onChange('pods', (e) => {
      if (e.type === 'ADDED' && e.object.metadata.labels?.app === 'kv') replacedOrder.push(e.object.metadata.name!);
    });
    m.objects.mutate('apps/statefulsets', 'app', 'kv', (s: any) => ((s.spec.template.spec.containers[0].image = 'redis:7.2'), s));
    const done = await until('rolled', () => {
      const s = m.objects.get('apps/statefulsets', 'app', 'kv') as any;
      return s.status.updateRevision !== first.status.updateRevision && s.status.currentRevision === s.status.updateRevision && s.status.readyReplicas === 3 && s;
    }, 30_000);
    expect(replacedOrder).toEqual(['kv-2', 'kv-1', 'kv-0']);
    for (const p of podsOf(m, 'kv') as any[]) {
      expect(p.spec.containers[0].image).toBe('redis:7.2');
      expect(p.metadata.labels['controller-revision-hash']).toBe(done.status.updateRevision);
    }
    const revisions = m.objects.list('apps/controllerrevisions', { namespace: 'app' }) as any[];
    expect(revisions.map((r) => r.revision).sort()).toEqual([1, 2]);
  });

  it('rolls a DaemonSet one node at a time (maxUnavailable 1)', async () => {
    const m = setup(3);
    m.objects.create('apps/daemonsets', { metadata: { name: 'agent', namespace: 'app' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'fluent-bit:2.1' }] } } } });
    await until('3 ready', () => (m.objects.get('apps/daemonsets', 'app', 'agent') as any)?.status?.numberReady === 3);
    let maxUnavailable = 0;
    m.onChange('pods', () => {
      const ready = readyCount(podsOf(m, 'agent'));
      maxUnavailable = Math.max(maxUnavailable, 3 - ready);
    });
    m.objects.mutate('apps/daemonsets', 'app', 'agent', (d: any) => ((d.spec.template.spec.containers[0].image = 'fluent-bit:2.2'), d));
    await until('updated', () => {
      const d = m.objects.get('apps/daemonsets', 'app', 'agent') as any;
      const pods = podsOf(m, 'agent').filter((p) => !p.metadata.deletionTimestamp) as any[];
      return d.status.updatedNumberScheduled === 3 && d.status.numberReady === 3 && pods.length === 3 && pods.every((p) => p.spec.containers[0].image === 'fluent-bit:2.2');
    }, 30_000);
    expect(maxUnavailable).toBe(1);
  });
});
