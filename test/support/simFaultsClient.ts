/**
 * Helpers for the fault tests: flipping a member's faults through the simulator's admin API (HTTPS, admin
 * token), reading its eviction log, kubeconfigs per context, and the per-request timeout a real client sets on client-node calls.
 */
import { request } from 'node:https';
import { KubeConfig, Observable, type RequestContext, type ResponseContext } from '@kubernetes/client-node';
import type { RunningSimulator } from '../../src/sim/index.js';

export function adminPost(sim: RunningSimulator, path: string, body: unknown = {}): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${sim.url}/_sim/${path}`, {
      method: 'POST', ca: sim.caCertPem,
      headers: { authorization: `Bearer ${sim.adminToken}`, 'content-type': 'application/json' },
    }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

export function adminGet(sim: RunningSimulator, path: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${sim.url}/_sim/${path}`, { method: 'GET', ca: sim.caCertPem, headers: { authorization: `Bearer ${sim.adminToken}` } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** One successful pod eviction the simulator answered (`GET /_sim/evictions`). */
export interface SimEviction {
  /** Member name (`karmada` for the control plane). */
  cluster: string;
  namespace: string;
  name: string;
  uid: string;
  at: string;
}

/** Every successful eviction since the simulator started or `resetSimEvictions`, oldest first. */
export async function simEvictions(sim: RunningSimulator): Promise<SimEviction[]> {
  const r = await adminGet(sim, 'evictions');
  if (r.status !== 200) throw new Error(`GET /_sim/evictions: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.evictions as SimEviction[];
}

/** Forgets the evictions recorded so far. */
export async function resetSimEvictions(sim: RunningSimulator): Promise<void> {
  const r = await adminPost(sim, 'evictions/reset');
  if (r.status !== 200) throw new Error(`POST /_sim/evictions/reset: ${r.status}`);
}

/** How many times each pod (by uid) was evicted: "every pod evicted exactly once" is every value 1. */
export function evictionCounts(evictions: readonly SimEviction[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of evictions) counts.set(e.uid, (counts.get(e.uid) ?? 0) + 1);
  return counts;
}

export function kubeConfigFor(sim: RunningSimulator, context: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  kc.setCurrentContext(context);
  return kc;
}

/**
 * client-node call options that abort the request after `ms`, as a client with a request timeout does.
 * (client-node 1.x's promise API takes observable-style middleware here, hence its Observable.)
 */
export function withTimeout(ms: number) {
  return {
    middleware: [{
      pre: (ctx: RequestContext) => {
        ctx.setSignal(AbortSignal.timeout(ms));
        return new Observable(Promise.resolve(ctx));
      },
      post: (ctx: ResponseContext) => new Observable(Promise.resolve(ctx)),
    }],
    middlewareMergeStrategy: 'append' as const,
  };
}
