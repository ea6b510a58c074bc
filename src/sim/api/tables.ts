/**
 * `meta.k8s.io/v1 Table` answers (what kubectl get asks for): column definitions from the kind's
 * printer, one row per object, with the row object as PartialObjectMetadata unless includeObject asks
 * for the whole object (or None).
 */
import type { ResourceType, TableColumn } from '../cluster/SimCluster.js';
import type { KubeObject } from '../store/Store.js';
import { defaultColumns } from '../resources/printColumns.js';

export type IncludeObject = 'Metadata' | 'Object' | 'None';

export function columnsOf(type: ResourceType): TableColumn[] {
  return type.columns?.length ? type.columns : defaultColumns;
}

export function columnDefinitions(type: ResourceType): Array<Record<string, unknown>> {
  return columnsOf(type).map((c) => ({
    name: c.name,
    type: c.type,
    format: c.format ?? '',
    description: c.description ?? '',
    priority: c.priority ?? 0,
  }));
}

export function partialObjectMetadata(o: KubeObject, version: 'v1' | 'v1beta1' = 'v1'): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: o.metadata };
}

export function tableRow(type: ResourceType, o: KubeObject, include: IncludeObject, now: number, version: 'v1' | 'v1beta1' = 'v1'): Record<string, unknown> {
  const cells = columnsOf(type).map((c) => {
    try {
      const v = c.cell(o, now);
      return v === undefined ? null : v;
    } catch {
      return null;
    }
  });
  const row: Record<string, unknown> = { cells };
  if (include === 'Object') row['object'] = o;
  else if (include === 'Metadata') row['object'] = partialObjectMetadata(o, version);
  return row;
}

export function table(
  type: ResourceType,
  objects: KubeObject[],
  listMeta: Record<string, unknown>,
  include: IncludeObject,
  version: 'v1' | 'v1beta1' = 'v1',
  withColumns = true,
): Record<string, unknown> {
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: listMeta,
    columnDefinitions: withColumns ? columnDefinitions(type) : [],
    rows: objects.map((o) => tableRow(type, o, include, now, version)),
  };
}
