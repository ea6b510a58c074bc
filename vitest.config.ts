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
export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlMain }] },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
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
