/**
 * One cluster's connection: a client-node KubeConfig (the control plane's context, a member's own context,
 * or the control plane's credentials pointed at the Karmada cluster proxy path) plus JSON GETs with a per-call
 * timeout, watches through client-node's Watch, and pod logs through client-node's Log. Requests are counted
 * per `cluster verb kind` for /metrics and tests.
 */
import http from 'node:http';
import https from 'node:https';
import { Writable } from 'node:stream';
import tls from 'node:tls';
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
  /**
   * How long a watch may take to answer with its response headers (connect, TLS, headers) before it is
   * given up as a timeout; once open, a stream may stay quiet for as long as the server keeps it.
   * @default callTimeoutMs
   */
  watchSetupTimeoutMs?: number;
  /** Incremented per upstream request with `cluster verb what`. */
  count?: (key: string) => void;
}

export type WatchEventHandler = (type: string, object: Record<string, any>) => void;

export class ClusterClient {
  readonly name: string;
  readonly kubeConfig: KubeConfig;
  private readonly callTimeoutMs: number;
  private readonly logsTimeoutMs: number;
  private readonly watchSetupTimeoutMs: number;
  private readonly count: (key: string) => void;
  private agent: http.Agent | undefined;
  private watchAgent: https.Agent | undefined;
  private readonly server: URL;
  private readonly openControllers = new Set<AbortController>();
  private closed = false;

  constructor(options: ClusterClientOptions) {
    this.name = options.name;
    this.kubeConfig = options.kubeConfig;
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.logsTimeoutMs = options.logsTimeoutMs ?? 120_000;
    this.watchSetupTimeoutMs = options.watchSetupTimeoutMs ?? this.callTimeoutMs;
    this.count = options.count ?? (() => {});
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error(`kubeconfig for ${this.name} has no current cluster`);
    this.server = new URL(cluster.server);
  }

  /**
   * GET a JSON document. `path` is relative to the cluster's server URL (which may itself be a proxy path).
   * With a `gate`, a successful answer's body is read and parsed inside `gate.run` (see BodyGate); the wait
   * for the gate does not count against the timeout.
   * @throws UpstreamError on non-2xx answers, transport failures and timeouts.
   */
  async getJson<T = any>(
    path: string,
    query: Record<string, string | number | boolean | undefined> = {},
    what = 'get',
    timeoutMs = this.callTimeoutMs,
    gate?: BodyGate,
  ): Promise<T> {
    const url = this.url(path, query);
    const opts: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
    // Credentials (token, client certificate, CA) come from client-node, which also runs exec/OIDC providers.
    // It also builds a fresh agent per call; we replace it with one keep-alive agent per cluster.
    await this.kubeConfig.applyToHTTPSOptions(opts);
    opts.agent = this.sharedAgent(opts);
    this.count(`${this.name} ${what}`);
    const controller = new AbortController();
    this.openControllers.add(controller);
    const startTimer = () => setTimeout(() => controller.abort(new UpstreamError(`no answer within ${timeoutMs} ms for GET ${path}`, 0, { timedOut: true })), timeoutMs);
    let timer = startTimer();
    const parse = (body: string): T => {
      try {
        return JSON.parse(body) as T;
      } catch (err) {
        throw new UpstreamError(`GET ${path}: answer is not JSON`, 502, { cause: err });
      }
    };
    try {
      const res = await this.request(url, opts, controller.signal);
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        if (!gate) return parse(await readBody(res));
        clearTimeout(timer);
        return await gate.run(async () => {
          timer = startTimer();
          return parse(await readBody(res));
        });
      }
      const body = await readBody(res);
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
   *
   * A server that accepts the connection but never answers the watch would leave it pending for ever
   * (client-node's Watch sets no timeout of its own): without response headers within `setupTimeoutMs`,
   * the request is abandoned and `onDone` gets an UpstreamError with `timedOut`.
   */
  async watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    onEvent: WatchEventHandler,
    onDone: (err: unknown) => void,
    what = 'watch',
    setupTimeoutMs = this.watchSetupTimeoutMs,
  ): Promise<AbortController> {
    this.count(`${this.name} ${what}`);
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params[k] = String(v);
    let controller: AbortController | undefined;
    const done = (err: unknown) => {
      if (controller) this.openControllers.delete(controller);
      // node-fetch's own timeout (set below): the watch never answered.
      if ((err as { type?: string } | null)?.type === 'request-timeout') {
        onDone(new UpstreamError(`no answer to the watch within ${setupTimeoutMs} ms for GET ${path}`, 0, { timedOut: true, cause: err }));
      } else onDone(err ?? null);
    };
    controller = await new Watch(this.watchConfig(setupTimeoutMs)).watch(path, params, (type, obj) => onEvent(type, obj), done);
    if (this.closed) controller.abort();
    else this.openControllers.add(controller);
    return controller;
  }

  /**
   * The KubeConfig handed to client-node's Watch: ours (credentials, exec and OIDC providers run as usual)
   * with two changes to the fetch options it produces. A `timeout`, which node-fetch applies from the moment
   * the request has a socket until the response headers arrive, and nothing after. And, for a direct TLS
   * connection, a per-cluster agent sharing one TLS context: client-node builds a new agent, hence a new TLS
   * context (the CA and client certificate parsed again), for every watch, which was a large part of the
   * CPU time of an initial sync with a hundred members of ten kinds each.
   */
  private watchConfig(setupTimeoutMs: number): KubeConfig {
    const kc = this.kubeConfig;
    const config = Object.create(kc) as KubeConfig;
    config.applyToFetchOptions = async (opts) => {
      const init = await kc.applyToFetchOptions(opts);
      init.timeout = setupTimeoutMs;
      // Proxy agents (a kubeconfig proxy-url) and plain HTTP are kept as client-node made them.
      if (init.agent?.constructor === https.Agent && !kc.getCurrentCluster()?.proxyUrl) init.agent = this.sharedWatchAgent(init.agent as https.Agent);
      return init;
    };
    return config;
  }

  /**
   * One agent for this cluster's watches, with client-node's TLS settings and a shared TLS context. Not
   * keep-alive: each watch has its own connection, and none is handed a socket the server closed meanwhile.
   */
  private sharedWatchAgent(made: https.Agent): https.Agent {
    if (!this.watchAgent) {
      const o = made.options;
      this.watchAgent = new https.Agent({
        keepAlive: false,
        secureContext: sharedSecureContext(o),
        ...(o.rejectUnauthorized !== undefined ? { rejectUnauthorized: o.rejectUnauthorized } : {}),
        ...(o.servername ? { servername: o.servername } : {}),
      });
    }
    made.destroy();
    return this.watchAgent;
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
    this.watchAgent?.destroy();
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
            secureContext: sharedSecureContext(opts),
            ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
            ...(opts.servername ? { servername: opts.servername } : {}),
          });
    }
    return this.agent;
  }

  /** Sends the request; resolves with the response as soon as its headers are in, its body unread. */
  private request(url: URL, opts: https.RequestOptions, signal: AbortSignal): Promise<http.IncomingMessage> {
    const mod = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { ...opts, signal }, (res) => {
        // The body may be read later (after a gate): until then a failure is only recorded (res.errored),
        // and readBody reports it.
        res.on('error', () => {});
        resolve(res);
      });
      req.on('error', reject);
      req.end();
    });
  }
}

/**
 * Limits how many answers' bodies are read and parsed at once (see KindInformer's list pages). Taken once the
 * headers are in, so that an upstream that never answers holds no slot.
 */
export interface BodyGate {
  run<T>(task: () => Promise<T>): Promise<T>;
}

/** Reads a whole response body as UTF-8. */
function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    if (res.destroyed) {
      // Failed (or aborted) while it waited for a gate.
      reject(res.errored ?? new Error('the connection closed before the answer was read'));
      return;
    }
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(new Error('the connection closed before the answer was complete'));
    });
  });
}

/** TLS contexts by the credentials they hold: members reached through the control plane's proxy share one. */
const secureContexts = new Map<string, tls.SecureContext>();

/** One TLS context per distinct CA / client certificate / key: building one parses them all again. */
function sharedSecureContext(o: tls.SecureContextOptions): tls.SecureContext {
  const one = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('base64') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  const part = (v: unknown) => (v === undefined ? '' : Array.isArray(v) ? v.map(one).join('\n') : one(v));
  const key = [o.ca, o.cert, o.key, o.pfx, o.passphrase].map(part).join('\0');
  let context = secureContexts.get(key);
  if (!context) {
    // Bounded: contexts of clusters long gone must not pile up in a gateway that runs for months.
    if (secureContexts.size >= 64) secureContexts.clear();
    context = tls.createSecureContext({
      ...(o.ca ? { ca: o.ca } : {}),
      ...(o.cert ? { cert: o.cert } : {}),
      ...(o.key ? { key: o.key } : {}),
      ...(o.pfx ? { pfx: o.pfx } : {}),
      ...(o.passphrase ? { passphrase: o.passphrase } : {}),
    });
    secureContexts.set(key, context);
  }
  return context;
}
