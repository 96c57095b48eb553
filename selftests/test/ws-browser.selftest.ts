/*
 * Chromium against the ws example pages: each page connects back over ws,
 * sends, shows what the server sends back, with zero CSP violations and
 * zero console errors.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium, watchedPage } from '../lib/browser.js';
import { startServerExample, type StartedServer } from '../lib/examples.js';
import { start, stopAll } from '../lib/processes.js';

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: apt-get install chromium`);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stopAll();
});

describe('minimal-ws-server in Chromium', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServerExample('ws-server/minimal-ws-server');
  });

  it('connects, sends, and shows the broadcast in both of two pages, cleanly', async () => {
    const a = await watchedPage(browser);
    const b = await watchedPage(browser);
    for (const w of [a, b]) {
      await w.page.goto(server.url);
      await w.page.waitForSelector('#status.ok', { timeout: 10_000 });
    }
    await a.page.fill('#text', 'héllo from page a');
    await a.page.click('#send');
    for (const w of [a, b]) {
      await w.page.waitForSelector('#received li', { timeout: 10_000 });
      expect(await w.page.$$eval('#received li', (li) => li.map((x) => x.textContent))).toEqual(['héllo from page a']);
    }
    for (const w of [a, b]) {
      expect(await w.cspViolations()).toEqual([]);
      expect(w.consoleErrors).toEqual([]);
      expect(w.pageErrors).toEqual([]);
    }
  });
});

describe('minimal-ws-server-pmd in Chromium', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServerExample('ws-server/minimal-ws-server-pmd');
  });

  it('agrees permessage-deflate with the browser and round-trips a message, cleanly', async () => {
    const w = await watchedPage(browser);
    await w.page.goto(server.url);
    await w.page.waitForSelector('#status.ok', { timeout: 10_000 });
    expect(await w.page.textContent('#extensions')).toMatch(/^permessage-deflate/);
    const text = 'compress me '.repeat(200);
    await w.page.fill('#text', text);
    await w.page.click('#send');
    await w.page.waitForSelector('#received li', { timeout: 10_000 });
    expect(await w.page.$$eval('#received li', (li) => li.map((x) => x.textContent))).toEqual([text.slice(0, 1000)]);
    expect(await w.cspViolations()).toEqual([]);
    expect(w.consoleErrors).toEqual([]);
    expect(w.pageErrors).toEqual([]);
  });
});

describe('minimal-ws-broker in Chromium', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServerExample('ws-server/minimal-ws-broker');
  });

  it('publishes from one page and shows it in every subscribed page, cleanly', async () => {
    const a = await watchedPage(browser);
    const b = await watchedPage(browser);
    for (const w of [a, b]) {
      await w.page.goto(server.url);
      await w.page.waitForSelector('#pub-status.ok', { timeout: 10_000 });
      await w.page.waitForSelector('#sub-status.ok', { timeout: 10_000 });
    }
    await b.page.fill('#text', 'news from page b');
    await b.page.click('#send');
    for (const w of [a, b]) {
      await w.page.waitForSelector('#received li', { timeout: 10_000 });
      expect(await w.page.$$eval('#received li', (li) => li.map((x) => x.textContent))).toEqual(['news from page b']);
      expect(await w.cspViolations()).toEqual([]);
      expect(w.consoleErrors).toEqual([]);
      expect(w.pageErrors).toEqual([]);
    }
  });
});

describe('ws-server pages inside the showcase', () => {
  let url: string;
  beforeAll(async () => {
    const showcase = start(process.execPath, ['--import', 'tsx', 'main.ts', '--port', '0'], { cwd: new URL('../../showcase/', import.meta.url).pathname });
    url = (await showcase.waitFor(/USER: .*?(http:\/\/[^\s]+)[^\n]*\n/, 20_000))[1] as string;
  });

  it.each([
    ['minimal-ws-server', '#status.ok'],
    ['minimal-ws-server-pmd', '#status.ok'],
    ['minimal-ws-broker', '#sub-status.ok'],
  ])('%s connects back to the showcase and gets its message back, cleanly', async (name, ready) => {
    const w = await watchedPage(browser);
    await w.page.goto(`${url}/ws-server/${name}/`);
    await w.page.waitForSelector(ready, { timeout: 10_000 });
    if (name === 'minimal-ws-broker') await w.page.waitForSelector('#pub-status.ok', { timeout: 10_000 });
    await w.page.fill('#text', `hello showcase ${name}`);
    await w.page.click('#send');
    await w.page.waitForSelector('#received li', { timeout: 10_000 });
    expect(await w.page.$$eval('#received li', (li) => li.map((x) => x.textContent))).toContain(`hello showcase ${name}`);
    expect(await w.cspViolations()).toEqual([]);
    expect(w.consoleErrors).toEqual([]);
    expect(w.pageErrors).toEqual([]);
  });
});
