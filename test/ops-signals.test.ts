/**
 * The signals an operator reads (issue 13), through a real gateway over the simulator: /metrics as Prometheus
 * scrapes it (types, names, histograms, values that move with queries, mutations and member faults), the
 * gateway's log lines (mutation, Operation end, member state, start summary, the request id), and the
 * OpenTelemetry spans it posts to an OTLP/HTTP receiver started by the test.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { openClient } from './support/subscriptionsClient.js';

type LogLine = Record<string, any> & { msg: string };

/** A small OTLP/HTTP receiver: keeps every span posted (JSON encoding) to /v1/traces. */
interface ReceivedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

async function startOtlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; contentTypes: string[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      contentTypes.push(String(req.headers['content-type']));
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<{ name: string; traceId: string; spanId: string; parentSpanId?: string; attributes?: Array<{ key: string; value: Record<string, unknown> }> }> }> }>;
      };
      for (const rs of body.resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            const attributes: Record<string, unknown> = {};
            for (const a of s.attributes ?? []) attributes[a.key] = Object.values(a.value)[0];
            spans.push({ name: s.name, traceId: s.traceId, spanId: s.spanId, ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}), attributes });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    contentTypes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** One sample of a scrape: the value of `name{labels}` (labels in any order; all given must match), summed. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map([...(m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) {
      total += Number(m[4]);
      found = true;
    }
  }
  return found ? total : NaN;
}

describe('metrics, logs and traces of a working gateway', () => {
  let fx: GatewayFixture;
  let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
  const lines: LogLine[] = [];
  let base: string;
  const scrape = async () => (await fetch(`${base}/metrics`)).text();

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
    fx = await startGatewayFixture({ logger, args: ['--otel-endpoint', otlp.url] });
    base = fx.gateway.url.replace(/\/graphql$/, '');
  });

  afterAll(async () => {
    await fx?.stop();
    await otlp?.close();
  });

  it('says once at start what runs: version, auth, authz, URL', () => {
    const start = lines.find((l) => l.msg === 'gateway listening');
    expect(start).toMatchObject({ url: fx.gateway.url, auth: 'none', authz: 'none', version: expect.stringMatching(/^\d+\.\d+\.\d+/), readOnly: false });
  });

  it('exports counters as counters (_total) and durations as histograms', async () => {
    await fx.query('{ fleet { pods { total } } }');
    const text = await scrape();
    // Every `_total` of the gateway's own is a counter, and every counter ends in `_total` (the gauges of
    // cumulative counts are gone). prom-client's process defaults are left out: its `nodejs_active_resources_total`
    // is a gauge of resources open now.
    const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    for (const [name, type] of types) {
      if (/^fleetgraph_(nodejs|process)_/.test(name)) continue;
      if (name.endsWith('_total')) expect(`${name} ${type}`).toBe(`${name} counter`);
      if (type === 'counter') expect(name).toMatch(/_total$/);
    }
    for (const counter of ['fleetgraph_upstream_requests_total', 'fleetgraph_graphql_errors_total', 'fleetgraph_operations_total', 'fleetgraph_watch_restarts_total',
      'fleetgraph_relists_total', 'fleetgraph_rate_limited_total', 'fleetgraph_forbidden_total', 'fleetgraph_http_requests_total', 'fleetgraph_subscription_events_routed_total']) {
      expect(types.get(counter)).toBe('counter');
    }
    expect(types.get('fleetgraph_graphql_request_duration_seconds')).toBe('histogram');
    expect(types.get('fleetgraph_upstream_request_duration_seconds')).toBe('histogram');
    expect(types.get('fleetgraph_cached_objects')).toBe('gauge');
    expect(types.has('fleetgraph_upstream_calls')).toBe(false);
    // The query's duration, with buckets up to +Inf equal to the count.
    const count = sample(text, 'fleetgraph_graphql_request_duration_seconds_count', { operation_type: 'query', transport: 'http' });
    expect(count).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'fleetgraph_graphql_request_duration_seconds_bucket', { operation_type: 'query', transport: 'http', le: '+Inf' })).toBe(count);
    expect(sample(text, 'fleetgraph_graphql_request_duration_seconds_bucket', { operation_type: 'query', transport: 'http', le: '30' })).toBe(count);
    // Informers listed every member's pods: counted and timed by cluster, verb, kind and code.
    for (const member of fx.sim.fleet.members.keys()) {
      const labels = { cluster: member, verb: 'list', kind: 'pods', code: '200' };
      expect(sample(text, 'fleetgraph_upstream_requests_total', labels)).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'fleetgraph_upstream_request_duration_seconds_count', labels)).toBe(sample(text, 'fleetgraph_upstream_requests_total', labels));
      // What the cache holds is what the member has.
      expect(sample(text, 'fleetgraph_cached_objects', { cluster: member, kind: 'pods' })).toBe(fx.sim.fleet.members.get(member)!.objects.list('pods').length);
      expect(sample(text, 'fleetgraph_member_reachable', { cluster: member })).toBe(1);
    }
  });

  it('counts errors by code, over both transports', async () => {
    const before = sample(await scrape(), 'fleetgraph_graphql_errors_total', { code: 'BAD_USER_INPUT' }) || 0;
    const bad = await fx.query('{ noSuchField }');
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const ws = openClient(fx.gateway.url);
    try {
      const overWs = await new Promise<unknown>((resolve) => {
        ws.subscribe({ query: '{ alsoNoSuchField }' }, { next: () => undefined, error: resolve, complete: () => resolve(undefined) });
      });
      expect(JSON.stringify(overWs)).toContain('BAD_USER_INPUT');
      // A query over graphql-ws is timed under transport ws.
      for await (const r of ws.iterate({ query: '{ fleet { pods { total } } }' })) {
        expect((r as { data?: unknown }).data).toBeTruthy();
        break;
      }
    } finally {
      await ws.dispose();
    }
    const text = await scrape();
    expect(sample(text, 'fleetgraph_graphql_errors_total', { code: 'BAD_USER_INPUT' })).toBe(before + 2);
    expect(sample(text, 'fleetgraph_graphql_request_duration_seconds_count', { operation_type: 'query', transport: 'ws' })).toBeGreaterThanOrEqual(1);
  });

  it('a mutation: its log line with the request id, its Operation counted by phase and its end logged, its write counted', async () => {
    const member = [...fx.sim.fleet.members.keys()].sort()[0]!;
    const node = fx.sim.fleet.members.get(member)!.objects.list('nodes')[0]!.metadata.name!;
    const reqId = `signals-test-${Date.now()}`;
    const res = await fx.query(`mutation($c: String!, $n: String!) { cordonNode(cluster: $c, name: $n) { id } }`, { c: member, n: node }, { 'x-request-id': reqId });
    const id = res.body.data.cordonNode.id as string;
    const mutation = lines.find((l) => l.msg === 'mutation' && l.operationId === id);
    expect(mutation).toMatchObject({ reqId, user: 'anonymous', type: 'cordonNode', outcome: 'accepted', target: { cluster: member, kind: 'Node', name: node } });
    const ended = await eventually(async () => {
      const line = lines.find((l) => l.msg === 'operation ended' && l.id === id);
      expect(line).toBeDefined();
      return line!;
    });
    expect(ended).toMatchObject({ type: 'cordonNode', phase: 'SUCCEEDED', durationMs: expect.any(Number) });
    const text = await scrape();
    for (const phase of ['PENDING', 'RUNNING', 'SUCCEEDED']) expect(sample(text, 'fleetgraph_operations_total', { type: 'cordonNode', phase })).toBe(1);
    expect(sample(text, 'fleetgraph_operations_total', { type: 'cordonNode', phase: 'FAILED' })).toBeNaN();
    expect(sample(text, 'fleetgraph_graphql_request_duration_seconds_count', { operation_type: 'mutation', transport: 'http' })).toBe(1);
    // The cordon's write, and the read before it, as upstream calls of the member.
    expect(sample(text, 'fleetgraph_upstream_requests_total', { cluster: member, verb: 'patch', kind: 'nodes', code: '200' })).toBe(1);
    expect(sample(text, 'fleetgraph_upstream_requests_total', { cluster: member, verb: 'get', kind: 'nodes' })).toBeGreaterThanOrEqual(1);
    // A refused mutation is logged too, with its code.
    await fx.query(`mutation { cordonNode(cluster: "no-such-member", name: "x") { id } }`, undefined, { 'x-request-id': `${reqId}-refused` });
    expect(lines.find((l) => l.msg === 'mutation' && l.reqId === `${reqId}-refused`)).toMatchObject({ outcome: 'refused', code: 'NOT_FOUND', operationId: null });
  });

  it('traces the query and the mutation: request spans with their upstream calls and the Operation steps as children', async () => {
    const member = [...fx.sim.fleet.members.keys()].sort()[0]!;
    const node = fx.sim.fleet.members.get(member)!.objects.list('nodes')[0]!.metadata.name!;
    await fx.query('query SignalsTraced { fleet { pods { total } } }');
    await fx.query(`mutation SignalsUncordon($c: String!, $n: String!) { uncordonNode(cluster: $c, name: $n) { id } }`, { c: member, n: node });
    const spans = await eventually(async () => {
      const query = otlp.spans.find((s) => s.name === 'graphql.request' && s.attributes['graphql.operation.name'] === 'SignalsTraced');
      const mutation = otlp.spans.find((s) => s.name === 'graphql.request' && s.attributes['graphql.operation.name'] === 'SignalsUncordon');
      expect(query).toBeDefined();
      expect(mutation).toBeDefined();
      const steps = otlp.spans.filter((s) => s.name === 'operation.step' && s.traceId === mutation!.traceId);
      expect(steps.length).toBeGreaterThanOrEqual(1);
      const patch = otlp.spans.find((s) => s.name === 'k8s.patch' && s.traceId === mutation!.traceId);
      expect(patch).toBeDefined();
      return { query: query!, mutation: mutation!, steps, patch: patch! };
    });
    expect(otlp.contentTypes[0]).toContain('application/json');
    expect(spans.query.attributes).toMatchObject({ 'graphql.operation.type': 'query', 'fleetgraph.transport': 'http' });
    expect(spans.mutation.attributes).toMatchObject({ 'graphql.operation.type': 'mutation' });
    for (const step of spans.steps) expect(step.attributes).toMatchObject({ 'fleetgraph.operation.type': 'uncordonNode', 'fleetgraph.operation.step': expect.any(String) });
    // The write is a child of a step, with the cluster, verb, kind and status of the call.
    expect(spans.steps.map((s) => s.spanId)).toContain(spans.patch.parentSpanId);
    expect(spans.patch.attributes).toMatchObject({ 'k8s.cluster': member, 'k8s.verb': 'patch', 'k8s.kind': 'nodes', 'http.response.status_code': 200 });
    // Background traffic (informers, probes) makes no spans: every k8s span belongs to a request's trace.
    const requestTraces = new Set(otlp.spans.filter((s) => s.name === 'graphql.request').map((s) => s.traceId));
    for (const s of otlp.spans.filter((x) => x.name.startsWith('k8s.'))) expect(requestTraces.has(s.traceId)).toBe(true);
  });

  it('a member down and back: one log line each way with the reason; watch restarts and relists counted', async () => {
    const member = [...fx.sim.fleet.members.keys()].sort()[1]!;
    const before = await scrape();
    const restartsBefore = sample(before, 'fleetgraph_watch_restarts_total', { cluster: member }) || 0;
    const relistsBefore = sample(before, 'fleetgraph_relists_total', { cluster: member }) || 0;
    try {
      await fx.admin('POST', `/_sim/faults/${member}`, { unreachable: true });
      const down = await eventually(async () => {
        const line = lines.find((l) => l.msg === 'member unreachable' && l.cluster === member);
        expect(line).toBeDefined();
        return line!;
      });
      expect(down).toMatchObject({ level: 40, reason: expect.any(String), error: expect.stringContaining(member) });
      expect(sample(await scrape(), 'fleetgraph_member_reachable', { cluster: member })).toBe(0);
      // Meanwhile the member changes and compacts its history: the informers' next watch is too old (410).
      const sim = fx.sim.fleet.members.get(member)!;
      sim.objects.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `signals-${Date.now()}`, namespace: 'default' }, data: {} } as never, { manager: 'test' });
      await fx.admin('POST', `/_sim/faults/${member}/compact`);
    } finally {
      await fx.admin('POST', `/_sim/faults/${member}`, { unreachable: false });
    }
    await eventually(async () => {
      expect(lines.find((l) => l.msg === 'member reachable' && l.cluster === member)).toMatchObject({ level: 30, reason: expect.any(String) });
    });
    const after = await eventually(async () => {
      const text = await scrape();
      expect(sample(text, 'fleetgraph_relists_total', { cluster: member })).toBeGreaterThan(relistsBefore);
      expect(sample(text, 'fleetgraph_watch_restarts_total', { cluster: member })).toBeGreaterThan(restartsBefore);
      return text;
    });
    expect(sample(after, 'fleetgraph_member_reachable', { cluster: member })).toBe(1);
    // The outage's failed calls are counted with their answer (the proxy's status for a dead member, or no answer).
    const failed = [...after.matchAll(/^fleetgraph_upstream_requests_total\{([^}]*)\} (\S+)$/gm)]
      .filter((m) => m[1]!.includes(`cluster="${member}"`) && !m[1]!.includes('code="200"'));
    expect(failed.length).toBeGreaterThanOrEqual(1);
  });
});

describe('refusals: forbidden and rate-limited requests', () => {
  let fx: GatewayFixture;
  let base: string;

  beforeAll(async () => {
    fx = await startGatewayFixture({ args: ['--read-only', '--rate-limit-per-minute', '20'] });
    base = fx.gateway.url.replace(/\/graphql$/, '');
  });

  afterAll(async () => {
    await fx?.stop();
  });

  it('counts a FORBIDDEN answer and the requests refused over the budget', async () => {
    const member = [...fx.sim.fleet.members.keys()].sort()[0]!;
    const refused = await fx.query(`mutation { cordonNode(cluster: "${member}", name: "x") { id } }`);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    let limited = 0;
    for (let i = 0; i < 25 && limited === 0; i++) if ((await fx.query('{ fleet { pods { total } } }')).status === 429) limited++;
    expect(limited).toBe(1);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(sample(text, 'fleetgraph_forbidden_total')).toBe(1);
    expect(sample(text, 'fleetgraph_graphql_errors_total', { code: 'FORBIDDEN' })).toBe(1);
    expect(sample(text, 'fleetgraph_rate_limited_total', { reason: 'RATE_LIMIT_EXCEEDED' })).toBe(1);
    expect(sample(text, 'fleetgraph_graphql_errors_total', { code: 'RATE_LIMITED' })).toBe(1);
  });
});
