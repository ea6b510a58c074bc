/**
 * Helpers for the fault tests: flipping a member's faults through the simulator's admin API (HTTPS, admin
 * token), kubeconfigs per context, and the per-request timeout a real client sets on client-node calls.
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
