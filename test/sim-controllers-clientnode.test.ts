/**
 * The simulator's member controllers seen through @kubernetes/client-node over HTTPS (the way the
 * gateway sees them): a Deployment created with AppsV1Api becomes ready pods, a watch shows each pod
 * go Pending -> bound -> ContainerCreating -> Running/Ready, a template change rolls out a second
 * ReplicaSet revision, scaling down terminates pods, and events and pod metrics are served.
 */
import { AppsV1Api, CoreV1Api, KubeConfig, Metrics, Watch, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryOnConflict } from './support/retryOnConflict.js';
import { eventually, startTestSimulator, type TestSimulator } from './support/simServer.js';

let sim: TestSimulator;
let kc: KubeConfig;
let apps: AppsV1Api;
let core: CoreV1Api;

beforeAll(async () => {
  sim = await startTestSimulator({ scenario: 'mini', seed: 21 });
  kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  kc.setCurrentContext('member1');
  apps = kc.makeApiClient(AppsV1Api);
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'cn' } } });
});
afterAll(async () => {
  await sim?.stop();
});

const deployment = (image: string, replicas: number): V1Deployment => ({
  metadata: { name: 'api', namespace: 'cn' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'api' } },
    template: {
      metadata: { labels: { app: 'api' } },
      spec: {
        containers: [
          {
            name: 'api',
            image,
            resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '64Mi' } },
            readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
          },
        ],
      },
    },
  },
});

const isReady = (p: V1Pod) => !p.metadata?.deletionTimestamp && (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

describe('member controllers through client-node', () => {
  it('creates ready pods from a Deployment, each seen through its lifecycle by a watch', async () => {
    const seen = new Map<string, string[]>();
    const watch = new Watch(kc);
    const request = await watch.watch(
      '/api/v1/namespaces/cn/pods',
      {},
      (_type: string, pod: V1Pod) => {
        const name = pod.metadata!.name!;
        const state = pod.status?.containerStatuses?.[0]?.state;
        const step = !pod.spec?.nodeName ? 'unbound' : state?.waiting ? state.waiting.reason! : state?.running ? (isReady(pod) ? 'ready' : 'running') : 'bound';
        const steps = seen.get(name) ?? [];
        if (steps.at(-1) !== step) steps.push(step);
        seen.set(name, steps);
      },
      () => {},
    );
    try {
      await apps.createNamespacedDeployment({ namespace: 'cn', body: deployment('ghcr.io/fleet-demo/api:1.0.0', 3) });
      await eventually(async () => {
        const d = await apps.readNamespacedDeployment({ namespace: 'cn', name: 'api' });
        return d.status?.readyReplicas === 3 && d.status.availableReplicas === 3;
      }, 30_000);
      const pods = (await core.listNamespacedPod({ namespace: 'cn' })).items;
      expect(pods.filter(isReady)).toHaveLength(3);
      await eventually(() => [...seen.values()].filter((s) => s.at(-1) === 'ready').length === 3, 10_000);
      for (const pod of pods) {
        expect(seen.get(pod.metadata!.name!)).toEqual(['unbound', 'bound', 'ContainerCreating', 'running', 'ready']);
        expect(pod.status?.hostIP).toMatch(/^10\.1\.\d+\.\d+$/);
        expect(pod.status?.qosClass).toBe('Burstable');
      }
    } finally {
      request.abort();
    }
    const d = await apps.readNamespacedDeployment({ namespace: 'cn', name: 'api' });
    expect(d.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable'],
      ['Progressing', 'True', 'NewReplicaSetAvailable'],
    ]);
  });

  it('rolls out a new image as a second ReplicaSet revision and scales the first to zero', async () => {
    await retryOnConflict(() => apps.readNamespacedDeployment({ namespace: 'cn', name: 'api' }), (current) => {
      current.spec!.template.spec!.containers[0]!.image = 'ghcr.io/fleet-demo/api:1.1.0';
      return apps.replaceNamespacedDeployment({ namespace: 'cn', name: 'api', body: current });
    });
    await eventually(async () => {
      const d = await apps.readNamespacedDeployment({ namespace: 'cn', name: 'api' });
      return d.status?.observedGeneration === d.metadata?.generation && d.status?.updatedReplicas === 3 && d.status.availableReplicas === 3 && d.status.replicas === 3;
    }, 40_000);
    const sets = (await apps.listNamespacedReplicaSet({ namespace: 'cn' })).items;
    const byRevision = new Map(sets.map((rs) => [rs.metadata!.annotations!['deployment.kubernetes.io/revision'], rs]));
    expect([...byRevision.keys()].sort()).toEqual(['1', '2']);
    expect(byRevision.get('1')!.spec!.replicas).toBe(0);
    expect(byRevision.get('2')!.spec!.replicas).toBe(3);
    expect(byRevision.get('2')!.spec!.template!.spec!.containers[0]!.image).toBe('ghcr.io/fleet-demo/api:1.1.0');
    await eventually(async () => (await core.listNamespacedPod({ namespace: 'cn' })).items.length === 3, 20_000);
    for (const pod of (await core.listNamespacedPod({ namespace: 'cn' })).items) {
      expect(pod.spec!.containers[0]!.image).toBe('ghcr.io/fleet-demo/api:1.1.0');
      expect(pod.metadata!.labels!['pod-template-hash']).toBe(byRevision.get('2')!.metadata!.labels!['pod-template-hash']);
    }
    const d = await apps.readNamespacedDeployment({ namespace: 'cn', name: 'api' });
    expect(d.metadata!.annotations!['deployment.kubernetes.io/revision']).toBe('2');
  });

  it('scales down through the scale subresource: surplus pods terminate and go', async () => {
    await apps.replaceNamespacedDeploymentScale({ namespace: 'cn', name: 'api', body: { metadata: { name: 'api', namespace: 'cn' }, spec: { replicas: 1 } } });
    await eventually(async () => {
      const pods = (await core.listNamespacedPod({ namespace: 'cn' })).items;
      return pods.length === 1 && isReady(pods[0]!);
    }, 30_000);
    const d = await apps.readNamespacedDeployment({ namespace: 'cn', name: 'api' });
    expect(d.status).toMatchObject({ replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 });
    const events = (await core.listNamespacedEvent({ namespace: 'cn' })).items;
    const reasons = new Set(events.map((e) => e.reason));
    for (const r of ['ScalingReplicaSet', 'SuccessfulCreate', 'SuccessfulDelete', 'Scheduled', 'Pulling', 'Started', 'Killing']) expect(reasons, r).toContain(r);
    const killing = events.find((e) => e.reason === 'Killing')!;
    expect(killing.source).toMatchObject({ component: 'kubelet' });
    expect(killing.involvedObject.fieldPath).toBe('spec.containers{api}');
  });

  it('serves pod usage from the kubelet samples through metrics.k8s.io', async () => {
    const metrics = new Metrics(kc);
    const result = await eventually(async () => {
      const list = await metrics.getPodMetrics('cn');
      return list.items.length === 1 ? list : undefined;
    }, 30_000);
    const usage = result!.items[0]!.containers[0]!.usage;
    expect(usage.cpu).toMatch(/^\d+n$/);
    // Plausibly below the request/limit: at most the 64Mi limit.
    expect(Number(usage.memory.replace('Ki', '')) * 1024).toBeLessThanOrEqual(64 * 2 ** 20);
  });
});
