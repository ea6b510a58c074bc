/**
 * graphql-codegen for the project's own frontend (ui/, the dashboard at /ui): typed documents for every
 * `graphql(...)` document in ui/src into ui/src/gql/ (client preset, documents as typed strings so the
 * bundle needs no GraphQL parser). `npm run codegen` runs this after codegen.ts; CI fails when the committed
 * output is stale (test/gateway-api-codegen.test.ts), as it does for the server's types.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/*.graphql',
  documents: ['ui/src/**/*.ts', 'ui/src/**/*.tsx', '!ui/src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'ui/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
      },
    },
  },
};

export default config;
