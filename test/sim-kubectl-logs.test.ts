import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, kubectl, startTestSimulator, type TestSimulator } from './support/simServer.js';

// Container logs written by the simulated kubelet, read with kubectl (plain and followed).

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator({ scenario: 'demo', seed: 5 });
});
afterAll(async () => {
  await sim?.stop();
});

describe('kubectl logs on the demo fleet', () => {
  it('logs shows what the kubelet wrote, including the start-up lines', async () => {
    const m = sim.fleet.members.get('member2')!;
    const pod = (m.objects.list('pods', { namespace: 'shop', labelSelector: 'app=frontend' }) as any[])[0];
    const res = await kubectl(sim, ['--context', 'member2', 'logs', '-n', 'shop', pod.metadata.name]);
    expect(res.code).toBe(0);
    const held = m.logs.read('shop', pod.metadata.name, 'frontend').map((e) => e.line);
    expect(held.length).toBeGreaterThan(0);
    // kubectl may read a few more lines than this snapshot: the kubelet keeps writing.
    expect(res.stdout.split('\n').slice(0, held.length)).toEqual(held);
    expect(res.stdout).toContain('Configuration complete; ready for start up');
  });

  it('logs -f receives lines the kubelet writes after it started', async () => {
    const m = sim.fleet.members.get('member1')!;
    const pod = (m.objects.list('pods', { namespace: 'shop', labelSelector: 'app=orders' }) as any[])[0];
    const name = pod.metadata.name as string;
    const child = spawn('kubectl', ['--kubeconfig', sim.kubeconfigPath, '--context', 'member1', 'logs', '-f', '-n', 'shop', name, '-c', 'orders']);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    try {
      // Wait until kubectl printed the existing log, then note what was there.
      await eventually(() => out.includes('Tomcat started on port(s)'), 20_000);
      const startedWith = m.logs.read('shop', name, 'orders').length;
      // New lines come from the kubelet's own writer (about one line per container every few seconds).
      await eventually(() => m.logs.read('shop', name, 'orders').length >= startedWith + 2, 40_000);
      const fresh = m.logs.read('shop', name, 'orders').slice(startedWith).map((e) => e.line);
      await eventually(() => fresh.every((line) => out.includes(line)), 10_000);
      expect(fresh[0]).toMatch(/c\.e\.shop\.api\.OrderController|HikariPool|Processed batch|Cache hit ratio/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
