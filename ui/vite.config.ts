/**
 * Vite build of the fleet dashboard: ui/ → dist-ui/ (served by the gateway at /ui, src/server/dashboardAssets.ts).
 * `npm run build:ui`; `npm install` runs it (prepare) after the TypeScript build. JSX through Vite's own
 * transform (automatic runtime), no plugin. Everything is bundled: the page loads nothing from elsewhere.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/ui/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../dist-ui', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
});
