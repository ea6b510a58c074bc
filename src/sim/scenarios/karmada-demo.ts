/**
 * What the Karmada layer adds to scenario `demo`: the control plane's policies and resource templates,
 * propagated to the three members by the simulated karmada-controller-manager and karmada-scheduler, and
 * the middleware platform on every member with two Redis instances and one PostgreSQL instance that has a
 * history of backups.
 *
 * - `storefront` (namespace web): Divided by static weights 1:2:3 over member1..3 (6 replicas → 1/2/3),
 *   with an OverridePolicy that pulls its image from a registry mirror on the GKE member;
 * - `edge-gateway`: Duplicated on every member (1 replica each), with its Service and ConfigMap;
 * - `search`: Divided by dynamic weights (available replicas) over the production clusters;
 * - `web` namespace labels: a ClusterOverridePolicy adds an environment label per cluster.
 */
import type { SimFleet } from '../SimFleet.js';
import type { SimCluster } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { installKarmada, type KarmadaOptions } from '../karmada/installKarmada.js';
import { installMiddleware, type MiddlewareOptions } from '../middleware/installMiddleware.js';
import { appendBackup, backupRecord } from '../middleware/operationActions.js';
import { buildApp, type AppBlueprint } from './buildWorkloads.js';

export interface KarmadaDemoOptions {
  karmada?: KarmadaOptions;
  middleware?: MiddlewareOptions;
}

const POLICY_API = 'policy.karmada.io/v1alpha1';
const MIDDLEWARE_API = 'middleware.fleetgraph.io/v1alpha1';
const MANAGER = 'kubectl-client-side-apply';

function ensureNamespace(cluster: SimCluster, name: string): void {
  if (!cluster.objects.get('namespaces', undefined, name)) {
    cluster.objects.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } }, { manager: MANAGER });
  }
}

function createTemplates(cp: SimCluster, app: AppBlueprint): void {
  const built = buildApp(app);
  for (const [resource, object] of built.objects) cp.objects.create(resource, object, { manager: built.manager });
}

function policies(): Array<[string, KubeObject]> {
  const members = ['member1', 'member2', 'member3'];
  return [
    ['policy.karmada.io/propagationpolicies', {
      apiVersion: POLICY_API, kind: 'PropagationPolicy', metadata: { name: 'storefront-weighted', namespace: 'web' },
      spec: {
        resourceSelectors: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: 'storefront' },
          { apiVersion: 'v1', kind: 'Service', name: 'storefront' },
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'storefront-config' },
        ],
        priority: 10,
        placement: {
          clusterAffinity: { clusterNames: members },
          replicaScheduling: {
            replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted',
            weightPreference: { staticWeightList: members.map((m, i) => ({ targetCluster: { clusterNames: [m] }, weight: i + 1 })) },
          },
        },
      },
    }],
    ['policy.karmada.io/propagationpolicies', {
      apiVersion: POLICY_API, kind: 'PropagationPolicy', metadata: { name: 'edge-everywhere', namespace: 'web' },
      spec: {
        resourceSelectors: [
          { apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'edge' } } },
          { apiVersion: 'v1', kind: 'Service', labelSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'edge' } } },
          { apiVersion: 'v1', kind: 'ConfigMap', labelSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'edge' } } },
        ],
        placement: { clusterAffinity: { clusterNames: members }, replicaScheduling: { replicaSchedulingType: 'Duplicated' } },
      },
    }],
    ['policy.karmada.io/propagationpolicies', {
      apiVersion: POLICY_API, kind: 'PropagationPolicy', metadata: { name: 'search-by-capacity', namespace: 'web' },
      spec: {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'search' }, { apiVersion: 'v1', kind: 'Service', name: 'search' }],
        placement: {
          clusterAffinity: { labelSelector: { matchLabels: { environment: 'production' } } },
          spreadConstraints: [{ spreadByField: 'cluster', maxGroups: 2, minGroups: 1 }],
          replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { dynamicWeight: 'AvailableReplicas' } },
        },
      },
    }],
    ['policy.karmada.io/clusterpropagationpolicies', {
      apiVersion: POLICY_API, kind: 'ClusterPropagationPolicy', metadata: { name: 'web-namespace' },
      spec: {
        resourceSelectors: [{ apiVersion: 'v1', kind: 'Namespace', name: 'web' }],
        placement: { clusterAffinity: { clusterNames: members } },
      },
    }],
    ['policy.karmada.io/overridepolicies', {
      apiVersion: POLICY_API, kind: 'OverridePolicy', metadata: { name: 'storefront-gke-mirror', namespace: 'web' },
      spec: {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'storefront' }],
        overrideRules: [{
          targetCluster: { labelSelector: { matchLabels: { provider: 'gcp' } } },
          overriders: {
            imageOverrider: [{ component: 'Registry', operator: 'replace', value: 'mirror.gcr.io' }],
            annotationsOverrider: [{ operator: 'add', value: { 'fleet.example.com/registry-mirror': 'mirror.gcr.io' } }],
          },
        }],
      },
    }],
    ['policy.karmada.io/clusteroverridepolicies', {
      apiVersion: POLICY_API, kind: 'ClusterOverridePolicy', metadata: { name: 'environment-label' },
      spec: {
        resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web' }],
        overrideRules: [
          { targetCluster: { labelSelector: { matchLabels: { environment: 'production' } } }, overriders: { labelsOverrider: [{ operator: 'add', value: { 'fleet.example.com/environment': 'production' } }] } },
          { targetCluster: { labelSelector: { matchLabels: { environment: 'staging' } } }, overriders: { labelsOverrider: [{ operator: 'add', value: { 'fleet.example.com/environment': 'staging' } }] } },
        ],
      },
    }],
  ];
}

function application(name: string, namespace: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: MIDDLEWARE_API, kind: 'Application', metadata: { name, namespace, labels: { 'app.kubernetes.io/part-of': 'shop' } }, spec };
}

/** Adds the Karmada control plane's content and the middleware platform to a fleet whose members exist. */
export function addKarmadaDemo(fleet: SimFleet, options: KarmadaDemoOptions = {}): void {
  const cp = fleet.controlPlane;
  installKarmada(fleet, options.karmada);
  ensureNamespace(cp, 'default');
  ensureNamespace(cp, 'web');
  for (const [resource, object] of policies()) cp.objects.create(resource, object, { manager: MANAGER });
  createTemplates(cp, {
    name: 'storefront', namespace: 'web', kind: 'Deployment', replicas: 6, image: 'docker.io/library/nginx:1.25.3', port: 8080,
    cpu: '50m', memory: '64Mi', memoryLimit: '128Mi', probe: { http: '/healthz' }, partOf: 'storefront', component: 'frontend',
    service: 'ClusterIP', managedBy: 'kubectl', config: { LOG_LEVEL: 'info', UPSTREAM: 'http://search.web.svc.cluster.local' },
  });
  createTemplates(cp, {
    name: 'edge-gateway', namespace: 'web', kind: 'Deployment', replicas: 1, image: 'docker.io/envoyproxy/envoy:v1.28.0', port: 10000,
    cpu: '50m', memory: '64Mi', memoryLimit: '128Mi', probe: { tcp: true }, partOf: 'edge', component: 'gateway', service: 'ClusterIP',
    managedBy: 'kubectl', config: { LOG_LEVEL: 'warn' },
  });
  createTemplates(cp, {
    name: 'search', namespace: 'web', kind: 'Deployment', replicas: 2, image: 'ghcr.io/fleet-demo/search:2.0.1', port: 9200,
    cpu: '100m', memory: '256Mi', memoryLimit: '512Mi', probe: { http: '/_health' }, partOf: 'search', component: 'backend', service: 'ClusterIP', managedBy: 'kubectl',
  });

  const instances: Array<[string, KubeObject]> = [
    ['member1', application('orders-cache', 'shop', { type: 'redis', pluginVersion: 'v1.0.0', version: '7.2', components: [{ name: 'redis-node', replicas: 3 }] })],
    ['member2', application('session-cache', 'shop', { type: 'redis', pluginVersion: 'v1.1.0', version: '7.4', components: [{ name: 'redis-node', replicas: 2 }] })],
    ['member3', application('orders-db', 'payments', {
      type: 'postgresql', pluginVersion: 'v1.0.0', version: '15', components: [{ name: 'postgresql', replicas: 2, storage: '20Gi' }],
      backup: { schedule: '0 2 * * *', retention: 7, storage: 's3://fleetgraph-backups' },
    })],
  ];
  for (const member of fleet.members.values()) installMiddleware(fleet, member, options.middleware);
  for (const [memberName, app] of instances) {
    const member = fleet.members.get(memberName);
    if (!member) continue;
    ensureNamespace(member, app.metadata.namespace!);
    const created = member.objects.create('middleware.fleetgraph.io/applications', app, { manager: MANAGER });
    if ((app.spec as { backup?: unknown }).backup) {
      // Three nightly backups already taken, as the platform's scheduled backups would have.
      for (let i = 3; i >= 1; i--) {
        const at = new Date(Date.now() - i * 24 * 3600 * 1000);
        at.setUTCHours(2, 0, 0, 0);
        appendBackup(member, created, backupRecord(created, 'Scheduled', undefined, at), 7);
      }
    }
  }
}
