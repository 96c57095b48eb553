/*
 * Chromium against the showcase and minimal-http-server: the pages render
 * what they should, with zero CSP violations and zero console errors. A
 * control case proves the violation detector itself works.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium, watchedPage } from '../lib/browser.js';
import { startServerExample, type StartedServer } from '../lib/examples.js';
import { start, stopAll, type Running } from '../lib/processes.js';

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: apt-get install chromium`);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stopAll();
});

describe('showcase', () => {
  let showcase: Running;
  let url: string;

  beforeAll(async () => {
    showcase = start(process.execPath, ['--import', 'tsx', 'main.ts', '--port', '0'], { cwd: new URL('../../showcase/', import.meta.url).pathname });
    url = (await showcase.waitFor(/USER: .*?(http:\/\/[^\s]+)[^\n]*\n/, 20_000))[1] as string;
  });

  it('renders the index with a link to every browser-facing example, cleanly', async () => {
    const w = await watchedPage(browser);
    const res = await w.page.goto(url);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
    await expect(w.page.title()).resolves.toBe('lws-ts showcase');
    const links = await w.page.$$eval('#examples a', (as) => as.map((a) => a.getAttribute('href')));
    expect(links).toContain('/http-server/minimal-http-server/');
    expect(links).toContain('/http-server/minimal-http-server-tls/');
    expect(await w.cspViolations()).toEqual([]);
    expect(w.consoleErrors).toEqual([]);
    expect(w.pageErrors).toEqual([]);
  });

  it('follows a link to an example whose script runs under the strict CSP', async () => {
    const w = await watchedPage(browser);
    await w.page.goto(url);
    await w.page.click('a[href="/http-server/minimal-http-server/"]');
    await w.page.waitForSelector('#status.ok', { timeout: 10_000 });
    expect(await w.page.textContent('#status')).toMatch(/JavaScript ran under a strict CSP/);
    expect(await w.cspViolations()).toEqual([]);
    expect(w.consoleErrors).toEqual([]);
  });
});

describe('minimal-http-server in Chromium', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServerExample('http-server/minimal-http-server');
  });

  it('renders its page, runs its script, loads its logo, with no CSP violation or console error', async () => {
    const w = await watchedPage(browser);
    const res = await w.page.goto(`${server.url}/`);
    expect(res?.status()).toBe(200);
    await w.page.waitForSelector('#status.ok', { timeout: 10_000 });
    expect(await w.page.textContent('h1')).toBe('Minimal http server example');
    const logoWidth = await w.page.$eval('header img', (img) => (img as HTMLImageElement).naturalWidth);
    expect(logoWidth).toBeGreaterThan(0);
    expect(await w.cspViolations()).toEqual([]);
    expect(w.consoleErrors).toEqual([]);
    expect(w.pageErrors).toEqual([]);
  });

  it('control: the detector does see a violation when inline script is injected', async () => {
    const w = await watchedPage(browser);
    await w.page.goto(`${server.url}/`);
    await w.page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'document.title = "inline ran"';
      document.body.appendChild(s);
    });
    await w.page.waitForFunction(() => (window as unknown as { __csp: string[] }).__csp.length > 0, undefined, { timeout: 5000 });
    expect((await w.cspViolations())[0]).toMatch(/script-src/);
    expect(await w.page.title()).not.toBe('inline ran');
  });
});
