/*
 * The Node floor of bench/h1.ts: the same no-HTTP server as floor-server.c,
 * on Node's plain net API ('data' events and socket.write). Each complete
 * request head (CRLFCRLF) gets one prebuilt response: 200 with a file's bytes
 * for a known target, 404 otherwise. It shows what one read and one write
 * per request cost through Node's event loop and streams, before any HTTP
 * work; not a contender and not a real server (bench/README.md, h1).
 *
 *   node floor-node.cjs --port P [TARGET=FILE ...]
 *     with no TARGET=FILE: /hello answers "hello world\n"
 *
 * Prints "LISTENING <url>" once it serves; SIGINT/SIGTERM close and exit.
 * Request heads are assumed not to be split across reads (true of wrk).
 */
'use strict';
const net = require('node:net');
const fs = require('node:fs');

const args = process.argv.slice(2);
const portAt = args.indexOf('--port');
const port = portAt >= 0 ? Number(args[portAt + 1]) : 0;
const routeArgs = args.filter((a, i) => a.includes('=') && args[i - 1] !== '--port');

function response(target, body) {
  const type = target.endsWith('.jpg') ? 'image/jpeg' : 'text/plain';
  const head = `HTTP/1.1 200 OK\r\ncontent-type: ${type}\r\ncontent-length: ${body.length}\r\ndate: Wed, 25 Nov 2026 18:00:00 GMT\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

const routes = new Map();
for (const a of routeArgs) {
  const eq = a.indexOf('=');
  routes.set(a.slice(0, eq), response(a.slice(0, eq), fs.readFileSync(a.slice(eq + 1))));
}
if (routes.size === 0) routes.set('/hello', response('/hello', Buffer.from('hello world\n')));
const NOT_FOUND = Buffer.from('HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: 10\r\n\r\nnot found\n');

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('error', () => {});
  socket.on('data', (chunk) => {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf('\r\n\r\n', start, 'latin1');
      if (end < 0) break;
      const sp = chunk.indexOf(32, start);
      const sp2 = sp < 0 || sp > end ? -1 : chunk.indexOf(32, sp + 1);
      const target = sp2 < 0 || sp2 > end ? '' : chunk.latin1Slice(sp + 1, sp2);
      socket.write(routes.get(target) ?? NOT_FOUND);
      start = end + 4;
    }
  });
});
server.listen(port, '127.0.0.1', () => {
  console.log(`LISTENING http://127.0.0.1:${server.address().port}/`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
