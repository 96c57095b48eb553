/*
 * minimal-http-server-eventlib-demos against independent peers: lws's own C
 * test client (libwebsockets-test-client) counts with dumb-increment-protocol
 * and mirrors its circles through lws-mirror-protocol; Chromium loads the
 * page, sees the counter move and its own drawing come back through the
 * mirror, with zero CSP violations.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium, watchedPage } from '../lib/browser.js';
import { startServerExample, type StartedServer } from '../lib/examples.js';
import { start, stopAll } from '../lib/processes.js';

let server: StartedServer;
let browser: Browser | undefined;

beforeAll(async () => {
  server = await startServerExample('http-server/minimal-http-server-eventlib-demos', ['-d', '1039']);
});
afterAll(async () => {
  await browser?.close();
  await stopAll();
});

describe('libwebsockets-test-client against minimal-http-server-eventlib-demos', () => {
  it('counts up by one on dumb-increment-protocol and draws its circles through lws-mirror-protocol', async () => {
    const port = new URL(server.url).port;
    const client = start('libwebsockets-test-client', ['127.0.0.1', `--port=${port}`, '-d', '15']);
    await client.waitFor(/rx \d+ '8'/, 15_000);
    const rx = [...client.output().matchAll(/rx \d+ '(\d+)'/g)].map((m) => Number(m[1]));
    expect(rx.slice(0, 9)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    await client.waitFor(/mirror: LWS_CALLBACK_CLIENT_ESTABLISHED/, 10_000);
    const drawn = await server.running.waitFor(/(?:mirror rx c #[0-9A-Fa-f]{6} \d+ \d+ \d+;[^]*){5}/, 15_000);
    expect(drawn[0]).toMatch(/mirror rx c #/);
    await client.stop();
  });
});

describe('Chromium on the eventlib demos page', () => {
  it('shows the counter counting, mirrors a drawn line back, and has no CSP violations or errors', async () => {
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: apt-get install chromium`);
    browser = await launchChromium();
    const w = await watchedPage(browser);
    await w.page.goto(server.url);
    await w.page.waitForSelector('#dumb-status.ok', { timeout: 10_000 });
    await w.page.waitForSelector('#mirror-status.ok', { timeout: 10_000 });
    await w.page.waitForFunction(() => Number(document.getElementById('counter')?.textContent) >= 5, undefined, { timeout: 10_000 });
    await w.page.click('#reset');
    await w.page.waitForFunction(() => Number(document.getElementById('counter')?.textContent) < 5, undefined, { timeout: 10_000 });
    const box = (await w.page.locator('#board').boundingBox())!;
    await w.page.mouse.move(box.x + 20, box.y + 20);
    await w.page.mouse.down();
    for (let i = 1; i <= 5; i++) await w.page.mouse.move(box.x + 20 + i * 30, box.y + 20 + i * 10);
    await w.page.mouse.up();
    await w.page.waitForFunction(() => Number(document.getElementById('mirrored')?.textContent) >= 5, undefined, { timeout: 10_000 });
    await server.running.waitFor(/mirror rx d #000000 \d+ \d+ \d+ \d+;/, 5000);
    expect(await w.cspViolations()).toEqual([]);
    expect(w.consoleErrors).toEqual([]);
    expect(w.pageErrors).toEqual([]);
  });
});
