/**
 * Scenarios `bench-m` (20 members × 50 nodes × 30 pods = 30,000 pods), `bench-l` (100 × 100 × 30 =
 * 300,000 pods) and `bench-xl` (100 × 200 × 50 = 1,000,000 pods) for the benchmark harness: a Karmada
 * fleet whose control plane holds the resource templates, PropagationPolicies (Duplicated, and Divided by equal weights) and, through the simulated
 * Karmada controllers, the ResourceBindings and Works that put every template on every member.
 *
 * To start quickly and fit in memory, member workloads are seeded *settled*: each member Deployment
 * already has its ReplicaSet and Running, Ready pods bound to nodes (30 per node, 50 at bench-xl), as the controllers and
 * kubelets would have left them, written straight to the member's store (as a restore from an etcd
 * snapshot would: the store still assigns uid, resourceVersion and creation time and emits the events the
 * cluster's indexes follow), and the per-member Kubernetes controllers are not started (a fleet this size
 * is for reading, not for watching pods churn). Records are compact: the fields a real pod has that
 * readers use (labels, owner, node, requests, conditions, IPs), without managedFields and the projected
 * service-account volume, which were most of the memory and most of the start-up time per pod.
 *
 * The pods of one ReplicaSet share their common parts (labels, owner, containers, conditions, container
 * statuses: `podParts`), frozen, as the SubtreeInterner shares them for objects written through the API;
 * a pod keeps only its own name, uid, node and addresses.
 *
 * Measured on the 2-core team machine (busy, load average 5–6, `node --max-old-space-size=16384`): bench-l's
 * API answers ~23–34 s after spawn and its 300,000 pods are listed ~54 s after spawn, with ~0.7 GB heap and
 * ~0.9 GB RSS (before the pods shared their parts: ~0.9 GB heap, ~1.1 GB RSS); bench-xl's API answers ~28 s
 * after spawn, its 1,000,000 pods are listed at ~48 s (42 s of CPU), with 1.7 GB heap and 2.0 GB RSS
 * (peak 2.0 GB). Karmada's 10,000 Works of bench-l/bench-xl collect their statuses for a minute or so
 * after that. bench-m fits the default heap; run bench-l and bench-xl with `node --max-old-space-size=8192`.
 */
import type { Scenario, SimFleet } from '../SimFleet.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { hashString, KUBE_NAME_ALPHABET } from '../random.js';
import { installKarmada } from '../karmada/installKarmada.js';
import { templateHash } from '../controllers/templateHash.js';
import { addKubeletNode, buildNode, type NodeBlueprint } from './buildNode.js';

export interface BenchSize {
  members: number;
  nodesPerMember: number;
  podsPerNode: number;
  /** Replicas of each Deployment on each member. */
  replicasPerMember: number;
}

const NAMESPACE = 'bench';
const PROVIDERS: Array<NodeBlueprint['provider']> = ['aws', 'gcp', 'on-prem'];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-1', 'cn-north-1', 'sa-east-1'];

function suffix(seed: string, length: number): string {
  let h = hashString(seed);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += KUBE_NAME_ALPHABET[h % KUBE_NAME_ALPHABET.length];
    h = Math.floor(h / KUBE_NAME_ALPHABET.length) || hashString(`${seed}${i}`);
  }
  return out;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * CPU request of Deployment `d`'s pods: 10m to 100m in steps of 10m, so that a fleet-wide sort by CPU
 * request (the bench's `sorted page`) has distinct keys to order, not 300,000 equal ones.
 */
function cpuRequest(d: number): string {
  return `${10 * (1 + (d % 10))}m`;
}

function template(app: string, group: number, d: number): Record<string, unknown> {
  return {
    metadata: { labels: { app, 'app.kubernetes.io/name': app, 'bench.fleetgraph.io/group': `g${group}` } },
    spec: {
      containers: [{
        name: 'app', image: `ghcr.io/fleet-bench/${app}:1.${group % 10}.0`,
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
        resources: { requests: { cpu: cpuRequest(d), memory: '32Mi' }, limits: { memory: '64Mi' } },
      }],
    },
  };
}

function deploymentTemplate(app: string, group: number, d: number, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: app, namespace: NAMESPACE, labels: { app, 'bench.fleetgraph.io/group': `g${group}` } },
    spec: { replicas, selector: { matchLabels: { app } }, template: template(app, group, d) },
  };
}

/** One PropagationPolicy per group of ten Deployments: every fifth Divided by equal weights, the rest Duplicated. */
function policy(group: number): KubeObject {
  const divided = group % 5 === 4;
  return {
    apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy',
    metadata: { name: `group-${pad(group, 3)}`, namespace: NAMESPACE },
    spec: {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { 'bench.fleetgraph.io/group': `g${group}` } } }],
      // The member Deployments are seeded before Karmada runs: Overwrite lets Karmada adopt them.
      conflictResolution: 'Overwrite',
      placement: {
        clusterAffinity: { labelSelector: { matchLabels: { 'bench.fleetgraph.io/fleet': 'bench' } } },
        replicaScheduling: divided ? { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted' } : { replicaSchedulingType: 'Duplicated' },
      },
    },
  };
}

/** Writes a settled record straight to the store, or returns the one a persistent store already holds. */
function seedRecord(member: SimCluster, resource: string, object: KubeObject): KubeObject {
  return member.store.get(resource, object.metadata.namespace, object.metadata.name!) ?? member.store.create(resource, object);
}

function seedMember(member: SimCluster, index: number, size: BenchSize, deployments: number, createdAt: string): void {
  const provider = PROVIDERS[index % PROVIDERS.length]!;
  const region = REGIONS[index % REGIONS.length]!;
  for (const ns of ['default', 'kube-system', NAMESPACE]) {
    if (!member.objects.get('namespaces', undefined, ns)) member.objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { manager: 'kube-apiserver' });
  }
  const nodes: Array<{ name: string; ip: string; cidr: number }> = [];
  for (let n = 0; n < size.nodesPerMember; n++) {
    const name = `${member.name}-node-${pad(n, 3)}`;
    const node = buildNode({
      name, role: 'worker', provider, region, zone: `${region}${'abc'[n % 3]}`, instanceType: 'bench-16c64g', cpu: 16, memoryGi: 64,
      index: n, networkOctet: (index % 250) + 1, createdAt,
    });
    addKubeletNode(member, node);
    const ip = ((node.status as { addresses?: Array<{ type: string; address: string }> }).addresses ?? []).find((a) => a.type === 'InternalIP')?.address ?? '10.0.0.1';
    nodes.push({ name, ip, cidr: n });
  }
  let slot = 0;
  for (let d = 0; d < deployments; d++) {
    const app = `app-${pad(d, 3)}`;
    const group = Math.floor(d / 10);
    const tpl = template(app, group, d);
    const hash = templateHash(tpl);
    const replicas = size.replicasPerMember;
    const rsName = `${app}-${hash}`;
    const settled = { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas };
    const base = deploymentTemplate(app, group, d, replicas);
    const deployment = seedRecord(member, 'apps/deployments', {
      ...base,
      metadata: { ...base.metadata, generation: 1, annotations: { 'deployment.kubernetes.io/revision': '1' } },
      status: {
        ...settled,
        conditions: [
          { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: createdAt, lastTransitionTime: createdAt },
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.`, lastUpdateTime: createdAt, lastTransitionTime: createdAt },
        ],
      },
    });
    const podTemplate = structuredClone(tpl) as { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> };
    podTemplate.metadata.labels['pod-template-hash'] = hash;
    const rs = seedRecord(member, 'apps/replicasets', {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: {
        name: rsName, namespace: NAMESPACE, generation: 1, labels: { ...podTemplate.metadata.labels },
        annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + 1), 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: app, uid: deployment.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas, selector: { matchLabels: { app, 'pod-template-hash': hash } }, template: podTemplate },
      status: { replicas, fullyLabeledReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, observedGeneration: 1 },
    });
    // What every pod of this ReplicaSet has in common, one frozen copy for all of them (see podParts).
    const parts = podParts(podTemplate, rsName, rs.metadata.uid!, createdAt);
    for (let r = 0; r < replicas; r++) {
      const node = nodes[slot % nodes.length]!;
      // The how-manieth pod on its node: gives each pod on a node its own address.
      const onNode = Math.floor(slot / nodes.length);
      slot++;
      const podName = `${rsName}-${suffix(`${member.name}/${rsName}/${r}`, 5)}`;
      seedRecord(member, 'pods', {
        apiVersion: 'v1', kind: 'Pod',
        // Created when the scenario started, as their startTime says (and one shared string, not a Date
        // formatted per pod by the store).
        metadata: { name: podName, generateName: parts.generateName, namespace: NAMESPACE, creationTimestamp: createdAt, labels: parts.labels, ownerReferences: parts.ownerReferences },
        spec: {
          containers: parts.containers,
          nodeName: node.name, restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default',
          terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', priority: 0,
        },
        status: {
          phase: 'Running', qosClass: 'Burstable', hostIP: node.ip, podIP: `10.${(index % 250) + 1}.${node.cidr}.${(onNode % 250) + 2}`, startTime: createdAt,
          conditions: parts.conditions,
          containerStatuses: parts.containerStatuses,
        },
      });
    }
  }
}

/**
 * The parts of a seeded pod that are the same for every pod of one ReplicaSet: labels, owner, containers,
 * conditions and container statuses. They are shared, frozen, by all those pods, as the simulator's
 * SubtreeInterner shares identical parts of objects written through its API: stored objects are never
 * mutated (writers get copies), so the API answers exactly what per-pod copies would give, and a pod
 * keeps only what is its own (name, uid, node, addresses). At bench-xl (1,000,000 pods) this is what
 * keeps the simulator's heap and its set-up time in bounds.
 */
function podParts(podTemplate: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> }, rsName: string, rsUid: string, createdAt: string) {
  const containers = podTemplate.spec['containers'] as Array<{ image: string }>;
  return deepFreeze({
    generateName: `${rsName}-`,
    labels: { ...podTemplate.metadata.labels },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: rsUid, controller: true, blockOwnerDeletion: true }],
    containers: structuredClone(containers),
    conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: createdAt })),
    containerStatuses: [{ name: 'app', ready: true, started: true, restartCount: 0, image: containers[0]!.image, imageID: '', state: { running: { startedAt: createdAt } } }],
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Builds a bench fleet of the given size. */
export function benchScenario(name: string, size: BenchSize, description: string): Scenario {
  return {
    name,
    description,
    // Deterministic without the seed: names derive from member, app and ordinal.
    setup(fleet: SimFleet): void {
      const createdAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const deployments = (size.nodesPerMember * size.podsPerNode) / size.replicasPerMember;
      const width = String(size.members).length < 3 ? 3 : String(size.members).length;
      for (let i = 0; i < size.members; i++) {
        const member = fleet.addMember(`member-${pad(i + 1, width)}`);
        seedMember(member, i, size, deployments, createdAt);
        fleet.controlPlane.objects.mutate('cluster.karmada.io/clusters', undefined, member.name, (c) => {
          c.metadata.labels = { ...(c.metadata.labels ?? {}), 'bench.fleetgraph.io/fleet': 'bench', provider: PROVIDERS[i % PROVIDERS.length]!, region: REGIONS[i % REGIONS.length]! };
          c.spec = { ...(c.spec as object), provider: PROVIDERS[i % PROVIDERS.length], region: REGIONS[i % REGIONS.length] };
          return c;
        }, { manager: 'karmadactl' });
      }
      const cp = fleet.controlPlane;
      // The controllers only queue keys while this synchronous set-up runs; they find the member
      // Deployments already in place afterwards and only record them.
      installKarmada(fleet);
      for (const ns of ['default', NAMESPACE]) {
        if (!cp.objects.get('namespaces', undefined, ns)) cp.objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { manager: 'kube-apiserver' });
      }
      for (let g = 0; g < Math.ceil(deployments / 10); g++) cp.objects.create('policy.karmada.io/propagationpolicies', policy(g), { manager: 'kubectl-client-side-apply' });
      // Templates ask for the fleet-wide count: Duplicated ones the per-member count, Divided ones the sum.
      for (let d = 0; d < deployments; d++) {
        const group = Math.floor(d / 10);
        const replicas = group % 5 === 4 ? size.replicasPerMember * size.members : size.replicasPerMember;
        cp.objects.create('apps/deployments', deploymentTemplate(`app-${pad(d, 3)}`, group, d, replicas), { manager: 'kubectl-client-side-apply' });
      }
    },
  };
}

export const benchMScenario = benchScenario('bench-m', { members: 20, nodesPerMember: 50, podsPerNode: 30, replicasPerMember: 30 },
  'Benchmark fleet M: 20 members × 50 nodes × 30 pods = 30,000 pods, 50 templates, 5 policies, 50 bindings, 1,000 works');
export const benchXlScenario = benchScenario('bench-xl', { members: 100, nodesPerMember: 200, podsPerNode: 50, replicasPerMember: 100 },
  'Benchmark fleet XL: 100 members × 200 nodes × 50 pods = 1,000,000 pods, 100 templates, 10 policies, 100 bindings, 10,000 works (run node with --max-old-space-size=8192)');
export const benchLScenario = benchScenario('bench-l', { members: 100, nodesPerMember: 100, podsPerNode: 30, replicasPerMember: 30 },
  'Benchmark fleet L: 100 members × 100 nodes × 30 pods = 300,000 pods, 100 templates, 10 policies, 100 bindings, 10,000 works (run node with --max-old-space-size=8192)');
