/*
 * lws-minimal-http-server-form-post: the form protocol
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Parses a POSTed form with a Spa as its body arrives (urlencoded or
 * multipart), logs each expected field as lws does, and answers with a
 * page showing the values. A bad or oversized form gets its 4xx at once.
 */
import { defineProtocol, log, Spa, type LwsError, type Wsi } from '@lws/core';

/** The fields the form sends (lws_spa param names). */
export const PARAM_NAMES = ['text1', 'send'] as const;
const MAX_FIELD = 1024; // bytes per field value
const MAX_BODY = 8192; // bytes for the whole form

interface Pss {
  spa: Spa | undefined;
  /** A response was started for this request. */
  answered: boolean;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The results page: every expected field and its value. */
export function resultsPage(title: string, rows: [string, string][]): Buffer {
  const dl = rows.map(([k, v]) => `    <dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>\n`).join('');
  return Buffer.from(`<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${escapeHtml(title)}</title>
  <link rel="icon" href="favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="example.css">
</head>
<body>
  <h1>${escapeHtml(title)}</h1>
  <dl id="results">
${dl}  </dl>
  <p><a href="./">Back to the form</a></p>
</body>
</html>
`);
}

function fail(wsi: Wsi, pss: Pss, err: LwsError): void {
  if (pss.answered) return;
  pss.answered = true;
  log.notice(`form refused: ${err.message}`);
  wsi.respondText(err.wire.status ?? 400, `${err.message}\n`);
}

export const formPostProtocol = defineProtocol<Pss>({
  name: 'http',
  newPss: () => ({ spa: undefined, answered: false }),

  http(wsi, pss, req) {
    pss.answered = false;
    pss.spa = undefined;
    if (req.method !== 'POST') {
      pss.answered = true;
      wsi.respond({ status: 405, contentType: 'text/plain; charset=utf-8', contentLength: 19, headers: [['allow', 'POST']] });
      wsi.write('Use POST to submit\n', 'http-final');
      return;
    }
    pss.spa = Spa.forRequest(req, { params: PARAM_NAMES, maxFieldBytes: MAX_FIELD, maxTotalBytes: MAX_BODY });
    if (pss.spa.error) fail(wsi, pss, pss.spa.error);
  },

  httpBody(wsi, pss, chunk) {
    if (pss.answered || !pss.spa) return; // refused already: the rest of the body is only drained
    if (!pss.spa.write(chunk)) fail(wsi, pss, pss.spa.error as LwsError);
  },

  httpBodyCompletion(wsi, pss) {
    const spa = pss.spa;
    if (pss.answered || !spa) return;
    if (!spa.end()) return fail(wsi, pss, spa.error as LwsError);
    const rows: [string, string][] = [];
    for (const name of PARAM_NAMES) {
      const v = spa.get(name);
      log.user(v === undefined ? `${name}: undefined` : `${name}: (len ${Buffer.byteLength(v)}) '${v}'`);
      rows.push([name, v ?? '(not sent)']);
    }
    pss.answered = true;
    const page = resultsPage('Form results', rows);
    wsi.respond({ status: 200, contentType: 'text/html; charset=utf-8', contentLength: page.length, headers: [['cache-control', 'no-store']] });
    wsi.write(page, 'http-final');
  },

  closedHttp(_wsi, pss) {
    pss.spa?.abort();
  },
});
