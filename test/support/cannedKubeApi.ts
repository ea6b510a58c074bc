/**
 * A tiny in-memory stand-in for a kube-apiserver, for unit tests beside the code (ClusterClient,
 * ClusterConnection, KindInformer): a node:http server on 127.0.0.1 port 0 whose answers the test writes
 * (canned Status objects, list pages, watch streams), and a KubeConfig pointing at it. Runs in milliseconds.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/** A request the server received. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

/** Answers one request: write to `res` yourself (streams, hangs), or return a canned answer. */
export type CannedHandler = (req: SeenRequest, res: ServerResponse, raw: IncomingMessage) => CannedAnswer | undefined | void;

export interface CannedAnswer {
  status: number;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CannedKubeApi {
  url: string;
  kubeConfig: KubeConfig;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** A Kubernetes Status error body, as a kube-apiserver sends it. */
export function kubeStatus(code: number, reason: string, message: string, details?: object): CannedAnswer {
  return { status: code, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code } };
}

export async function startCannedKubeApi(handler: CannedHandler): Promise<CannedKubeApi> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((raw, res) => {
    const url = new URL(raw.url ?? '/', 'http://localhost');
    const seen: SeenRequest = { method: raw.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: raw.headers };
    requests.push(seen);
    const answer = handler(seen, res, raw);
    if (!answer) return;
    const isText = typeof answer.body === 'string';
    const body = answer.body === undefined ? '' : isText ? (answer.body as string) : JSON.stringify(answer.body);
    res.writeHead(answer.status, { 'content-type': isText ? 'text/plain' : 'application/json', ...(answer.headers ?? {}) });
    res.end(body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'canned', server: url, skipTLSVerify: true }],
    users: [{ name: 'tester', token: 'test-token' }],
    contexts: [{ name: 'canned', cluster: 'canned', user: 'tester' }],
    currentContext: 'canned',
  });
  return {
    url,
    kubeConfig,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
