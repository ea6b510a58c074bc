/**
 * What a real API server fills in on create (defaulting and the admission plugins of a stock
 * cluster), for the kinds the simulator serves. The recordings show these defaults; clients such as
 * kubectl's printers and the gateway's projections read them.
 */
import type { KubeObject } from '../store/Store.js';
import { ApiError } from './ApiError.js';
import { parseCron } from '../resources/cronSchedule.js';

type Obj = Record<string, unknown>;

function containerDefaults(c: Obj): void {
  c['resources'] ??= {};
  for (const p of (c['ports'] as Obj[] | undefined) ?? []) p['protocol'] ??= 'TCP';
  c['terminationMessagePath'] ??= '/dev/termination-log';
  c['terminationMessagePolicy'] ??= 'File';
  const image = String(c['image'] ?? '');
  c['imagePullPolicy'] ??= image.endsWith(':latest') || !image.includes(':') ? 'Always' : 'IfNotPresent';
}

/** PodSpec defaults, shared by Pods and the templates of workloads. */
export function defaultPodSpec(spec: Obj): void {
  for (const c of (spec['containers'] as Obj[] | undefined) ?? []) containerDefaults(c);
  for (const c of (spec['initContainers'] as Obj[] | undefined) ?? []) containerDefaults(c);
  spec['restartPolicy'] ??= 'Always';
  spec['terminationGracePeriodSeconds'] ??= 30;
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['securityContext'] ??= {};
  spec['schedulerName'] ??= 'default-scheduler';
}

function qosClass(spec: Obj): string {
  const containers = (spec['containers'] as Obj[] | undefined) ?? [];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const r = (c['resources'] as { requests?: Obj; limits?: Obj } | undefined) ?? {};
    if (Object.keys(r.requests ?? {}).length || Object.keys(r.limits ?? {}).length) any = true;
    const l = r.limits ?? {};
    if (!l['cpu'] || !l['memory']) guaranteed = false;
    else if (r.requests && ((r.requests['cpu'] && r.requests['cpu'] !== l['cpu']) || (r.requests['memory'] && r.requests['memory'] !== l['memory']))) guaranteed = false;
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

let nextClusterIp = 10;

export interface DefaultsContext {
  hasKubelet: (node: string) => boolean;
  /** The StorageClass annotated as the default one (the DefaultStorageClass admission plugin). */
  defaultStorageClass?: () => string | undefined;
  /** A new object's uid, drawn before the write (Jobs put it in their selector). */
  newUid?: () => string;
}

export function applyCreateDefaults(resource: string, object: KubeObject, context: DefaultsContext): void {
  const o = object as Obj;
  switch (resource) {
    case 'namespaces': {
      object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': object.metadata.name! };
      o['spec'] = { finalizers: ['kubernetes'], ...(o['spec'] as Obj | undefined) };
      o['status'] = { phase: 'Active' };
      break;
    }
    case 'pods': {
      const spec = (o['spec'] ??= {}) as Obj;
      defaultPodSpec(spec);
      const tolerations = ((spec['tolerations'] as Obj[] | undefined) ?? []).slice();
      // DefaultTolerationSeconds admission, as in the recording.
      for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
        if (!tolerations.some((t) => t['key'] === key)) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
      }
      spec['tolerations'] = tolerations;
      spec['priority'] ??= 0;
      spec['enableServiceLinks'] ??= true;
      spec['preemptionPolicy'] ??= 'PreemptLowerPriority';
      const status = (o['status'] ??= {}) as Obj;
      status['phase'] ??= 'Pending';
      status['qosClass'] = qosClass(spec);
      break;
    }
    case 'nodes': {
      const spec = (o['spec'] ??= {}) as Obj;
      // The node lifecycle controller taints a node that has no kubelet reporting Ready (recorded).
      if (!context.hasKubelet(object.metadata.name!)) {
        const taints = ((spec['taints'] as Obj[] | undefined) ?? []).slice();
        if (!taints.some((t) => t['key'] === 'node.kubernetes.io/not-ready')) {
          taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' });
        }
        spec['taints'] = taints;
      }
      o['status'] ??= { daemonEndpoints: { kubeletEndpoint: { Port: 0 } }, nodeInfo: {} };
      break;
    }
    case 'services': {
      const spec = (o['spec'] ??= {}) as Obj;
      spec['type'] ??= 'ClusterIP';
      spec['sessionAffinity'] ??= 'None';
      if (spec['clusterIP'] !== 'None') {
        spec['clusterIP'] ??= `10.96.${Math.floor(nextClusterIp / 250)}.${(nextClusterIp++ % 250) + 1}`;
        spec['clusterIPs'] ??= [spec['clusterIP']];
      }
      spec['ipFamilies'] ??= ['IPv4'];
      spec['ipFamilyPolicy'] ??= 'SingleStack';
      spec['internalTrafficPolicy'] ??= 'Cluster';
      for (const p of (spec['ports'] as Obj[] | undefined) ?? []) {
        p['protocol'] ??= 'TCP';
        p['targetPort'] ??= p['port'];
      }
      o['status'] ??= { loadBalancer: {} };
      break;
    }
    case 'apps/deployments': {
      const spec = (o['spec'] ??= {}) as Obj;
      spec['replicas'] ??= 1;
      spec['strategy'] ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
      spec['revisionHistoryLimit'] ??= 10;
      spec['progressDeadlineSeconds'] ??= 600;
      defaultTemplate(spec);
      o['status'] ??= {};
      break;
    }
    case 'apps/replicasets':
    case 'apps/statefulsets':
    case 'apps/daemonsets': {
      const spec = (o['spec'] ??= {}) as Obj;
      if (resource !== 'apps/daemonsets') spec['replicas'] ??= 1;
      if (resource === 'apps/statefulsets') {
        spec['podManagementPolicy'] ??= 'OrderedReady';
        spec['updateStrategy'] ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
        spec['revisionHistoryLimit'] ??= 10;
      }
      if (resource === 'apps/daemonsets') {
        spec['updateStrategy'] ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
        spec['revisionHistoryLimit'] ??= 10;
      }
      defaultTemplate(spec);
      o['status'] ??= resource === 'apps/daemonsets' ? { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 } : { replicas: 0 };
      break;
    }
    case 'policy/poddisruptionbudgets': {
      o['status'] ??= { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
      break;
    }
    case 'secrets': {
      o['type'] ??= 'Opaque';
      break;
    }
    case 'autoscaling/horizontalpodautoscalers': {
      const spec = (o['spec'] ??= {}) as Obj;
      spec['minReplicas'] ??= 1;
      if (!Array.isArray(spec['metrics']) || (spec['metrics'] as unknown[]).length === 0) {
        spec['metrics'] = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
      }
      const behavior = spec['behavior'] as Obj | undefined;
      if (behavior) {
        // Given behaviours get every missing rule field (GenerateHPAScaleUpRules / ScaleDownRules).
        const up = (behavior['scaleUp'] ??= {}) as Obj;
        up['stabilizationWindowSeconds'] ??= 0;
        up['selectPolicy'] ??= 'Max';
        up['policies'] ??= [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }];
        const down = (behavior['scaleDown'] ??= {}) as Obj;
        down['stabilizationWindowSeconds'] ??= 300;
        down['selectPolicy'] ??= 'Max';
        down['policies'] ??= [{ type: 'Percent', value: 100, periodSeconds: 15 }];
      }
      o['status'] = { desiredReplicas: 0 };
      break;
    }
    case 'networking.k8s.io/ingresses': {
      for (const rule of ((o['spec'] as Obj | undefined)?.['rules'] as Obj[] | undefined) ?? []) {
        for (const path of ((rule['http'] as Obj | undefined)?.['paths'] as Obj[] | undefined) ?? []) path['pathType'] ??= 'ImplementationSpecific';
      }
      o['status'] = { loadBalancer: {} };
      break;
    }
    case 'persistentvolumeclaims': {
      const spec = (o['spec'] ??= {}) as Obj;
      spec['volumeMode'] ??= 'Filesystem';
      if (spec['storageClassName'] === undefined && !object.metadata.annotations?.['volume.beta.kubernetes.io/storage-class']) {
        const sc = context.defaultStorageClass?.();
        if (sc) spec['storageClassName'] = sc;
      }
      o['status'] = { phase: 'Pending' };
      break;
    }
    case 'persistentvolumes': {
      const spec = (o['spec'] ??= {}) as Obj;
      spec['persistentVolumeReclaimPolicy'] ??= 'Retain';
      spec['volumeMode'] ??= 'Filesystem';
      o['status'] = { phase: 'Pending' };
      break;
    }
    case 'storage.k8s.io/storageclasses': {
      o['reclaimPolicy'] ??= 'Delete';
      o['volumeBindingMode'] ??= 'Immediate';
      break;
    }
    case 'batch/jobs': {
      defaultJob(object, context);
      o['status'] = {};
      break;
    }
    case 'batch/cronjobs': {
      const spec = (o['spec'] ??= {}) as Obj;
      validateSchedule(object, spec);
      spec['concurrencyPolicy'] ??= 'Allow';
      spec['suspend'] ??= false;
      spec['successfulJobsHistoryLimit'] ??= 3;
      spec['failedJobsHistoryLimit'] ??= 1;
      const jobSpec = (((spec['jobTemplate'] ??= {}) as Obj)['spec'] ??= {}) as Obj;
      defaultTemplate(jobSpec);
      validateJobRestartPolicy(object, jobSpec, 'spec.jobTemplate.spec.template.spec.restartPolicy', 'CronJob');
      o['status'] = {};
      break;
    }
    default:
      break;
  }
}

/**
 * SetDefaults_Job plus the Job strategy's PrepareForCreate (1.26): completions and parallelism 1 when
 * both are unset, backoffLimit 6, completionMode NonIndexed, suspend false, and unless
 * manualSelector, a `controller-uid` selector with the `controller-uid` / `job-name` template labels.
 */
function defaultJob(object: KubeObject, context: DefaultsContext): void {
  const o = object as Obj;
  const spec = (o['spec'] ??= {}) as Obj;
  if (spec['completions'] === undefined && spec['parallelism'] === undefined) {
    spec['completions'] = 1;
    spec['parallelism'] = 1;
  }
  spec['parallelism'] ??= 1;
  spec['backoffLimit'] ??= 6;
  spec['completionMode'] ??= 'NonIndexed';
  spec['suspend'] ??= false;
  const template = (spec['template'] ??= {}) as Obj;
  const tmeta = (template['metadata'] ??= {}) as Obj;
  const templateLabels = tmeta['labels'] as Record<string, string> | undefined;
  if (templateLabels && Object.keys(object.metadata.labels ?? {}).length === 0) object.metadata.labels = { ...templateLabels };
  if (spec['manualSelector'] !== true) {
    const uid = (object.metadata.uid ??= context.newUid?.() ?? crypto.randomUUID());
    spec['selector'] = { matchLabels: { 'controller-uid': uid } };
    tmeta['labels'] = { ...(templateLabels ?? {}), 'controller-uid': uid, 'job-name': object.metadata.name! };
  }
  object.metadata.annotations = { ...(object.metadata.annotations ?? {}), 'batch.kubernetes.io/job-tracking': '' };
  defaultTemplate(spec);
  validateJobRestartPolicy(object, spec, 'spec.template.spec.restartPolicy', 'Job');
}

/** A Job's pods must not restart forever: OnFailure or Never (422 otherwise, as validation says). */
function validateJobRestartPolicy(object: KubeObject, jobSpec: Obj, field: string, kind: string): void {
  const policy = ((jobSpec['template'] as Obj | undefined)?.['spec'] as Obj | undefined)?.['restartPolicy'];
  if (policy === 'OnFailure' || policy === 'Never') return;
  throw ApiError.invalid(kind, 'batch', object.metadata.name ?? '', [
    { reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(policy)}: supported values: "OnFailure", "Never"`, field },
  ]);
}

function validateSchedule(object: KubeObject, spec: Obj): void {
  const schedule = spec['schedule'];
  if (typeof schedule !== 'string' || schedule === '') {
    throw ApiError.invalid('CronJob', 'batch', object.metadata.name ?? '', [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.schedule' }]);
  }
  try {
    parseCron(schedule);
  } catch (err) {
    throw ApiError.invalid('CronJob', 'batch', object.metadata.name ?? '', [
      { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(schedule)}: ${(err as Error).message}`, field: 'spec.schedule' },
    ]);
  }
}

function defaultTemplate(spec: Obj): void {
  const template = spec['template'] as Obj | undefined;
  if (!template) return;
  const tmeta = (template['metadata'] ??= {}) as Obj;
  tmeta['creationTimestamp'] ??= null;
  const pspec = (template['spec'] ??= {}) as Obj;
  defaultPodSpec(pspec);
}
