/**
 * The Karmada kinds the simulated control plane serves beside the built-in ones: policy.karmada.io
 * v1alpha1 policies, work.karmada.io v1alpha2 bindings and v1alpha1 works, with the names, short names,
 * categories and Table columns of the CRDs Karmada ships (additionalPrinterColumns).
 */
import type { ResourceType, SimCluster, TableColumn } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';

const name: TableColumn = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0, cell: (o) => o.metadata.name };
const age: TableColumn = { name: 'AGE', type: 'date', format: '', priority: 0, cell: (o) => o.metadata.creationTimestamp };

function field(object: KubeObject, path: string[]): unknown {
  let node: unknown = object;
  for (const p of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[p];
  }
  return node;
}

/** `.status.conditions[?(@.type=="<type>")].status` */
function conditionStatus(type: string): (o: KubeObject) => unknown {
  return (o) => {
    const conditions = field(o, ['status', 'conditions']);
    if (!Array.isArray(conditions)) return undefined;
    return (conditions as Array<{ type?: string; status?: string }>).find((c) => c.type === type)?.status;
  };
}

const policyColumns: TableColumn[] = [
  name,
  { name: 'CONFLICT-RESOLUTION', type: 'string', format: '', priority: 0, cell: (o) => field(o, ['spec', 'conflictResolution']) },
  { name: 'PRIORITY', type: 'string', format: '', priority: 0, cell: (o) => field(o, ['spec', 'priority']) },
  age,
];

const bindingColumns: TableColumn[] = [
  name,
  { name: 'SCHEDULED', type: 'string', format: '', priority: 0, cell: conditionStatus('Scheduled') },
  { name: 'FULLYAPPLIED', type: 'string', format: '', priority: 0, cell: conditionStatus('FullyApplied') },
  age,
];

const workColumns: TableColumn[] = [
  name,
  {
    name: 'WORKLOAD-KIND', type: 'string', format: '', priority: 0,
    cell: (o) => {
      const manifests = field(o, ['spec', 'workload', 'manifests']);
      return Array.isArray(manifests) ? manifests.map((m: { kind?: string }) => m.kind).join(' ') : undefined;
    },
  },
  { name: 'APPLIED', type: 'string', format: '', priority: 0, cell: conditionStatus('Applied') },
  age,
];

const crdVerbs = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

function karmadaType(
  group: string, version: string, resource: string, kind: string, singularName: string,
  namespaced: boolean, shortName: string, columns: TableColumn[] | undefined, subresources: string[],
): ResourceType {
  return {
    key: `${group}/${resource}`, group, version, resource, kind, listKind: `${kind}List`, namespaced,
    shortNames: [shortName], singularName, verbs: crdVerbs, categories: ['karmada-io'], subresources,
    hasGeneration: true, ...(columns ? { columns } : {}),
  };
}

export const PROPAGATION_POLICIES = 'policy.karmada.io/propagationpolicies';
export const CLUSTER_PROPAGATION_POLICIES = 'policy.karmada.io/clusterpropagationpolicies';
export const OVERRIDE_POLICIES = 'policy.karmada.io/overridepolicies';
export const CLUSTER_OVERRIDE_POLICIES = 'policy.karmada.io/clusteroverridepolicies';
export const RESOURCE_BINDINGS = 'work.karmada.io/resourcebindings';
export const CLUSTER_RESOURCE_BINDINGS = 'work.karmada.io/clusterresourcebindings';
export const WORKS = 'work.karmada.io/works';
export const CLUSTERS = 'cluster.karmada.io/clusters';

export const KARMADA_BINDING_VERSION = 'work.karmada.io/v1alpha2';
export const KARMADA_WORK_VERSION = 'work.karmada.io/v1alpha1';
export const KARMADA_POLICY_VERSION = 'policy.karmada.io/v1alpha1';

/** The Karmada CRD kinds, as the real CRDs declare them (OverridePolicies print no extra columns). */
export const karmadaResourceTypes: readonly ResourceType[] = [
  karmadaType('policy.karmada.io', 'v1alpha1', 'propagationpolicies', 'PropagationPolicy', 'propagationpolicy', true, 'pp', policyColumns, []),
  karmadaType('policy.karmada.io', 'v1alpha1', 'clusterpropagationpolicies', 'ClusterPropagationPolicy', 'clusterpropagationpolicy', false, 'cpp', policyColumns, []),
  karmadaType('policy.karmada.io', 'v1alpha1', 'overridepolicies', 'OverridePolicy', 'overridepolicy', true, 'op', undefined, []),
  karmadaType('policy.karmada.io', 'v1alpha1', 'clusteroverridepolicies', 'ClusterOverridePolicy', 'clusteroverridepolicy', false, 'cop', undefined, []),
  karmadaType('work.karmada.io', 'v1alpha2', 'resourcebindings', 'ResourceBinding', 'resourcebinding', true, 'rb', bindingColumns, ['status']),
  karmadaType('work.karmada.io', 'v1alpha2', 'clusterresourcebindings', 'ClusterResourceBinding', 'clusterresourcebinding', false, 'crb', bindingColumns, ['status']),
  karmadaType('work.karmada.io', 'v1alpha1', 'works', 'Work', 'work', true, 'wk', workColumns, ['status']),
];

/** Serves the Karmada kinds on the control plane (idempotent: a re-registration replaces). */
export function registerKarmadaResources(controlPlane: SimCluster): void {
  for (const type of karmadaResourceTypes) controlPlane.registerResource(type);
}
