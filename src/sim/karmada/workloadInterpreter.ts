/**
 * Karmada's resource interpreter for the kinds the simulator propagates: which control-plane kinds are
 * resource templates, how many replicas a template asks for and what one replica requests, how to set a
 * member's share of replicas, how healthy a member object is, and how member statuses sum up into the
 * template's status (the default interpreter's GetReplicas / ReviseReplica / InterpretHealth /
 * AggregateStatus).
 */
import type { KubeObject } from '../store/Store.js';
import { parseQuantity } from '../controllers/quantity.js';
import { formatCpu, formatMemory } from './quantityFormat.js';

/** Store keys of the kinds the detector treats as resource templates. */
export const TEMPLATE_RESOURCES: readonly string[] = [
  'apps/deployments',
  'apps/statefulsets',
  'apps/daemonsets',
  'batch/jobs',
  'batch/cronjobs',
  'services',
  'configmaps',
  'secrets',
  'serviceaccounts',
  'persistentvolumeclaims',
  'networking.k8s.io/ingresses',
  'networking.k8s.io/ingressclasses',
  'autoscaling/horizontalpodautoscalers',
  'policy/poddisruptionbudgets',
  'persistentvolumes',
  'storage.k8s.io/storageclasses',
  'rbac.authorization.k8s.io/roles',
  'rbac.authorization.k8s.io/rolebindings',
  'rbac.authorization.k8s.io/clusterroles',
  'rbac.authorization.k8s.io/clusterrolebindings',
  'namespaces',
];

/**
 * Namespaces whose objects (and which, as Namespace templates) the detector never propagates, as
 * Karmada's detector skips its own and the system namespaces.
 */
export function isReservedNamespace(name: string | undefined): boolean {
  if (!name) return false;
  return name.startsWith('karmada-es-') || name === 'karmada-system' || name === 'karmada-cluster' || name.startsWith('kube-');
}

type Obj = Record<string, unknown>;

function spec(o: KubeObject): Obj {
  return (o.spec ?? {}) as Obj;
}

function hasReplicas(o: KubeObject): boolean {
  return o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'ReplicaSet';
}

/** spec.replicas of a workload (default 1), parallelism of a Job, 0 for kinds without replicas. */
export function templateReplicas(o: KubeObject): number {
  if (hasReplicas(o)) return typeof spec(o).replicas === 'number' ? (spec(o).replicas as number) : 1;
  if (o.kind === 'Job') return typeof spec(o).parallelism === 'number' ? (spec(o).parallelism as number) : 1;
  return 0;
}

/** The summed container requests of one replica, as the binding's replicaRequirements.resourceRequest. */
export function replicaRequest(o: KubeObject): Record<string, string> | undefined {
  const podSpec = ((spec(o).template as Obj | undefined)?.spec ?? undefined) as { containers?: Array<{ resources?: { requests?: Record<string, string> } }> } | undefined;
  if (!podSpec?.containers) return undefined;
  let cpu = 0;
  let memory = 0;
  for (const c of podSpec.containers) {
    cpu += parseQuantity(c.resources?.requests?.cpu) || 0;
    memory += parseQuantity(c.resources?.requests?.memory) || 0;
  }
  if (cpu === 0 && memory === 0) return undefined;
  return { ...(cpu > 0 ? { cpu: formatCpu(cpu) } : {}), ...(memory > 0 ? { memory: formatMemory(memory) } : {}) };
}

/** Sets a member's share of replicas in the manifest going to it. */
export function reviseReplicas(manifest: KubeObject, replicas: number): void {
  if (hasReplicas(manifest)) (manifest.spec as Obj).replicas = replicas;
  else if (manifest.kind === 'Job') (manifest.spec as Obj).parallelism = replicas;
}

/** The member object's health as Karmada's default interpreter judges it. */
export function interpretHealth(o: KubeObject): 'Healthy' | 'Unhealthy' | 'Unknown' {
  const st = (o.status ?? {}) as Obj;
  const gen = o.metadata.generation ?? 0;
  const observed = typeof st.observedGeneration === 'number' ? st.observedGeneration : gen;
  switch (o.kind) {
    case 'Deployment':
    case 'StatefulSet': {
      const want = templateReplicas(o);
      const updated = (st.updatedReplicas as number | undefined) ?? 0;
      const available = (o.kind === 'Deployment' ? st.availableReplicas : st.readyReplicas) as number | undefined ?? 0;
      return observed === gen && updated === want && available === want ? 'Healthy' : 'Unhealthy';
    }
    case 'DaemonSet': {
      const want = (st.desiredNumberScheduled as number | undefined) ?? 0;
      return observed === gen && (st.numberAvailable ?? 0) === want ? 'Healthy' : 'Unhealthy';
    }
    case 'Job': {
      const conditions = (st.conditions ?? []) as Array<{ type: string; status: string }>;
      return conditions.some((c) => c.type === 'Failed' && c.status === 'True') ? 'Unhealthy' : 'Healthy';
    }
    default:
      return 'Healthy';
  }
}

/** The part of a member object's status reflected into Work / binding status (Karmada's ReflectStatus). */
export function reflectStatus(o: KubeObject): Record<string, unknown> | undefined {
  const st = o.status as Obj | undefined;
  if (!st) return undefined;
  const pick = (keys: string[]) => Object.fromEntries(keys.filter((k) => st[k] !== undefined).map((k) => [k, st[k]]));
  switch (o.kind) {
    case 'Deployment':
      return { ...pick(['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'observedGeneration']), generation: o.metadata.generation };
    case 'StatefulSet':
      return pick(['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration']);
    case 'DaemonSet':
      return pick(['currentNumberScheduled', 'desiredNumberScheduled', 'numberAvailable', 'numberMisscheduled', 'numberReady', 'updatedNumberScheduled', 'numberUnavailable', 'observedGeneration']);
    case 'Job':
      return pick(['active', 'succeeded', 'failed', 'startTime', 'completionTime', 'conditions']);
    case 'Service':
      return pick(['loadBalancer']);
    default:
      return undefined;
  }
}

const SUMMED: Record<string, string[]> = {
  Deployment: ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'],
  StatefulSet: ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'],
  DaemonSet: ['currentNumberScheduled', 'desiredNumberScheduled', 'numberAvailable', 'numberMisscheduled', 'numberReady', 'updatedNumberScheduled', 'numberUnavailable'],
  Job: ['active', 'succeeded', 'failed'],
};

/**
 * The template's status summed from the members' reflected statuses, or undefined for kinds whose
 * template status Karmada leaves alone. observedGeneration is the template's generation once every
 * member has observed its share (Karmada's AggregateStatus sets it the same way).
 */
export function aggregateStatus(template: KubeObject, memberStatuses: Array<Record<string, unknown> | undefined>): Record<string, unknown> | undefined {
  const keys = SUMMED[template.kind ?? ''];
  if (!keys) return undefined;
  const out: Record<string, unknown> = { ...((template.status as Obj | undefined) ?? {}) };
  for (const key of keys) {
    let sum = 0;
    for (const s of memberStatuses) sum += typeof s?.[key] === 'number' ? (s[key] as number) : 0;
    if (sum > 0 || key in out) out[key] = sum;
  }
  if (template.metadata.generation !== undefined) out.observedGeneration = template.metadata.generation;
  return out;
}
