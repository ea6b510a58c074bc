/**
 * What a real API server fills in on create (defaulting and the admission plugins of a stock
 * cluster), for the kinds the simulator serves. The recordings show these defaults; clients such as
 * kubectl's printers and the gateway's projections read them.
 */
import type { KubeObject } from '../store/Store.js';

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

export function applyCreateDefaults(resource: string, object: KubeObject, context: { hasKubelet: (node: string) => boolean }): void {
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
    default:
      break;
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
