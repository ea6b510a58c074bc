/**
 * One cluster's connection: a client-node KubeConfig (the control plane's context, a member's own context,
 * or the control plane's credentials pointed at the Karmada cluster proxy path) plus JSON GETs with a per-call
 * timeout, watches through client-node's Watch, and pod logs through client-node's Log. Requests are counted
 * per `cluster verb kind` for /metrics and tests.
 */
import http from 'node:http';
import https from 'node:https';
import { Writable } from 'node:stream';
import { Log, Watch, type KubeConfig } from '@kubernetes/client-node';
import { UpstreamError } from './UpstreamError.js';

export interface ClusterClientOptions {
  /** Result name of the cluster (member name or CONTROL_PLANE). */
  name: string;
  kubeConfig: KubeConfig;
  /** Per-call timeout, ms. @default 30000 */
  callTimeoutMs?: number;
  /** Logs call timeout, ms. @default 120000 */
  logsTimeoutMs?: number;
  /** Incremented per upstream request with `cluster verb what`. */
  count?: (key: string) => void;
}

export type WatchEventHandler = (type: string, object: Record<string, any>) => void;

export class ClusterClient {
  readonly name: string;
  readonly kubeConfig: KubeConfig;
  private readonly callTimeoutMs: number;
  private readonly logsTimeoutMs: number;
  private readonly count: (key: string) => void;
  private agent: http.Agent | undefined;
  private readonly server: URL;
  private readonly openControllers = new Set<AbortController>();
  private closed = false;

  constructor(options: ClusterClientOptions) {
    this.name = options.name;
    this.kubeConfig = options.kubeConfig;
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.logsTimeoutMs = options.logsTimeoutMs ?? 120_000;
    this.count = options.count ?? (() => {});
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error(`kubeconfig for ${this.name} has no current cluster`);
    this.server = new URL(cluster.server);
  }

  /**
   * GET a JSON document. `path` is relative to the cluster's server URL (which may itself be a proxy path).
   * @throws UpstreamError on non-2xx answers, transport failures and timeouts.
   */
  async getJson<T = any>(path: string, query: Record<string, string | number | boolean | undefined> = {}, what = 'get', timeoutMs = this.callTimeoutMs): Promise<T> {
    const url = this.url(path, query);
    const opts: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
    // Credentials (token, client certificate, CA) come from client-node, which also runs exec/OIDC providers.
    // It also builds a fresh agent per call; we replace it with one keep-alive agent per cluster.
    await this.kubeConfig.applyToHTTPSOptions(opts);
    opts.agent = this.sharedAgent(opts);
    this.count(`${this.name} ${what}`);
    const controller = new AbortController();
    this.openControllers.add(controller);
    const timer = setTimeout(() => controller.abort(new UpstreamError(`no answer within ${timeoutMs} ms for GET ${path}`, 0, { timedOut: true })), timeoutMs);
    try {
      const { status, body } = await this.send(url, opts, controller.signal);
      if (status < 200 || status >= 300) {
        let message = `GET ${path}: HTTP ${status}`;
        let reason: string | undefined;
        try {
          const parsed = JSON.parse(body);
          if (parsed?.kind === 'Status') {
            message = `GET ${path}: ${parsed.message ?? parsed.reason ?? status}`;
            reason = parsed.reason;
          }
        } catch {
          // Not a Status body (proxies answer HTML or plain text); the status code says enough.
        }
        throw new UpstreamError(message, status, reason !== undefined ? { reason } : {});
      }
      try {
        return JSON.parse(body) as T;
      } catch (err) {
        throw new UpstreamError(`GET ${path}: answer is not JSON`, 502, { cause: err });
      }
    } catch (err) {
      if (controller.signal.aborted && controller.signal.reason instanceof UpstreamError) throw controller.signal.reason;
      if (err instanceof UpstreamError) throw err;
      throw new UpstreamError(`GET ${path}: ${(err as Error).message}`, 0, { cause: err });
    } finally {
      clearTimeout(timer);
      this.openControllers.delete(controller);
    }
  }

  /**
   * Opens a watch through client-node's Watch. `onDone` is called once when the stream ends, with the error
   * if any (a clean server-side close gives null). Returns the controller that aborts it.
   */
  async watch(path: string, query: Record<string, string | number | boolean | undefined>, onEvent: WatchEventHandler, onDone: (err: unknown) => void, what = 'watch'): Promise<AbortController> {
    this.count(`${this.name} ${what}`);
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params[k] = String(v);
    let controller: AbortController | undefined;
    const done = (err: unknown) => {
      if (controller) this.openControllers.delete(controller);
      onDone(err ?? null);
    };
    controller = await new Watch(this.kubeConfig).watch(path, params, (type, obj) => onEvent(type, obj), done);
    if (this.closed) controller.abort();
    else this.openControllers.add(controller);
    return controller;
  }

  /** Reads a container log (not following) through client-node's Log, with the logs timeout. */
  async readLog(namespace: string, pod: string, container: string, options: { tailLines?: number; sinceSeconds?: number; previous?: boolean; timestamps?: boolean }): Promise<string> {
    this.count(`${this.name} log pods`);
    const chunks: Buffer[] = [];
    let finish!: () => void;
    let fail!: (err: unknown) => void;
    const finished = new Promise<void>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(Buffer.from(chunk));
        cb();
      },
      final(cb) {
        finish();
        cb();
      },
    });
    sink.on('error', fail);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller?.abort();
      fail(new UpstreamError(`no complete log within ${this.logsTimeoutMs} ms for ${namespace}/${pod}`, 0, { timedOut: true }));
    }, this.logsTimeoutMs);
    let controller: AbortController | undefined;
    try {
      // Log.log resolves once the response has started (or rejects with the HTTP error); the body then
      // streams into the sink. A timeout may come first: the late controller is then aborted at once.
      const started = new Log(this.kubeConfig).log(namespace, pod, container, sink, { follow: false, ...options });
      started.then(
        (c) => {
          controller = c;
          if (timedOut) c.abort();
          else this.openControllers.add(c);
        },
        () => {},
      );
      await Promise.race([started, finished]);
      await finished;
      return Buffer.concat(chunks).toString('utf8');
    } finally {
      clearTimeout(timer);
      if (controller) this.openControllers.delete(controller);
    }
  }

  /** Follows a container log through client-node's Log; `onLine` per complete line. Returns the stopper. */
  async followLog(namespace: string, pod: string, container: string, options: { tailLines?: number; sinceSeconds?: number; previous?: boolean; timestamps?: boolean }, onLine: (line: string) => void, onEnd: (err?: unknown) => void): Promise<() => void> {
    this.count(`${this.name} log pods`);
    let rest = '';
    let ended = false;
    const end = (err?: unknown) => {
      if (ended) return;
      ended = true;
      if (rest) onLine(rest);
      onEnd(err);
    };
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) onLine(line);
        cb();
      },
      final(cb) {
        end();
        cb();
      },
    });
    sink.on('error', (err) => end(err));
    const controller = await new Log(this.kubeConfig).log(namespace, pod, container, sink, { follow: true, ...options });
    this.openControllers.add(controller);
    return () => {
      this.openControllers.delete(controller);
      controller.abort();
      end();
    };
  }

  /** Aborts every open request and watch of this cluster and frees its connections. */
  close(): void {
    this.closed = true;
    for (const c of this.openControllers) c.abort();
    this.openControllers.clear();
    this.agent?.destroy();
  }

  private url(path: string, query: Record<string, string | number | boolean | undefined>): URL {
    const base = this.server.href.replace(/\/$/, '');
    const url = new URL(base + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** One keep-alive agent per cluster (client-node would make a new agent, hence a new TLS handshake, per call). */
  private sharedAgent(opts: https.RequestOptions): http.Agent {
    if (!this.agent) {
      this.agent = this.server.protocol === 'http:'
        ? new http.Agent({ keepAlive: true, maxSockets: 16 })
        : new https.Agent({
            keepAlive: true,
            maxSockets: 16,
            ...(opts.ca ? { ca: opts.ca } : {}),
            ...(opts.cert ? { cert: opts.cert } : {}),
            ...(opts.key ? { key: opts.key } : {}),
            ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
            ...(opts.servername ? { servername: opts.servername } : {}),
          });
    }
    return this.agent;
  }

  private send(url: URL, opts: https.RequestOptions, signal: AbortSignal): Promise<{ status: number; body: string }> {
    const mod = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { ...opts, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }
}
