/**
 * The committed generated types must match what graphql-codegen produces from schema/*.graphql now
 * (CI fails on stale generated files): the server's (codegen.ts) and the dashboard's typed client documents
 * (codegen.client.ts → ui/src/gql/); and the schema must build with every resolver type it names.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate } from '@graphql-codegen/cli';
import { buildSchema, isObjectType } from 'graphql';
import config from '../codegen.js';
import clientConfig from '../codegen.client.js';
import { loadTypeDefs } from '../src/graphql/typeDefs.js';

describe('codegen output', () => {
  it('src/generated/graphql.ts is up to date with schema/*.graphql', async () => {
    const outputs = (await generate({ ...config, cwd: process.cwd(), silent: true }, false)) as Array<{ filename: string; content: string }>;
    expect(outputs.length).toBe(1);
    const committed = readFileSync('src/generated/graphql.ts', 'utf8');
    expect(committed === outputs[0]!.content, 'run `npm run codegen` and commit src/generated/graphql.ts').toBe(true);
  }, 120_000);

  it('ui/src/gql/ (the dashboard\'s typed documents) is up to date with schema/*.graphql and ui/src documents', async () => {
    const outputs = (await generate({ ...clientConfig, cwd: process.cwd(), silent: true }, false)) as Array<{ filename: string; content: string }>;
    expect(outputs.map((o) => o.filename).sort()).toEqual(['ui/src/gql/gql.ts', 'ui/src/gql/graphql.ts', 'ui/src/gql/index.ts']);
    for (const o of outputs) {
      const committed = existsSync(o.filename) ? readFileSync(o.filename, 'utf8') : '';
      expect(committed === o.content, `run \`npm run codegen\` and commit ${o.filename}`).toBe(true);
    }
  }, 120_000);

  it('every type and field of the schema has a description', () => {
    const schema = buildSchema(loadTypeDefs());
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type)) {
        for (const field of Object.values(type.getFields())) if (!field.description) missing.push(`${type.name}.${field.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
