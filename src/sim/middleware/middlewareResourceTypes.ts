/**
 * The middleware platform's custom resources (seed 002 §2, §10), served by every member cluster in one API
 * group: Application (what a user creates), Component and WorkloadSet (what the controller derives), and
 * Operation (the single entry point of lifecycle actions and their log). Their CRDs are in deploy/crds/.
 */
import type { ResourceType, SimCluster, TableColumn } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';

export const MIDDLEWARE_GROUP = 'middleware.fleetgraph.io';
export const MIDDLEWARE_VERSION = 'v1alpha1';
export const MIDDLEWARE_API_VERSION = `${MIDDLEWARE_GROUP}/${MIDDLEWARE_VERSION}`;

export const APPLICATIONS = `${MIDDLEWARE_GROUP}/applications`;
export const COMPONENTS = `${MIDDLEWARE_GROUP}/components`;
export const WORKLOADSETS = `${MIDDLEWARE_GROUP}/workloadsets`;
export const OPERATIONS = `${MIDDLEWARE_GROUP}/operations`;

function at(o: KubeObject, ...path: string[]): unknown {
  let node: unknown = o;
  for (const p of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[p];
  }
  return node;
}

const name: TableColumn = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0, cell: (o) => o.metadata.name };
const age: TableColumn = { name: 'Age', type: 'date', format: '', priority: 0, cell: (o) => o.metadata.creationTimestamp };
const col = (title: string, type: string, ...path: string[]): TableColumn => ({ name: title, type, format: '', priority: 0, cell: (o) => at(o, ...path) });

function type(resource: string, kind: string, shortName: string, columns: TableColumn[]): ResourceType {
  return {
    key: `${MIDDLEWARE_GROUP}/${resource}`, group: MIDDLEWARE_GROUP, version: MIDDLEWARE_VERSION, resource, kind, listKind: `${kind}List`,
    namespaced: true, shortNames: [shortName], singularName: kind.toLowerCase(),
    verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
    categories: ['middleware'], subresources: ['status'], hasGeneration: true, columns,
  };
}

export const middlewareResourceTypes: readonly ResourceType[] = [
  type('applications', 'Application', 'mwapp', [
    name, col('Type', 'string', 'spec', 'type'), col('Version', 'string', 'spec', 'version'), col('Plugin', 'string', 'spec', 'pluginVersion'),
    col('Phase', 'string', 'status', 'phase'), col('Primary', 'string', 'status', 'primary'), age,
  ]),
  type('components', 'Component', 'mwcomp', [
    name, col('Application', 'string', 'spec', 'application'), col('Replicas', 'integer', 'spec', 'replicas'),
    col('Ready', 'integer', 'status', 'readyReplicas'), col('Phase', 'string', 'status', 'phase'), age,
  ]),
  type('workloadsets', 'WorkloadSet', 'mwws', [
    name, col('Component', 'string', 'spec', 'component'), col('Replicas', 'integer', 'spec', 'replicas'),
    col('Ready', 'integer', 'status', 'readyReplicas'), col('Primary', 'string', 'status', 'primary'), age,
  ]),
  type('operations', 'Operation', 'mwop', [
    name, col('Type', 'string', 'spec', 'type'), col('Target', 'string', 'spec', 'targetRef', 'name'),
    col('Phase', 'string', 'status', 'phase'), col('Step', 'integer', 'status', 'currentStep'), age,
  ]),
];

export function registerMiddlewareResources(member: SimCluster): void {
  for (const t of middlewareResourceTypes) member.registerResource(t);
}
