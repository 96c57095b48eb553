/*
 * The lws-ts showcase: one server on http://127.0.0.1:7681 with an index of
 * every browser-facing example, each example's mount-origin mounted under
 * /<category>/<name>/. Everything is served with a strict CSP; the index is
 * rendered on the server, so it needs no script at all.
 */
import { fileURLToPath } from 'node:url';
import { cmdline, createContext, defineProtocol, log, SECURITY_HEADERS } from '@lws/core';
import { findExamples, type ShowcaseExample } from './examples.ts';
import { callbackExamples } from './callback-examples.ts';
import { lwsMinimal } from '../minimal-examples/ws-server/minimal-ws-server/protocol-lws-minimal.ts';
import { lwsMinimalBroker } from '../minimal-examples/ws-server/minimal-ws-broker/protocol-lws-minimal-broker.ts';

const dynamic = callbackExamples();
const examples = findExamples(fileURLToPath(new URL('../minimal-examples', import.meta.url)));

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function renderIndex(list: ShowcaseExample[]): string {
  const byCategory = new Map<string, ShowcaseExample[]>();
  for (const e of list) byCategory.set(e.category, [...(byCategory.get(e.category) ?? []), e]);
  const sections = [...byCategory].map(([cat, items]) => `
  <section>
    <h2>${escapeHtml(cat)}</h2>
    <ul>${items.map((e) => `
      <li><a href="${escapeHtml(e.mountpoint)}">${escapeHtml(e.name)}</a>
        <p>${escapeHtml(e.summary)}</p></li>`).join('')}
    </ul>
  </section>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>lws-ts showcase</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/static/showcase.css">
</head>
<body>
  <header><h1>lws-ts showcase</h1>
  <p>libwebsockets, re-made in TypeScript. Each example below is one of the minimal examples,
  served here from its own <code>mount-origin</code>. Run any of them alone with
  <code>pnpm start</code> in its folder.</p></header>
  <main id="examples" data-count="${list.length}">${sections}
  </main>
</body>
</html>
`;
}

const indexHtml = Buffer.from(renderIndex(examples));

/** Renders the index page; every other path falls through to the file mounts. */
const showcaseIndex = defineProtocol({
  name: 'showcase-index',
  http(wsi, _pss, req) {
    if (req.pathInMount !== '/' && req.pathInMount !== '/index.html') {
      wsi.respondText(404, 'not found');
      return;
    }
    wsi.respond({ status: 200, contentType: 'text/html; charset=utf-8', contentLength: indexHtml.length, headers: [['cache-control', 'no-cache']] });
    wsi.write(req.method === 'HEAD' ? Buffer.alloc(0) : indexHtml, 'http-final');
  },
});

const context = await createContext({
  port: cmdline.int('--port', 7681),
  iface: cmdline.str('--iface', '127.0.0.1'),
  logLevel: cmdline.int('-d', log.DEFAULT_LEVEL),
  headers: SECURITY_HEADERS,
  protocols: [showcaseIndex, ...dynamic.protocols, lwsMinimal, lwsMinimalBroker], // ws-server pages connect back here
  ws: { permessageDeflate: true },
  mounts: [
    { kind: 'callback', mountpoint: '/', protocol: 'showcase-index' },
    ...dynamic.mounts,
    { kind: 'file', mountpoint: '/static', origin: fileURLToPath(new URL('./mount-origin', import.meta.url)) },
    ...examples.map((e) => ({ kind: 'file' as const, mountpoint: e.mountpoint, origin: e.origin, def: 'index.html' })),
  ],
});

log.user(`LWS showcase: ${examples.length} examples | visit http://127.0.0.1:${context.port}`);
log.user('Ctrl-C to stop');
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void context.destroy().then(() => log.user('showcase stopped'));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
