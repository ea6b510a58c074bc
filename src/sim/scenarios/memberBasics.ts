/**
 * What every real member cluster has before any app: the system namespaces, the `kubernetes`
 * Service, the `kube-root-ca.crt` ConfigMap in each namespace, and on control-plane nodes the static
 * pods of etcd and the control-plane components (mirror pods, owned by their Node).
 */
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { hashString } from '../random.js';

/** A PEM-shaped placeholder: the simulator's members have no real cluster CA behind them. */
const ROOT_CA = `-----BEGIN CERTIFICATE-----\nMIIC/jCCAeagAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl\ncm5ldGVzMB4XDTI2MDEwMTAwMDAwMFoXDTM2MDEwMTAwMDAwMFowFTETMBEGA1UE\nAxMKa3ViZXJuZXRlczCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAMq0\n-----END CERTIFICATE-----\n`;

export function seedMemberBasics(member: SimCluster, appNamespaces: string[]): void {
  const namespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease', ...appNamespaces];
  for (const name of namespaces) {
    if (member.objects.get('namespaces', undefined, name)) continue;
    member.objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } }, { manager: name.startsWith('kube-') || name === 'default' ? 'kube-apiserver' : 'kubectl-create' });
    member.objects.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: name, annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }, data: { 'ca.crt': ROOT_CA } }, { manager: 'kube-controller-manager' });
  }
  member.objects.create('services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None', type: 'ClusterIP', internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' },
  }, { manager: 'kube-apiserver' });
  // The `kubernetes` Service has no selector: the API server itself keeps its Endpoints.
  member.objects.create('endpoints', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: '172.16.0.10' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
  }, { manager: 'kube-apiserver' });
}

const STATIC_COMPONENTS: Array<{ name: string; image: string; cpu: string; memory?: string; port: number; command: string[] }> = [
  { name: 'etcd', image: 'registry.k8s.io/etcd:3.5.6-0', cpu: '100m', memory: '100Mi', port: 2381, command: ['etcd', '--data-dir=/var/lib/etcd', '--listen-client-urls=https://127.0.0.1:2379'] },
  { name: 'kube-apiserver', image: 'registry.k8s.io/kube-apiserver:v1.26.5', cpu: '250m', port: 6443, command: ['kube-apiserver', '--authorization-mode=Node,RBAC', '--enable-admission-plugins=NodeRestriction', '--secure-port=6443'] },
  { name: 'kube-controller-manager', image: 'registry.k8s.io/kube-controller-manager:v1.26.5', cpu: '200m', port: 10257, command: ['kube-controller-manager', '--leader-elect=true', '--use-service-account-credentials=true'] },
  { name: 'kube-scheduler', image: 'registry.k8s.io/kube-scheduler:v1.26.5', cpu: '100m', port: 10259, command: ['kube-scheduler', '--leader-elect=true'] },
];

/** Mirror pods of the kubeadm static pods on a control-plane node (kubectl drain skips these). */
export function addStaticControlPlanePods(member: SimCluster, node: KubeObject): void {
  const nodeName = node.metadata.name!;
  const ip = ((node.status as { addresses?: Array<{ type: string; address: string }> }).addresses ?? []).find((a) => a.type === 'InternalIP')?.address ?? '';
  for (const c of STATIC_COMPONENTS) {
    const hash = hashString(`${nodeName}/${c.name}`).toString(16).padStart(8, '0').repeat(4);
    const requests: Record<string, string> = { cpu: c.cpu };
    if (c.memory) requests.memory = c.memory;
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${c.name}-${nodeName}`,
        namespace: 'kube-system',
        labels: { component: c.name, tier: 'control-plane' },
        annotations: {
          'kubernetes.io/config.hash': hash,
          'kubernetes.io/config.mirror': hash,
          'kubernetes.io/config.seen': new Date().toISOString(),
          'kubernetes.io/config.source': 'file',
          ...(c.name === 'kube-apiserver' ? { 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': `${ip}:6443` } : {}),
        },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid!, controller: true }],
      },
      spec: {
        nodeName,
        hostNetwork: true,
        priorityClassName: 'system-node-critical',
        priority: 2000001000,
        containers: [
          {
            name: c.name,
            image: c.image,
            command: c.command,
            resources: { requests },
            livenessProbe: { httpGet: { host: '127.0.0.1', path: c.name === 'etcd' ? '/health?exclude=NOSPACE&serializable=true' : '/livez', port: c.port, scheme: c.name === 'etcd' ? 'HTTP' : 'HTTPS' }, initialDelaySeconds: 10, timeoutSeconds: 15, periodSeconds: 10, successThreshold: 1, failureThreshold: 8 },
            volumeMounts: [{ name: 'k8s-certs', mountPath: '/etc/kubernetes/pki', readOnly: true }],
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
            imagePullPolicy: 'IfNotPresent',
          },
        ],
        volumes: [{ name: 'k8s-certs', hostPath: { path: '/etc/kubernetes/pki', type: 'DirectoryOrCreate' } }],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
        schedulerName: 'default-scheduler',
        tolerations: [{ operator: 'Exists', effect: 'NoExecute' }],
        enableServiceLinks: true,
        preemptionPolicy: 'PreemptLowerPriority',
      },
      status: { phase: 'Pending', qosClass: 'Burstable' },
    };
    member.objects.create('pods', pod, { manager: 'kubelet' });
  }
}

/**
 * Resolves when the members have settled: every pod Running and Ready, and every Deployment,
 * StatefulSet and DaemonSet at its wanted count (StatefulSets start ordinals one by one, so "all
 * pods Running" alone is not enough). Gives up quietly after `timeoutMs`: a scenario still serves.
 */
export async function waitForPodsRunning(members: SimCluster[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Settled and quiet: the same pods for a second, because other layers (Karmada propagation,
  // middleware) create workloads asynchronously after the scenario's own objects.
  let quietSince = 0;
  let lastCount = -1;
  while (Date.now() < deadline) {
    const count = members.reduce((n, m) => n + m.objects.list('pods').length, 0);
    if (count !== lastCount || !members.every(isSettled)) {
      lastCount = count;
      quietSince = 0;
    } else if (quietSince === 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= 1000) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

type Loose = { spec?: Record<string, any>; status?: Record<string, any>; metadata: KubeObject['metadata'] }; // eslint-disable-line @typescript-eslint/no-explicit-any

function isSettled(member: SimCluster): boolean {
  const pods = member.objects.list('pods') as Loose[];
  const podReady = (p: Loose) => p.status?.phase === 'Running' && (p.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
  if (!pods.every(podReady)) return false;
  const deployments = member.objects.list('apps/deployments') as Loose[];
  if (!deployments.every((d) => (d.status?.readyReplicas ?? 0) === (d.spec?.replicas ?? 1) && d.status?.observedGeneration === d.metadata.generation)) return false;
  const statefulSets = member.objects.list('apps/statefulsets') as Loose[];
  if (!statefulSets.every((s) => (s.status?.readyReplicas ?? 0) === (s.spec?.replicas ?? 1))) return false;
  const daemonSets = member.objects.list('apps/daemonsets') as Loose[];
  return daemonSets.every((d) => d.status?.desiredNumberScheduled !== undefined && d.status.numberReady === d.status.desiredNumberScheduled);
}
