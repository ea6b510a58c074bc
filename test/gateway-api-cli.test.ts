/**
 * `fleetgraph serve` as a user runs it (the compiled CLI, `npm test` builds it first): with no kubeconfig it
 * starts the embedded demo simulator, prints the URL, serves data, and exits 0 on SIGTERM. Bad flags exit 2.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const MAIN = 'dist/main.js';

function requireBuild(): void {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` (npm test does) before this test`);
}

describe('fleetgraph serve', () => {
  it('serves the embedded demo fleet and stops cleanly on SIGTERM', async () => {
    requireBuild();
    const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '', HOST: '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed; stdout: ${out} stderr: ${err}`)), 90_000);
        child.stdout.on('data', () => {
          const m = out.match(/GraphQL at (http:\/\/127\.0\.0\.1:\d+\/graphql)/);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ fleet { clusters { total } } clusters { totalCount edges { node { name } } } }' }) });
      const body = (await res.json()) as any;
      expect(body.errors).toBeUndefined();
      expect(body.data.fleet.clusters.total).toBeGreaterThanOrEqual(3);
      expect(body.data.clusters.totalCount).toBe(body.data.fleet.clusters.total);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 120_000);

  it('prints help, and exits 2 naming the wrong flag', () => {
    requireBuild();
    const help = spawnSync(process.execPath, [MAIN, 'serve', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--kubeconfig');
    const bad = spawnSync(process.execPath, [MAIN, 'serve', '--port', 'seventy'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--port');
  });
});
