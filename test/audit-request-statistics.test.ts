/**
 * Request statistics (seed 000 §5) count operations over graphql-ws as well as over HTTP, through the same
 * code path, each row naming its transport: queries, mutations and subscriptions sent over a real WebSocket
 * to a gateway on a running simulator, then read back through `auditLog { statistics }` over HTTP.
 */
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOperationsFixture, until, type OperationsFixture } from './support/operationsFixture.js';
import { openClient, record } from './support/subscriptionsClient.js';

interface Stat {
  operationName: string;
  transport: 'HTTP' | 'WEBSOCKET';
  count: number;
  errors: number;
  maxMs: number;
}

describe('request statistics over graphql-ws', () => {
  let fx: OperationsFixture;
  let ws: Client;

  beforeAll(async () => {
    fx = await startOperationsFixture({ scenario: 'mini' });
    ws = openClient(fx.gateway.url);
  });

  afterAll(async () => {
    await ws?.dispose();
    await fx?.stop();
  });

  /** One query or mutation over the WebSocket: its single result, or the errors of a refused operation. */
  const runWs = (query: string) =>
    new Promise<any>((resolve, reject) => {
      let result: any;
      ws.subscribe({ query }, {
        next: (m) => (result = m),
        error: (e) => (Array.isArray(e) ? resolve({ errors: e }) : reject(e instanceof Error ? e : new Error(JSON.stringify(e)))),
        complete: () => resolve(result),
      });
    });

  const statistics = async (): Promise<Stat[]> => {
    const r = await fx.gql<{ auditLog: { statistics: Stat[] } }>(`query StatsProbe { auditLog { statistics { operationName transport count errors maxMs } } }`);
    if (!r.data) throw new Error(JSON.stringify(r.errors));
    return r.data.auditLog.statistics;
  };

  /** The statistics once `expected` rows are all there with these values (reads include counts not folded into SQLite yet, and every transport counts an operation before its client sees the result; the poll is a margin only). */
  const waitForStats = async (expected: Array<Partial<Stat>>) => {
    let last: Stat[] = [];
    try {
      return await until(async () => {
        last = await statistics();
        const found = expected.every((e) => last.some((s) => Object.entries(e).every(([k, v]) => s[k as keyof Stat] === v)));
        return found ? last : undefined;
      }, 200, 100);
    } catch (err) {
      throw new Error(`${(err as Error).message}; expected ${JSON.stringify(expected)} in ${JSON.stringify(last)}`);
    }
  };

  it('counts queries and mutations over WebSocket apart from the same names over HTTP', async () => {
    const q = await runWs(`query WsStatsClusters { clusters(first: 5) { totalCount } }`);
    expect(q.errors).toBeUndefined();
    expect(q.data.clusters.totalCount).toBe(1);
    expect((await runWs(`query WsStatsClusters { clusters(first: 5) { totalCount } }`)).errors).toBeUndefined();
    const http = await fx.gql(`query WsStatsClusters { clusters(first: 5) { totalCount } }`);
    expect(http.errors).toBeUndefined();
    const m = await runWs(`mutation WsStatsLabel { setNodeLabels(cluster: "member1", name: "member1-worker-1", labels: [{ key: "ws-stats", value: "one" }]) { id } }`);
    expect(m.errors).toBeUndefined();
    expect(m.data.setNodeLabels.id).toMatch(/^op-/);
    // An anonymous operation is counted as `anonymous`, as over HTTP.
    expect((await runWs(`{ fleet { clusters { total } } }`)).errors).toBeUndefined();

    const stats = await waitForStats([
      { operationName: 'WsStatsClusters', transport: 'WEBSOCKET', count: 2, errors: 0 },
      { operationName: 'WsStatsClusters', transport: 'HTTP', count: 1, errors: 0 },
      { operationName: 'WsStatsLabel', transport: 'WEBSOCKET', count: 1, errors: 0 },
      { operationName: 'anonymous', transport: 'WEBSOCKET', count: 1 },
    ]);
    // Only what was sent: no HTTP row for the mutation that went over the WebSocket.
    expect(stats.filter((s) => s.operationName === 'WsStatsLabel')).toHaveLength(1);
  });

  it('counts refused operations over WebSocket as errors', async () => {
    const invalid = await runWs(`query WsStatsInvalid { noSuchField }`);
    expect(invalid.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badArgument = await runWs(`subscription WsStatsBadInterval { fleetChanged(minIntervalMs: 5) { clusters { total } } }`);
    expect(badArgument.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // The same refusal over HTTP is named the same way, from the document.
    const overHttp = await fx.gql(`query WsStatsInvalid { noSuchField }`);
    expect(overHttp.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await waitForStats([
      { operationName: 'WsStatsInvalid', transport: 'WEBSOCKET', count: 1, errors: 1 },
      { operationName: 'WsStatsInvalid', transport: 'HTTP', count: 1, errors: 1 },
      { operationName: 'WsStatsBadInterval', transport: 'WEBSOCKET', count: 1, errors: 1 },
    ]);
  });

  it('counts a subscription once, when its stream is set up', async () => {
    const sub = record<{ fleetChanged: { clusters: { total: number } } }>(ws, `subscription WsStatsFleet { fleetChanged(minIntervalMs: 100) { clusters { total } } }`);
    try {
      const events = await sub.waitFor((e) => e.length >= 1, 20_000, 'first fleetChanged');
      expect(events[0]!.fleetChanged.clusters.total).toBe(1);
      const stats = await waitForStats([{ operationName: 'WsStatsFleet', transport: 'WEBSOCKET', count: 1, errors: 0 }]);
      expect(stats.filter((s) => s.operationName === 'WsStatsFleet')).toHaveLength(1);
    } finally {
      sub.stop();
    }
    // A second subscription with the same name adds one more.
    const again = record(ws, `subscription WsStatsFleet { fleetChanged(minIntervalMs: 100) { clusters { total } } }`);
    try {
      await again.waitFor((e) => e.length >= 1, 20_000, 'first fleetChanged of the second subscription');
      await waitForStats([{ operationName: 'WsStatsFleet', transport: 'WEBSOCKET', count: 2, errors: 0 }]);
    } finally {
      again.stop();
    }
  });
});
