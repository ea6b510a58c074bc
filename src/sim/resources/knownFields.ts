/**
 * The fields each built-in kind has (top level, metadata and spec), for what a real server does with
 * the others: with `fieldValidation=Strict` a 400 "strict decoding error: unknown field ...", by
 * default (Warn) the field is dropped and named in a `Warning: 299` header, with Ignore it is dropped
 * silently (recordings 041 and 058). Deeper levels and registered custom kinds are not checked.
 */
const METADATA = [
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
];

const POD_SPEC = [
  'volumes', 'initContainers', 'containers', 'ephemeralContainers', 'restartPolicy', 'terminationGracePeriodSeconds',
  'activeDeadlineSeconds', 'dnsPolicy', 'nodeSelector', 'serviceAccountName', 'serviceAccount', 'automountServiceAccountToken',
  'nodeName', 'hostNetwork', 'hostPID', 'hostIPC', 'shareProcessNamespace', 'securityContext', 'imagePullSecrets', 'hostname',
  'subdomain', 'affinity', 'schedulerName', 'tolerations', 'hostAliases', 'priorityClassName', 'priority', 'dnsConfig',
  'readinessGates', 'runtimeClassName', 'enableServiceLinks', 'preemptionPolicy', 'overhead', 'topologySpreadConstraints',
  'setHostnameAsFQDN', 'os', 'hostUsers', 'schedulingGates', 'resourceClaims',
];

const WORKLOAD_SPEC: Record<string, string[]> = {
  'apps/deployments': ['replicas', 'selector', 'template', 'strategy', 'minReadySeconds', 'revisionHistoryLimit', 'paused', 'progressDeadlineSeconds'],
  'apps/replicasets': ['replicas', 'minReadySeconds', 'selector', 'template'],
  'apps/statefulsets': [
    'replicas', 'selector', 'template', 'volumeClaimTemplates', 'serviceName', 'podManagementPolicy', 'updateStrategy',
    'revisionHistoryLimit', 'minReadySeconds', 'persistentVolumeClaimRetentionPolicy', 'ordinals',
  ],
  'apps/daemonsets': ['selector', 'template', 'updateStrategy', 'minReadySeconds', 'revisionHistoryLimit'],
};

interface KindFields {
  top: string[];
  spec?: string[];
}

const WITH_SPEC = ['spec', 'status'];

export const KNOWN_FIELDS: Record<string, KindFields> = {
  pods: { top: WITH_SPEC, spec: POD_SPEC },
  nodes: { top: WITH_SPEC, spec: ['podCIDR', 'podCIDRs', 'providerID', 'unschedulable', 'taints', 'configSource', 'externalID'] },
  namespaces: { top: WITH_SPEC, spec: ['finalizers'] },
  services: {
    top: WITH_SPEC,
    spec: [
      'ports', 'selector', 'clusterIP', 'clusterIPs', 'type', 'externalIPs', 'sessionAffinity', 'loadBalancerIP',
      'loadBalancerSourceRanges', 'externalName', 'externalTrafficPolicy', 'healthCheckNodePort', 'publishNotReadyAddresses',
      'sessionAffinityConfig', 'ipFamilies', 'ipFamilyPolicy', 'allocateLoadBalancerNodePorts', 'loadBalancerClass', 'internalTrafficPolicy',
    ],
  },
  configmaps: { top: ['data', 'binaryData', 'immutable'] },
  secrets: { top: ['data', 'stringData', 'type', 'immutable'] },
  serviceaccounts: { top: ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'] },
  endpoints: { top: ['subsets'] },
  events: {
    top: [
      'involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime', 'series',
      'action', 'related', 'reportingComponent', 'reportingInstance',
    ],
  },
  'apps/controllerrevisions': { top: ['data', 'revision'] },
  'policy/poddisruptionbudgets': { top: WITH_SPEC, spec: ['minAvailable', 'selector', 'maxUnavailable', 'unhealthyPodEvictionPolicy'] },
  'coordination.k8s.io/leases': {
    top: ['spec'],
    spec: ['holderIdentity', 'leaseDurationSeconds', 'acquireTime', 'renewTime', 'leaseTransitions'],
  },
  ...Object.fromEntries(Object.entries(WORKLOAD_SPEC).map(([k, spec]) => [k, { top: WITH_SPEC, spec }])),
  'autoscaling/horizontalpodautoscalers': { top: WITH_SPEC, spec: ['scaleTargetRef', 'minReplicas', 'maxReplicas', 'metrics', 'behavior'] },
  'networking.k8s.io/ingresses': { top: WITH_SPEC, spec: ['ingressClassName', 'defaultBackend', 'tls', 'rules'] },
  'networking.k8s.io/ingressclasses': { top: ['spec'], spec: ['controller', 'parameters'] },
  persistentvolumeclaims: {
    top: WITH_SPEC,
    spec: ['accessModes', 'selector', 'resources', 'volumeName', 'storageClassName', 'volumeMode', 'dataSource', 'dataSourceRef'],
  },
  persistentvolumes: {
    top: WITH_SPEC,
    spec: [
      'capacity', 'accessModes', 'claimRef', 'persistentVolumeReclaimPolicy', 'storageClassName', 'mountOptions', 'volumeMode',
      'nodeAffinity', 'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder',
      'cephfs', 'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk',
      'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi',
    ],
  },
  'storage.k8s.io/storageclasses': {
    top: ['provisioner', 'parameters', 'reclaimPolicy', 'mountOptions', 'allowVolumeExpansion', 'volumeBindingMode', 'allowedTopologies'],
  },
  'batch/jobs': {
    top: WITH_SPEC,
    spec: [
      'parallelism', 'completions', 'activeDeadlineSeconds', 'podFailurePolicy', 'backoffLimit', 'selector', 'manualSelector',
      'template', 'ttlSecondsAfterFinished', 'completionMode', 'suspend',
    ],
  },
  'batch/cronjobs': {
    top: WITH_SPEC,
    spec: ['schedule', 'timeZone', 'startingDeadlineSeconds', 'concurrencyPolicy', 'suspend', 'jobTemplate', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'],
  },
};

/** Dotted paths of the fields a built-in kind does not have (empty for unchecked kinds). */
export function unknownFields(resource: string, object: Record<string, unknown>): string[] {
  const known = KNOWN_FIELDS[resource];
  if (!known) return [];
  const out: string[] = [];
  for (const k of Object.keys(object)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    if (!known.top.includes(k)) out.push(k);
  }
  const meta = object['metadata'];
  if (meta && typeof meta === 'object') for (const k of Object.keys(meta)) if (!METADATA.includes(k)) out.push(`metadata.${k}`);
  const spec = object['spec'];
  if (known.spec && spec && typeof spec === 'object' && !Array.isArray(spec)) {
    for (const k of Object.keys(spec)) if (!known.spec.includes(k)) out.push(`spec.${k}`);
  }
  return out;
}

/** Removes the given dotted paths (one or two levels deep) from an object. */
export function pruneFields(object: Record<string, unknown>, paths: string[]): void {
  for (const p of paths) {
    const [a, b] = p.split('.', 2) as [string, string | undefined];
    if (b === undefined) delete object[a];
    else {
      const inner = object[a];
      if (inner && typeof inner === 'object') delete (inner as Record<string, unknown>)[b];
    }
  }
}
