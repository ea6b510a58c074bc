/**
 * GraphQL over HTTP conformance (graphql-http's server audits: every MUST passes), CSRF prevention kept,
 * health/readiness/metrics endpoints, and the self-hosted GraphiQL page and assets (no CDN).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverAudits } from 'graphql-http';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGatewayFixture();
});

afterAll(async () => {
  await fx?.stop();
});

describe('graphql-http server audits', () => {
  it('passes every MUST audit', async () => {
    const audits = serverAudits({ url: () => fx.gateway.url, fetchFn: fetch });
    const must = audits.filter((a) => a.name.startsWith('MUST'));
    expect(must.length).toBeGreaterThan(10);
    const failures: string[] = [];
    for (const audit of must) {
      const result = await audit.fn();
      if (result.status !== 'ok') failures.push(`${audit.name}: ${(result as { reason?: string }).reason ?? result.status}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('HTTP behaviour', () => {
  it('refuses a simple GET without a preflight header (CSRF prevention) and answers one with it', async () => {
    const q = encodeURIComponent('{ clusters { totalCount } }');
    const simple = await fetch(`${fx.gateway.url}?query=${q}`, { headers: { accept: 'application/json' } });
    expect(simple.status).toBe(400);
    const ok = await fetch(`${fx.gateway.url}?query=${q}`, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).data.clusters.totalCount).toBe(fx.sim.fleet.members.size);
  });

  it('answers 400 with BAD_USER_INPUT on a body that is not JSON', async () => {
    const res = await fetch(fx.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('maps GraphQL validation failures onto the one code list', async () => {
    const res = await fx.query('{ clusters { noSuchField } }');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('serves /healthz, /readyz with the per-member body, and /metrics', async () => {
    const base = fx.gateway.url.replace(/\/graphql$/, '');
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as any;
    expect(body.ready).toBe(true);
    const clusters = body.clusters.map((c: { cluster: string }) => c.cluster);
    for (const m of fx.sim.fleet.members.keys()) expect(clusters).toContain(m);
    await fx.query('{ fleet { pods { total } } }');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/fleetgraph_http_requests_total\{route="\/graphql",method="POST",status="200"\} [1-9]/);
    expect(metrics).toContain('fleetgraph_upstream_requests_total');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('serves GraphiQL and its assets from node_modules, with a runnable example query', async () => {
    const page = await fetch(fx.gateway.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|localhost)[a-z]/i);
    expect(html).toContain('query FleetOverview');
    for (const src of html.matchAll(/(?:src|href)="(\/graphiql\/[^"]+)"/g)) {
      const asset = await fetch(new URL(src[1]!, fx.gateway.url));
      expect(asset.status, src[1]).toBe(200);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });
});
