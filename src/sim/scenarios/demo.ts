/**
 * Scenario `demo`: a small, lively fleet for newcomers, tests and the embedded default.
 * Three members on three "providers" (member1 AWS us-east-1, member2 GKE europe-west1, member3 on-prem
 * cn-north), four nodes each (node names unique across the fleet), about 100 pods across
 * Deployments, one StatefulSet (redis) and DaemonSets, with Services, ConfigMaps, Secrets and
 * PodDisruptionBudgets that never stop a single-node drain (each budget allows one disruption and
 * its replicas are spread over nodes). Deterministic for a given seed: node and pod names come from
 * the seeded PRNG.
 */
import type { Scenario, ScenarioOptions, SimFleet } from '../SimFleet.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { Random } from '../random.js';
import { installMemberControllers } from '../controllers/installMemberControllers.js';
import { addKubeletNode, buildNode, type NodeBlueprint } from './buildNode.js';
import { buildApp, type AppBlueprint } from './buildWorkloads.js';
import { seedMemberBasics, addStaticControlPlanePods, waitForPodsRunning } from './memberBasics.js';
import { addKarmadaDemo } from './karmada-demo.js';
import { addDemoUsers } from './demoUsers.js';
import { installOperationsCrd } from './operationsCrd.js';

interface MemberPlan {
  name: string;
  provider: NodeBlueprint['provider'];
  region: string;
  zones: string[];
  /** Second octet of the member's node and pod networks. */
  networkOctet: number;
  nodes: Array<{ name: string; role: NodeBlueprint['role']; instanceType: string; cpu: number; memoryGi: number; gpus?: number }>;
  /** Apps only this member runs. */
  extras: AppBlueprint[];
}

function plans(random: Random): MemberPlan[] {
  // GKE names its nodes after the pool with a random instance-group hash: deterministic from the seed.
  const pool = random.string(8, '0123456789abcdef');
  const gke = (i: number) => `gke-member2-default-pool-${pool}-${random.string(4, 'bcdfghjklmnpqrstvwxz0123456789')}${i}`;
  return [
    {
      name: 'member1',
      provider: 'aws',
      region: 'us-east-1',
      zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      networkOctet: 1,
      nodes: [
        { name: 'member1-cp-0', role: 'control-plane', instanceType: 'm5.large', cpu: 2, memoryGi: 8 },
        { name: 'member1-worker-0', role: 'worker', instanceType: 'm5.xlarge', cpu: 4, memoryGi: 16 },
        { name: 'member1-worker-1', role: 'worker', instanceType: 'm5.xlarge', cpu: 4, memoryGi: 16 },
        { name: 'member1-gpu-0', role: 'worker', instanceType: 'g5.xlarge', cpu: 4, memoryGi: 16, gpus: 1 },
      ],
      extras: [
        {
          name: 'inference', namespace: 'ml', kind: 'Deployment', replicas: 1, image: 'nvcr.io/nvidia/tritonserver:23.10-py3', port: 8000,
          cpu: '500m', memory: '2Gi', memoryLimit: '4Gi', probe: { http: '/v2/health/ready' }, partOf: 'ml-platform', component: 'model-server',
          extended: { 'nvidia.com/gpu': '1' }, nodeSelector: { 'nvidia.com/gpu.present': 'true' },
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }], service: 'ClusterIP', managedBy: 'kubectl',
          config: { MODEL_REPOSITORY: 's3://fleet-demo-models/triton', LOG_LEVEL: 'info' },
        },
      ],
    },
    {
      name: 'member2',
      provider: 'gcp',
      region: 'europe-west1',
      zones: ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'],
      networkOctet: 2,
      nodes: [0, 1, 2, 3].map((i) => ({ name: gke(i), role: 'worker' as const, instanceType: 'n2-standard-4', cpu: 4, memoryGi: 16 })),
      extras: [
        {
          name: 'report-builder', namespace: 'analytics', kind: 'Deployment', replicas: 3, image: 'ghcr.io/fleet-demo/report-builder-spring:1.4.0', port: 8080,
          cpu: '200m', memory: '512Mi', memoryLimit: '1Gi', probe: { http: '/actuator/health/readiness' }, partOf: 'analytics', component: 'worker',
          service: 'ClusterIP', managedBy: 'kubectl', config: { LOG_LEVEL: 'info', 'application.yaml': 'reports:\n  schedule: "0 */6 * * *"\n' },
        },
      ],
    },
    {
      name: 'member3',
      provider: 'on-prem',
      region: 'cn-north',
      zones: ['cn-north-dc1', 'cn-north-dc2'],
      networkOctet: 3,
      nodes: [
        { name: 'member3-master-0', role: 'control-plane', instanceType: 'bare-metal-8c32g', cpu: 8, memoryGi: 32 },
        { name: 'member3-node-0', role: 'worker', instanceType: 'bare-metal-8c32g', cpu: 8, memoryGi: 32 },
        { name: 'member3-node-1', role: 'worker', instanceType: 'bare-metal-8c32g', cpu: 8, memoryGi: 32 },
        { name: 'member3-node-2', role: 'worker', instanceType: 'bare-metal-16c64g', cpu: 16, memoryGi: 64 },
      ],
      extras: [
        {
          name: 'ledger-worker', namespace: 'payments', kind: 'Deployment', replicas: 3, image: 'ghcr.io/fleet-demo/ledger-worker:0.9.7', port: 9090, portName: 'metrics',
          cpu: '100m', memory: '256Mi', memoryLimit: '512Mi', probe: { http: '/healthz' }, partOf: 'payments', component: 'worker', service: 'none', managedBy: 'kubectl',
          secret: { 'db-user': 'ledger', 'db-password': 'not-a-real-password' }, config: { LOG_LEVEL: 'debug', BATCH_SIZE: '500' },
        },
      ],
    },
  ];
}

/** The apps every member runs: system add-ons, monitoring, and the shop. */
function commonApps(): AppBlueprint[] {
  const everywhere = [{ operator: 'Exists' }];
  return [
    {
      name: 'kube-proxy', namespace: 'kube-system', kind: 'DaemonSet', image: 'registry.k8s.io/kube-proxy:v1.26.5', port: 10249, portName: 'metrics',
      cpu: '50m', memory: '64Mi', memoryLimit: '128Mi', probe: { tcp: true }, partOf: 'kubernetes', component: 'proxy', service: 'none', managedBy: 'kubeadm',
      tolerations: everywhere, hostNetwork: true, priorityClassName: 'system-node-critical',
    },
    {
      name: 'node-exporter', namespace: 'monitoring', kind: 'DaemonSet', image: 'quay.io/prometheus/node-exporter:v1.7.0', port: 9100, portName: 'metrics',
      cpu: '50m', memory: '48Mi', memoryLimit: '96Mi', probe: { http: '/' }, partOf: 'kube-prometheus-stack', component: 'exporter', service: 'ClusterIP',
      managedBy: 'helm', tolerations: everywhere, hostNetwork: true,
    },
    {
      name: 'coredns', namespace: 'kube-system', kind: 'Deployment', replicas: 2, image: 'registry.k8s.io/coredns/coredns:v1.9.3', port: 53, portName: 'dns-tcp',
      cpu: '100m', memory: '70Mi', memoryLimit: '170Mi', probe: { tcp: true }, partOf: 'kubernetes', component: 'dns', service: 'ClusterIP', managedBy: 'kubeadm',
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
      pdb: { maxUnavailable: 1 }, config: { Corefile: '.:53 {\n    errors\n    health\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n    cache 30\n}\n' },
      priorityClassName: 'system-cluster-critical',
    },
    {
      name: 'metrics-server', namespace: 'kube-system', kind: 'Deployment', replicas: 1, image: 'registry.k8s.io/metrics-server/metrics-server:v0.6.4', port: 4443, portName: 'https',
      cpu: '100m', memory: '200Mi', probe: { http: '/readyz' }, partOf: 'kubernetes', component: 'metrics', service: 'ClusterIP', managedBy: 'helm',
      priorityClassName: 'system-cluster-critical',
    },
    {
      name: 'frontend', namespace: 'shop', kind: 'Deployment', replicas: 3, image: 'nginx:1.25.3', port: 8080, cpu: '100m', memory: '128Mi', cpuLimit: '500m',
      memoryLimit: '256Mi', probe: { http: '/healthz' }, partOf: 'shop', component: 'frontend', service: 'ClusterIP', managedBy: 'kubectl', pdb: { maxUnavailable: 1 },
      config: { 'nginx.conf': 'server {\n  listen 8080;\n  location / { proxy_pass http://cart; }\n}\n', LOG_LEVEL: 'warn' },
    },
    {
      name: 'cart', namespace: 'shop', kind: 'Deployment', replicas: 2, image: 'ghcr.io/fleet-demo/cart-node:2.4.1', port: 3000, cpu: '150m', memory: '256Mi',
      memoryLimit: '384Mi', probe: { http: '/ready' }, partOf: 'shop', component: 'backend', service: 'ClusterIP', managedBy: 'kubectl',
      config: { LOG_LEVEL: 'info', REDIS_URL: 'redis://redis-0.redis.shop.svc.cluster.local:6379' }, extraEnv: { NODE_ENV: 'production' },
    },
    {
      name: 'orders', namespace: 'shop', kind: 'Deployment', replicas: 3, image: 'ghcr.io/fleet-demo/orders-spring:3.1.0', port: 8080, cpu: '250m', memory: '512Mi',
      cpuLimit: '1', memoryLimit: '768Mi', probe: { http: '/actuator/health/readiness' }, partOf: 'shop', component: 'backend', service: 'ClusterIP', managedBy: 'kubectl',
      pdb: { minAvailable: 2 }, secret: { 'db-user': 'orders', 'db-password': 'not-a-real-password' },
      config: { LOG_LEVEL: 'info', 'application.yaml': 'spring:\n  datasource:\n    url: jdbc:postgresql://orders-db:5432/orders\n' }, extraEnv: { JAVA_OPTS: '-XX:MaxRAMPercentage=75' },
    },
    {
      name: 'catalog', namespace: 'shop', kind: 'Deployment', replicas: 2, image: 'ghcr.io/fleet-demo/catalog:1.8.2', port: 8080, cpu: '100m', memory: '192Mi',
      memoryLimit: '256Mi', probe: { http: '/healthz' }, partOf: 'shop', component: 'backend', service: 'ClusterIP', managedBy: 'kubectl', config: { LOG_LEVEL: 'info' },
    },
    {
      name: 'redis', namespace: 'shop', kind: 'StatefulSet', replicas: 3, image: 'redis:7.2.4', port: 6379, portName: 'redis', cpu: '100m', memory: '256Mi',
      memoryLimit: '512Mi', probe: { tcp: true }, partOf: 'shop', component: 'cache', service: 'headless', managedBy: 'helm', pdb: { maxUnavailable: 1 }, storage: '8Gi',
      // Parallel, as the redis charts use: the fleet is ready sooner than with ordinals one by one.
      podManagementPolicy: 'Parallel',
      config: { 'redis.conf': 'appendonly yes\nmaxmemory 400mb\nmaxmemory-policy allkeys-lru\n' },
    },
    {
      name: 'payment-api', namespace: 'payments', kind: 'Deployment', replicas: 2, image: 'ghcr.io/fleet-demo/payment-api-spring:5.0.3', port: 8443, portName: 'https',
      cpu: '200m', memory: '384Mi', cpuLimit: '1', memoryLimit: '512Mi', probe: { http: '/actuator/health' }, partOf: 'payments', component: 'api', service: 'ClusterIP',
      managedBy: 'kubectl', pdb: { minAvailable: 1 }, secret: { 'api-key': 'demo-api-key', 'db-password': 'not-a-real-password' }, config: { LOG_LEVEL: 'info' },
    },
    {
      name: 'notifications', namespace: 'shop', kind: 'Deployment', replicas: 2, image: 'ghcr.io/fleet-demo/notifications:0.12.0', port: 8080, cpu: '50m', memory: '96Mi',
      memoryLimit: '128Mi', probe: { http: '/healthz' }, partOf: 'shop', component: 'worker', service: 'none', managedBy: 'kubectl', config: { LOG_LEVEL: 'info', SMTP_HOST: 'smtp.example.com' },
    },
  ];
}

function create(member: SimCluster, resource: string, object: KubeObject, manager: string): void {
  member.objects.create(resource, object, { manager });
}

export const demoScenario: Scenario = {
  name: 'demo',
  description: 'Three members (AWS, GKE, on-prem), 4 nodes each, ~100 pods across Deployments, a StatefulSet and DaemonSets, with gentle churn',
  async setup(fleet: SimFleet, options: ScenarioOptions): Promise<void> {
    const random = new Random(options.seed);
    const createdAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const members: SimCluster[] = [];
    for (const plan of plans(random.fork('names'))) {
      const member = fleet.addMember(plan.name);
      members.push(member);
      describeCluster(fleet, plan);
      const namespaces = ['monitoring', 'shop', 'payments', ...new Set(plan.extras.map((a) => a.namespace))];
      seedMemberBasics(member, namespaces);
      addSharedSecrets(member, plan.name, namespaces);
      plan.nodes.forEach((n, index) => {
        const node = buildNode({ ...n, provider: plan.provider, region: plan.region, zone: plan.zones[index % plan.zones.length]!, index, networkOctet: plan.networkOctet, createdAt });
        addKubeletNode(member, node);
        if (n.role === 'control-plane') addStaticControlPlanePods(member, node);
      });
      for (const app of [...commonApps(), ...plan.extras]) {
        const built = buildApp(app);
        for (const [resource, object] of built.objects) create(member, resource, object, built.manager);
      }
      installMemberControllers(fleet, member, { seed: options.seed, churnPerMinute: options.churnPerMinute });
    }

    // KARMADA-DEMO: the Karmada layer (src/sim/karmada) adds its control-plane resource templates,
    // PropagationPolicies/OverridePolicies and middleware instances for this scenario here.
    addKarmadaDemo(fleet);
    // Users with different rights (src/sim/scenarios/demoUsers.ts) and the gateway's ServiceAccount.
    addDemoUsers(fleet, options.users, options.gatewayIdentity ?? true);
    // The FleetOperation CRD and the gateway's Operations namespace, as an operator installs them (issue 14).
    installOperationsCrd(fleet.controlPlane, options.operationsCrd ?? true);

    // Serve a fleet that already looks settled: kubectl right after start-up shows Running pods.
    await waitForPodsRunning(members, 20_000);
  },
};

/**
 * Secrets real namespaces carry besides app credentials: a TLS certificate for the shop's ingress and
 * registry credentials for the private images (kubernetes.io/tls and kubernetes.io/dockerconfigjson).
 * The values are placeholders; what matters to the gateway is their keys and types.
 */
function addSharedSecrets(member: SimCluster, memberName: string, namespaces: string[]): void {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const pem = (kind: string) => `-----BEGIN ${kind}-----\nTUlJQ2Z6Q0NBZVNnQXdJQkFnSUJBREFOQmdrcWhraUc5dzBCQVFzRkFEQVZNUk13RVFZRFZRUUQ=\n-----END ${kind}-----\n`;
  member.objects.create('secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'shop-tls', namespace: 'shop', labels: { 'app.kubernetes.io/part-of': 'shop' }, annotations: { 'cert-manager.io/issuer-name': 'letsencrypt-prod', 'cert-manager.io/common-name': `shop.${memberName}.fleet-demo.example` } },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(pem('CERTIFICATE')), 'tls.key': b64(pem('PRIVATE KEY')) },
  }, { manager: 'cert-manager-certificates-issuing' });
  for (const namespace of new Set(namespaces.filter((n) => n !== 'monitoring'))) {
    member.objects.create('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'registry-credentials', namespace },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': b64(JSON.stringify({ auths: { 'ghcr.io': { auth: b64('fleet-demo:not-a-real-token') } } })) },
    }, { manager: 'kubectl-create' });
  }
}

/** The member's Cluster object on the control plane: provider, region and zones, as labels and spec. */
function describeCluster(fleet: SimFleet, plan: MemberPlan): void {
  fleet.controlPlane.objects.mutate(
    'cluster.karmada.io/clusters',
    undefined,
    plan.name,
    (cluster) => {
      cluster.metadata.labels = {
        ...(cluster.metadata.labels ?? {}),
        provider: plan.provider,
        region: plan.region,
        environment: plan.name === 'member3' ? 'staging' : 'production',
        'topology.kubernetes.io/region': plan.region,
      };
      const spec = (cluster.spec ?? {}) as Record<string, unknown>;
      spec.provider = plan.provider;
      spec.region = plan.region;
      spec.zones = plan.zones;
      cluster.spec = spec;
      return cluster;
    },
    { manager: 'karmadactl' },
  );
}
