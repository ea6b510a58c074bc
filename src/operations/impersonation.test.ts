/**
 * The impersonation headers on the wire: a ClusterWriter made for a caller sends `Impersonate-User` and one
 * `Impersonate-Group` header line per group on its writes (kube-apiserver reads the lines as a list), and
 * none on its reads (the gateway follows its writes as itself). Checked on the raw header lines a local HTTP
 * server receives, since Node's server joins repeated headers in `req.headers`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterWriter } from './ClusterWriter.js';
import { impersonationHeaders } from './impersonation.js';

let server: Server;
const seen: Array<{ method: string; url: string; lines: Array<[string, string]> }> = [];

function linesOf(req: IncomingMessage): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) out.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
  return out;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', lines: linesOf(req) });
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', resourceVersion: '1' }, spec: {} };
      res.end(JSON.stringify(req.url?.startsWith('/api/v1/nodes') ? node : { kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'nodes', namespaced: false, kind: 'Node', verbs: ['get', 'patch'] }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  const port = (server.address() as AddressInfo).port;
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    // A kubeconfig `as:` of its own is replaced by the caller.
    users: [{ name: 'gateway', token: 'gateway-token', impersonateUser: 'someone-else' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'gateway' }],
    currentContext: 'c',
  });
  return kc;
}

describe('impersonated writes on the wire', () => {
  it('sends the user and one header line per group (system:authenticated left to the server) on writes, nothing on reads', async () => {
    const writer = new ClusterWriter({
      cluster: 'c',
      kubeConfig: kubeConfig(),
      onChange: () => undefined,
      impersonate: { user: 'ops-oncall', groups: ['system:authenticated', 'oncall', 'sre, emea'] },
    });
    seen.length = 0;
    const before = await writer.read({ apiVersion: 'v1', kind: 'Node', name: 'n1' });
    await writer.mergePatch({ apiVersion: 'v1', kind: 'Node', name: 'n1' }, { spec: { unschedulable: true } }, before);
    const read = seen.find((r) => r.method === 'GET' && r.url === '/api/v1/nodes/n1')!;
    const patch = seen.find((r) => r.method === 'PATCH')!;
    expect(read.lines.find(([k]) => k === 'authorization')?.[1]).toBe('Bearer gateway-token');
    // The kubeconfig's own `as:` applies to the gateway's reads (client-node sends it); the caller is not.
    expect(read.lines.filter(([k]) => k.startsWith('impersonate-'))).toEqual([['impersonate-user', 'someone-else']]);
    expect(patch.lines.find(([k]) => k === 'authorization')?.[1]).toBe('Bearer gateway-token');
    expect(patch.lines.filter(([k]) => k.startsWith('impersonate-'))).toEqual([
      ['impersonate-user', 'ops-oncall'],
      ['impersonate-group', 'oncall'],
      ['impersonate-group', 'sre, emea'],
    ]);
  });

  it('lists each group once', () => {
    expect(impersonationHeaders({ user: 'u', groups: ['a', 'a', 'system:authenticated', 'b'] })).toEqual([
      ['Impersonate-User', 'u'], ['Impersonate-Group', 'a'], ['Impersonate-Group', 'b'],
    ]);
  });
});
