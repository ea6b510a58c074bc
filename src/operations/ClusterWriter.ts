/**
 * Writes to one cluster (a member, or the Karmada control plane) through @kubernetes/client-node with the
 * KubeConfig the data layer built for it (own context, or the Karmada cluster proxy path), and records every
 * change it makes — the object before and after — in the audit log. The gateway never builds these requests
 * itself: the generic KubernetesObjectApi handles any kind, CoreV1Api handles the Eviction subresource.
 *
 * With `impersonate`, the writes (patch, create, replace, delete, evict) are made as that caller (see
 * impersonation.ts); reads stay the gateway's own, because they are how the gateway follows what its writes
 * did (the object before, a pod until it is gone), not something the caller asked to see.
 */
import { ApiException, CoreV1Api, HttpMethod, KubernetesObjectApi, PatchStrategy, type Configuration, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { NO_FLEET_SIGNALS, upstreamCodeOf, type FleetSignals } from '../fleet/FleetSignals.js';
import { impersonatingConfiguration, type Impersonation } from './impersonation.js';
import { keepAliveConfiguration } from '../fleet/keepAliveConfiguration.js';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string | null;
  name: string;
}

/** A Kubernetes object as JSON (what client-node returns, without its class wrappers). */
export type KubeObject = KubernetesObject & { spec?: any; status?: any; data?: any; [key: string]: any };

export interface ChangeRecord {
  verb: 'create' | 'update' | 'patch' | 'delete' | 'evict';
  cluster: string;
  kind: string;
  namespace: string | null;
  name: string;
  before: KubeObject | null;
  after: KubeObject | null;
}

/** An upstream refusal or failure, with the HTTP status (0 for transport failures) and the Status reason. */
export class UpstreamWriteError extends Error {
  constructor(message: string, readonly status: number, readonly reason: string | null) {
    super(message);
    this.name = 'UpstreamWriteError';
  }
}

/** Turns a client-node error into an UpstreamWriteError with the API server's message. */
export function toWriteError(err: unknown, what: string): UpstreamWriteError {
  if (err instanceof UpstreamWriteError) return err;
  if (err instanceof ApiException) {
    let message = `HTTP ${err.code}`;
    let reason: string | null = null;
    const body = typeof err.body === 'string' ? safeParse(err.body) : err.body;
    if (body && typeof body === 'object') {
      message = (body as any).message ?? message;
      reason = (body as any).reason ?? null;
    }
    return new UpstreamWriteError(`${what}: ${message}`, err.code, reason);
  }
  return new UpstreamWriteError(`${what}: ${(err as Error)?.message ?? String(err)}`, 0, null);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Plain JSON copy (client-node returns class instances with Date fields). */
function plain<T>(o: T): T {
  return JSON.parse(JSON.stringify(o)) as T;
}

/** One raw answer of the API server: status, headers (lower-case names) and the body parsed as JSON (null when not JSON). */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/**
 * Server-side apply options: `dryRun` sends `dryRun=All` (nothing persisted), `force` takes over fields other
 * managers own (`force=true`).
 */
export interface ApplyOptions {
  dryRun?: boolean;
  force?: boolean;
}

/** How long one raw request (discovery, read, dry run, apply, delete) may take, ms. */
const RAW_TIMEOUT_MS = 30_000;

/** The Warning headers of an answer (RFC 7234 `299 - "text"`; several joined by ", " or repeated): the texts. */
export function warningsOf(headers: Record<string, string>): string[] {
  const raw = headers['warning'];
  if (!raw) return [];
  const out: string[] = [];
  const re = /\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) out.push(m[1]!.replace(/\\(.)/g, '$1'));
  return out;
}

export interface ClusterWriterOptions {
  /** Result name of the cluster (member name; the control plane's internal name). */
  cluster: string;
  kubeConfig: KubeConfig;
  /** Receives each change made. */
  onChange: (change: ChangeRecord) => void;
  /** fieldManager sent with writes. @default 'fleetgraph' */
  fieldManager?: string;
  /** Make the writes as this caller (Impersonate-User / Impersonate-Group). @default the kubeconfig's own identity */
  impersonate?: Impersonation | null;
  /** Told each upstream call (verb, kind as its plural, status code), as the read path's are. @default none */
  signals?: FleetSignals;
}

/** The resource (plural, lower case) of a Kind, as the read path labels its calls: Kubernetes' default plural. */
export function resourceOfKind(kind: string): string {
  const k = kind.toLowerCase();
  return k.endsWith('y') ? `${k.slice(0, -1)}ies` : k.endsWith('s') ? `${k}es` : `${k}s`;
}

export class ClusterWriter {
  readonly cluster: string;
  /** Reads, as the gateway. */
  private readonly objects: KubernetesObjectApi;
  /** Writes, as the caller when impersonating (else the same client as reads). */
  private readonly writes: KubernetesObjectApi;
  private readonly core: CoreV1Api;
  /** Client configurations of the raw requests (server-side apply, discovery): the gateway's, and the writes' (the caller's when impersonating). */
  private readonly ownConfiguration: Configuration;
  private readonly writeConfiguration: Configuration;
  private readonly onChange: (change: ChangeRecord) => void;
  private readonly fieldManager: string;
  private readonly signals: FleetSignals;

  constructor(options: ClusterWriterOptions) {
    this.cluster = options.cluster;
    this.signals = options.signals ?? NO_FLEET_SIGNALS;
    // Connections kept alive (keepAliveConfiguration): client-node alone makes a TLS handshake per call.
    const own = keepAliveConfiguration(options.kubeConfig);
    this.objects = new KubernetesObjectApi(own);
    this.ownConfiguration = own;
    if (options.impersonate) {
      const configuration = impersonatingConfiguration(options.kubeConfig, options.impersonate);
      this.writes = new KubernetesObjectApi(configuration);
      this.core = new CoreV1Api(configuration);
      this.writeConfiguration = configuration;
    } else {
      this.writes = this.objects;
      this.core = new CoreV1Api(own);
      this.writeConfiguration = own;
    }
    this.onChange = options.onChange;
    this.fieldManager = options.fieldManager ?? 'fleetgraph';
  }

  /** The object, or null when it does not exist. */
  async read(ref: ObjectRef): Promise<KubeObject | null> {
    try {
      return plain((await this.call('get', ref.kind, () => this.objects.read(header(ref)))) as KubeObject);
    } catch (err) {
      const e = toWriteError(err, `read ${describe(ref)}`);
      if (e.status === 404) return null;
      throw e;
    }
  }

  async list(apiVersion: string, kind: string, namespace?: string, options: { labelSelector?: string; fieldSelector?: string } = {}): Promise<KubeObject[]> {
    try {
      const list = await this.call('list', kind, () => this.objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, options.fieldSelector, options.labelSelector));
      return plain(list.items as KubeObject[]).map((o) => ({ ...o, apiVersion: o.apiVersion ?? apiVersion, kind: o.kind ?? kind }));
    } catch (err) {
      throw toWriteError(err, `list ${kind} in ${this.cluster}`);
    }
  }

  /** JSON merge patch (RFC 7386); `before` is read first so the change is recorded whole. */
  async mergePatch(ref: ObjectRef, patch: Record<string, unknown>, before?: KubeObject | null): Promise<KubeObject> {
    const prior = before === undefined ? await this.read(ref) : before;
    if (!prior) throw new UpstreamWriteError(`${describe(ref)} not found in ${this.cluster}`, 404, 'NotFound');
    try {
      const spec = { ...patch, apiVersion: ref.apiVersion, kind: ref.kind, metadata: { ...((patch.metadata as object) ?? {}), name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
      const after = plain((await this.call('patch', ref.kind, () => this.writes.patch(spec as KubernetesObject, undefined, undefined, this.fieldManager, undefined, PatchStrategy.MergePatch))) as KubeObject);
      this.record('patch', ref, prior, after);
      return after;
    } catch (err) {
      throw toWriteError(err, `patch ${describe(ref)}`);
    }
  }

  async create(obj: KubeObject): Promise<KubeObject> {
    try {
      const after = plain((await this.call('create', obj.kind ?? '', () => this.writes.create(obj, undefined, undefined, this.fieldManager))) as KubeObject);
      this.record('create', refOf(obj), null, after);
      return after;
    } catch (err) {
      throw toWriteError(err, `create ${describe(refOf(obj))}`);
    }
  }

  /** Replaces the object (with the resourceVersion of `obj`, so a concurrent change is a 409). */
  async replace(obj: KubeObject, before: KubeObject | null): Promise<KubeObject> {
    try {
      const after = plain((await this.call('update', obj.kind ?? '', () => this.writes.replace(obj, undefined, undefined, this.fieldManager))) as KubeObject);
      this.record('update', refOf(obj), before, after);
      return after;
    } catch (err) {
      throw toWriteError(err, `replace ${describe(refOf(obj))}`);
    }
  }

  /** Deletes; false when it was already gone. */
  async delete(ref: ObjectRef, options: { gracePeriodSeconds?: number; propagationPolicy?: string; readFirst?: boolean } = {}): Promise<boolean> {
    // `readFirst: false`: objects the gateway's own identity may not read (Secrets), deleted unseen and recorded without a before.
    const before = options.readFirst === false ? null : await this.read(ref);
    if (!before && options.readFirst !== false) return false;
    try {
      await this.call('delete', ref.kind, () => this.writes.delete(header(ref), undefined, undefined, options.gracePeriodSeconds, undefined, options.propagationPolicy ?? 'Background'));
      this.record('delete', ref, before, null);
      return true;
    } catch (err) {
      const e = toWriteError(err, `delete ${describe(ref)}`);
      if (e.status === 404) return false;
      throw e;
    }
  }

  /**
   * Evicts a pod through the Eviction API. A 429 (a PodDisruptionBudget refuses it now) is a value, not an
   * error, because the caller retries it until its timeout.
   */
  async evict(pod: KubeObject, gracePeriodSeconds?: number): Promise<{ evicted: true } | { evicted: false; blockedBy: string }> {
    const name = pod.metadata!.name!;
    const namespace = pod.metadata!.namespace!;
    try {
      await this.call('create', 'Eviction', () => this.core.createNamespacedPodEviction({
        name,
        namespace,
        body: {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name, namespace },
          ...(gracePeriodSeconds !== undefined ? { deleteOptions: { gracePeriodSeconds } } : {}),
        },
      }));
      this.record('evict', { apiVersion: 'v1', kind: 'Pod', namespace, name }, pod, null);
      return { evicted: true };
    } catch (err) {
      const e = toWriteError(err, `evict ${namespace}/${name}`);
      if (e.status === 429) return { evicted: false, blockedBy: e.message };
      throw e;
    }
  }

  /**
   * One request through client-node's HTTP layer (its authentication, TLS and keep-alive, impersonation for
   * `as: 'caller'`), answered raw: the status, the headers (for the server's Warning headers, which client-node's
   * typed clients drop) and the JSON body as the server sent it (the typed clients also drop fields their models
   * do not know). Transport failures throw UpstreamWriteError with status 0; any HTTP status is returned.
   */
  async raw(
    as: 'gateway' | 'caller',
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    options: { query?: Record<string, string>; body?: unknown; contentType?: string; verb?: string; kind?: string } = {},
  ): Promise<RawAnswer> {
    const configuration = as === 'caller' ? this.writeConfiguration : this.ownConfiguration;
    const end = this.signals.upstreamCall(this.cluster, options.verb ?? method.toLowerCase(), options.kind ? resourceOfKind(options.kind) : 'discovery');
    try {
      const ctx = configuration.baseServer.makeRequestContext(path, HttpMethod[method]);
      // A cluster that never answers must not hold the mutation (or its step) forever.
      ctx.setSignal(AbortSignal.timeout(RAW_TIMEOUT_MS));
      ctx.setHeaderParam('Accept', 'application/json');
      for (const [k, v] of Object.entries(options.query ?? {})) ctx.setQueryParam(k, v);
      if (options.body !== undefined) {
        ctx.setHeaderParam('Content-Type', options.contentType ?? 'application/json');
        ctx.setBody(JSON.stringify(options.body));
      }
      await configuration.authMethods.default?.applySecurityAuthentication(ctx);
      const res = await configuration.httpApi.send(ctx).toPromise();
      const text = await res.body.text();
      let body: any = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = null;
      }
      end(String(res.httpStatusCode));
      return { status: res.httpStatusCode, headers: res.headers, body };
    } catch (err) {
      end(upstreamCodeOf(err));
      throw new UpstreamWriteError(`${method} ${path}: ${(err as Error)?.message ?? String(err)}`, 0, null);
    }
  }

  /**
   * Server-side apply of `obj` at `path` (its object URL) with field manager `fleetgraph`, as the caller. The
   * answer is returned whatever its status (the caller reads the Status of a refusal); a real (not dry-run)
   * success is recorded as a change (`create` when the server answered 201, else `patch`), with `before`.
   */
  async apply(path: string, obj: KubeObject, before: KubeObject | null, options: ApplyOptions = {}): Promise<RawAnswer> {
    const query: Record<string, string> = { fieldManager: this.fieldManager };
    if (options.force) query['force'] = 'true';
    if (options.dryRun) query['dryRun'] = 'All';
    const answer = await this.raw('caller', 'PATCH', path, { query, body: obj, contentType: 'application/apply-patch+yaml', verb: 'patch', kind: obj.kind ?? '' });
    if (!options.dryRun && answer.status >= 200 && answer.status < 300) this.record(answer.status === 201 ? 'create' : 'patch', refOf(obj), before, answer.body);
    return answer;
  }

  /** A create with `dryRun=All` at `collectionPath`, as the caller: what the server would make of `obj`. */
  async dryRunCreate(collectionPath: string, obj: KubeObject): Promise<RawAnswer> {
    return this.raw('caller', 'POST', collectionPath, { query: { dryRun: 'All', fieldManager: this.fieldManager }, body: obj, verb: 'create', kind: obj.kind ?? '' });
  }

  /**
   * A DELETE at `path` as the caller with the propagation policy (and `dryRun=All` when asked); a real delete
   * that succeeded is recorded as a change with `before`.
   */
  async deleteAt(path: string, ref: ObjectRef, before: KubeObject | null, options: { propagationPolicy: string; dryRun?: boolean }): Promise<RawAnswer> {
    const query: Record<string, string> = { propagationPolicy: options.propagationPolicy };
    if (options.dryRun) query['dryRun'] = 'All';
    const answer = await this.raw('caller', 'DELETE', path, { query, verb: 'delete', kind: ref.kind });
    if (!options.dryRun && answer.status >= 200 && answer.status < 300) this.record('delete', ref, before, null);
    return answer;
  }

  /** One upstream call, told to the signals with its outcome (client-node's ApiException carries the status). */
  private async call<T>(verb: string, kind: string, run: () => Promise<T>): Promise<T> {
    const end = this.signals.upstreamCall(this.cluster, verb, resourceOfKind(kind));
    try {
      const value = await run();
      end('200');
      return value;
    } catch (err) {
      end(upstreamCodeOf(err));
      throw err;
    }
  }

  private record(verb: ChangeRecord['verb'], ref: ObjectRef, before: KubeObject | null, after: KubeObject | null): void {
    // Secrets never expose values, not even in the audit log of changes: their keys stay, the values do not.
    const shown = ref.kind === 'Secret' && ref.apiVersion === 'v1' ? withoutSecretValues : (o: KubeObject | null) => o;
    this.onChange({ verb, cluster: this.cluster, kind: ref.kind, namespace: ref.namespace ?? null, name: ref.name, before: shown(before), after: shown(after) });
  }
}

function withoutSecretValues(o: KubeObject | null): KubeObject | null {
  if (!o) return o;
  const copy: KubeObject = { ...o };
  for (const field of ['data', 'stringData'] as const) {
    const values = copy[field] as Record<string, unknown> | undefined;
    if (values && typeof values === 'object') copy[field] = Object.fromEntries(Object.keys(values).map((k) => [k, '<redacted>']));
  }
  return copy;
}

function header(ref: ObjectRef): KubernetesObject & { metadata: { name: string } } {
  return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
}

export function refOf(obj: KubeObject): ObjectRef {
  return { apiVersion: obj.apiVersion!, kind: obj.kind!, namespace: obj.metadata?.namespace ?? null, name: obj.metadata!.name! };
}

function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
