/**
 * The browser tests' Chromium (Debian's, which scripts/test-prereqs.mjs installs for `npm test`), driven by
 * playwright-core, and the rule every page of them follows: nothing is fetched from outside the machine.
 */
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Launches headless Chromium; fails (never skips) when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is needed (scripts/test-prereqs.mjs installs Debian's chromium)`).toBe(true);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-extensions', '--no-first-run'],
  });
}

/** Lets the page reach 127.0.0.1 / localhost only; every other request is aborted and its URL pushed to `blocked`. */
export async function blockOutsideLoopback(page: Page, blocked: string[]): Promise<void> {
  await page.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === '127.0.0.1' || host === 'localhost') return route.continue();
    blocked.push(route.request().url());
    return route.abort();
  });
}
