/**
 * GraphiQL in headless Debian Chromium with every request not to 127.0.0.1/localhost blocked: the page
 * loads from the gateway's own assets, a query typed into the editor runs and returns data, and a
 * screenshot of the result is saved under test/artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { blockOutsideLoopback, launchChromium } from './support/browser.js';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';

let fx: GatewayFixture;
let browser: Browser | undefined;

beforeAll(async () => {
  fx = await startGatewayFixture();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await fx?.stop();
});

describe('GraphiQL', () => {
  it('loads offline, runs a typed query and shows data', async () => {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    const blocked: string[] = [];
    await blockOutsideLoopback(page, blocked);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    await page.goto(fx.gateway.url, { waitUntil: 'load' });
    await page.waitForSelector('.graphiql-container', { timeout: 30_000 });
    // It opens with a runnable example query.
    const initial = await page.locator('.graphiql-query-editor .CodeMirror').first().textContent();
    expect(initial).toContain('FleetOverview');

    // Replace the editor content by typing a query.
    await page.locator('.graphiql-query-editor .CodeMirror').first().click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('query TypedInBrowser { clusters { totalCount edges { node { name } } } }');

    // GraphiQL re-reads the operation name from the edited document asynchronously; running before it has
    // would send the old name, so run (again) until the response is the one of the typed query.
    const response = page.locator('.graphiql-response .CodeMirror').first();
    const members = [...fx.sim.fleet.members.keys()].sort();
    await expectText(async () => {
      await page.locator('.graphiql-execute-button').first().click();
      await page.waitForTimeout(300);
      return (await response.textContent()) ?? '';
    }, `"totalCount": ${members.length}`, 30);
    const text = (await response.textContent()) ?? '';
    for (const m of members) expect(text).toContain(`"name": "${m}"`);
    expect(text).not.toContain('"errors"');

    mkdirSync('test/artifacts', { recursive: true });
    await page.screenshot({ path: 'test/artifacts/graphiql-result.png', fullPage: true });
    expect(pageErrors).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  });
});

describe('GraphiQL subscriptions', () => {
  it('runs a subscription over graphql-ws and shows a live change', async () => {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    const blocked: string[] = [];
    await blockOutsideLoopback(page, blocked);
    await page.goto(fx.gateway.url, { waitUntil: 'load' });
    await page.waitForSelector('.graphiql-container', { timeout: 30_000 });
    const cluster = [...fx.sim.fleet.members.keys()].sort()[0]!;
    await page.locator('.graphiql-query-editor .CodeMirror').first().click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type(`subscription LiveInBrowser { podChanged(cluster: "${cluster}", namespace: "default") { type cluster pod { name } } }`);
    const response = page.locator('.graphiql-response .CodeMirror').first();
    // As above: until GraphiQL has re-read the operation name, a run names the old operation and fails.
    for (let i = 0; i < 10; i++) {
      await page.waitForTimeout(500);
      await page.locator('.graphiql-execute-button').first().click();
      await page.waitForTimeout(500);
      if (!((await response.textContent()) ?? '').includes('Unknown operation')) break;
    }
    const name = `graphiql-live-${Date.now()}`;
    fx.sim.fleet.members.get(cluster)!.objects.create('pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'busybox' }] },
    });
    await expectText(async () => (await response.textContent()) ?? '', `"name": "${name}"`);
    expect((await response.textContent()) ?? '').toContain(`"cluster": "${cluster}"`);
    await page.screenshot({ path: 'test/artifacts/graphiql-subscription.png', fullPage: true });
    expect(blocked).toEqual([]);
    await page.close();
  });
});

/** Polls the page (rendering is asynchronous) until `read()` contains `expected`, bounded. */
async function expectText(read: () => Promise<string>, expected: string, attempts = 60): Promise<void> {
  let last = '';
  for (let i = 0; i < attempts; i++) {
    last = await read();
    if (last.includes(expected)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(last).toContain(expected);
}
