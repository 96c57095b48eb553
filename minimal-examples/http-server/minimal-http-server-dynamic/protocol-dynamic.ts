/*
 * lws-minimal-http-server-dynamic: the dynamic content protocol
 *
 * This file is made available under the Creative Commons CC0 1.0
 * Universal Public Domain Dedication.
 *
 * Generates a page about the request it answers. The response has no
 * content-length, so http/1.1 sends it chunked; each writeable callback
 * writes one piece and asks for the next, so a slow client holds back the
 * generator instead of making us queue the page.
 */
import { defineProtocol, type HttpRequest } from '@lws/core';

const LINES = 12; // filler lines, to make a page of several pieces

interface Pss {
  /** The pieces still to send, first one next. */
  pieces: string[];
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page as pieces: one per writeable callback. */
export function dynamicPieces(req: HttpRequest, now: Date): string[] {
  const row = (k: string, v: string): string => `    <dt>${k}</dt><dd>${escapeHtml(v)}</dd>\n`;
  const pieces = [
    `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Dynamic content</title>
  <link rel="icon" href="../favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="../example.css">
</head>
<body>
  <h1>Dynamic content for '${escapeHtml(req.pathInMount)}' from mountpoint.</h1>
  <p id="time">Time: ${now.toUTCString()}</p>
`,
    `  <dl id="request">
${row('method', req.method)}${row('path', req.path)}${row('query', req.query)}${row('http version', req.httpVersion)}${row('host', req.host)}${row('user-agent', req.header('user-agent') ?? '')}  </dl>
`,
  ];
  for (let i = 1; i <= LINES; i++) pieces.push(`  <p class="line">This is line ${i} of ${LINES}, sent in its own writeable callback.</p>\n`);
  pieces.push('  <p><a href="../">Back</a></p>\n</body>\n</html>\n');
  return pieces;
}

export const dynamicProtocol = defineProtocol<Pss>({
  name: 'http',
  newPss: () => ({ pieces: [] }),

  http(wsi, pss, req) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const body = 'Use GET or HEAD\n';
      wsi.respond({ status: 405, contentType: 'text/plain; charset=utf-8', contentLength: body.length, headers: [['allow', 'GET, HEAD']] });
      wsi.write(body, 'http-final');
      return;
    }
    pss.pieces = dynamicPieces(req, new Date());
    // no contentLength: the h1 role sends the body chunked
    wsi.respond({ status: 200, contentType: 'text/html; charset=utf-8', headers: [['cache-control', 'no-store']] });
    wsi.callbackOnWritable();
  },

  httpWriteable(wsi, pss) {
    const piece = pss.pieces.shift();
    if (piece === undefined) return;
    const last = pss.pieces.length === 0;
    wsi.write(piece, last ? 'http-final' : 'http');
    if (!last) wsi.callbackOnWritable();
  },
});
