/**
 * A small validator of objects against a CRD's openAPIV3Schema (the structural-schema subset CRDs use:
 * type, properties, required, items, additionalProperties, enum, format date-time, minimum/maximum,
 * minItems, x-kubernetes-int-or-string, x-kubernetes-preserve-unknown-fields, nullable), for the tests that
 * check the simulator writes objects the real CRDs accept. Unlike the API server, which prunes unknown
 * fields silently, it reports them: a misspelt field in the simulator should fail the test.
 */
import { readFileSync } from 'node:fs';
import { loadAll } from 'js-yaml';

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  nullable?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  anyOf?: Schema[];
  oneOf?: Schema[];
}

/** The openAPIV3Schema of one version of a CRD file. */
export function crdSchema(file: string, version: string): Schema {
  for (const doc of loadAll(readFileSync(file, 'utf8')) as any[]) {
    if (doc?.kind !== 'CustomResourceDefinition') continue;
    const v = doc.spec.versions.find((x: any) => x.name === version);
    if (v) return v.schema.openAPIV3Schema as Schema;
  }
  throw new Error(`${file}: no version ${version}`);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Every violation, as `path: message`. Empty when the value is valid. */
export function validateAgainstSchema(value: unknown, schema: Schema, path = ''): string[] {
  const errors: string[] = [];
  const at = path || '<root>';
  if (value === null) return schema.nullable ? [] : [`${at}: null not allowed`];
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && !Number.isInteger(value)) errors.push(`${at}: expected int or string`);
    return errors;
  }
  if (schema.anyOf || schema.oneOf) {
    const options = schema.anyOf ?? schema.oneOf ?? [];
    if (!options.some((o) => validateAgainstSchema(value, { ...o, type: o.type ?? schema.type }, path).length === 0) && !schema.type) {
      errors.push(`${at}: matches none of the alternatives`);
    }
  }
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected object, got ${JSON.stringify(value)}`];
      const obj = value as Record<string, unknown>;
      for (const r of schema.required ?? []) if (!(r in obj)) errors.push(`${at}: missing required field "${r}"`);
      for (const [k, v] of Object.entries(obj)) {
        const sub = schema.properties?.[k];
        if (sub) errors.push(...validateAgainstSchema(v, sub, `${path}.${k}`));
        else if (typeof schema.additionalProperties === 'object') errors.push(...validateAgainstSchema(v, schema.additionalProperties, `${path}.${k}`));
        else if (schema.properties && !schema['x-kubernetes-preserve-unknown-fields'] && schema.additionalProperties !== true) {
          errors.push(`${at}: unknown field "${k}"`);
        }
      }
      break;
    }
    case 'array':
      if (!Array.isArray(value)) return [`${at}: expected array`];
      if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${at}: fewer than ${schema.minItems} items`);
      if (schema.items) value.forEach((v, i) => errors.push(...validateAgainstSchema(v, schema.items!, `${path}[${i}]`)));
      break;
    case 'string':
      if (typeof value !== 'string') return [`${at}: expected string, got ${JSON.stringify(value)}`];
      if (schema.format === 'date-time' && !RFC3339.test(value)) errors.push(`${at}: not an RFC 3339 date-time: ${value}`);
      break;
    case 'integer':
      if (!Number.isInteger(value)) return [`${at}: expected integer, got ${JSON.stringify(value)}`];
      break;
    case 'number':
      if (typeof value !== 'number') return [`${at}: expected number`];
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return [`${at}: expected boolean`];
      break;
    default:
      break;
  }
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: below minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: above maximum ${schema.maximum}`);
  }
  return errors;
}
