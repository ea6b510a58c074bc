/**
 * An HTTPS client to the simulator, built from the kubeconfig it wrote: the control plane at its URL,
 * members through the Karmada cluster proxy path, and the `/_sim/` admin API (request counts) with the
 * kubeconfig user's token, which is the simulator's admin token. The baselines and the subscription
 * driver use it; the gateway never does (it has its own client-node connection).
 */
import https from 'node:https';
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';

/**
 * @typedef {object} SimConnection
 * @property {string} url         https://127.0.0.1:<port>
 * @property {string} token       bearer token of the kubeconfig user (the admin)
 * @property {string[]} members   member names, from the kubeconfig contexts
 * @property {https.Agent} agent  keep-alive agent trusting the simulator's CA
 */

/**
 * @param {string} kubeconfigPath
 * @param {{ maxSockets?: number }} [options] maxSockets: connection pool size (default 64)
 * @returns {SimConnection}
 */
export function connectFromKubeconfig(kubeconfigPath, options = {}) {
  const kc = /** @type {any} */ (yaml.load(readFileSync(kubeconfigPath, 'utf8')));
  const current = kc['current-context'];
  const ctx = kc.contexts.find((c) => c.name === current)?.context;
  const cluster = kc.clusters.find((c) => c.name === ctx.cluster).cluster;
  const user = kc.users.find((u) => u.name === ctx.user).user;
  const ca = Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8');
  const members = kc.contexts.map((c) => c.name).filter((n) => n !== current);
  return {
    url: String(cluster.server).replace(/\/$/, ''),
    token: user.token,
    members,
    agent: new https.Agent({ ca, keepAlive: true, maxSockets: options.maxSockets ?? 64 }),
  };
}

/** Path prefix of a member through the Karmada cluster proxy. */
export function memberPrefix(member) {
  return `/apis/cluster.karmada.io/v1alpha1/clusters/${encodeURIComponent(member)}/proxy`;
}

/**
 * One HTTPS request; resolves with status and body text.
 * @param {SimConnection} sim
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, contentType?: string, timeoutMs?: number }} [options] timeoutMs default 120000
 */
export function simRequest(sim, method, path, options = {}) {
  inFlight++;
  return sendRequest(sim, method, path, options).finally(() => {
    inFlight--;
  });
}

/** Requests of this process still waiting for their answer. */
let inFlight = 0;

/** Resolves once no request of this process is outstanding (a stopped naive run leaves some behind). */
export async function simRequestsSettled(timeoutMs = 120000) {
  const deadline = Date.now() + timeoutMs;
  while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

function sendRequest(sim, method, path, options) {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const req = https.request(`${sim.url}${path}`, {
      method,
      agent: sim.agent,
      headers: {
        authorization: `Bearer ${sim.token}`,
        accept: 'application/json',
        ...(payload !== undefined ? { 'content-type': options.contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
      },
      timeout: options.timeoutMs ?? 120000,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** GET a JSON document; throws on a non-2xx answer. */
export async function simGetJson(sim, path) {
  const r = await simRequest(sim, 'GET', path);
  if (r.status < 200 || r.status >= 300) throw new Error(`GET ${path}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
  return JSON.parse(r.text);
}

/** Request counts the simulator recorded since the last reset: total and per verb. */
export async function simStats(sim) {
  const s = await simGetJson(sim, '/_sim/stats');
  /** @type {Record<string, number>} */
  const byVerb = {};
  /** @type {Record<string, number>} */
  const byCluster = {};
  let total = 0;
  for (const r of s.requests ?? []) {
    byVerb[r.verb] = (byVerb[r.verb] ?? 0) + r.count;
    byCluster[r.cluster] = (byCluster[r.cluster] ?? 0) + r.count;
    total += r.count;
  }
  // Watches are long-lived streams the informers hold open, and discovery GETs (/api, /apis) are the
  // gateway's periodic member health probes: neither is caused by a query, so "calls" counts the data
  // verbs (get, list, and writes) and the other two are reported apart.
  const calls = total - (byVerb.watch ?? 0) - (byVerb.discovery ?? 0);
  return { total, calls, watches: byVerb.watch ?? 0, discovery: byVerb.discovery ?? 0, byVerb, byCluster, requests: s.requests ?? [] };
}

export async function simStatsReset(sim) {
  const r = await simRequest(sim, 'POST', '/_sim/stats/reset');
  if (r.status < 200 || r.status >= 300) throw new Error(`POST /_sim/stats/reset: HTTP ${r.status} ${r.text.slice(0, 200)}`);
}
