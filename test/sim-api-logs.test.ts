/**
 * The pod `log` subresource on a member with simulated kubelets: the lines the kubelet wrote,
 * tailLines, timestamps, follow streaming until the client leaves, and the error answers of a real
 * server (404 missing pod, 400 ambiguous or unknown container, 400 no previous container).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, simRequest, simStream, startTestSimulator } from './support/simServer.js';
import type { TestSimulator } from './support/simServer.js';

let sim: TestSimulator;
const member = () => sim.fleet.members.get('member1')!;
const POD = '/apis/cluster.karmada.io/v1alpha1/clusters/member1/proxy/api/v1/namespaces/default/pods';

describe('pod logs through the member proxy', () => {
  beforeAll(async () => {
    sim = await startTestSimulator({ scenario: 'mini' });
    member().objects.create('pods', { metadata: { name: 'one', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] } });
    member().objects.create('pods', { metadata: { name: 'two', namespace: 'default' }, spec: { containers: [{ name: 'a', image: 'busybox:1.36' }, { name: 'b', image: 'busybox:1.36' }] } });
    await eventually(() => ['one', 'two'].every((n) => (member().objects.get('pods', 'default', n) as any)?.status?.phase === 'Running'));
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('serves what the kubelet wrote, with tailLines and timestamps', async () => {
    member().logs.append('default', 'one', 'app', 'hello from the test');
    member().logs.append('default', 'one', 'app', 'second line');
    const before = member().logs.read('default', 'one', 'app').map((e) => `${e.line}\n`).join('');
    const r = await simRequest(sim, `${POD}/one/log`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain');
    // The kubelet may have written more lines meanwhile: what we knew is a prefix of the answer.
    expect(r.text.startsWith(before)).toBe(true);
    expect(r.text).toContain('hello from the test\nsecond line\n');
    const tail = await simRequest(sim, `${POD}/one/log?tailLines=2&timestamps=true`);
    const lines = tail.text.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \S/);
    // The two lines are consecutive entries of the log, stamped as the kubelet stamped them.
    const log = member().logs.read('default', 'one', 'app').map((e) => `${e.time} ${e.line}`);
    const at = log.indexOf(lines[0]!);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(log[at + 1]).toBe(lines[1]);
  });

  it('follows new lines until the client goes', async () => {
    const s = simStream(sim, `${POD}/one/log?follow=true&tailLines=0`);
    expect(await s.status).toBe(200);
    member().logs.append('default', 'one', 'app', 'followed 1');
    await s.waitFor((lines) => lines.includes('followed 1'));
    member().logs.append('default', 'one', 'app', 'followed 2');
    await s.waitFor((lines) => lines.includes('followed 2'));
    expect(s.lines.filter((l) => String(l).startsWith('followed'))).toEqual(['followed 1', 'followed 2']);
    s.close();
  });

  it('a follow ends when the pod is deleted', async () => {
    member().objects.create('pods', { metadata: { name: 'short', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] } });
    await eventually(() => (member().objects.get('pods', 'default', 'short') as any)?.status?.phase === 'Running');
    const s = simStream(sim, `${POD}/short/log?follow=true`);
    expect(await s.status).toBe(200);
    member().objects.delete('pods', 'default', 'short', { gracePeriodSeconds: 0 });
    await s.ended;
  });

  it('a follow ends when the member drops its streams', async () => {
    const s = simStream(sim, `${POD}/one/log?follow=true&tailLines=0`);
    expect(await s.status).toBe(200);
    member().logs.append('default', 'one', 'app', 'before the drop');
    await s.waitFor((lines) => lines.includes('before the drop'));
    expect((await simRequest(sim, '/_sim/faults/member1/drop-watches', { method: 'POST' })).status).toBe(200);
    await s.ended;
  });

  it('answers errors as a real server does', async () => {
    const missing = await simRequest(sim, `${POD}/nope/log`);
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe('pods "nope" not found');
    const ambiguous = await simRequest(sim, `${POD}/two/log`);
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.json.message).toBe('a container name must be specified for pod two, choose one of: [a b]');
    const unknown = await simRequest(sim, `${POD}/two/log?container=zz`);
    expect(unknown.status).toBe(400);
    expect(unknown.json.message).toBe('container zz is not valid for pod two');
    expect((await simRequest(sim, `${POD}/two/log?container=b`)).status).toBe(200);
    const previous = await simRequest(sim, `${POD}/one/log?previous=true`);
    if (member().logs.read('default', 'one', 'app', true).length === 0) {
      expect(previous.status).toBe(400);
      expect(previous.json.message).toBe('previous terminated container "app" in pod "one" not found');
    } else {
      expect(previous.status).toBe(200);
    }
  });
});
