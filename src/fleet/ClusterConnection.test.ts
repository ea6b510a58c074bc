/**
 * The fleet read gate of one cluster (ClusterConnection + its MemberBreaker) against a canned API server:
 * a request's own 4xx never closes the gate, a 503 or a refused connection does, the periodic probe
 * reopens it once the member answers, and a member the Karmada proxy does not serve is API_NOT_SERVED.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { kubeStatus, startCannedKubeApi, type CannedKubeApi } from '../../test/support/cannedKubeApi.js';
import { ClusterClient } from './ClusterClient.js';
import { ClusterConnection } from './ClusterConnection.js';
import { toClusterError, UpstreamError } from './UpstreamError.js';

let api: CannedKubeApi | undefined;
let connection: ClusterConnection | undefined;

afterEach(async () => {
  connection?.stop();
  await api?.close();
  api = undefined;
  connection = undefined;
});

const DISCOVERY: Record<string, unknown> = {
  '/api': { kind: 'APIVersions', versions: ['v1'] },
  '/apis': { kind: 'APIGroupList', groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1' }] }] },
};

async function connect(answer: (path: string) => { status: number; body?: unknown } | undefined, options: { viaProxy?: boolean } = {}): Promise<ClusterConnection> {
  api = await startCannedKubeApi((req) => answer(req.path));
  const client = new ClusterClient({ name: 'm1', kubeConfig: api.kubeConfig, callTimeoutMs: 500 });
  connection = new ClusterConnection({ client, middlewareGroup: 'middleware.fleetgraph.io', healthIntervalMs: 20, probeTimeoutMs: 500, ...options });
  connection.start();
  await connection.firstAttempt();
  return connection;
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('the read gate of a cluster', () => {
  it("stays open to reads after a request's own 400, 404, 422 or 429", async () => {
    const c = await connect((path) => (path in DISCOVERY ? { status: 200, body: DISCOVERY[path] } : undefined));
    expect(c.apis?.groupVersions).toEqual(['v1', 'apps/v1']);
    for (const [status, reason] of [[400, 'BadRequest'], [404, 'NotFound'], [422, 'Invalid'], [429, 'TooManyRequests']] as const) {
      expect(c.noteFailure(toClusterError('m1', UpstreamError.fromAnswer('GET /x', status, JSON.stringify(kubeStatus(status, reason, 'no').body))))).toBe(false);
    }
    expect(c.availabilityError()).toBeNull();
    expect(c.unreachableSince).toBeNull();
    expect(c.lastError).toBeNull();
  });

  it('closes on a 503 and reopens by itself once the probe gets an answer', async () => {
    let down = false;
    const c = await connect((path) => (down ? kubeStatus(503, 'ServiceUnavailable', 'unavailable') : path in DISCOVERY ? { status: 200, body: DISCOVERY[path] } : undefined));
    let recovered = 0;
    c.onRecovered(() => recovered++);
    down = true;
    // The probe (every 20 ms) meets the 503 and closes the gate.
    await until(() => c.availabilityError() !== null);
    expect(c.availabilityError()).toMatchObject({ code: 'CLUSTER_UNAVAILABLE', reason: 'MEMBER_CIRCUIT_OPEN', cluster: 'm1', status: 503 });
    expect(c.unreachableSince).not.toBeNull();
    down = false;
    await until(() => c.availabilityError() === null);
    expect(recovered).toBe(1);
    expect(c.lastError?.code).toBe('CLUSTER_UNAVAILABLE');
  });

  it('reports a member whose Karmada proxy answers 404 on discovery as NOT_FOUND / API_NOT_SERVED, not an outage', async () => {
    const c = await connect(() => kubeStatus(404, 'NotFound', 'the server could not find the requested resource'), { viaProxy: true });
    expect(c.apis).toBeUndefined();
    expect(c.availabilityError()).toMatchObject({ code: 'NOT_FOUND', reason: 'API_NOT_SERVED', cluster: 'm1' });
    expect(c.unreachableSince).toBeNull();
  });
});
