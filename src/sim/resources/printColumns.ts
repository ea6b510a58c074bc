/**
 * Table columns of the built-in kinds, computed as kube-apiserver's printers do
 * (pkg/printers/internalversion): the cells kubectl shows for `get`, `get -o wide` and `get -w`.
 */
import type { TableColumn } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { ageOf, humanDuration } from './humanDuration.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: http://kubernetes.io/docs/user-guide/identifiers#names';
const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const nameColumn: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: NAME_DESCRIPTION,
  priority: 0,
  cell: (o) => o.metadata.name,
};

export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'string',
  format: '',
  description: AGE_DESCRIPTION,
  priority: 0,
  cell: (o, now) => ageOf(o.metadata.creationTimestamp, now),
};

/** The table every kind without its own printer gets (the server's default: Name, Created At). */
export const defaultColumns: TableColumn[] = [
  nameColumn,
  {
    name: 'Created At',
    type: 'date',
    format: '',
    description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
    priority: 0,
    cell: (o) => o.metadata.creationTimestamp,
  },
];

function col(name: string, description: string, cell: TableColumn['cell'], priority = 0, type = 'string'): TableColumn {
  return { name, type, format: '', description, priority, cell };
}

/** printPod's Status column: phase, or a container's waiting/terminated reason, or Terminating. */
function podStatus(pod: Obj): { ready: string; status: string; restarts: string } {
  const status: Obj = pod['status'] ?? {};
  const spec: Obj = pod['spec'] ?? {};
  let reason: string = status['reason'] ?? status['phase'] ?? '';
  const total = (spec['containers'] ?? []).length;
  let readyCount = 0;
  let restarts = 0;
  let lastRestart: string | undefined;
  let initializing = false;
  const initStatuses: Obj[] = status['initContainerStatuses'] ?? [];
  initStatuses.forEach((c, i) => {
    restarts += c['restartCount'] ?? 0;
    const t = c['state']?.['terminated'];
    const w = c['state']?.['waiting'];
    if (t && t['exitCode'] === 0) return;
    if (t) reason = t['reason'] ? `Init:${t['reason']}` : t['signal'] ? `Init:Signal:${t['signal']}` : `Init:ExitCode:${t['exitCode']}`;
    else if (w && w['reason'] && w['reason'] !== 'PodInitializing') reason = `Init:${w['reason']}`;
    else reason = `Init:${i}/${(spec['initContainers'] ?? []).length}`;
    initializing = true;
  });
  if (!initializing) {
    let hasRunning = false;
    const statuses: Obj[] = status['containerStatuses'] ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      restarts += c['restartCount'] ?? 0;
      const lt = c['lastState']?.['terminated']?.['finishedAt'];
      if (lt && (!lastRestart || lt > lastRestart)) lastRestart = lt;
      const w = c['state']?.['waiting'];
      const t = c['state']?.['terminated'];
      if (w && w['reason']) reason = w['reason'];
      else if (t && t['reason']) reason = t['reason'];
      else if (t) reason = t['signal'] ? `Signal:${t['signal']}` : `ExitCode:${t['exitCode']}`;
      else if (c['ready'] && c['state']?.['running']) {
        hasRunning = true;
        readyCount++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const readyCond = (status['conditions'] ?? []).find((c: Obj) => c['type'] === 'Ready');
      reason = readyCond?.['status'] === 'True' ? 'Running' : 'NotReady';
    }
  }
  if (pod['metadata']?.['deletionTimestamp'] && status['reason'] === 'NodeLost') reason = 'Unknown';
  else if (pod['metadata']?.['deletionTimestamp']) reason = 'Terminating';
  let restartText = String(restarts);
  if (lastRestart && restarts > 0) restartText = `${restarts} (${ageOf(lastRestart, Date.now())} ago)`;
  return { ready: `${readyCount}/${total}`, status: reason, restarts: restartText };
}

export const podColumns: TableColumn[] = [
  nameColumn,
  col('Ready', 'The aggregate readiness state of this pod for accepting traffic.', (o) => podStatus(o as Obj).ready),
  col('Status', 'The aggregate status of the containers in this pod.', (o) => podStatus(o as Obj).status),
  col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.', (o) => podStatus(o as Obj).restarts),
  ageColumn,
  col('IP', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', (o) => (o as Obj)['status']?.['podIP'] || '<none>', 1),
  col('Node', 'NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.', (o) => (o as Obj)['spec']?.['nodeName'] || '<none>', 1),
  col(
    'Nominated Node',
    'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
    (o) => (o as Obj)['status']?.['nominatedNodeName'] || '<none>',
    1,
  ),
  col(
    'Readiness Gates',
    'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
    (o) => {
      const gates: Obj[] = (o as Obj)['spec']?.['readinessGates'] ?? [];
      if (!gates.length) return '<none>';
      const conds: Obj[] = (o as Obj)['status']?.['conditions'] ?? [];
      const ok = gates.filter((g) => conds.some((c) => c['type'] === g['conditionType'] && c['status'] === 'True')).length;
      return `${ok}/${gates.length}`;
    },
    1,
  ),
];

function nodeStatus(node: Obj): string {
  const conds: Obj[] = node['status']?.['conditions'] ?? [];
  const ready = conds.find((c) => c['type'] === 'Ready');
  const parts: string[] = [];
  if (!ready) parts.push('Unknown');
  else parts.push(ready['status'] === 'True' ? 'Ready' : ready['status'] === 'False' ? 'NotReady' : 'Unknown');
  if (node['spec']?.['unschedulable']) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(node: Obj): string {
  const roles: string[] = [];
  for (const [k, v] of Object.entries((node['metadata']?.['labels'] ?? {}) as Record<string, string>)) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.push(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.push(v);
  }
  return roles.length ? roles.sort().join(',') : '<none>';
}

function nodeAddress(node: Obj, type: string): string {
  const a = ((node['status']?.['addresses'] ?? []) as Obj[]).find((x) => x['type'] === type);
  return a?.['address'] ?? '<none>';
}

function nodeInfo(node: Obj, field: string): string {
  return node['status']?.['nodeInfo']?.[field] || '<unknown>';
}

const NODE_ADDRESSES_DESCRIPTION =
  'List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/concepts/nodes/node/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example.';

export const nodeColumns: TableColumn[] = [
  nameColumn,
  col('Status', 'The status of the node', (o) => nodeStatus(o as Obj)),
  col('Roles', 'The roles of the node', (o) => nodeRoles(o as Obj)),
  ageColumn,
  col('Version', 'Kubelet Version reported by the node.', (o) => (o as Obj)['status']?.['nodeInfo']?.['kubeletVersion'] ?? ''),
  col('Internal-IP', NODE_ADDRESSES_DESCRIPTION, (o) => nodeAddress(o as Obj, 'InternalIP'), 1),
  col('External-IP', NODE_ADDRESSES_DESCRIPTION, (o) => nodeAddress(o as Obj, 'ExternalIP'), 1),
  col('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', (o) => nodeInfo(o as Obj, 'osImage'), 1),
  col('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", (o) => nodeInfo(o as Obj, 'kernelVersion'), 1),
  col('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', (o) => nodeInfo(o as Obj, 'containerRuntimeVersion'), 1),
];

function containersOf(o: Obj): Obj[] {
  return o['spec']?.['template']?.['spec']?.['containers'] ?? [];
}

function selectorText(o: Obj): string {
  const sel: Obj = o['spec']?.['selector'] ?? {};
  const parts = Object.entries((sel['matchLabels'] ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`);
  for (const e of (sel['matchExpressions'] ?? []) as Obj[]) {
    const op = ({ In: 'in', NotIn: 'notin' } as Record<string, string>)[e['operator']];
    if (op) parts.push(`${e['key']} ${op} (${(e['values'] ?? []).join(',')})`);
    else parts.push(e['operator'] === 'Exists' ? e['key'] : `!${e['key']}`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

const workloadWide = [
  col('Containers', 'Names of each container in the template.', (o) => containersOf(o as Obj).map((c) => c['name']).join(','), 1),
  col('Images', 'Images referenced by each container in the template.', (o) => containersOf(o as Obj).map((c) => c['image']).join(','), 1),
  col('Selector', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', (o) => selectorText(o as Obj), 1),
];

export const deploymentColumns: TableColumn[] = [
  nameColumn,
  col('Ready', 'Number of the pod with ready state', (o) => `${(o as Obj)['status']?.['readyReplicas'] ?? 0}/${(o as Obj)['spec']?.['replicas'] ?? 0}`),
  col('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', (o) => (o as Obj)['status']?.['updatedReplicas'] ?? 0),
  col('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', (o) => (o as Obj)['status']?.['availableReplicas'] ?? 0),
  ageColumn,
  ...workloadWide,
];

export const replicaSetColumns: TableColumn[] = [
  nameColumn,
  col('Desired', 'Replicas is the number of desired replicas.', (o) => (o as Obj)['spec']?.['replicas'] ?? 0, 0, 'integer'),
  col('Current', 'Replicas is the most recently observed number of replicas.', (o) => (o as Obj)['status']?.['replicas'] ?? 0, 0, 'integer'),
  col('Ready', 'The number of ready replicas for this replica set.', (o) => (o as Obj)['status']?.['readyReplicas'] ?? 0, 0, 'integer'),
  ageColumn,
  ...workloadWide,
];

export const statefulSetColumns: TableColumn[] = [
  nameColumn,
  col('Ready', 'Number of the pod with ready state', (o) => `${(o as Obj)['status']?.['readyReplicas'] ?? 0}/${(o as Obj)['spec']?.['replicas'] ?? 0}`),
  ageColumn,
  workloadWide[0]!,
  workloadWide[1]!,
];

export const daemonSetColumns: TableColumn[] = [
  nameColumn,
  col('Desired', 'The total number of nodes that should be running the daemon pod.', (o) => (o as Obj)['status']?.['desiredNumberScheduled'] ?? 0, 0, 'integer'),
  col('Current', 'The number of nodes that are running at least 1 daemon pod.', (o) => (o as Obj)['status']?.['currentNumberScheduled'] ?? 0, 0, 'integer'),
  col('Ready', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.', (o) => (o as Obj)['status']?.['numberReady'] ?? 0, 0, 'integer'),
  col('Up-to-date', 'The total number of nodes that are running updated daemon pod', (o) => (o as Obj)['status']?.['updatedNumberScheduled'] ?? 0, 0, 'integer'),
  col('Available', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.', (o) => (o as Obj)['status']?.['numberAvailable'] ?? 0, 0, 'integer'),
  col('Node Selector', 'NodeSelector is a selector which must be true for the pod to fit on a node.', (o) => {
    const ns = Object.entries(((o as Obj)['spec']?.['template']?.['spec']?.['nodeSelector'] ?? {}) as Record<string, string>);
    return ns.length ? ns.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
  }),
  ageColumn,
  ...workloadWide,
];

export const namespaceColumns: TableColumn[] = [
  nameColumn,
  col('Status', 'The status of the namespace', (o) => (o as Obj)['status']?.['phase'] ?? ''),
  ageColumn,
];

export const serviceColumns: TableColumn[] = [
  nameColumn,
  col('Type', 'type determines how the Service is exposed.', (o) => (o as Obj)['spec']?.['type'] ?? ''),
  col('Cluster-IP', 'clusterIP is the IP address of the service.', (o) => (o as Obj)['spec']?.['clusterIP'] || '<none>'),
  col('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.', (o) => ((o as Obj)['spec']?.['externalIPs'] ?? []).join(',') || '<none>'),
  col('Port(s)', 'Port numbers for the service.', (o) => (((o as Obj)['spec']?.['ports'] ?? []) as Obj[]).map((p) => `${p['port']}${p['nodePort'] ? `:${p['nodePort']}` : ''}/${p['protocol'] ?? 'TCP'}`).join(',') || '<none>'),
  ageColumn,
  col('Selector', 'Route service traffic to pods with label keys and values matching this selector.', (o) => Object.entries(((o as Obj)['spec']?.['selector'] ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',') || '<none>', 1),
];

export const configMapColumns: TableColumn[] = [
  nameColumn,
  col('Data', 'Number of user provided data entries.', (o) => Object.keys((o as Obj)['data'] ?? {}).length + Object.keys((o as Obj)['binaryData'] ?? {}).length, 0, 'integer'),
  ageColumn,
];

export const secretColumns: TableColumn[] = [
  nameColumn,
  col('Type', 'The type of the secret', (o) => (o as Obj)['type'] ?? ''),
  col('Data', 'The number of data entries in the secret', (o) => Object.keys((o as Obj)['data'] ?? {}).length, 0, 'integer'),
  ageColumn,
];

export const serviceAccountColumns: TableColumn[] = [
  nameColumn,
  col('Secrets', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.', (o) => ((o as Obj)['secrets'] ?? []).length, 0, 'integer'),
  ageColumn,
];

export const pdbColumns: TableColumn[] = [
  nameColumn,
  col('Min Available', 'The minimum number of pods that must be available simultaneously.  This can be either an integer or percentage.', (o) => (o as Obj)['spec']?.['minAvailable'] ?? 'N/A'),
  col('Max Unavailable', 'The maximum number of pods that may be unavailable simultaneously.  This can be either an integer or percentage.', (o) => (o as Obj)['spec']?.['maxUnavailable'] ?? 'N/A'),
  col('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.', (o) => (o as Obj)['status']?.['disruptionsAllowed'] ?? 0, 0, 'integer'),
  ageColumn,
];

export const eventColumns: TableColumn[] = [
  col('Last Seen', 'Time when this Event was last seen', (o, now) => {
    const t = (o as Obj)['lastTimestamp'] ?? (o as Obj)['eventTime'] ?? o.metadata.creationTimestamp;
    return ageOf(t, now);
  }),
  col('Type', 'Type of this event (Normal, Warning), new types could be added in the future.', (o) => (o as Obj)['type'] ?? ''),
  col('Reason', 'Reason of this event', (o) => (o as Obj)['reason'] ?? ''),
  col('Object', 'Object this event is about', (o) => `${String((o as Obj)['involvedObject']?.['kind'] ?? '').toLowerCase()}/${(o as Obj)['involvedObject']?.['name'] ?? ''}`),
  col('Message', 'A human-readable description of the status of this operation.', (o) => (o as Obj)['message'] ?? ''),
];

export const leaseColumns: TableColumn[] = [
  nameColumn,
  col('Holder', 'The holder of the lease', (o) => (o as Obj)['spec']?.['holderIdentity'] ?? '<none>'),
  ageColumn,
];

/** A CRD-style column: the description names the JSONPath, as the server writes it. */
export function crdColumn(name: string, jsonPath: string, type: string, cell: TableColumn['cell']): TableColumn {
  return { name, type, format: '', description: `Custom resource definition column (in JSONPath format): ${jsonPath}`, priority: 0, cell };
}

/** Karmada's Cluster (its additionalPrinterColumns: Version, Mode, Ready, Age). */
export const clusterColumns: TableColumn[] = [
  nameColumn,
  crdColumn('Version', '.status.kubernetesVersion', 'string', (o) => (o as Obj)['status']?.['kubernetesVersion'] ?? null),
  crdColumn('Mode', '.spec.syncMode', 'string', (o) => (o as Obj)['spec']?.['syncMode'] ?? null),
  crdColumn('Ready', '.status.conditions[?(@.type=="Ready")].status', 'string', (o) => ((o as Obj)['status']?.['conditions'] ?? []).find((c: Obj) => c['type'] === 'Ready')?.['status'] ?? null),
  crdColumn('Age', '.metadata.creationTimestamp', 'date', (o, now) => ageOf(o.metadata.creationTimestamp, now)),
];

/** printEndpoints: up to three address:port pairs, then "+ N more...". */
function endpointsText(o: Obj): string {
  const pairs: string[] = [];
  for (const subset of (o['subsets'] ?? []) as Obj[]) {
    const ports = ((subset['ports'] ?? []) as Obj[]).map((p) => p['port']);
    for (const a of (subset['addresses'] ?? []) as Obj[]) {
      if (ports.length === 0) pairs.push(a['ip']);
      else for (const port of ports) pairs.push(`${a['ip']}:${port}`);
    }
  }
  if (pairs.length === 0) return '<none>';
  return pairs.length > 3 ? `${pairs.slice(0, 3).join(',')} + ${pairs.length - 3} more...` : pairs.join(',');
}

export const endpointsColumns: TableColumn[] = [
  nameColumn,
  col('Endpoints', 'Endpoints of the service', (o) => endpointsText(o as Obj)),
  ageColumn,
];

function bindingSubjects(o: Obj, kind: string): string {
  const subjects: Obj[] = o['subjects'] ?? [];
  return subjects
    .filter((s) => s['kind'] === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${s['namespace'] ?? ''}/${s['name']}` : s['name']))
    .join(', ');
}

function bindingColumns(roleRefDescription: string): TableColumn[] {
  return [
    nameColumn,
    col('Role', roleRefDescription, (o: Obj) => `${o['roleRef']?.['kind'] ?? ''}/${o['roleRef']?.['name'] ?? ''}`),
    ageColumn,
    col('Users', 'Users in the roleBinding', (o: Obj) => bindingSubjects(o, 'User'), 1),
    col('Groups', 'Groups in the roleBinding', (o: Obj) => bindingSubjects(o, 'Group'), 1),
    col('ServiceAccounts', 'ServiceAccounts in the roleBinding', (o: Obj) => bindingSubjects(o, 'ServiceAccount'), 1),
  ];
}

/** printRoleBinding: Name, Role (`Kind/name`), Age; wide: Users, Groups, ServiceAccounts. */
export const roleBindingColumns: TableColumn[] = bindingColumns(
  'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.',
);

export const clusterRoleBindingColumns: TableColumn[] = bindingColumns(
  'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.',
);

// ------------------------------------------------------------------ autoscaling, networking, storage, batch

/** printHorizontalPodAutoscaler's Targets: `<current>/<target>` per metric, at most three then "+ N more...". */
function hpaTargets(o: Obj): string {
  const specs: Obj[] = o['spec']?.['metrics'] ?? [];
  if (specs.length === 0) return '<none>';
  const current: Obj[] = o['status']?.['currentMetrics'] ?? [];
  const list: string[] = [];
  specs.forEach((m, i) => {
    const type = m['type'];
    const key = type === 'Resource' ? 'resource' : type === 'ContainerResource' ? 'containerResource' : type === 'Pods' ? 'pods' : type === 'Object' ? 'object' : 'external';
    const target: Obj = m[key]?.['target'] ?? {};
    const cur: Obj = current[i]?.[key]?.['current'] ?? {};
    if (target['averageUtilization'] !== undefined) {
      const now = cur['averageUtilization'] !== undefined ? `${cur['averageUtilization']}%` : '<unknown>';
      list.push(`${now}/${target['averageUtilization']}%`);
    } else if (target['averageValue'] !== undefined) {
      list.push(`${cur['averageValue'] ?? '<unknown>'}/${target['averageValue']} (avg)`);
    } else if (target['value'] !== undefined) {
      list.push(`${cur['value'] ?? '<unknown>'}/${target['value']}`);
    } else list.push('<unknown>/<unknown>');
  });
  return list.length > 3 ? `${list.slice(0, 3).join(', ')} + ${list.length - 3} more...` : list.join(', ');
}

export const hpaColumns: TableColumn[] = [
  nameColumn,
  col('Reference', 'reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.', (o) => `${(o as Obj)['spec']?.['scaleTargetRef']?.['kind'] ?? ''}/${(o as Obj)['spec']?.['scaleTargetRef']?.['name'] ?? ''}`),
  col('Targets', 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond.', (o) => hpaTargets(o as Obj)),
  col('MinPods', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.', (o) => (o as Obj)['spec']?.['minReplicas'] !== undefined ? String((o as Obj)['spec']['minReplicas']) : '<unset>'),
  col('MaxPods', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.', (o) => String((o as Obj)['spec']?.['maxReplicas'] ?? 0)),
  col('Replicas', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.', (o) => String((o as Obj)['status']?.['currentReplicas'] ?? 0)),
  ageColumn,
];

function ingressClassName(o: Obj): string {
  return o['spec']?.['ingressClassName'] ?? o['metadata']?.['annotations']?.['kubernetes.io/ingress.class'] ?? '<none>';
}

/** formatHosts: up to four hosts, then "+ N more...", `*` when no rule names one. */
function ingressHosts(o: Obj): string {
  const hosts = ((o['spec']?.['rules'] ?? []) as Obj[]).map((r) => r['host']).filter((h): h is string => !!h);
  if (hosts.length === 0) return '*';
  return hosts.length > 4 ? `${hosts.slice(0, 4).join(',')} + ${hosts.length - 4} more...` : hosts.join(',');
}

/** The load balancer's IPs and hostnames; longer than 16 characters is cut with "..." unless wide. */
function loadBalancerText(o: Obj): string {
  const entries = ((o['status']?.['loadBalancer']?.['ingress'] ?? []) as Obj[]).map((i) => i['ip'] || i['hostname']).filter(Boolean);
  const text = entries.join(',');
  return text.length > 16 ? `${text.slice(0, 13)}...` : text;
}

export const ingressColumns: TableColumn[] = [
  nameColumn,
  col('Class', 'The name of the IngressClass resource that should be used for this Ingress', (o) => ingressClassName(o as Obj)),
  col('Hosts', 'Hosts that incoming requests are matched against before the ingress rule', (o) => ingressHosts(o as Obj)),
  col('Address', 'Address is a list containing ingress points for the load-balancer', (o) => loadBalancerText(o as Obj)),
  col('Ports', 'Ports of TLS configurations that open', (o) => (((o as Obj)['spec']?.['tls'] ?? []).length > 0 ? '80, 443' : '80')),
  ageColumn,
];

export const ingressClassColumns: TableColumn[] = [
  nameColumn,
  col('Controller', 'Controller that is responsible for handling this class', (o) => (o as Obj)['spec']?.['controller'] ?? ''),
  col('Parameters', 'A reference to a resource with additional parameters', (o) => {
    const p: Obj | undefined = (o as Obj)['spec']?.['parameters'];
    if (!p) return '<none>';
    return `${p['kind']}${p['apiGroup'] ? `.${p['apiGroup']}` : ''}/${p['name']}`;
  }),
  ageColumn,
];

/** GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order. */
function accessModesText(modes: unknown): string {
  const list = Array.isArray(modes) ? (modes as string[]) : [];
  const out: string[] = [];
  for (const [mode, short] of [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']] as const) {
    if (list.includes(mode)) out.push(short);
  }
  return out.join(',');
}

function phaseOrTerminating(o: Obj): string {
  return o['metadata']?.['deletionTimestamp'] ? 'Terminating' : (o['status']?.['phase'] ?? '');
}

function storageClassOf(o: Obj): string {
  return o['spec']?.['storageClassName'] ?? o['metadata']?.['annotations']?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

export const pvcColumns: TableColumn[] = [
  nameColumn,
  col('Status', 'phase represents the current phase of PersistentVolumeClaim.', (o) => phaseOrTerminating(o as Obj)),
  col('Volume', 'volumeName is the binding reference to the PersistentVolume backing this claim.', (o) => (o as Obj)['spec']?.['volumeName'] ?? ''),
  col('Capacity', 'capacity represents the actual resources of the underlying volume.', (o) => ((o as Obj)['spec']?.['volumeName'] ? ((o as Obj)['status']?.['capacity']?.['storage'] ?? '') : '')),
  col('Access Modes', 'accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1', (o) => ((o as Obj)['spec']?.['volumeName'] ? accessModesText((o as Obj)['status']?.['accessModes']) : '')),
  col('StorageClass', 'StorageClass of the pvc', (o) => storageClassOf(o as Obj)),
  ageColumn,
  col('VolumeMode', 'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.', (o) => (o as Obj)['spec']?.['volumeMode'] ?? '<unset>', 1),
];

export const pvColumns: TableColumn[] = [
  nameColumn,
  col('Capacity', 'capacity is the description of the persistent volume\'s resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity', (o) => (o as Obj)['spec']?.['capacity']?.['storage'] ?? ''),
  col('Access Modes', 'accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes', (o) => accessModesText((o as Obj)['spec']?.['accessModes'])),
  col('Reclaim Policy', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming', (o) => (o as Obj)['spec']?.['persistentVolumeReclaimPolicy'] ?? ''),
  col('Status', 'phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase', (o) => phaseOrTerminating(o as Obj)),
  col('Claim', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding', (o) => {
    const ref: Obj | undefined = (o as Obj)['spec']?.['claimRef'];
    return ref ? `${ref['namespace'] ?? ''}/${ref['name'] ?? ''}` : '';
  }),
  col('StorageClass', 'storageClassName is the name of StorageClass to which this persistent volume belongs. Empty value means that this volume does not belong to any StorageClass.', (o) => storageClassOf(o as Obj)),
  col('Reason', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.', (o) => (o as Obj)['status']?.['reason'] ?? ''),
  ageColumn,
  col('VolumeMode', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.', (o) => (o as Obj)['spec']?.['volumeMode'] ?? '<unset>', 1),
];

export const storageClassColumns: TableColumn[] = [
  {
    ...nameColumn,
    cell: (o) => (o.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' || o.metadata.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true' ? `${o.metadata.name} (default)` : o.metadata.name),
  },
  col('Provisioner', 'provisioner indicates the type of the provisioner.', (o) => (o as Obj)['provisioner'] ?? ''),
  col('ReclaimPolicy', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.', (o) => (o as Obj)['reclaimPolicy'] ?? 'Delete'),
  col('VolumeBindingMode', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.', (o) => (o as Obj)['volumeBindingMode'] ?? 'Immediate'),
  col('AllowVolumeExpansion', 'allowVolumeExpansion shows whether the storage class allow volume expand.', (o) => (o as Obj)['allowVolumeExpansion'] === true, 0, 'boolean'),
  ageColumn,
];

function templateContainers(template: Obj | undefined): Obj[] {
  return template?.['spec']?.['containers'] ?? [];
}

function selectorOf(sel: Obj | undefined): string {
  return selectorText({ spec: { selector: sel ?? {} } });
}

function jobCompletions(o: Obj): string {
  const spec: Obj = o['spec'] ?? {};
  const succeeded = o['status']?.['succeeded'] ?? 0;
  if (spec['completions'] !== undefined && spec['completions'] !== null) return `${succeeded}/${spec['completions']}`;
  const parallelism = spec['parallelism'] ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(o: Obj, now: number): string {
  const start = o['status']?.['startTime'];
  if (!start) return '';
  const end = o['status']?.['completionTime'];
  return humanDuration((end ? Date.parse(end) : now) - Date.parse(start));
}

export const jobColumns: TableColumn[] = [
  nameColumn,
  col('Completions', 'The number of pods which reached phase Succeeded.', (o) => jobCompletions(o as Obj)),
  col('Duration', 'Time required to complete the job.', (o, now) => jobDuration(o as Obj, now)),
  ageColumn,
  col('Containers', 'Names of each container in the template.', (o) => templateContainers((o as Obj)['spec']?.['template']).map((c) => c['name']).join(','), 1),
  col('Images', 'Images referenced by each container in the template.', (o) => templateContainers((o as Obj)['spec']?.['template']).map((c) => c['image']).join(','), 1),
  col('Selector', 'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', (o) => selectorOf((o as Obj)['spec']?.['selector']), 1),
];

export const cronJobColumns: TableColumn[] = [
  nameColumn,
  col('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.', (o) => (o as Obj)['spec']?.['schedule'] ?? ''),
  col('Suspend', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.', (o) => {
    const s = (o as Obj)['spec']?.['suspend'];
    return s === undefined || s === null ? '<unset>' : s ? 'True' : 'False';
  }, 0, 'boolean'),
  col('Active', 'A list of pointers to currently running jobs.', (o) => ((o as Obj)['status']?.['active'] ?? []).length, 0, 'integer'),
  col('Last Schedule', 'Information when was the last time the job was successfully scheduled.', (o, now) => {
    const t = (o as Obj)['status']?.['lastScheduleTime'];
    return t ? ageOf(t, now) : '<none>';
  }),
  ageColumn,
  col('Containers', 'Names of each container in the template.', (o) => templateContainers((o as Obj)['spec']?.['jobTemplate']?.['spec']?.['template']).map((c) => c['name']).join(','), 1),
  col('Images', 'Images referenced by each container in the template.', (o) => templateContainers((o as Obj)['spec']?.['jobTemplate']?.['spec']?.['template']).map((c) => c['image']).join(','), 1),
  col('Selector', 'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', (o) => selectorOf((o as Obj)['spec']?.['jobTemplate']?.['spec']?.['selector']), 1),
];
