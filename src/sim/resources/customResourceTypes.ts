/**
 * What a CustomResourceDefinition makes a server serve, as apiextensions-apiserver derives it: the
 * ResourceType of its storage version (names, scope, verbs, the status subresource) and its Table columns
 * from `additionalPrinterColumns`. Pure: the serving itself is src/sim/cluster/CustomResourceServing.ts.
 */
import type { ResourceType, TableColumn } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { ageOf } from './humanDuration.js';
import { nameColumn } from './printColumns.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CR_VERBS = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

/** The store key of CRDs themselves. */
export const CRD_RESOURCE = 'apiextensions.k8s.io/customresourcedefinitions';

/**
 * A CRD printer column's jsonPath, as simple JSONPath (`.spec.target.name`, `.spec.items[0].x`): the value,
 * or undefined when a step is missing (the cell is then empty, as the real table converter leaves it).
 */
export function readJsonPath(object: unknown, jsonPath: string): unknown {
  const steps = jsonPath.replace(/^\{|\}$/g, '').split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '');
  let node: unknown = object;
  for (const step of steps) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  return node;
}

/** Table columns: Name, then the printer columns (a CRD without any gets Name and Age). */
function columnsOf(version: Obj): TableColumn[] {
  const printer = (version.additionalPrinterColumns ?? []) as Obj[];
  if (printer.length === 0) return [nameColumn, { name: 'Age', type: 'date', format: '', priority: 0, cell: (o, now) => ageOf(o.metadata.creationTimestamp, now) }];
  return [nameColumn, ...printer.map((c): TableColumn => ({
    name: String(c.name),
    type: String(c.type ?? 'string'),
    format: String(c.format ?? ''),
    description: String(c.description ?? `Custom resource definition column (in JSONPath format): ${String(c.jsonPath)}`),
    priority: Number(c.priority ?? 0),
    // Date columns are printed as an age (the table converter's ConvertToHumanReadableDateType).
    cell: c.type === 'date'
      ? (o: KubeObject, now: number) => {
        const v = readJsonPath(o, String(c.jsonPath));
        return typeof v === 'string' ? ageOf(v, now) : v;
      }
      : (o: KubeObject) => readJsonPath(o, String(c.jsonPath)),
  }))];
}

/**
 * The kind a CRD serves, or undefined when it serves none (no served version). The storage version is the
 * one served: clients asking for another served version would need conversion, which is not simulated.
 */
export function resourceTypeFromCrd(crd: KubeObject): ResourceType | undefined {
  const spec = (crd as Obj).spec as Obj | undefined;
  if (!spec?.group || !spec.names?.plural || !spec.names?.kind) return undefined;
  const versions = ((spec.versions ?? []) as Obj[]).filter((v) => v.served !== false);
  const version = versions.find((v) => v.storage) ?? versions[0];
  if (!version) return undefined;
  const names = spec.names as Obj;
  return {
    key: `${spec.group}/${names.plural}`,
    group: String(spec.group),
    version: String(version.name),
    resource: String(names.plural),
    kind: String(names.kind),
    listKind: String(names.listKind ?? `${names.kind}List`),
    namespaced: spec.scope !== 'Cluster',
    ...(names.shortNames?.length ? { shortNames: [...names.shortNames] as string[] } : {}),
    singularName: String(names.singular ?? String(names.kind).toLowerCase()),
    verbs: CR_VERBS,
    ...(names.categories?.length ? { categories: [...names.categories] as string[] } : {}),
    ...(version.subresources?.status ? { subresources: ['status'] } : {}),
    // Custom resources always keep metadata.generation.
    hasGeneration: true,
    columns: columnsOf(version),
  };
}

/** The CRD's status once its names are accepted and its kind served (what `kubectl wait --for condition=established` reads). */
export function establishedStatus(crd: KubeObject, now: string): Obj {
  const names = ((crd as Obj).spec?.names ?? {}) as Obj;
  const storedVersions = ((crd as Obj).spec?.versions ?? []).filter((v: Obj) => v.storage).map((v: Obj) => v.name);
  const condition = (type: string, reason: string, message: string) => ({ type, status: 'True', lastTransitionTime: now, reason, message });
  return {
    acceptedNames: { ...names, listKind: names.listKind ?? `${names.kind}List`, singular: names.singular ?? String(names.kind ?? '').toLowerCase() },
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    storedVersions,
  };
}
