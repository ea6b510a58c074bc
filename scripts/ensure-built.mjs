#!/usr/bin/env node
/**
 * `npm start` / `npm run sim`: builds dist/ only when a source is newer than the last build, so that the
 * first start after `npm install` (whose `prepare` just built it) starts at once instead of recompiling.
 * What counts as a source: src/**\/*.ts (tests excluded), schema/, tsconfig*.json and package.json.
 * Then the same for the dashboard: dist-ui/ is rebuilt (Vite) when a file under ui/ is newer than
 * dist-ui/index.html. `--ui` does only the dashboard (the browser tests use it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = join(root, 'dist', 'main.js');

/** The newest modification time under `dir` of files `keep` accepts. */
function newest(dir, keep) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) t = Math.max(t, newest(path, keep));
    else if (keep(entry.name)) t = Math.max(t, statSync(path).mtimeMs);
  }
  return t;
}

const sources = Math.max(
  newest(join(root, 'src'), (n) => n.endsWith('.ts') && !n.endsWith('.test.ts')),
  newest(join(root, 'schema'), () => true),
  ...['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => (existsSync(join(root, f)) ? statSync(join(root, f)).mtimeMs : 0)),
);
const uiOnly = process.argv.includes('--ui');
if (!uiOnly && !(existsSync(built) && statSync(built).mtimeMs >= sources)) {
  console.error(existsSync(built) ? 'fleetgraph: sources changed since the last build: building (tsc)…' : 'fleetgraph: building (tsc)…');
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// The dashboard (ui/ → dist-ui/). Where ui/ is absent (an image without it) there is nothing to build.
const uiBuilt = join(root, 'dist-ui', 'index.html');
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
if (existsSync(join(root, 'ui')) && existsSync(vite)) {
  const uiSources = newest(join(root, 'ui'), () => true);
  if (!existsSync(uiBuilt) || statSync(uiBuilt).mtimeMs < uiSources) {
    console.error(existsSync(uiBuilt) ? 'fleetgraph: the dashboard changed since the last build: building (vite)…' : 'fleetgraph: building the dashboard (vite)…');
    const r = spawnSync(process.execPath, [vite, 'build', '--config', join(root, 'ui', 'vite.config.ts')], { stdio: 'inherit', cwd: root });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
