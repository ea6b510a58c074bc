/**
 * The kinds every simulated API server serves (names, verbs, short names and categories as the
 * recorded 1.26 discovery lists them), plus the Karmada Cluster kind on the control plane.
 */
import type { ResourceType } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import {
  clusterColumns,
  configMapColumns,
  cronJobColumns,
  hpaColumns,
  ingressClassColumns,
  ingressColumns,
  jobColumns,
  pvColumns,
  pvcColumns,
  storageClassColumns,
  daemonSetColumns,
  deploymentColumns,
  endpointsColumns,
  eventColumns,
  leaseColumns,
  namespaceColumns,
  nodeColumns,
  pdbColumns,
  podColumns,
  replicaSetColumns,
  secretColumns,
  serviceAccountColumns,
  serviceColumns,
  statefulSetColumns,
} from './printColumns.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function field(path: string): (o: KubeObject) => string | undefined {
  const parts = path.split('.');
  return (o) => {
    let cur: unknown = o;
    for (const p of parts) cur = cur && typeof cur === 'object' ? (cur as Obj)[p] : undefined;
    return cur === undefined || cur === null ? undefined : String(cur);
  };
}

function fields(...paths: string[]): Record<string, (o: KubeObject) => string | undefined> {
  return Object.fromEntries(paths.map((p) => [p, field(p)]));
}

function core(
  resource: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<ResourceType> = {},
): ResourceType {
  return {
    key: resource,
    group: '',
    version: 'v1',
    resource,
    kind,
    listKind: `${kind}List`,
    namespaced,
    singularName: kind.toLowerCase(),
    verbs: ALL_VERBS,
    hasGeneration: false,
    ...extra,
  };
}

/** A kind of a named API group (`<group>/<resource>` is its key). */
export function grouped(
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<ResourceType> = {},
): ResourceType {
  return {
    key: `${group}/${resource}`,
    group,
    version,
    resource,
    kind,
    listKind: `${kind}List`,
    namespaced,
    singularName: kind.toLowerCase(),
    verbs: ALL_VERBS,
    hasGeneration: false,
    ...extra,
  };
}

/** The kinds of every cluster (control plane and members alike). */
export function builtinResources(): ResourceType[] {
  return [
    core('configmaps', 'ConfigMap', true, { shortNames: ['cm'], columns: configMapColumns }),
    core('endpoints', 'Endpoints', true, { shortNames: ['ep'], listKind: 'EndpointsList', singularName: 'endpoints', columns: endpointsColumns }),
    core('events', 'Event', true, {
      shortNames: ['ev'],
      columns: eventColumns,
      selectableFields: fields(
        'involvedObject.kind',
        'involvedObject.namespace',
        'involvedObject.name',
        'involvedObject.uid',
        'involvedObject.apiVersion',
        'involvedObject.resourceVersion',
        'involvedObject.fieldPath',
        'reason',
        'reportingComponent',
        'source',
        'type',
      ),
    }),
    core('namespaces', 'Namespace', false, {
      shortNames: ['ns'],
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      subresources: ['status', 'finalize'],
      columns: namespaceColumns,
      selectableFields: fields('status.phase'),
    }),
    core('nodes', 'Node', false, {
      shortNames: ['no'],
      subresources: ['status'],
      columns: nodeColumns,
      selectableFields: fields('spec.unschedulable'),
    }),
    core('pods', 'Pod', true, {
      shortNames: ['po'],
      categories: ['all'],
      subresources: ['status', 'log', 'eviction'],
      columns: podColumns,
      selectableFields: fields(
        'spec.nodeName',
        'spec.restartPolicy',
        'spec.schedulerName',
        'spec.serviceAccountName',
        'status.phase',
        'status.podIP',
        'status.nominatedNodeName',
      ),
    }),
    // Bound by src/sim/controllers/VolumeBinder.ts on members (deploy/overlays/single claims one for the audit log).
    core('persistentvolumeclaims', 'PersistentVolumeClaim', true, {
      shortNames: ['pvc'],
      subresources: ['status'],
      columns: pvcColumns,
    }),
    core('persistentvolumes', 'PersistentVolume', false, { shortNames: ['pv'], subresources: ['status'], columns: pvColumns }),
    core('secrets', 'Secret', true, { columns: secretColumns, selectableFields: fields('type') }),
    core('serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'], subresources: ['token'], columns: serviceAccountColumns }),
    core('services', 'Service', true, { shortNames: ['svc'], categories: ['all'], subresources: ['status'], columns: serviceColumns }),
    grouped('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
    grouped('apps', 'v1', 'daemonsets', 'DaemonSet', true, {
      shortNames: ['ds'],
      categories: ['all'],
      subresources: ['status'],
      hasGeneration: true,
      columns: daemonSetColumns,
    }),
    grouped('apps', 'v1', 'deployments', 'Deployment', true, {
      shortNames: ['deploy'],
      categories: ['all'],
      subresources: ['status', 'scale'],
      hasGeneration: true,
      columns: deploymentColumns,
    }),
    grouped('apps', 'v1', 'replicasets', 'ReplicaSet', true, {
      shortNames: ['rs'],
      categories: ['all'],
      subresources: ['status', 'scale'],
      hasGeneration: true,
      columns: replicaSetColumns,
      selectableFields: fields('status.replicas'),
    }),
    grouped('apps', 'v1', 'statefulsets', 'StatefulSet', true, {
      shortNames: ['sts'],
      categories: ['all'],
      subresources: ['status', 'scale'],
      hasGeneration: true,
      columns: statefulSetColumns,
    }),
    grouped('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, {
      shortNames: ['pdb'],
      subresources: ['status'],
      hasGeneration: true,
      columns: pdbColumns,
    }),
    grouped('coordination.k8s.io', 'v1', 'leases', 'Lease', true, { columns: leaseColumns }),
    // Status from src/sim/controllers/HpaController.ts on members (it reports, it does not scale).
    grouped('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, {
      shortNames: ['hpa'],
      categories: ['all'],
      subresources: ['status'],
      hasGeneration: true,
      columns: hpaColumns,
    }),
    // Run by src/sim/controllers/JobController.ts and CronJobController.ts on members.
    grouped('batch', 'v1', 'jobs', 'Job', true, {
      categories: ['all'],
      subresources: ['status'],
      hasGeneration: true,
      columns: jobColumns,
      // The Job's field set: status.successful is status.succeeded.
      selectableFields: { 'status.successful': (o) => String((o as Obj)['status']?.['succeeded'] ?? 0) },
    }),
    grouped('batch', 'v1', 'cronjobs', 'CronJob', true, {
      shortNames: ['cj'],
      categories: ['all'],
      subresources: ['status'],
      hasGeneration: true,
      columns: cronJobColumns,
    }),
    // Stored only (no ingress controller is simulated).
    grouped('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, { shortNames: ['ing'], subresources: ['status'], hasGeneration: true, columns: ingressColumns }),
    grouped('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false, { hasGeneration: true, columns: ingressClassColumns }),
    grouped('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, { shortNames: ['sc'], columns: storageClassColumns }),
    // Stored only (no pod network is simulated): deploy/ ships the gateway's.
    grouped('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, { shortNames: ['netpol'], hasGeneration: true }),
    // A CRD written here makes its cluster serve the kind (src/sim/cluster/CustomResourceServing.ts); the
    // kinds with controllers (Karmada's, the middleware platform's) are registered in code instead.
    grouped('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, {
      shortNames: ['crd', 'crds'], categories: ['api-extensions'], subresources: ['status'], hasGeneration: true,
    }),
    // Answered by src/sim/api/tokenReview.ts, never stored.
    grouped('authentication.k8s.io', 'v1', 'tokenreviews', 'TokenReview', false, { verbs: ['create'] }),
    // Served from the MetricsBook by the API layer, never stored (as metrics-server does).
    grouped('metrics.k8s.io', 'v1beta1', 'nodes', 'NodeMetrics', false, { verbs: ['get', 'list'], singularName: '' }),
    grouped('metrics.k8s.io', 'v1beta1', 'pods', 'PodMetrics', true, { verbs: ['get', 'list'], singularName: '' }),
  ];
}

/** Kinds only the Karmada control plane serves at start (the others register theirs). */
export function controlPlaneResources(): ResourceType[] {
  return [
    grouped('cluster.karmada.io', 'v1alpha1', 'clusters', 'Cluster', false, {
      subresources: ['status', 'proxy'],
      hasGeneration: true,
      columns: clusterColumns,
    }),
  ];
}

/** Resource keys served from the MetricsBook instead of the store. */
export const METRICS_KEYS = new Set(['metrics.k8s.io/nodes', 'metrics.k8s.io/pods']);
