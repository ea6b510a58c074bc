/**
 * Node objects that look like a real cluster's (labels a cloud or kubeadm node carries, capacity and
 * allocatable, nodeInfo, addresses, conditions), and `addKubeletNode`, which registers the node's
 * simulated kubelet *before* creating it, so the API layer treats it as a node with a kubelet.
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { hashString } from '../random.js';

export interface NodeBlueprint {
  name: string;
  role: 'control-plane' | 'worker';
  provider: 'aws' | 'gcp' | 'on-prem';
  region: string;
  zone: string;
  instanceType: string;
  /** Cores. */
  cpu: number;
  /** GiB. */
  memoryGi: number;
  /** GPUs (nvidia.com/gpu), when the node has any. */
  gpus?: number;
  /**
   * Taint GPU nodes so only pods tolerating `nvidia.com/gpu` land there (a small cluster often does not).
   * @default false
   */
  taintGpus?: boolean;
  /** The third octet of the InternalIP and the pod CIDR, unique within the member. */
  index: number;
  /** Second octet of the member's pod network (10.<n>.x.0/24), unique across the fleet. */
  networkOctet: number;
  /** Creation time (RFC 3339) to report in conditions; the API layer sets creationTimestamp. */
  createdAt: string;
}

const KERNELS: Record<NodeBlueprint['provider'], { kernel: string; os: string; runtime: string }> = {
  aws: { kernel: '5.10.192-183.736.amzn2.x86_64', os: 'Amazon Linux 2', runtime: 'containerd://1.6.19' },
  gcp: { kernel: '5.15.109+', os: 'Container-Optimized OS from Google', runtime: 'containerd://1.6.20' },
  'on-prem': { kernel: '5.15.0-86-generic', os: 'Ubuntu 22.04.3 LTS', runtime: 'containerd://1.6.24' },
};

function hexId(seed: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += hashString(`${seed}#${i}`).toString(16).padStart(8, '0');
  return out.slice(0, length);
}

function uuidOf(seed: string): string {
  const h = hexId(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function buildNode(b: NodeBlueprint): KubeObject {
  const internalIp = `10.${b.networkOctet}.${b.index}.${10 + (hashString(b.name) % 200)}`;
  const memoryKi = b.memoryGi * 1024 * 1024 - 300_000;
  // kubelet reserves (kube-reserved + system-reserved + eviction threshold) come off allocatable.
  const allocatableCpu = `${b.cpu * 1000 - (b.cpu >= 8 ? 180 : 90)}m`;
  const allocatableMemoryKi = memoryKi - 1_000_000 - 102_400;
  const capacity: Record<string, string> = {
    cpu: String(b.cpu),
    'ephemeral-storage': '101430960Ki',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${memoryKi}Ki`,
    pods: '110',
  };
  const allocatable: Record<string, string> = {
    cpu: allocatableCpu,
    'ephemeral-storage': '93478772582',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${allocatableMemoryKi}Ki`,
    pods: '110',
  };
  if (b.gpus) {
    capacity['nvidia.com/gpu'] = String(b.gpus);
    allocatable['nvidia.com/gpu'] = String(b.gpus);
  }
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/instance-type': b.instanceType,
    'beta.kubernetes.io/os': 'linux',
    'failure-domain.beta.kubernetes.io/region': b.region,
    'failure-domain.beta.kubernetes.io/zone': b.zone,
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': b.name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': b.instanceType,
    'topology.kubernetes.io/region': b.region,
    'topology.kubernetes.io/zone': b.zone,
    [`node-role.kubernetes.io/${b.role}`]: '',
  };
  if (b.gpus) {
    labels['nvidia.com/gpu.present'] = 'true';
    labels['nvidia.com/gpu.product'] = 'NVIDIA-A10G';
  }
  const spec: Record<string, unknown> = {
    podCIDR: `10.${100 + b.networkOctet}.${b.index}.0/24`,
    podCIDRs: [`10.${100 + b.networkOctet}.${b.index}.0/24`],
  };
  if (b.provider === 'aws') spec.providerID = `aws:///${b.zone}/i-0${hexId(b.name, 16)}`;
  else if (b.provider === 'gcp') spec.providerID = `gce://fleet-demo/${b.zone}/${b.name}`;
  if (b.role === 'control-plane') spec.taints = [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }];
  if (b.gpus && b.taintGpus) spec.taints = [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }];
  const conditions = [
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
  ].map(([type, status, reason, message]) => ({ type, status, lastHeartbeatTime: b.createdAt, lastTransitionTime: b.createdAt, reason, message }));
  const addresses = [
    { type: 'InternalIP', address: internalIp },
    { type: 'Hostname', address: b.name },
  ];
  if (b.provider !== 'on-prem') addresses.splice(1, 0, { type: 'InternalDNS', address: `${b.name}.${b.region}.compute.internal` });
  const runtime = KERNELS[b.provider];
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: b.name,
      labels,
      annotations: {
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec,
    status: {
      capacity,
      allocatable,
      conditions,
      addresses,
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: hexId(`${b.name}/machine`, 32),
        systemUUID: uuidOf(`${b.name}/system`),
        bootID: uuidOf(`${b.name}/boot`),
        kernelVersion: runtime.kernel,
        osImage: runtime.os,
        containerRuntimeVersion: runtime.runtime,
        kubeletVersion: 'v1.26.5',
        kubeProxyVersion: 'v1.26.5',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      images: [
        { names: ['registry.k8s.io/pause@sha256:7031c1b283388d2c2e09b57badb803c05ebed362dc88d84b480cc47f72a21097', 'registry.k8s.io/pause:3.9'], sizeBytes: 321520 },
        { names: ['registry.k8s.io/kube-proxy@sha256:b8a6b1ac0c9f5d3c5c1b5a1f0f6e4b0d8f4c0b2e0d5b1a4e3c6f7e8d9c0b1a2f', 'registry.k8s.io/kube-proxy:v1.26.5'], sizeBytes: 21537616 },
      ],
    },
  };
}

/** Creates a node that has a simulated kubelet (registered first: the API layer checks it on create). */
export function addKubeletNode(member: SimCluster, node: KubeObject): KubeObject {
  member.kubeletNodes.add(node.metadata.name!);
  return member.objects.create('nodes', node, { manager: 'kubelet' });
}
