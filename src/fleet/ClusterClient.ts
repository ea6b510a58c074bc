/**
 * One cluster's connection: a client-node KubeConfig (the control plane's context, a member's own context,
 * or the control plane's credentials pointed at the Karmada cluster proxy path) plus JSON GETs with a per-call
 * timeout, watches through client-node's Watch, and pod logs through client-node's Log. Requests are counted
 * per `cluster verb kind` for tests, and each call is told to the FleetSignals (metrics, traces) with its outcome.
 */
import http from 'node:http';
import https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import tls from 'node:tls';
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { NO_FLEET_SIGNALS, upstreamCodeOf, verbAndKind, type FleetSignals } from './FleetSignals.js';
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
  /** Told each upstream call and its outcome (status code). @default NO_FLEET_SIGNALS */
  signals?: FleetSignals;
  /** How often a GET answered 429 (throttled) is retried before the 429 is thrown. @default 3 */
  throttleRetries?: number;
  /** The longest wait before such a retry, whatever the server's Retry-After says, ms. @default 5000 */
  maxRetryAfterMs?: number;
}

/** Options of a pod log request (the pod/log subresource's query parameters). */
export interface LogRequestOptions {
  tailLines?: number;
  sinceSeconds?: number;
  previous?: boolean;
  timestamps?: boolean;
  /**
   * Read as this user (`Impersonate-User`, one `Impersonate-Group` per group): the member's own RBAC then
   * decides too, and its audit log names the user. The gateway's identity needs `impersonate` for it.
   * @default undefined (the gateway's own identity)
   */
  impersonate?: { user: string; groups: readonly string[] } | undefined;
}

/** Kubernetes' impersonation headers for a user (Node sends an array value as repeated header lines). */
export function impersonationHeaders(who: { user: string; groups: readonly string[] }): Record<string, string | string[]> {
  return { 'Impersonate-User': who.user, ...(who.groups.length ? { 'Impersonate-Group': [...who.groups] } : {}) };
}

export type WatchEventHandler = (type: string, object: Record<string, any>) => void;

export class ClusterClient {
  readonly name: string;
  readonly kubeConfig: KubeConfig;
  private readonly callTimeoutMs: number;
  private readonly logsTimeoutMs: number;
  private readonly watchSetupTimeoutMs: number;
  private readonly count: (key: string) => void;
  private readonly signals: FleetSignals;
  private readonly throttleRetries: number;
  private readonly maxRetryAfterMs: number;
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
    this.signals = options.signals ?? NO_FLEET_SIGNALS;
    this.throttleRetries = options.throttleRetries ?? 3;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 5000;
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error(`kubeconfig for ${this.name} has no current cluster`);
    this.server = new URL(cluster.server);
  }

  /**
   * GET a JSON document. `path` is relative to the cluster's server URL (which may itself be a proxy path).
   * With a `gate`, a successful answer's body is read and parsed inside `gate.run` (see BodyGate); the wait
   * for the gate does not count against the timeout.
   *
   * A 429 (the server's own throttling) is retried here, by whoever asked, up to `throttleRetries` times,
   * after the server's Retry-After (bounded by `maxRetryAfterMs`) or a short backoff; then it is thrown.
   * @throws UpstreamError on non-2xx answers, transport failures and timeouts.
   */
  async getJson<T = any>(
    path: string,
    query: Record<string, string | number | boolean | undefined> = {},
    what = 'get',
    timeoutMs = this.callTimeoutMs,
    gate?: BodyGate,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.getJsonOnce<T>(path, query, what, timeoutMs, gate);
      } catch (err) {
        if (!(err instanceof UpstreamError) || err.status !== 429 || attempt >= this.throttleRetries || this.closed) throw err;
        await this.pause(throttleDelayMs(err, attempt, this.maxRetryAfterMs));
        if (this.closed) throw err;
      }
    }
  }

  private async getJsonOnce<T>(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    what: string,
    timeoutMs: number,
    gate: BodyGate | undefined,
  ): Promise<T> {
    const url = this.url(path, query);
    const opts: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
    // Credentials (token, client certificate, CA) come from client-node, which also runs exec/OIDC providers.
    // It also builds a fresh agent per call; we replace it with one keep-alive agent per cluster.
    await this.kubeConfig.applyToHTTPSOptions(opts);
    opts.agent = this.sharedAgent(opts);
    this.count(`${this.name} ${what}`);
    const end = this.startCall(...verbAndKind(what));
    const controller = new AbortController();
    this.openControllers.add(controller);
    const startTimer = () => setTimeout(() => controller.abort(new UpstreamError(`GET ${path}: no answer within ${timeoutMs} ms`, 0, { timedOut: true })), timeoutMs);
    let timer = startTimer();
    const parse = (body: string): T => {
      try {
        return JSON.parse(body) as T;
      } catch (err) {
        throw new UpstreamError(`GET ${path}: HTTP 200 answer is not JSON`, 502, { cause: err });
      }
    };
    try {
      const res = await this.request(url, opts, controller.signal);
      const status = res.statusCode ?? 0;
      // The call's outcome is its answer's status; reading the body (after a gate) is the caller's time.
      end(String(status));
      if (status >= 200 && status < 300) {
        if (!gate) return parse(await readBody(res));
        clearTimeout(timer);
        return await gate.run(async () => {
          timer = startTimer();
          return parse(await readBody(res));
        });
      }
      throw await errorOfAnswer(`GET ${path}`, res);
    } catch (err) {
      const failure = this.failure(err, controller, `GET ${path}`);
      // No answer came (when one did, its status was told above and this second end is ignored).
      end(upstreamCodeOf(failure));
      throw failure;
    } finally {
      clearTimeout(timer);
      this.openControllers.delete(controller);
    }
  }

  /** Tells the signals a call starts; the end it returns counts once (later outcomes of the same call are ignored). */
  private startCall(verb: string, kind: string): (code: string) => void {
    const end = this.signals.upstreamCall(this.name, verb, kind);
    let ended = false;
    return (code) => {
      if (ended) return;
      ended = true;
      end(code);
    };
  }

  /** The error to throw for a failed request: our timeout, an answer's error, or a transport failure. */
  private failure(err: unknown, controller: AbortController, what: string): UpstreamError {
    if (controller.signal.aborted && controller.signal.reason instanceof UpstreamError) return controller.signal.reason;
    if (err instanceof UpstreamError) return err;
    // node:http's own errors (ECONNREFUSED, ECONNRESET, TLS): their message names the failure, not an answer.
    return new UpstreamError(`${what}: ${(err as Error).message}`, 0, { cause: err });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
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
    const end = this.startCall(...verbAndKind(what));
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params[k] = String(v);
    let controller: AbortController | undefined;
    const done = (err: unknown) => {
      if (controller) this.openControllers.delete(controller);
      // node-fetch's own timeout (set below): the watch never answered.
      if ((err as { type?: string } | null)?.type === 'request-timeout') {
        const timedOut = new UpstreamError(`no answer to the watch within ${setupTimeoutMs} ms for GET ${path}`, 0, { timedOut: true, cause: err });
        end(upstreamCodeOf(timedOut));
        onDone(timedOut);
      } else {
        // A stream refused before it opened ends the call with its status; a later close is no call of its own.
        if (err) end(upstreamCodeOf(err));
        onDone(err ?? null);
      }
    };
    try {
      controller = await new Watch(this.watchConfig(setupTimeoutMs)).watch(path, params, (type, obj) => onEvent(type, obj), done);
    } catch (err) {
      end(upstreamCodeOf(err));
      throw err;
    }
    end('200');
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

  /**
   * Reads a container log (not following), within the logs timeout (headers and body). The request is ours
   * rather than client-node's Log: that one drops `tailLines: 0` (it tests the option for truth), and for
   * an error answer it reads no Status and puts the answer's headers in its message.
   * @throws UpstreamError as getJson does (a 400 for a container that does not exist, or `previous` logs of
   *   one that never restarted).
   */
  async readLog(namespace: string, pod: string, container: string, options: LogRequestOptions): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.readLogOnce(namespace, pod, container, options);
      } catch (err) {
        // Throttled: retried here like a GET (see getJson).
        if (!(err instanceof UpstreamError) || err.status !== 429 || attempt >= this.throttleRetries || this.closed) throw err;
        await this.pause(throttleDelayMs(err, attempt, this.maxRetryAfterMs));
        if (this.closed) throw err;
      }
    }
  }

  private async readLogOnce(namespace: string, pod: string, container: string, options: LogRequestOptions): Promise<string> {
    const controller = new AbortController();
    const what = `GET pods/log ${namespace}/${pod}`;
    const timer = setTimeout(() => controller.abort(new UpstreamError(`${what}: no complete log within ${this.logsTimeoutMs} ms`, 0, { timedOut: true })), this.logsTimeoutMs);
    this.openControllers.add(controller);
    try {
      const res = await this.openLog(namespace, pod, container, { ...options, follow: false }, controller);
      return await readBody(res);
    } catch (err) {
      throw this.failure(err, controller, what);
    } finally {
      clearTimeout(timer);
      this.openControllers.delete(controller);
    }
  }

  /**
   * Follows a container log; `onLine` per complete line, `onEnd` once when the stream ends (with the error,
   * if it failed). Resolves with the stopper once the answer has started.
   * @throws UpstreamError when the member refuses the request or does not answer within the call timeout.
   */
  async followLog(namespace: string, pod: string, container: string, options: LogRequestOptions, onLine: (line: string) => void, onEnd: (err?: unknown) => void): Promise<() => void> {
    const controller = new AbortController();
    const what = `GET pods/log ${namespace}/${pod}`;
    const timer = setTimeout(() => controller.abort(new UpstreamError(`${what}: no answer within ${this.callTimeoutMs} ms`, 0, { timedOut: true })), this.callTimeoutMs);
    this.openControllers.add(controller);
    let res: http.IncomingMessage;
    try {
      res = await this.openLog(namespace, pod, container, { ...options, follow: true }, controller);
    } catch (err) {
      this.openControllers.delete(controller);
      throw this.failure(err, controller, what);
    } finally {
      clearTimeout(timer);
    }
    let rest = '';
    let ended = false;
    const end = (err?: unknown) => {
      if (ended) return;
      ended = true;
      this.openControllers.delete(controller);
      if (rest) onLine(rest);
      rest = '';
      onEnd(err);
    };
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    res.on('end', () => end());
    res.on('close', () => end(res.complete || controller.signal.aborted ? undefined : new UpstreamError(`${what}: the stream broke off`, 0)));
    return () => {
      controller.abort();
      end();
    };
  }

  /** Sends a pod log request; resolves with a 2xx answer (body unread) or throws the error answer. */
  private async openLog(namespace: string, pod: string, container: string, options: LogRequestOptions & { follow: boolean }, controller: AbortController): Promise<http.IncomingMessage> {
    this.count(`${this.name} log pods`);
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`;
    const url = this.url(path, {
      container,
      follow: options.follow ? true : undefined,
      // 0 is a real value ("no lines"), unlike client-node's Log, which drops it.
      tailLines: options.tailLines,
      sinceSeconds: options.sinceSeconds,
      previous: options.previous ? true : undefined,
      timestamps: options.timestamps ? true : undefined,
    });
    const opts: https.RequestOptions = { method: 'GET', headers: { Accept: '*/*', ...(options.impersonate ? impersonationHeaders(options.impersonate) : {}) } };
    await this.kubeConfig.applyToHTTPSOptions(opts);
    opts.agent = this.sharedAgent(opts);
    const end = this.startCall('log', 'pods');
    let res: http.IncomingMessage;
    try {
      res = await this.request(url, opts, controller.signal);
    } catch (err) {
      const signalled = controller.signal.reason;
      end(upstreamCodeOf(signalled instanceof UpstreamError ? signalled : err));
      throw err;
    }
    const status = res.statusCode ?? 0;
    end(String(status));
    if (status >= 200 && status < 300) return res;
    throw await errorOfAnswer(`GET pods/log ${namespace}/${pod}`, res);
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

/**
 * The delay before retrying a throttled (429) GET: the server's Retry-After when it gave one, else a short
 * exponential backoff with jitter; never more than `maxMs`.
 */
export function throttleDelayMs(err: UpstreamError, attempt: number, maxMs: number): number {
  const asked = err.retryAfterSeconds !== undefined ? err.retryAfterSeconds * 1000 : 200 * 2 ** attempt * (0.8 + Math.random() * 0.4);
  return Math.min(maxMs, Math.max(0, Math.round(asked)));
}

/** The largest error body read for its Status (a Status is a few hundred bytes; proxies may send pages). */
const ERROR_BODY_LIMIT = 64 * 1024;

/** The UpstreamError of a non-2xx answer: its status, Status object and Retry-After; never its headers. */
async function errorOfAnswer(what: string, res: http.IncomingMessage): Promise<UpstreamError> {
  const status = res.statusCode ?? 0;
  let body = '';
  try {
    body = await readBody(res, ERROR_BODY_LIMIT);
  } catch {
    // The status code says enough when the body broke off.
  }
  return UpstreamError.fromAnswer(what, status, body, res.headers['retry-after']);
}

/**
 * Reads a whole response body as UTF-8 (at most `limit` bytes: the rest is dropped and the answer closed).
 *
 * Each chunk is decoded as it arrives and the text joined in V8's heap (a rope, which JSON.parse flattens once),
 * rather than the chunks joined into one Buffer (Buffer.concat) and decoded at the end. A list page is ~1.7 MB:
 * one such Buffer per page is a malloc'd block outside the V8 heap, and once glibc has freed one it raises its
 * mmap threshold to that size, so every later page landed in the malloc heap, which kept ~70 MB it could not
 * give back after a bench-l sync (malloc_stats: 232 MB held, 153 MB in use). Measured at bench-l (300,000 pods,
 * two samples each, alternating, machine shared): gateway CPU per sync 22.7-23.7 s -> 17.8-18.3 s, RSS after
 * sync 620-633 -> 538-544 MiB. Keeping the Buffer chunks and decoding them at the end saved less CPU
 * (20.0-20.4 s) for the same RSS; the rope's chunks are promoted while a page waits, so its peak RSS is higher
 * (749-805 against 670-690 MiB).
 */
function readBody(res: http.IncomingMessage, limit = Infinity): Promise<string> {
  return new Promise((resolve, reject) => {
    if (res.destroyed) {
      // Failed (or aborted) while it waited for a gate.
      reject(res.errored ?? new Error('the connection closed before the answer was read'));
      return;
    }
    const decoder = new StringDecoder('utf8');
    let text = '';
    let size = 0;
    res.on('data', (c: Buffer) => {
      if (size >= limit) return;
      const part = size + c.length > limit ? c.subarray(0, limit - size) : c;
      text += decoder.write(part);
      size += part.length;
      if (size >= limit) {
        resolve(text + decoder.end());
        res.destroy();
      }
    });
    res.on('end', () => resolve(text + decoder.end()));
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(new Error('the connection closed before the answer was complete'));
    });
  });
}

/** TLS contexts by the credentials they hold: members reached through the control plane's proxy share one. */
const secureContexts = new Map<string, tls.SecureContext>();

/** One TLS context per distinct CA / client certificate / key: building one parses them all again. */
export function sharedSecureContext(o: tls.SecureContextOptions): tls.SecureContext {
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
