/*
 * The node:http peer of bench/h1.ts, plain Node (no TypeScript loader, so the
 * measured process is node:http and nothing else):
 *
 *   node node-http-server.cjs --port P --static-dir D [--iface 127.0.0.1]
 *     GET /hello           200, "hello world\n" with content-length (keep-alive)
 *     GET /static/<name>   fs.stat for content-length, fs.createReadStream(file).pipe(res)
 *     anything else        404
 *
 * Prints "LISTENING <url>" once it serves; SIGINT/SIGTERM close and exit.
 */
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const port = Number(arg('--port', '0'));
const iface = arg('--iface', '127.0.0.1');
const dir = path.resolve(arg('--static-dir', '.'));

const HELLO = Buffer.from('hello world\n');
const TYPES = { '.html': 'text/html', '.txt': 'text/plain', '.jpg': 'image/jpeg', '.png': 'image/png' };

function notFound(res) {
  res.writeHead(404, { 'content-type': 'text/plain', 'content-length': 10 });
  res.end('not found\n');
}

const server = http.createServer((req, res) => {
  const url = req.url || '/';
  if (req.method !== 'GET' && req.method !== 'HEAD') return notFound(res);
  if (url === '/hello') {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': HELLO.length });
    res.end(req.method === 'HEAD' ? undefined : HELLO);
    return;
  }
  if (!url.startsWith('/static/')) return notFound(res);
  let name;
  try {
    name = decodeURIComponent(url.slice('/static/'.length).split('?')[0]);
  } catch {
    return notFound(res);
  }
  // one flat directory: no separators, no dot-dot
  if (!name || name.includes('/') || name.includes('\\') || name.startsWith('.')) return notFound(res);
  const file = path.join(dir, name);
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) return notFound(res);
    res.writeHead(200, {
      'content-type': TYPES[path.extname(name)] || 'application/octet-stream',
      'content-length': st.size,
    });
    if (req.method === 'HEAD') return res.end();
    const stream = fs.createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
});

server.listen(port, iface, () => {
  console.log(`LISTENING http://${iface}:${server.address().port}/`);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
