/**
 * Building blocks of sort fields (sortedConnection.ts): values read from objects the same way the schema's
 * fields read them, so that a client sorting by a field sees it ordered by the value it reads back.
 */
import type { SortSpec, SortValue } from '../cache/OrderedIndex.js';
import type { SlimObject } from '../cache/types.js';
import type { ParsedResources } from './quantity.js';
import type { SortField } from './sortedConnection.js';

/** The quantity `name` of parsed resources as a number (cores, bytes); null when absent. */
export function quantityValue(parsed: ParsedResources, name: string): number | null {
  for (const [n, units, decimals] of parsed) if (n === name) return decimals === 0 ? units : units / 10 ** decimals;
  return null;
}

/** A timestamp as milliseconds since the epoch (numbers compare whatever the format); null when absent. */
export function timeValue(ts: string | undefined): number | null {
  if (!ts) return null;
  const ms = Date.parse(ts);
  return Number.isFinite(ms) ? ms : null;
}

/** An indexed field: values from the object alone; `typeName` keeps the index ids apart per kind. */
export function indexedField(typeName: string, name: string, valueType: 'number' | 'string', value: (obj: SlimObject) => SortValue): SortField {
  const spec: SortSpec = { id: `${typeName}:${name}`, value };
  return { name, valueType, spec };
}

/** The fields by enum value. */
export function sortFields(...fields: SortField[]): ReadonlyMap<string, SortField> {
  return new Map(fields.map((f) => [f.name, f]));
}

/** The one namespace all `objects` are in, if they share one (a narrower authorization check). */
export function commonNamespace(objects: readonly SlimObject[]): string | undefined {
  const ns = objects[0]?.metadata.namespace;
  if (!ns) return undefined;
  for (const o of objects) if (o.metadata.namespace !== ns) return undefined;
  return ns;
}
