/*
 * Chromium on the minimal-ws-server-threads and -threadpool pages: each page
 * connects back over ws and lists what the server's threads produce, under
 * the strict CSP, with zero violations and zero console errors.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium, watchedPage } from '../lib/browser.js';
import { startServerExample } from '../lib/examples.js';
import { stopAll } from '../lib/processes.js';

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: apt-get install chromium`);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stopAll();
});

describe.each([
  ['ws-server/minimal-ws-server-threads', ['--interval', '20'], /^spam tid: [01], msg: \d+$/],
  ['ws-server/minimal-ws-server-threadpool', ['--count', '30', '--work-ms', '10'], /^wsi \d+ task: msg \d+$/],
])('%s in Chromium', (example, args, line) => {
  it('shows the messages the server\'s threads produce, cleanly', async () => {
    const server = await startServerExample(example, args);
    const w = await watchedPage(browser);
    await w.page.goto(server.url);
    await w.page.waitForSelector('#status.ok', { timeout: 10_000 });
    await w.page.waitForFunction(() => document.querySelectorAll('#received li').length >= 10, undefined, { timeout: 10_000 });
    const shown = await w.page.$$eval('#received li', (li) => li.map((x) => x.textContent ?? ''));
    expect(shown.length).toBeLessThanOrEqual(20);
    for (const s of shown) expect(s).toMatch(line);
    expect(await w.cspViolations()).toEqual([]);
    expect(w.consoleErrors).toEqual([]);
    expect(w.pageErrors).toEqual([]);
    await w.page.close();
    await server.running.stop();
  });
});
