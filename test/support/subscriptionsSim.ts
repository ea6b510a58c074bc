/**
 * Writes to the simulator through its HTTPS Kubernetes API (the same wire protocol kubectl and the gateway
 * use), for the subscription tests: create, patch, delete objects in a member (Karmada proxy path) or on
 * the control plane.
 */
import { request } from 'node:https';
import type { RunningSimulator } from '../../src/sim/index.js';

export interface ApiAnswer {
  status: number;
  json: any;
}

/** One HTTPS call to the simulator with its CA and admin token. */
export function simCall(sim: RunningSimulator, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiAnswer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(new URL(path, sim.url), {
      method,
      ca: sim.caCertPem,
      headers: { authorization: `Bearer ${sim.adminToken}`, accept: 'application/json', ...(payload ? { 'content-type': contentType } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Path prefix of a member through the Karmada cluster proxy. */
export function memberPath(member: string): string {
  return `/apis/cluster.karmada.io/v1alpha1/clusters/${member}/proxy`;
}

/** Creates an object; throws unless the simulator answers 201/200. */
export async function createIn(sim: RunningSimulator, member: string, collection: string, object: unknown): Promise<any> {
  const r = await simCall(sim, 'POST', `${memberPath(member)}${collection}`, object);
  if (r.status !== 201 && r.status !== 200) throw new Error(`create ${collection} in ${member}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

/** JSON merge patch of one object. */
export async function mergePatch(sim: RunningSimulator, member: string, path: string, patch: unknown): Promise<any> {
  const r = await simCall(sim, 'PATCH', `${memberPath(member)}${path}`, patch, 'application/merge-patch+json');
  if (r.status !== 200) throw new Error(`patch ${path} in ${member}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

/** Deletes one object (grace period 0); 404 is fine. */
export async function deleteIn(sim: RunningSimulator, member: string, path: string): Promise<void> {
  const r = await simCall(sim, 'DELETE', `${memberPath(member)}${path}?gracePeriodSeconds=0`);
  if (r.status >= 300 && r.status !== 404) throw new Error(`delete ${path} in ${member}: ${r.status} ${JSON.stringify(r.json)}`);
}
