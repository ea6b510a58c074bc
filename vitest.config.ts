import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// One graphql instance, as under plain Node: Node resolves `graphql` (no exports map) to its CommonJS
// index.js for every package, while Vite would give our sources the `module` build (index.mjs). Two
// copies fail graphql's instanceof checks ("Cannot use GraphQLSchema from another module or realm") as
// soon as a schema built by one library (graphql-ws, @graphql-tools) meets our code.
const graphqlMain = createRequire(import.meta.url).resolve('graphql');

// Tests start real servers (simulator, gateway) on 127.0.0.1 ephemeral ports, so files may run in
// parallel; the machine has 2 cores, hence 2 workers. Timeouts are generous because a test waits for
// real controllers (pods becoming Ready, informers syncing), never because it measures time.
// The end-to-end reads and writes that run a second time with the gateway authenticated as the
// ServiceAccount deploy/ ships, bound to exactly its ClusterRoles (issue 13): the fixtures install deploy/'s
// RBAC for the file's auth mode and start the gateway with a TokenRequest token
// (test/support/gatewayIdentity.ts).
const AS_SERVICEACCOUNT = [
  // --auth kubernetes: per-caller reads and subscriptions from RBAC the gateway lists, impersonated writes.
  'test/authz-reads.test.ts',
  'test/authz-subscriptions.test.ts',
  'test/authz-mutations.test.ts',
  'test/authz-operations.test.ts',
  // --auth none: the reads, and the writes made as the gateway itself (rbac/writes).
  'test/gateway-api-reads.test.ts',
  'test/gateway-api-domains.test.ts',
  'test/operations-nodes.test.ts',
  'test/operations-workloads.test.ts',
  'test/operations-middleware.test.ts',
];

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlMain }] },
  test: {
    // Both projects inherit every setting below (`extends: true`); `npm test` runs both, each file's
    // result named by its project (`vitest run --project as-serviceaccount` runs one).
    projects: [
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts', 'src/**/*.test.ts'] } },
      { extends: true, test: { name: 'as-serviceaccount', include: AS_SERVICEACCOUNT, env: { FLEETGRAPH_TEST_GATEWAY_IDENTITY: 'serviceaccount' } } },
    ],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    // One retry, for the e2e tests' real controllers and sockets on a loaded 2-core machine: a broken
    // behaviour fails both attempts, and a test that passes only on its retry is named as flaky in the
    // report ("retry x1"), to be fixed rather than ignored.
    retry: 1,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
