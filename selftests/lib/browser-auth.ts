/*
 * A watched page (see browser.ts) in a browser context made with options:
 * HTTP credentials for basic-auth pages, locale, viewport. Records console
 * errors, page errors and CSP violations from the first byte.
 */
import type { Browser, BrowserContextOptions } from 'playwright-core';
import type { WatchedPage } from './browser.js';

/**
 * Open a watched page in a new context made with `options` (HTTPS errors
 * are always ignored, as in `watchedPage`). Close it with `page.context().close()`.
 *
 * @example
 * ```ts
 * const w = await watchedPageWith(browser, { httpCredentials: { username: 'user', password: 'password' } });
 * await w.page.goto(`${url}/secret/`);
 * ```
 */
export async function watchedPageWith(browser: Browser, options: BrowserContextOptions): Promise<WatchedPage> {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, ...options });
  const page = await ctx.newPage();
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // runs before any page script, outside the page's CSP
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  return {
    page,
    consoleErrors,
    pageErrors,
    cspViolations: () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp.slice()),
  };
}
