/**
 * client-node's typed clients (KubernetesObjectApi, CustomObjectsApi, CoordinationV1Api…) with connections kept
 * alive. Their KubeConfig authentication makes a new https.Agent for every request, so every call paid a new
 * TCP connection and TLS handshake: under a stream of mutations with shared Operations (a FleetOperation, its
 * Lease and its status writes per mutation) the gateway spent most of its CPU on handshakes (measured with
 * bench/replicas.mjs: getPeerCertificate and SecureContext at the top of the profile).
 *
 * The library below runs after the authentication (which set that per-request agent with the cluster's TLS
 * options) and swaps in one keep-alive agent per set of TLS options, its secure context built once. Agents of
 * another kind (a proxy from the kubeconfig's `proxy-url`) are left as they are.
 */
import https from 'node:https';
import { sharedSecureContext } from './ClusterClient.js';
import { IsomorphicFetchHttpLibrary, ServerConfiguration, createConfiguration, type Configuration, type HttpLibrary, type KubeConfig, type RequestContext } from '@kubernetes/client-node';

/** Sockets per agent: a burst of writes to one cluster shares them. */
const MAX_SOCKETS = 16;
/** Agents by TLS options: bounded, as clusters come and go in a gateway that runs for months. */
const agents = new Map<string, https.Agent>();

/** Agents differ by their TLS options; the secure context itself is shared by credentials (ClusterClient). */
function keyOf(o: https.AgentOptions): string {
  const one = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('base64') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v ?? ''));
  const part = (v: unknown) => (Array.isArray(v) ? v.map(one).join('\n') : one(v));
  return [o.ca, o.cert, o.key, o.pfx, o.passphrase, o.rejectUnauthorized, o.servername].map(part).join('\0');
}

/** The shared keep-alive agent for the TLS options of `made` (the agent client-node made for one request). */
export function keepAliveAgentFor(made: https.Agent): https.Agent {
  const o = made.options;
  const key = keyOf(o);
  let agent = agents.get(key);
  if (!agent) {
    if (agents.size >= 64) agents.clear();
    agent = new https.Agent({
      keepAlive: true,
      maxSockets: MAX_SOCKETS,
      secureContext: sharedSecureContext(o),
      ...(o.rejectUnauthorized !== undefined ? { rejectUnauthorized: o.rejectUnauthorized } : {}),
      ...(o.servername ? { servername: o.servername } : {}),
    });
    agents.set(key, agent);
  }
  return agent;
}

/** Sends through `inner` with the request's per-call https.Agent replaced by the shared keep-alive one. */
export class KeepAliveHttpLibrary implements HttpLibrary {
  constructor(private readonly inner: HttpLibrary = new IsomorphicFetchHttpLibrary()) {}

  send(request: RequestContext): ReturnType<HttpLibrary['send']> {
    const made = request.getAgent();
    // Exactly client-node's own https.Agent: a proxy agent (a subclass) keeps its own connections.
    if (made && made.constructor === https.Agent) request.setAgent(keepAliveAgentFor(made as https.Agent));
    return this.inner.send(request);
  }
}

/**
 * A client configuration for `kc`'s current context that keeps connections alive; `httpApi` sends the requests
 * (impersonation wraps one). Use as `new CustomObjectsApi(keepAliveConfiguration(kc))`.
 */
export function keepAliveConfiguration(kc: KubeConfig, httpApi: HttpLibrary = new KeepAliveHttpLibrary()): Configuration {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  return createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: kc }, httpApi });
}
