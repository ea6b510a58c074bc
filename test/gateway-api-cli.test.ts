/**
 * `fleetgraph serve` as a user runs it (the compiled CLI, `npm test` builds it first): with no kubeconfig it
 * starts the embedded demo simulator, prints the URL, serves data, and exits 0 on SIGTERM. Bad flags exit 2.
 * `--auth kubernetes` on the embedded demo as the README shows it: the printed kubeconfig holds the demo
 * users' tokens, which the gateway accepts; `--auth none` on a non-loopback host is refused at start.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import yaml from 'js-yaml';
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

  it('with --auth kubernetes, prints the demo kubeconfig and serves its demo users only', async () => {
    requireBuild();
    const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--log-level', 'warn', '--auth', 'kubernetes'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '', HOST: '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let kubeconfigPath = '';
    try {
      const [url, kubeconfig] = await new Promise<[string, string]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL and kubeconfig printed; stdout: ${out} stderr: ${err}`)), 90_000);
        child.stdout.on('data', () => {
          const m = out.match(/GraphQL at (http:\/\/127\.0\.0\.1:\d+\/graphql)/);
          const k = out.match(/export KUBECONFIG=(\S+)/);
          if (m && k) {
            clearTimeout(timer);
            resolve([m[1]!, k[1]!]);
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      kubeconfigPath = kubeconfig;
      for (let i = 0; i < 50 && !out.includes('demo users'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out, out).toContain('demo users (their tokens are in that kubeconfig; try them with --auth kubernetes): platform-viewer, shop-dev, ops-oncall');
      const doc = yaml.load(readFileSync(kubeconfig, 'utf8')) as { users: Array<{ name: string; user: { token?: string } }> };
      const token = doc.users.find((u) => u.name === 'platform-viewer')?.user.token;
      expect(token).toMatch(/^\S+$/);
      const ask = (headers: Record<string, string>) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ fleet { clusters { total } } }' }) });
      const ok = await ask({ authorization: `Bearer ${token}` });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as any).data.fleet.clusters.total).toBeGreaterThanOrEqual(3);
      const anonymous = await ask({});
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as any).errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_MISSING' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // The demo fleet's folder (its kubeconfig holds an admin token) went with the process.
    expect(kubeconfigPath).not.toBe('');
    expect(existsSync(kubeconfigPath)).toBe(false);
  }, 120_000);

  it('refuses --auth none on a non-loopback host unless --allow-anonymous', () => {
    requireBuild();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '', HOST: '' };
    delete env.FLEETGRAPH_ALLOW_ANONYMOUS;
    delete env.FLEETGRAPH_AUTH;
    const refused = spawnSync(process.execPath, [MAIN, 'serve', '--host', '0.0.0.0', '--port', '0'], { encoding: 'utf8', env });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--auth');
    expect(refused.stderr).toContain('--allow-anonymous');
    // With it, the auth check passes and the next wrong flag is the one named (nothing is started or bound).
    const accepted = spawnSync(process.execPath, [MAIN, 'serve', '--host', '0.0.0.0', '--allow-anonymous', '--mode', 'nosuchkind=watch'], { encoding: 'utf8', env });
    expect(accepted.status).toBe(2);
    expect(accepted.stderr).toContain('nosuchkind');
    expect(accepted.stderr).not.toContain('--allow-anonymous');
  });

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
