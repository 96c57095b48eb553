/*
 * lws-minimal-http-server-form-get: the form protocol
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * A GET form arrives as query arguments: the Spa reads them from the
 * request's query (decoded, bounded), the protocol logs each expected
 * field as lws does and answers with a page showing them.
 */
import { defineProtocol, log, Spa } from '@lws/core';

/** The fields the form sends (lws_spa param names). */
export const PARAM_NAMES = ['text1', 'send'] as const;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The results page: every expected field and its value. */
export function resultsPage(rows: [string, string][]): Buffer {
  const dl = rows.map(([k, v]) => `    <dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>\n`).join('');
  return Buffer.from(`<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Form results</title>
  <link rel="icon" href="favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="example.css">
</head>
<body>
  <h1>Form results</h1>
  <dl id="results">
${dl}  </dl>
  <p><a href="./">Back to the form</a></p>
</body>
</html>
`);
}

export const formGetProtocol = defineProtocol({
  name: 'http',

  http(wsi, _pss, req) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const body = 'Use GET to submit\n';
      wsi.respond({ status: 405, contentType: 'text/plain; charset=utf-8', contentLength: body.length, headers: [['allow', 'GET, HEAD']] });
      wsi.write(body, 'http-final');
      return;
    }
    const spa = Spa.forRequest(req, { params: PARAM_NAMES, maxFieldBytes: 1024, maxTotalBytes: 4096 });
    if (spa.error) {
      log.notice(`form refused: ${spa.error.message}`);
      wsi.respondText(spa.error.wire.status ?? 400, `${spa.error.message}\n`);
      return;
    }
    const rows: [string, string][] = [];
    for (const name of PARAM_NAMES) {
      const v = spa.get(name);
      log.user(v === undefined ? `${name}: undefined` : `${name}: (len ${Buffer.byteLength(v)}) '${v}'`);
      rows.push([name, v ?? '(not sent)']);
    }
    const page = resultsPage(rows);
    wsi.respond({ status: 200, contentType: 'text/html; charset=utf-8', contentLength: page.length, headers: [['cache-control', 'no-store']] });
    wsi.write(req.method === 'HEAD' ? Buffer.alloc(0) : page, 'http-final');
  },
});
