/*
 * Chromium against the form, SSE and dynamic examples, alone and inside the
 * showcase: the form pages submit and show their results, the upload lands
 * on disk, the EventSource pages receive their events, the dynamic page
 * renders, all under the strict CSP with zero violations and zero console errors.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium, watchedPage, type WatchedPage } from '../lib/browser.js';
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

async function expectClean(w: WatchedPage): Promise<void> {
  expect(await w.cspViolations()).toEqual([]);
  expect(w.consoleErrors).toEqual([]);
  expect(w.pageErrors).toEqual([]);
}

async function results(w: WatchedPage): Promise<[string, string][]> {
  return w.page.$$eval('#results dt', (dts) => dts.map((dt) => [dt.textContent ?? '', dt.nextElementSibling?.textContent ?? ''] as [string, string]));
}

describe.each([
  ['http-server/minimal-http-server-form-post', 'Form POST example'],
  ['http-server/minimal-http-server-form-get', 'Form GET example'],
])('%s in Chromium', (example, heading) => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServerExample(example);
  });

  it('submits the form and shows the values, cleanly', async () => {
    const w = await watchedPage(browser);
    const res = await w.page.goto(`${server.url}/`);
    expect(res?.status()).toBe(200);
    expect(await w.page.textContent('h1')).toBe(heading);
    await expectClean(w);
    await w.page.fill('input[name="text1"]', 'from chromium & <friends>');
    await Promise.all([w.page.waitForURL(/\/formdest/), w.page.click('input[type="submit"]')]);
    expect(await w.page.title()).toBe('Form results');
    expect(await results(w)).toEqual([['text1', 'from chromium & <friends>'], ['send', 'Send']]);
    await expectClean(w);
    await w.page.context().close();
  });
});

describe('minimal-http-server-form-post-file in Chromium', () => {
  let server: StartedServer;
  let uploads: string;
  beforeAll(async () => {
    uploads = mkdtempSync(join(tmpdir(), 'lws-browser-uploads-'));
    server = await startServerExample('http-server/minimal-http-server-form-post-file', ['--upload-dir', uploads, '--max-file', '100000']);
  });
  afterAll(() => rmSync(uploads, { recursive: true, force: true }));

  it('uploads a file chosen in the form (setInputFiles + submit), cleanly', async () => {
    const data = Buffer.alloc(40_000, 'lws-ts upload from chromium\n');
    const w = await watchedPage(browser);
    await w.page.goto(`${server.url}/`);
    await w.page.setInputFiles('input[type="file"]', { name: 'from-browser.txt', mimeType: 'text/plain', buffer: data });
    await Promise.all([w.page.waitForURL(/\/formdest/), w.page.click('input[type="submit"]')]);
    expect(await w.page.title()).toBe('Upload results');
    expect(await results(w)).toEqual([['text1', 'hello'], ['file', 'from-browser.txt, 40000 bytes']]);
    expect(readFileSync(join(uploads, 'from-browser.txt')).equals(data)).toBe(true);
    await expectClean(w);
    await w.page.context().close();
  });

  it('gets the 413 page for a file over the limit, and nothing is kept', async () => {
    const w = await watchedPage(browser);
    await w.page.goto(`${server.url}/`);
    await w.page.setInputFiles('input[type="file"]', { name: 'too-big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(100_001) });
    const [res] = await Promise.all([w.page.waitForResponse(/\/formdest/), w.page.click('input[type="submit"]')]);
    expect(res.status()).toBe(413);
    expect(await res.text()).toBe('Cannot accept file "too-big.bin" of field "file": it is over 100000 bytes\n');
    await server.running.waitFor(/upload refused: Cannot accept file "too-big\.bin".*; nothing kept/, 5000);
    expect(readdirSync(uploads)).toEqual(['from-browser.txt']);
    await w.page.context().close();
  });
});

describe('minimal-http-server-sse in Chromium', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServerExample('http-server/minimal-http-server-sse', ['--interval', '100']);
  });

  it('receives its own counter events through EventSource, cleanly', async () => {
    const w = await watchedPage(browser);
    await w.page.goto(`${server.url}/`);
    await w.page.waitForSelector('#status.ok', { timeout: 10_000 });
    await w.page.waitForFunction(() => document.querySelectorAll('#events li').length >= 3, undefined, { timeout: 10_000 });
    const items = await w.page.$$eval('#events li', (lis) => lis.map((li) => li.textContent));
    expect(items.at(-1)).toBe('#1 counter: 1');
    expect(items.at(-2)).toBe('#2 counter: 2');
    await expectClean(w);
    await w.page.context().close();
  });
});

describe('minimal-http-server-sse-ring in Chromium', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServerExample('http-server/minimal-http-server-sse-ring', ['--interval', '100']);
  });

  it('broadcasts the same messages to two pages, cleanly', async () => {
    const pages = [await watchedPage(browser), await watchedPage(browser)];
    await Promise.all(pages.map((w) => w.page.goto(`${server.url}/`)));
    // both have had 5 messages; then both lists (the last 10 each) are read together
    await Promise.all(pages.map((w) => w.page.waitForFunction(() => document.querySelectorAll('#events li').length >= 5, undefined, { timeout: 10_000 })));
    const texts = await Promise.all(pages.map((w) => w.page.$$eval('#events li', (lis) => lis.map((li) => li.textContent ?? ''))));
    const [a, b] = texts as [string[], string[]];
    const shared = a.filter((t) => b.includes(t));
    expect(shared.length).toBeGreaterThanOrEqual(3);
    for (const t of shared) expect(t).toMatch(/^#(\d+) message \1 from the timer, to \d+ clients$/);
    expect(shared.some((t) => t.endsWith('to 2 clients'))).toBe(true);
    for (const w of pages) {
      await expectClean(w);
      await w.page.context().close();
    }
  });
});

describe('minimal-http-server-dynamic in Chromium', () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServerExample('http-server/minimal-http-server-dynamic');
  });

  it('follows the link to the generated page, styled by its own origin, cleanly', async () => {
    const w = await watchedPage(browser);
    await w.page.goto(`${server.url}/`);
    await Promise.all([w.page.waitForURL(/\/dyn\/anything/), w.page.click('#dyn')]);
    expect(await w.page.textContent('h1')).toBe("Dynamic content for '/anything' from mountpoint.");
    expect(await w.page.$$eval('p.line', (ps) => ps.length)).toBe(12);
    expect(await w.page.$eval('body', (b) => getComputedStyle(b).maxWidth)).not.toBe('none'); // example.css applied
    await expectClean(w);
    await w.page.context().close();
  });
});

describe('the dynamic examples inside the showcase', () => {
  let url: string;
  beforeAll(async () => {
    const showcase = start(process.execPath, ['--import', 'tsx', 'main.ts', '--port', '0'], { cwd: new URL('../../showcase/', import.meta.url).pathname });
    url = (await showcase.waitFor(/USER: .*?(http:\/\/[^\s]+)[^\n]*\n/, 20_000))[1] as string;
  });

  it('posts the form-post example through its callback mount under the showcase path', async () => {
    const w = await watchedPage(browser);
    await w.page.goto(`${url}/http-server/minimal-http-server-form-post/`);
    await w.page.fill('input[name="text1"]', 'via showcase');
    await Promise.all([w.page.waitForURL(/\/http-server\/minimal-http-server-form-post\/formdest$/), w.page.click('input[type="submit"]')]);
    expect(await results(w)).toEqual([['text1', 'via showcase'], ['send', 'Send']]);
    await expectClean(w);
    await w.page.context().close();
  });

  it('streams the sse example under the showcase path', async () => {
    const w = await watchedPage(browser);
    await w.page.goto(`${url}/http-server/minimal-http-server-sse/`);
    await w.page.waitForFunction(() => document.querySelectorAll('#events li').length >= 1, undefined, { timeout: 10_000 });
    expect(await w.page.textContent('#events li')).toBe('#1 counter: 1');
    await expectClean(w);
    await w.page.context().close();
  });
});
