#!/usr/bin/env node
// The published entry point: runs the compiled CLI. `npm install` builds dist/ through `prepare`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
if (!existsSync(main)) {
  console.error('fleetgraph: dist/main.js is missing; run `npm run build` first.');
  process.exit(1);
}
await import(main);
