/**
 * The query cost limit end to end, over both transports: page sizes passed as variables cost what the same
 * literals cost, so `query($p: Int) { pods(first: $p) ... }` cannot slip past the limit. A refused
 * operation answers QUERY_TOO_COMPLEX (HTTP 400) and makes no upstream call; the same document with small
 * variables runs and does reach the members (so the "no call" count can tell the difference).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openClient, record } from './support/subscriptionsClient.js';

let fx: GatewayFixture;

beforeAll(async () => {
  // Events expire at once, so every run of the small query lists them again: the positive controls count
  // upstream calls whatever ran before them.
  fx = await startGatewayFixture({ scenario: 'mini', args: ['--ttl', 'events=1ms'] });
});

afterAll(async () => {
  await fx?.stop();
});

/** Upstream calls for data (discovery and the reachability probe excluded). */
const isDataCall = (r: { verb: string; resource: string }) => (r.verb === 'list' || r.verb === 'get') && Boolean(r.resource);

// Events are listed from the members on demand, so running this query costs upstream calls.
const PAGED = `query Paged($clusters: Int, $pods: Int, $events: Int) {
  clusters(first: $clusters) { edges { node { name pods(first: $pods) { edges { node { name events(first: $events) { totalCount } } } } } } }
}`;
const OVER = { clusters: 100, pods: 5000, events: 100 };
const SMALL = { clusters: 1, pods: 2, events: 1 };

describe('cost limit with page sizes as variables', () => {
  it('over HTTP: refuses the over-limit variables with QUERY_TOO_COMPLEX and 400 before any upstream call', async () => {
    await fx.admin('POST', '/_sim/stats/reset');
    const res = await fx.query(PAGED, OVER);
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(res.body.errors?.[0]?.message).toMatch(/^Query too complex: too costly \(Query Cost limit of 250000 exceeded, found \d+\.\)$/);
    // Apollo turns the `http` extension into the status; it does not leak into the body.
    expect(res.body.errors?.[0]?.extensions?.http).toBeUndefined();
    expect(await fx.countRequests(isDataCall)).toBe(0);

    // The same pages as literals: same code, same kind of message.
    const literal = await fx.query(`{ clusters(first: ${OVER.clusters}) { edges { node { name pods(first: ${OVER.pods}) { edges { node { name events(first: ${OVER.events}) { totalCount } } } } } } } }`);
    expect(literal.status).toBe(400);
    expect(literal.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(literal.body.errors?.[0]?.message).toContain('too costly');
  });

  it('over HTTP: a page size left out costs the default page (100), so unbounded nesting is refused too', async () => {
    const res = await fx.query(`{ clusters { edges { node { pods { edges { node { name events { totalCount } } } } } } } }`);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('over HTTP: runs the same document with small variables, which does reach the members', async () => {
    await fx.admin('POST', '/_sim/stats/reset');
    const res = await fx.query(PAGED, SMALL);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.clusters.edges).toHaveLength(1);
    expect(res.body.data.clusters.edges[0].node.pods.edges.length).toBeGreaterThan(0);
    expect(await fx.countRequests(isDataCall)).toBeGreaterThan(0);
  });

  it('over HTTP: variables that do not coerce are BAD_USER_INPUT, not a cost refusal', async () => {
    const res = await fx.query(PAGED, { clusters: 'many' });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('over WebSocket: the same refusal (code and message) as HTTP, no upstream call, and the socket stays open', async () => {
    const http = await fx.query(PAGED, OVER);
    let closedCode: number | undefined;
    const client = openClient(fx.gateway.url, { onClosed: (code) => { closedCode = code; } });
    try {
      await fx.admin('POST', '/_sim/stats/reset');
      const refused = record(client, PAGED, OVER);
      await refused.waitForEnd();
      expect(refused.events).toEqual([]);
      expect(refused.errors.map((e: any) => e.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
      expect(refused.errors.map((e: any) => e.message)).toEqual(http.body.errors?.map((e) => e.message));
      expect(await fx.countRequests(isDataCall)).toBe(0);

      const ok = record(client, PAGED, SMALL);
      await ok.waitForEnd();
      expect(ok.errors).toEqual([]);
      expect(ok.events[0].clusters.edges).toHaveLength(1);
      expect(await fx.countRequests(isDataCall)).toBeGreaterThan(0);
      expect(closedCode).toBeUndefined();
    } finally {
      await client.dispose();
    }
  });
});

describe('--max-query-cost', () => {
  it('sets the cost limit the gateway enforces (HTTP and WebSocket share it)', async () => {
    const strict = await startGatewayFixture({ scenario: 'mini', args: ['--max-query-cost', '50'] });
    try {
      // Accepted by the default limit (the fixture above runs it), refused under a limit of 50.
      const res = await strict.query(PAGED, SMALL);
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
      expect(res.body.errors?.[0]?.message).toContain('Query Cost limit of 50 exceeded');
      const cheap = await strict.query(`{ clusters(first: 1) { totalCount } }`);
      expect(cheap.body.errors).toBeUndefined();
      expect(cheap.body.data.clusters.totalCount).toBe(1);
    } finally {
      await strict.stop();
    }
  });
});
