/**
 * Workload objects (Deployment, StatefulSet, DaemonSet) and their companions (Service, ConfigMap,
 * Secret, PodDisruptionBudget) from a compact description, dressed the way real manifests are:
 * recommended labels, env from fields/ConfigMaps/Secrets, probes, requests and limits, config and
 * emptyDir volumes. Scenarios describe apps with `AppBlueprint` and create what this returns.
 */
import type { KubeObject } from '../store/Store.js';

export interface AppBlueprint {
  name: string;
  namespace: string;
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  /**
   * Ignored for DaemonSets.
   * @default 1
   */
  replicas?: number;
  image: string;
  /** Container port, named `http` (or `metrics`/`redis`... via portName). */
  port: number;
  /**
   * Name of the container port (probes and Services refer to it).
   * @default 'http'
   */
  portName?: string;
  cpu: string;
  memory: string;
  /** No cpu limit when absent (the common production choice). */
  cpuLimit?: string;
  /**
   * @default the memory request
   */
  memoryLimit?: string;
  /** `http:<path>` or `tcp` readiness/liveness probes. */
  probe: { http?: string; tcp?: boolean };
  /** `app.kubernetes.io/part-of` and `component` labels. */
  partOf: string;
  component: string;
  /** Adds a `<name>-config` ConfigMap mounted at /etc/<name> and a LOG_LEVEL env from it. */
  config?: Record<string, string>;
  /** Adds a `<name>-credentials` Secret and env vars from it. */
  secret?: Record<string, string>;
  /** A PodDisruptionBudget for the app. */
  pdb?: { maxUnavailable?: number | string; minAvailable?: number | string };
  /**
   * A Service (`headless` for StatefulSets).
   * @default 'none'
   */
  service?: 'ClusterIP' | 'headless' | 'none';
  extraEnv?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  tolerations?: Array<Record<string, unknown>>;
  /** Extended resources requested and limited, e.g. { 'nvidia.com/gpu': '1' }. */
  extended?: Record<string, string>;
  /** Who "applied" it: a field manager, and Helm labels when 'helm'. */
  managedBy: 'kubectl' | 'helm' | 'kubeadm';
  /** Storage request for a StatefulSet volumeClaimTemplate. */
  storage?: string;
  hostNetwork?: boolean;
  priorityClassName?: string;
  /**
   * StatefulSets only.
   * @default 'OrderedReady'
   */
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
}

export interface BuiltApp {
  /** [resource key, object] in creation order (ConfigMap/Secret before the workload that uses them). */
  objects: Array<[string, KubeObject]>;
  /** The field manager to write them with. */
  manager: string;
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

export function buildApp(app: AppBlueprint): BuiltApp {
  const labels: Record<string, string> = {
    app: app.name,
    'app.kubernetes.io/name': app.name,
    'app.kubernetes.io/part-of': app.partOf,
    'app.kubernetes.io/component': app.component,
  };
  if (app.managedBy === 'helm') {
    labels['app.kubernetes.io/managed-by'] = 'Helm';
    labels['app.kubernetes.io/instance'] = app.partOf;
    labels['helm.sh/chart'] = `${app.name}-4.7.1`;
  }
  const selector = { matchLabels: { app: app.name } };
  const objects: Array<[string, KubeObject]> = [];
  const env: Array<Record<string, unknown>> = [
    { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
    { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
    { name: 'NODE_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
    { name: 'MEMORY_LIMIT', valueFrom: { resourceFieldRef: { containerName: app.name, resource: 'limits.memory', divisor: '1Mi' } } },
  ];
  for (const [name, value] of Object.entries(app.extraEnv ?? {})) env.push({ name, value });
  const volumes: Array<Record<string, unknown>> = [{ name: 'tmp', emptyDir: {} }];
  const mounts: Array<Record<string, unknown>> = [{ name: 'tmp', mountPath: '/tmp' }];

  if (app.config) {
    const cmName = `${app.name}-config`;
    objects.push(['configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: cmName, namespace: app.namespace, labels: { ...labels } }, data: app.config }]);
    volumes.push({ name: 'config', configMap: { name: cmName, defaultMode: 420 } });
    mounts.push({ name: 'config', mountPath: `/etc/${app.name}`, readOnly: true });
    if (app.config.LOG_LEVEL) env.push({ name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: cmName, key: 'LOG_LEVEL' } } });
  }
  if (app.secret) {
    const secretName = `${app.name}-credentials`;
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(app.secret)) data[k] = b64(v);
    objects.push(['secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace: app.namespace, labels: { ...labels } }, type: 'Opaque', data }]);
    for (const key of Object.keys(app.secret)) {
      env.push({ name: key.toUpperCase().replace(/[^A-Z0-9]/g, '_'), valueFrom: { secretKeyRef: { name: secretName, key } } });
    }
  }
  if (app.kind === 'Deployment' && app.component !== 'dns') {
    // A small in-memory cache, as many web apps mount.
    volumes.push({ name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } });
    mounts.push({ name: 'cache', mountPath: '/var/cache/app' });
  }

  const portName = app.portName ?? 'http';
  const probe = (initialDelaySeconds: number, periodSeconds: number) =>
    app.probe.http
      ? { httpGet: { path: app.probe.http, port: portName, scheme: 'HTTP' }, initialDelaySeconds, timeoutSeconds: 1, periodSeconds, successThreshold: 1, failureThreshold: 3 }
      : { tcpSocket: { port: portName }, initialDelaySeconds, timeoutSeconds: 1, periodSeconds, successThreshold: 1, failureThreshold: 3 };
  const requests: Record<string, string> = { cpu: app.cpu, memory: app.memory, ...(app.extended ?? {}) };
  const limits: Record<string, string> = { memory: app.memoryLimit ?? app.memory, ...(app.extended ?? {}) };
  if (app.cpuLimit) limits.cpu = app.cpuLimit;
  const container: Record<string, unknown> = {
    name: app.name,
    image: app.image,
    ports: [{ name: portName, containerPort: app.port, protocol: 'TCP' }],
    env,
    resources: { limits, requests },
    volumeMounts: mounts,
    livenessProbe: probe(10, 10),
    readinessProbe: probe(1, 5),
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: app.kind !== 'StatefulSet' },
  };
  const podSpec: Record<string, unknown> = {
    volumes,
    containers: [container],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: app.kind === 'StatefulSet' ? 60 : 30,
    dnsPolicy: app.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
    securityContext: { runAsNonRoot: app.kind !== 'DaemonSet', fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } },
    schedulerName: 'default-scheduler',
  };
  if (app.nodeSelector) podSpec.nodeSelector = app.nodeSelector;
  if (app.tolerations) podSpec.tolerations = app.tolerations;
  if (app.hostNetwork) podSpec.hostNetwork = true;
  if (app.priorityClassName) podSpec.priorityClassName = app.priorityClassName;
  // Private images are pulled with the namespace's registry credentials.
  if (app.image.startsWith('ghcr.io/')) podSpec.imagePullSecrets = [{ name: 'registry-credentials' }];
  if (app.kind === 'Deployment' && (app.replicas ?? 1) > 1) {
    // Spread replicas over zones when possible (preferred), as production manifests do.
    podSpec.affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: selector, topologyKey: 'topology.kubernetes.io/zone' } }],
      },
    };
  }
  const template = {
    metadata: {
      creationTimestamp: null,
      labels: { ...labels },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(app.port) },
    },
    spec: podSpec,
  };

  const meta = { name: app.name, namespace: app.namespace, labels: { ...labels } } as KubeObject['metadata'];
  let workload: KubeObject;
  if (app.kind === 'Deployment') {
    workload = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta,
      spec: {
        replicas: app.replicas ?? 1,
        selector,
        template,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
    };
  } else if (app.kind === 'StatefulSet') {
    workload = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta,
      spec: {
        replicas: app.replicas ?? 1,
        selector,
        template,
        serviceName: app.name,
        podManagementPolicy: app.podManagementPolicy ?? 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        revisionHistoryLimit: 10,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        volumeClaimTemplates: app.storage
          ? [
              {
                apiVersion: 'v1',
                kind: 'PersistentVolumeClaim',
                metadata: { name: 'data', creationTimestamp: null },
                spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: app.storage } }, volumeMode: 'Filesystem' },
                status: { phase: 'Pending' },
              },
            ]
          : [],
      },
    };
    if (app.storage) mounts.push({ name: 'data', mountPath: '/data' });
  } else {
    workload = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta,
      spec: {
        selector,
        template,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
        revisionHistoryLimit: 10,
      },
    };
  }
  if (app.managedBy === 'kubectl') {
    // What `kubectl apply` leaves behind: the whole applied manifest in an annotation.
    meta.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify({ apiVersion: workload.apiVersion, kind: workload.kind, metadata: { labels, name: app.name, namespace: app.namespace }, spec: workload.spec })}\n` };
  } else if (app.managedBy === 'helm') {
    meta.annotations = { 'meta.helm.sh/release-name': app.partOf, 'meta.helm.sh/release-namespace': app.namespace };
  }

  if (app.service !== 'none' && app.service !== undefined) {
    const headless = app.service === 'headless';
    const service: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app.name, namespace: app.namespace, labels: { ...labels } },
      spec: {
        type: 'ClusterIP',
        selector: { app: app.name },
        ports: [{ name: portName, protocol: 'TCP', port: headless ? app.port : 80, targetPort: portName }],
        sessionAffinity: 'None',
        internalTrafficPolicy: 'Cluster',
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
      },
    };
    if (headless) (service.spec as Record<string, unknown>).clusterIP = 'None';
    objects.push(['services', service]);
  }
  objects.push([app.kind === 'Deployment' ? 'apps/deployments' : app.kind === 'StatefulSet' ? 'apps/statefulsets' : 'apps/daemonsets', workload]);
  if (app.pdb) {
    objects.push([
      'policy/poddisruptionbudgets',
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: app.name, namespace: app.namespace, labels: { ...labels } },
        spec: { ...app.pdb, selector },
      },
    ]);
  }
  const manager = app.managedBy === 'helm' ? 'helm' : app.managedBy === 'kubeadm' ? 'kubeadm' : 'kubectl-client-side-apply';
  return { objects, manager };
}
