/**
 * `fleetgraph sim`: option parsing, and a real run that prints the port and kubeconfig path, serves
 * kubectl-grade HTTPS with the written kubeconfig, and stops with exit code 0 on SIGTERM and SIGINT.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseSimArgs, runSim } from '../src/sim/cli.js';

describe('fleetgraph sim options', () => {
  it('parses every flag and rejects bad ones', () => {
    const { options } = parseSimArgs(['--port', '0', '--host', '127.0.0.1', '--scenario', 'mini', '--seed', '42', '--churn=3', '--kubeconfig-out', '/tmp/k', '--store', 'memory', '--tokens', 't.yaml']);
    expect(options).toEqual({ port: 0, host: '127.0.0.1', scenario: 'mini', seed: 42, churnPerMinute: 3, kubeconfigOut: '/tmp/k', store: 'memory', tokens: 't.yaml' });
    expect(() => parseSimArgs(['--port', 'x'])).toThrow('--port needs a non-negative integer');
    expect(() => parseSimArgs(['--host', '0.0.0.0'])).toThrow('only listens on loopback');
    expect(() => parseSimArgs(['--bogus'])).toThrow('unknown option "--bogus"');
    expect(() => parseSimArgs(['--scenario'])).toThrow('--scenario needs a value');
  });
});

function get(url: string, token: string, ca: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { headers: { Authorization: `Bearer ${token}` }, ca, agent: false }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      })
      .on('error', reject);
  });
}

async function checkKubeconfig(path: string): Promise<void> {
  const kc = yaml.load(readFileSync(path, 'utf8')) as any;
  expect(kc['current-context']).toBe('karmada');
  const cluster = kc.clusters.find((c: any) => c.name === 'karmada').cluster;
  const ca = Buffer.from(cluster['certificate-authority-data'], 'base64').toString();
  const token = kc.users[0].user.token;
  const member = kc.clusters.find((c: any) => c.name === 'member1').cluster.server;
  expect(member).toBe(`${cluster.server}/apis/cluster.karmada.io/v1alpha1/clusters/member1/proxy`);
  const nodes = await get(`${member}/api/v1/nodes`, token, ca);
  expect(nodes.status).toBe(200);
  expect(nodes.body.kind).toBe('NodeList');
}

describe('fleetgraph sim in process', () => {
  it('runs until SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    const out: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => out.push(a.join(' '));
    try {
      const done = runSim(['--port', '0', '--scenario', 'mini', '--kubeconfig-out', join(dir, 'kc')], { exitAfterStop: false });
      const deadline = Date.now() + 30_000;
      while (!out.some((l) => l.startsWith('kubeconfig: ')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(out.find((l) => l.startsWith('port: '))).toMatch(/^port: \d+$/);
      expect(out.find((l) => l.startsWith('kubeconfig: '))).toBe(`kubeconfig: ${join(dir, 'kc')}`);
      await checkKubeconfig(join(dir, 'kc'));
      process.emit('SIGTERM', 'SIGTERM');
      await done;
      expect(process.exitCode ?? 0).toBe(0);
    } finally {
      console.log = log;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const MAIN = join(process.cwd(), 'dist', 'main.js');
describe.skipIf(!existsSync(join(process.cwd(), 'dist', 'sim', 'cli.js')))('fleetgraph sim as a process (built dist/)', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`prints port and kubeconfig, exits 0 on ${signal}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
      const child = spawn(process.execPath, [MAIN, 'sim', '--port', '0', '--scenario', 'mini', '--kubeconfig-out', join(dir, 'kc')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      try {
        const deadline = Date.now() + 30_000;
        while (!/kubeconfig: /.test(stdout) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
        expect(stdout).toMatch(/port: \d+/);
        await checkKubeconfig(join(dir, 'kc'));
        child.kill(signal);
        expect(await exited).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
if (!existsSync(join(process.cwd(), 'dist', 'sim', 'cli.js'))) console.warn('[sim tests] dist/ is not built: the CLI process test is skipped (npm run build)');
