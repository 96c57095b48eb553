/*
 * Chromium against minimal-http-server-basicauth: /secret/ is not shown
 * without credentials or with wrong ones (401 and the challenge), and with
 * the right ones (browser context httpCredentials) the secret page renders,
 * its script runs under the strict CSP, with zero violations and zero errors.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium, watchedPage, type WatchedPage } from '../lib/browser.js';
import { startServerExample, type StartedServer } from '../lib/examples.js';
import { stopAll } from '../lib/processes.js';

const REALM_CHALLENGE = 'Basic realm="lws-minimal-http-server-basicauth", charset="UTF-8"';
const SECRET_HEADING = 'The secret page';

let browser: Browser;
let server: StartedServer;

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: apt-get install chromium`);
  [browser, server] = await Promise.all([launchChromium(), startServerExample('http-server/minimal-http-server-basicauth')]);
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

describe('minimal-http-server-basicauth in Chromium', () => {
  it.each([
    ['a wrong password', { httpCredentials: { username: 'user', password: 'not-the-password' } }],
    ['an unknown user', { httpCredentials: { username: 'mallory', password: 'password' } }],
  ])('does not show the secret page with %s: 401 and the challenge', async (_what, options) => {
    const w = await watchedPage(browser, options);
    try {
      const res = await w.page.goto(`${server.url}/secret/`);
      expect(res?.status()).toBe(401);
      expect(res?.headers()['www-authenticate']).toBe(REALM_CHALLENGE);
      expect(await w.page.textContent('body')).not.toContain(SECRET_HEADING);
      expect(await w.page.textContent('h1')).toBe('401 Unauthorized');
    } finally {
      await w.page.context().close();
    }
  });

  it('does not show the secret page without credentials: the challenge is not answered', async () => {
    const w = await watchedPage(browser, {});
    try {
      // headless Chromium has no one to ask: Playwright cancels the login prompt
      await expect(w.page.goto(`${server.url}/secret/`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
      await w.page.waitForLoadState();
      expect(await w.page.textContent('body')).not.toContain(SECRET_HEADING);
      const res = await w.page.request.get(`${server.url}/secret/`);
      expect(res.status()).toBe(401);
      expect(res.headers()['www-authenticate']).toBe(REALM_CHALLENGE);
    } finally {
      await w.page.context().close();
    }
  });

  it('renders the secret page with the right credentials, script run, cleanly', async () => {
    const w = await watchedPage(browser, { httpCredentials: { username: 'user', password: 'password' } });
    try {
      const res = await w.page.goto(`${server.url}/secret/`);
      expect(res?.status()).toBe(200);
      expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
      expect(await w.page.textContent('h1')).toBe(SECRET_HEADING);
      await w.page.waitForSelector('#status.ok');
      expect(await w.page.textContent('#status')).toMatch(/^JavaScript ran under a strict CSP at /);
      // the stylesheet from the public mount applied: the CSP let it in
      expect(await w.page.$eval('#status', (el) => getComputedStyle(el).display)).not.toBe('none');
      await expectClean(w);
    } finally {
      await w.page.context().close();
    }
  });

  it('keeps the public page public: / renders without credentials, cleanly', async () => {
    const w = await watchedPage(browser, {});
    try {
      const res = await w.page.goto(`${server.url}/`);
      expect(res?.status()).toBe(200);
      expect(await w.page.textContent('body')).not.toContain(SECRET_HEADING);
      await expectClean(w);
    } finally {
      await w.page.context().close();
    }
  });
});
