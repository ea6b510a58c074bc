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
    expect(parseSimArgs(['--spare-members', '2']).options).toEqual({ spareMembers: 2 });
    expect(() => parseSimArgs(['--spare-members', '-1'])).toThrow('--spare-members needs a non-negative integer');
    expect(() => parseSimArgs(['--spare-members', '51'])).toThrow('--spare-members must be at most 50');
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

describe('fleetgraph sim --spare-members', () => {
  it('writes contexts spare1 and spare2 reaching unjoined members at their own endpoints with their own tokens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    const out: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => out.push(a.join(' '));
    try {
      const done = runSim(['--port', '0', '--scenario', 'demo', '--churn', '0', '--spare-members', '2', '--kubeconfig-out', join(dir, 'kc')], { exitAfterStop: false });
      const deadline = Date.now() + 60_000;
      while (!out.some((l) => l.startsWith('kubeconfig: ')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain('spare members (not joined): spare1, spare2');
      const kc = yaml.load(readFileSync(join(dir, 'kc'), 'utf8')) as any;
      const karmada = kc.clusters.find((c: any) => c.name === 'karmada').cluster;
      const ca = Buffer.from(karmada['certificate-authority-data'], 'base64').toString();
      const admin = kc.users.find((u: any) => u.name === 'karmada-admin').user.token;
      const spares = ['spare1', 'spare2'].map((name) => {
        const context = kc.contexts.find((c: any) => c.name === name)?.context;
        expect(context, `context ${name}`).toEqual({ cluster: name, user: `${name}-admin` });
        const server = kc.clusters.find((c: any) => c.name === name).cluster.server;
        expect(server).toBe(`${karmada.server}/members/${name}`);
        return { name, server, token: kc.users.find((u: any) => u.name === `${name}-admin`).user.token as string };
      });
      for (const spare of spares) {
        const nodes = await get(`${spare.server}/api/v1/nodes`, spare.token, ca);
        expect(nodes.status).toBe(200);
        expect(nodes.body.items.map((n: any) => n.metadata.name)).toEqual([`${spare.name}-worker-0`, `${spare.name}-worker-1`]);
        // Not joined: no Cluster object, and the Karmada proxy does not reach it.
        expect((await get(`${karmada.server}/apis/cluster.karmada.io/v1alpha1/clusters/${spare.name}`, admin, ca)).status).toBe(404);
        expect((await get(`${karmada.server}/apis/cluster.karmada.io/v1alpha1/clusters/${spare.name}/proxy/api/v1/nodes`, admin, ca)).status).toBe(404);
      }
      // Each spare's token is its own: not valid on the other spare.
      expect((await get(`${spares[1]!.server}/api/v1/nodes`, spares[0]!.token, ca)).status).toBe(401);
      process.emit('SIGTERM', 'SIGTERM');
      await done;
      expect(process.exitCode ?? 0).toBe(0);
    } finally {
      console.log = log;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
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
