/**
 * The simulator's HTTPS listener: one port on 127.0.0.1 serving the Karmada control plane at `/...`
 * and each member at `/apis/cluster.karmada.io/v1alpha1/clusters/<member>/proxy/...`, as Karmada's
 * aggregated apiserver does. It authenticates bearer tokens, applies impersonation and the proxy's
 * identity passing (requestIdentity.ts), authorizes, counts requests, applies the member's faults, and
 * hands the request to the identity APIs or the discovery or resource handlers.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../cluster/ApiError.js';
import type { SimClusterInternals } from '../cluster/createSimCluster.js';
import type { ClosableSimFleet } from '../fleet.js';
import type { SimulatorCertificates } from '../tls.js';
import { apiGroup, apiGroupList, apiResourceList, coreApiVersions, versionInfo } from './discovery.js';
import { negotiateOutput } from './mediaTypes.js';
import { openApiV2, openApiV3GroupVersion, openApiV3Root } from './openApi.js';
import { parseApiPath } from './resourcePath.js';
import type { ParsedPath } from './resourcePath.js';
import { handleResourceRequest } from './resourceHandler.js';
import { RequestStats } from './requestStats.js';
import type { StatsVerb } from './requestStats.js';
import { sendBody, sendError, sendJson } from './respond.js';
import { Authenticator } from '../identity/Authenticator.js';
import type { StaticUsers } from '../identity/StaticUsers.js';
import { identifyRequest } from './requestIdentity.js';
import { identityApiOf, serveIdentityApi } from './identityApis.js';
import { memberProxyUrl } from '../kubeconfig.js';
import { handleAdminRequest } from './adminApi.js';
import { EvictionLog } from './evictionLog.js';
import { authorizeRequest } from '../auth/authorizeRequest.js';
import type { UserInfo } from '../auth/types.js';

export interface SimApiServerOptions {
  fleet: ClosableSimFleet;
  certificates: SimulatorCertificates;
  /** The static token users (the kubeconfig admin, who may also use the /_sim/ admin API, and the others). */
  users: StaticUsers;
  /**
   * Listen address; only loopback makes sense for a simulator.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Port, 0 for any free one.
   * @default 0
   */
  port?: number;
  /**
   * Largest request body accepted, in bytes (kube-apiserver's limit is 3 MiB).
   * @default 3145728
   */
  maxBodyBytes?: number;
}

const PROXY_PATH = /^\/apis\/cluster\.karmada\.io\/v1alpha1\/clusters\/([^/]+)\/proxy(\/.*)?$/;
/**
 * A member cluster's own API server (`/members/<name>/...`): what a member's kubeconfig points at, with
 * the member's own credentials, joined or not; a spare member is only reachable here until it joins.
 */
const OWN_PATH = /^\/members\/([^/]+)(\/.*)?$/;

function verbOf(method: string, parsed: ParsedPath, query: URLSearchParams): StatsVerb {
  if (parsed.kind !== 'resource') return parsed.kind === 'unknown' ? 'other' : 'discovery';
  const collection = parsed.name === undefined;
  switch (method) {
    case 'GET':
      if (collection) return parsed.legacyWatch || query.get('watch') === 'true' || query.get('watch') === '1' ? 'watch' : 'list';
      return 'get';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return collection ? 'deletecollection' : 'delete';
    default:
      return 'other';
  }
}

function resourceKeyOf(parsed: ParsedPath): string {
  if (parsed.kind !== 'resource') return '';
  const key = parsed.group ? `${parsed.group}/${parsed.resource}` : parsed.resource;
  return parsed.subresource ? `${key}/${parsed.subresource}` : key;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export class SimApiServer {
  readonly stats = new RequestStats();
  /** Successful pod evictions, for `/_sim/evictions`. */
  readonly evictions = new EvictionLog();
  private readonly server: https.Server;
  /** Authentication of every cluster: static tokens and each cluster's service account tokens. */
  readonly authenticator: Authenticator;
  private readonly stopListeners = new Set<() => void>();
  private readonly maxBody: number;
  private stopped = false;

  constructor(private readonly options: SimApiServerOptions) {
    this.authenticator = new Authenticator(options.users);
    this.maxBody = options.maxBodyBytes ?? 3 * 1024 * 1024;
    this.server = https.createServer(
      { key: options.certificates.serverKeyPem, cert: options.certificates.serverCertPem },
      (req, res) => {
        this.handle(req, res).catch((err: unknown) => sendError(res, err));
      },
    );
    // Watches and follows last long: no server-side request timeout (clients set theirs).
    this.server.requestTimeout = 0;
    this.server.keepAliveTimeout = 30_000;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const l of [...this.stopListeners]) l();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private onServerStop = (close: () => void): (() => void) => {
    this.stopListeners.add(close);
    return () => {
      this.stopListeners.delete(close);
    };
  };

  private readBody(req: IncomingMessage): () => Promise<Buffer> {
    let promise: Promise<Buffer> | undefined;
    return () =>
      (promise ??= new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (c: Buffer) => {
          size += c.length;
          if (size > this.maxBody) {
            reject(new ApiError(413, 'RequestEntityTooLarge', 'the server has received a request that is too large', {}));
            req.destroy();
            return;
          }
          chunks.push(c);
        });
        req.on('end', () => resolve(Buffer.concat(chunks)));
        req.on('error', reject);
      }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const pathname = url.pathname;
    const query = url.searchParams;
    const method = req.method ?? 'GET';
    const authn = this.authenticator.authenticate(req.headers['authorization'], this.options.fleet.controlPlane);
    const readBody = this.readBody(req);

    if (pathname === '/_sim' || pathname.startsWith('/_sim/')) {
      if (authn.kind === 'invalid') throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      if (authn.kind !== 'user' || !authn.admin) throw new ApiError(403, 'Forbidden', 'the simulator admin API needs the admin token', {});
      return handleAdminRequest(req, res, pathname, this.options.fleet, this.stats, readBody, this.evictions);
    }

    const own = OWN_PATH.exec(pathname);
    if (own) return this.handleOwn(req, res, decodeURIComponent(own[1]!), own[2] ?? '/', query, readBody);

    // Which simulated server is asked: a member through the Karmada cluster proxy, or the control plane.
    let cluster: SimClusterInternals = this.options.fleet.controlPlane;
    let clusterPath = pathname;
    let member: string | undefined;
    const m = PROXY_PATH.exec(pathname);
    if (m) {
      member = decodeURIComponent(m[1]!);
      clusterPath = m[2] ?? '/';
    }
    const parsed = parseApiPath(clusterPath);
    const verb = verbOf(method, parsed, query);
    const resource = resourceKeyOf(parsed);
    let identity: ReturnType<typeof identifyRequest> | undefined;
    try {
      identity = identifyRequest(req, authn, this.options.fleet.controlPlane.rbac.authorizer, pathname, method, member);
    } finally {
      const forwarded = identity?.kind === 'user' ? identity.forwarded : undefined;
      this.stats.record({
        cluster: member ?? 'karmada',
        method,
        verb,
        resource,
        path: clusterPath,
        user: authn.kind === 'invalid' ? '' : authn.user.name,
        // Karmada's proxy passes the caller's identity on (after the caller's own impersonation).
        ...(forwarded ? { impersonateUser: forwarded.user, impersonateGroups: forwarded.groups } : {}),
      });
    }
    if (identity.kind === 'misuse') {
      res.writeHead(500, { 'Cache-Control': 'no-cache, private', 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(identity.message);
      return;
    }
    const user = this.authorize(identity.user, parsed, method, clusterPath, query, member);

    if (member !== undefined) {
      const mc = this.options.fleet.members.get(member);
      if (!mc) throw ApiError.notFound({ group: 'cluster.karmada.io', resource: 'clusters' }, member);
      cluster = mc;
      await this.applyFaults(req, member, verb);
      if (res.destroyed) return;
    }
    const identityApi = identityApiOf(parsed, clusterPath);
    if (identityApi) {
      const apiUrl = `https://127.0.0.1:${(this.server.address() as AddressInfo | null)?.port ?? 0}`;
      const base = member ? memberProxyUrl(apiUrl, member) : apiUrl;
      return serveIdentityApi(req, res, identityApi, { cluster, authenticator: this.authenticator, parsed, path: clusterPath, query, body: readBody, apiUrl: base });
    }
    await this.dispatch(req, res, cluster, parsed, query, readBody, member ?? 'karmada', user);
  }

  /**
   * A request to a member's own endpoint: authenticated by that member (its service account tokens and
   * the simulator's token file), impersonation and authorization by its own RBAC; no Karmada in between.
   */
  private async handleOwn(req: IncomingMessage, res: ServerResponse, name: string, clusterPath: string, query: URLSearchParams, readBody: () => Promise<Buffer>): Promise<void> {
    const cluster = this.options.fleet.ownClusters.get(name);
    const method = req.method ?? 'GET';
    const parsed = parseApiPath(clusterPath);
    const verb = verbOf(method, parsed, query);
    if (!cluster) {
      // No server answers there: as a dial error would surface to a client, but over HTTP.
      throw new ApiError(503, 'ServiceUnavailable', `no simulated member cluster named ${name}`);
    }
    const authn = this.authenticator.authenticate(req.headers['authorization'], cluster);
    this.stats.record({
      cluster: `${name}@own`,
      method,
      verb,
      resource: resourceKeyOf(parsed),
      path: clusterPath,
      user: authn.kind === 'invalid' ? '' : authn.user.name,
    });
    const identity = identifyRequest(req, authn, cluster.rbac.authorizer, clusterPath, method, undefined);
    if (identity.kind === 'misuse') {
      res.writeHead(500, { 'Cache-Control': 'no-cache, private', 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(identity.message);
      return;
    }
    authorizeRequest(cluster, identity.user, method, clusterPath, parsed, query);
    const identityApi = identityApiOf(parsed, clusterPath);
    if (identityApi) {
      return serveIdentityApi(req, res, identityApi, { cluster, authenticator: this.authenticator, parsed, path: clusterPath, query, body: readBody, apiUrl: this.options.fleet.ownEndpointFor(name) });
    }
    await this.dispatch(req, res, cluster, parsed, query, readBody, `${name}@own`, identity.user);
  }

  /**
   * Every request is authorized by the asked cluster's RBAC (a member's own, as the caller's identity,
   * for the proxy path), as kube-apiserver's authorization filter does; returns who asks.
   */
  private authorize(user: UserInfo, parsed: ParsedPath, method: string, path: string, query: URLSearchParams, member: string | undefined): UserInfo {
    const cluster = member === undefined ? this.options.fleet.controlPlane : this.options.fleet.members.get(member);
    // An unknown member is the control plane's 404, answered later.
    if (cluster) authorizeRequest(cluster, user, method, path, parsed, query);
    return user;
  }

  private async applyFaults(req: IncomingMessage, member: string, verb: StatsVerb): Promise<void> {
    const faults = this.options.fleet.faults;
    let f = faults.get(member);
    if (f.latencyMs > 0) await delay(f.latencyMs);
    f = faults.get(member);
    if (f.unreachable) {
      // What Karmada's aggregated apiserver answers when it cannot dial the member.
      const octet = 10 + ([...member].reduce((n, c) => n + c.charCodeAt(0), 0) % 200);
      throw new ApiError(503, 'ServiceUnavailable', `error trying to reach service: dial tcp 10.0.0.${octet}:6443: connect: connection refused`);
    }
    if (f.unavailable503) throw new ApiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
    if (f.hangLists && verb === 'list') {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          off();
          offStop();
          resolve();
        };
        const off = faults.onChange((m, now) => {
          if (m === member && !now.hangLists) done();
        });
        const offStop = this.onServerStop(done);
        req.on('close', done);
      });
      // The fault may have changed to another one while the list hung.
      return this.applyFaults(req, member, 'other');
    }
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    cluster: SimClusterInternals,
    parsed: ParsedPath,
    query: URLSearchParams,
    readBody: () => Promise<Buffer>,
    clusterName: string,
    user: UserInfo,
  ): Promise<void> {
    const accept = req.headers['accept'];
    const discovery = (body: unknown): void => {
      const format = negotiateOutput(accept, { allowTable: false, discovery: true });
      sendBody(res, 200, body, format.type === 'yaml' ? format : { type: 'json' });
    };
    switch (parsed.kind) {
      case 'version':
        return sendJson(res, 200, versionInfo());
      case 'healthz':
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
        res.end('ok');
        return;
      case 'coreGroup':
        return discovery(coreApiVersions(`127.0.0.1:${(this.server.address() as AddressInfo | null)?.port ?? 0}`));
      case 'groups':
        return discovery(apiGroupList(cluster.resources.values()));
      case 'group': {
        const g = apiGroup(parsed.group, cluster.resources.values());
        if (!g) throw ApiError.notFoundPath();
        return discovery(g);
      }
      case 'groupVersion': {
        const list = apiResourceList(parsed.group, parsed.version, cluster.resources.values());
        if (!list) throw ApiError.notFoundPath();
        return discovery(list);
      }
      case 'openApiV2': {
        const doc = openApiV2(accept);
        res.writeHead(200, { 'Cache-Control': 'no-cache, private', 'Content-Type': doc.contentType, 'Content-Length': doc.body.length });
        res.end(doc.body);
        return;
      }
      case 'openApiV3Root':
        return sendJson(res, 200, openApiV3Root(cluster.resources.values()));
      case 'openApiV3': {
        const doc = openApiV3GroupVersion(parsed.group, parsed.version, cluster.resources.values());
        if (!doc) throw ApiError.notFoundPath();
        return sendJson(res, 200, doc);
      }
      case 'resource':
        return handleResourceRequest(req, res, {
          cluster,
          group: parsed.group,
          version: parsed.version,
          ...(parsed.namespace !== undefined ? { namespace: parsed.namespace } : {}),
          resource: parsed.resource,
          ...(parsed.name !== undefined ? { name: parsed.name } : {}),
          ...(parsed.subresource !== undefined ? { subresource: parsed.subresource } : {}),
          legacyWatch: parsed.legacyWatch,
          query,
          user,
          body: readBody,
          track: (close) => this.options.fleet.faults.trackWatch(clusterName, close),
          onEvicted: (pod) => this.evictions.record(clusterName, pod),
          onServerStop: this.onServerStop,
        });
      default:
        throw ApiError.notFoundPath();
    }
  }
}
