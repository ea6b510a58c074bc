/**
 * The fleet dashboard (/ui, ui/ built into dist-ui/) in headless Debian Chromium driven by playwright-core,
 * against a real gateway on the demo fleet, with every request not to 127.0.0.1/localhost blocked and
 * counted (0 expected: the page loads nothing from elsewhere):
 * - the overview lists the demo's clusters with node and pod counts equal to the API's answer;
 * - a node cordoned with kubectl (the simulator's kubeconfig, the member's context) turns
 *   `data-cordoned="true"` on the page within 3 s, without a reload;
 * - a scale started from the page ends SUCCEEDED on the page, and kubectl shows the new replicas;
 * - an Operation another client starts appears in the Operations feed and reaches SUCCEEDED there, from the
 *   operationChanged subscription: the list is read once, not polled;
 * - no horizontal scrolling at 1280×800 and 390×844; axe-core finds no serious or critical violation;
 * - the gateway's /ui answers: index, hashed assets with long cache headers, 404 for unknown assets, and a
 *   503 page naming `npm run build:ui` when dist-ui is missing; sign-in with a token when the server needs one.
 * Screenshots of each view go to test-artifacts/ui/.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { blockOutsideLoopback, launchChromium } from './support/browser.js';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { dashboardResponse } from '../src/server/dashboardAssets.js';

// What the callbacks given to page.evaluate use, in the page (this file is compiled without the DOM lib).
declare const document: any;
declare const window: any;
declare const sessionStorage: any;
type Document = any;

const ARTIFACTS = 'test-artifacts/ui';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const run = promisify(execFile);

let fx: GatewayFixture;
let browser: Browser;
/** Requests the pages tried to send anywhere but 127.0.0.1/localhost (all of them aborted). */
const blocked: string[] = [];

beforeAll(async () => {
  // The dashboard as the gateway serves it: rebuilt when ui/ changed since dist-ui/ was built.
  const built = spawnSync(process.execPath, ['scripts/ensure-built.mjs', '--ui'], { stdio: 'inherit' });
  expect(built.status).toBe(0);
  mkdirSync(ARTIFACTS, { recursive: true });
  fx = await startGatewayFixture();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await fx?.stop();
});

const uiUrl = () => fx.gateway.url.replace(/\/graphql$/, '/ui');

async function openDashboard(width: number, height: number, url = uiUrl()): Promise<{ page: Page; errors: string[]; sockets: string[] }> {
  const page = await browser.newPage({ viewport: { width, height } });
  await blockOutsideLoopback(page, blocked);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Every subscription of the page shares one graphql-ws connection.
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, sockets };
}

/** Waits until every member's card shows its nodes (the first load is in). */
async function waitForOverview(page: Page, clusters: string[]): Promise<void> {
  for (const c of clusters) await page.waitForSelector(`[data-cluster="${c}"] [data-node]`, { timeout: 30_000 });
}

async function kubectl(context: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', fx.sim.kubeconfigPath!, '--context', context, ...args], { timeout: 30_000 });
  return stdout;
}

async function noHorizontalScroll(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
  return page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
}

async function axeSeriousViolations(page: Page): Promise<Array<{ id: string; impact: string; nodes: string[] }>> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
}

interface ApiCluster {
  name: string;
  nodes: { totalCount: number; edges: Array<{ node: { name: string; unschedulable: boolean } }> };
  pods: { totalCount: number };
}

async function apiClusters(): Promise<ApiCluster[]> {
  const r = await fx.query<{ clusters: { edges: Array<{ node: ApiCluster }> } }>(
    '{ clusters(first: 10) { edges { node { name nodes(first: 50) { totalCount edges { node { name unschedulable } } } pods(first: 1) { totalCount } } } } }',
  );
  expect(r.body.errors).toBeUndefined();
  return r.body.data!.clusters.edges.map((e) => e.node);
}

describe('the dashboard at /ui', () => {
  it('lists the demo\'s clusters with the node and pod counts the API answers (1280×800)', async () => {
    const api = await apiClusters();
    expect(api.map((c) => c.name).sort()).toEqual(['member1', 'member2', 'member3']);
    const { page, errors } = await openDashboard(1280, 800);
    await waitForOverview(page, api.map((c) => c.name));
    const shown = await page.evaluate(() =>
      [...document.querySelectorAll('[data-cluster]')].map((el) => ({
        name: el.getAttribute('data-cluster'),
        nodes: [...el.querySelectorAll('[data-node]')].map((n) => ({ name: n.getAttribute('data-node'), cordoned: n.getAttribute('data-cordoned') })),
        pods: Number(el.querySelector('[data-stat="pods"]')?.textContent),
        squares: [...el.querySelectorAll('[data-node]')].reduce((sum, n) => sum + Number(n.getAttribute('data-pods')), 0),
      })),
    );
    expect(shown.map((c) => c.name).sort()).toEqual(api.map((c) => c.name).sort());
    for (const c of api) {
      const s = shown.find((x) => x.name === c.name)!;
      expect(s.nodes.length, c.name).toBe(c.nodes.totalCount);
      expect(s.nodes.map((n) => n.name).sort(), c.name).toEqual(c.nodes.edges.map((e) => e.node.name).sort());
      for (const e of c.nodes.edges) expect(s.nodes.find((n) => n.name === e.node.name)!.cordoned).toBe(String(e.node.unschedulable));
      expect(s.pods, c.name).toBe(c.pods.totalCount);
      expect(s.pods, `${c.name}: pods counted on the page`).toBeGreaterThan(0);
    }
    const { scrollWidth, clientWidth } = await noHorizontalScroll(page);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    await page.screenshot({ path: `${ARTIFACTS}/overview-1280x800.png`, fullPage: true });
    expect(await axeSeriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  }, 90_000);

  it('shows a node cordoned with kubectl as cordoned within 3 s, without a reload', async () => {
    const api = await apiClusters();
    const member = api.find((c) => c.name === 'member1')!;
    const node = member.nodes.edges.map((e) => e.node).find((n) => !n.unschedulable)!.name;
    const { page, errors } = await openDashboard(1280, 800);
    await waitForOverview(page, api.map((c) => c.name));
    const tile = `[data-cluster="member1"] [data-node="${node}"]`;
    expect(await page.getAttribute(tile, 'data-cordoned')).toBe('false');
    // A mark in the page's own JavaScript state: still there afterwards means no reload happened.
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    try {
      await kubectl('member1', 'cordon', node);
      const t0 = Date.now();
      await page.waitForSelector(`${tile}[data-cordoned="true"]`, { timeout: 3000 });
      const ms = Date.now() - t0;
      console.log(`ui-dashboard: kubectl cordon → data-cordoned="true" on the page in ${ms} ms`);
      expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
      expect(await page.textContent('[data-cluster="member1"] [data-stat="nodes-cordoned"]')).toBe('1');
      await page.click(`${tile} button`);
      await page.waitForSelector(`[data-node-panel="${node}"]`);
      await page.screenshot({ path: `${ARTIFACTS}/node-cordoned-by-kubectl-1280x800.png`, fullPage: true });
    } finally {
      await kubectl('member1', 'uncordon', node);
    }
    await page.waitForSelector(`${tile}[data-cordoned="false"]`, { timeout: 3000 });
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  }, 90_000);

  it('cordons and uncordons a node from the page, each showing its Operation until it ends', async () => {
    const { page, errors } = await openDashboard(1280, 800);
    await waitForOverview(page, ['member1', 'member2', 'member3']);
    const node = (await page.getAttribute('[data-cluster="member2"] [data-node][data-cordoned="false"]', 'data-node'))!;
    await page.click(`[data-cluster="member2"] [data-node="${node}"] button`);
    await page.getByRole('button', { name: `Cordon ${node}`, exact: true }).click();
    await page.waitForSelector(`[data-node-panel="${node}"] [data-operation-id][data-phase="SUCCEEDED"]`, { timeout: 30_000 });
    await page.waitForSelector(`[data-cluster="member2"] [data-node="${node}"][data-cordoned="true"]`, { timeout: 5000 });
    expect(JSON.parse(await kubectl('member2', 'get', 'node', node, '-o', 'json')).spec.unschedulable).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/node-cordoned-from-page-1280x800.png`, fullPage: true });
    await page.getByRole('button', { name: `Uncordon ${node}`, exact: true }).click();
    await page.waitForSelector(`[data-cluster="member2"] [data-node="${node}"][data-cordoned="false"]`, { timeout: 30_000 });
    await page.waitForSelector(`[data-node-panel="${node}"] [data-operation-id][data-phase="SUCCEEDED"]`, { timeout: 30_000 });
    expect(JSON.parse(await kubectl('member2', 'get', 'node', node, '-o', 'json')).spec.unschedulable ?? false).toBe(false);
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  }, 90_000);

  it('lists an Operation another client starts, live to SUCCEEDED, from operationChanged: the list is read once, never polled', async () => {
    const { page, errors, sockets } = await openDashboard(1280, 800);
    // Every read of the Operations list the page sends over HTTP.
    const reads: number[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && (r.postData() ?? '').includes('DashboardOperations')) reads.push(Date.now());
    });
    await page.waitForSelector('#operations p.muted:has-text("in the gateway\'s record")', { timeout: 30_000 });
    const node = (await page.getAttribute('[data-cluster="member3"] [data-node][data-cordoned="false"]', 'data-node', { timeout: 30_000 }))!;
    const before = reads.length;
    // Not from the page (so not "started here"): only the feed's subscription can bring it.
    const cordon = await fx.query(`mutation { cordonNode(cluster: "member3", name: "${node}") { id } }`);
    expect(cordon.body.errors).toBeUndefined();
    const id: string = cordon.body.data.cordonNode.id;
    try {
      await page.waitForSelector(`#operations [data-operation="${id}"][data-phase="SUCCEEDED"]`, { timeout: 10_000 });
      expect(await page.textContent(`#operations [data-operation="${id}"] .op-title`)).toBe(`cordonNode ${node}`);
      // Longer than the 2 s the feed used to poll at: still no second read of the list.
      await page.waitForTimeout(2500);
      expect(reads.length).toBe(before);
      expect(sockets).toEqual([fx.gateway.url.replace(/^http/, 'ws')]);
    } finally {
      const undo = await fx.query(`mutation { uncordonNode(cluster: "member3", name: "${node}") { id } }`);
      expect(undo.body.errors).toBeUndefined();
      await page.waitForSelector(`#operations [data-operation="${undo.body.data.uncordonNode.id}"][data-phase="SUCCEEDED"]`, { timeout: 10_000 });
    }
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  }, 90_000);

  it('scales a workload from the page: the Operation ends SUCCEEDED there, and kubectl shows the new replicas', async () => {
    const { page, errors, sockets } = await openDashboard(1280, 800);
    await page.waitForSelector('[data-workload-select] option[value="DEPLOYMENT/web/storefront"]', { state: 'attached', timeout: 30_000 });
    await page.selectOption('[data-workload-select]', 'DEPLOYMENT/web/storefront');
    await page.waitForSelector('[data-workload="web/storefront"] [data-placement="member3"]', { timeout: 30_000 });
    // The scheduling view: the policy and the static weights 1:2:3 of the demo.
    expect(await page.textContent('[data-workload="web/storefront"] [data-policy]')).toContain('PropagationPolicy');
    const weights = await page.$$eval('[data-workload="web/storefront"] [data-placement]', (rows) => rows.map((r) => [r.getAttribute('data-placement'), r.children[3]!.textContent]));
    expect(weights).toEqual([['member1', 'static 1'], ['member2', 'static 2'], ['member3', 'static 3']]);
    await page.screenshot({ path: `${ARTIFACTS}/scheduling-storefront-1280x800.png`, fullPage: true });
    try {
      await page.getByLabel('Replicas', { exact: true }).fill('12');
      await page.getByRole('button', { name: 'Scale storefront', exact: true }).click();
      const op = page.locator('form.scale [data-operation-id]');
      await op.waitFor({ timeout: 10_000 });
      await page.waitForSelector('form.scale [data-operation-id][data-phase="SUCCEEDED"]', { timeout: 90_000 });
      expect(await page.textContent('form.scale [data-operation-id] [role="status"]')).toBe('SUCCEEDED');
      expect(Number(await kubectl('karmada', 'get', 'deployment', '-n', 'web', 'storefront', '-o', 'jsonpath={.spec.replicas}'))).toBe(12);
      const ready = await Promise.all(['member1', 'member2', 'member3'].map(async (m) => Number(await kubectl(m, 'get', 'deployment', '-n', 'web', 'storefront', '-o', 'jsonpath={.status.readyReplicas}'))));
      expect(ready).toEqual([2, 4, 6]);
      // Live: the placements table follows the binding (workloadChanged) without a reload.
      await page.waitForSelector('[data-workload="web/storefront"] [data-placement="member3"] [data-scheduled="6"]', { timeout: 10_000 });
      await page.screenshot({ path: `${ARTIFACTS}/scale-succeeded-1280x800.png`, fullPage: true });

      // The Operations feed lists it; its step-by-step view shows the steps.
      const id = (await op.getAttribute('data-operation-id'))!;
      await page.waitForSelector(`#operations [data-operation="${id}"]`, { timeout: 10_000 });
      await page.click(`#operations [data-operation="${id}"] button`);
      await page.waitForSelector(`#operations .op-detail [data-operation-id="${id}"][data-phase="SUCCEEDED"]`);
      const steps = await page.$$eval(`#operations .op-detail [data-operation-id="${id}"] .steps li`, (li) => li.map((l) => l.getAttribute('data-step-phase')));
      expect(steps).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      await page.locator('#operations').screenshot({ path: `${ARTIFACTS}/operations-feed-steps-1280x800.png` });
      // Fleet, node, pod, cluster, workload and Operation subscriptions: all on one connection.
      expect(sockets).toEqual([fx.gateway.url.replace(/^http/, 'ws')]);
    } finally {
      const r = await fx.query('mutation { scaleWorkload(kind: DEPLOYMENT, namespace: "web", name: "storefront", replicas: 6) { id } }');
      expect(r.body.errors).toBeUndefined();
    }
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  }, 150_000);

  it('fits 390×844 without horizontal scrolling, with a node panel and an Operation open; axe finds nothing serious', async () => {
    const { page, errors } = await openDashboard(390, 844);
    await waitForOverview(page, ['member1', 'member2', 'member3']);
    await page.screenshot({ path: `${ARTIFACTS}/overview-390x844.png` });
    const node = (await page.getAttribute('[data-cluster="member3"] [data-node]', 'data-node'))!;
    await page.click(`[data-cluster="member3"] [data-node="${node}"] button`);
    await page.waitForSelector(`[data-node-panel="${node}"]`);
    await page.waitForSelector('[data-workload] [data-placement]', { timeout: 30_000 });
    await page.locator('#scheduling').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/scheduling-390x844.png` });
    const first = page.locator('#operations [data-operation] button').first();
    await first.waitFor({ timeout: 30_000 });
    await first.click();
    await page.waitForSelector('#operations .op-detail [data-operation-id]');
    await page.locator('#operations').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/operations-390x844.png` });
    const { scrollWidth, clientWidth } = await noHorizontalScroll(page);
    expect(clientWidth).toBe(390);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    expect(await axeSeriousViolations(page)).toEqual([]);
    // The same page grown to 1280×800 still fits.
    await page.setViewportSize({ width: 1280, height: 800 });
    const wide = await noHorizontalScroll(page);
    expect(wide.scrollWidth).toBeLessThanOrEqual(wide.clientWidth);
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  }, 90_000);

  it('serves index, hashed assets (immutable) and 404s unknown assets; 503 with the build command without dist-ui', async () => {
    const base = fx.gateway.url.replace(/\/graphql$/, '');
    for (const path of ['/ui', '/ui/']) {
      const r = await fetch(base + path);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await r.text()).toContain('<div id="root"></div>');
    }
    const assets = readdirSync('dist-ui/assets');
    const js = assets.find((a) => a.endsWith('.js'))!;
    const css = assets.find((a) => a.endsWith('.css'))!;
    const a = await fetch(`${base}/ui/assets/${js}`);
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(a.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${base}/ui/assets/${css}`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${base}/ui/assets/missing-0000.js`)).status).toBe(404);
    expect((await fetch(`${base}/ui/%2e%2e/package.json`)).status).toBe(404);
    expect((await fetch(`${base}/ui/..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${base}/uix`)).status).toBe(404);
    const empty = mkdtempSync(join(tmpdir(), 'fleetgraph-no-ui-'));
    const missing = dashboardResponse('/ui', `${empty}/`)!;
    expect(missing.status).toBe(503);
    expect(String(missing.body)).toContain('npm run build:ui');
  });
});

describe('the dashboard behind --auth token', () => {
  let authFx: GatewayFixture;
  beforeAll(async () => {
    authFx = await startGatewayFixture({ tokens: 'dash-token-1,alice,1001,"viewers"\n', grantRead: ['viewers'] });
  }, 120_000);
  afterAll(async () => {
    await authFx?.stop();
  });

  it('asks for a token (the page itself is public), then shows the fleet with it over HTTP and graphql-ws', async () => {
    const url = authFx.gateway.url.replace(/\/graphql$/, '/ui');
    const { page, errors } = await openDashboard(1280, 800, url);
    await page.getByLabel('Bearer token').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: `${ARTIFACTS}/sign-in-1280x800.png` });
    expect(await axeSeriousViolations(page)).toEqual([]);
    await page.getByLabel('Bearer token').fill('wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The token was refused.').waitFor({ timeout: 10_000 });
    await page.getByLabel('Bearer token').fill('dash-token-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForOverview(page, ['member1', 'member2', 'member3']);
    // The subscriptions authenticated too: the socket is live and a change arrives.
    await page.waitForSelector('.live-connected', { timeout: 10_000 });
    const node = (await page.getAttribute('[data-cluster="member3"] [data-node][data-cordoned="false"]', 'data-node'))!;
    try {
      await run('kubectl', ['--kubeconfig', authFx.sim.kubeconfigPath!, '--context', 'member3', 'cordon', node], { timeout: 30_000 });
      await page.waitForSelector(`[data-cluster="member3"] [data-node="${node}"][data-cordoned="true"]`, { timeout: 3000 });
    } finally {
      await run('kubectl', ['--kubeconfig', authFx.sim.kubeconfigPath!, '--context', 'member3', 'uncordon', node], { timeout: 30_000 });
    }
    expect(await page.evaluate(() => sessionStorage.getItem('fleetgraph.token'))).toBe('dash-token-1');
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  }, 120_000);
});
