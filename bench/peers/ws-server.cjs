/*
 * The `ws` package's echo server, the peer of `tsx server.ts --mode ws` in
 * ws-echo.ts: each message straight back with its opcode, any or no
 * subprotocol (the first offered is accepted), 127.0.0.1.
 *
 *   node peers/ws-server.cjs --port P [--deflate]
 *
 * --deflate turns on perMessageDeflate with the package's defaults (context
 * takeover, replies under 1 KiB uncompressed). Prints one "PEER ..." line
 * saying whether bufferutil and utf-8-validate loaded as native addons and
 * whether ws picked them up, then "LISTENING <url>".
 */
'use strict';
const { dirname, join } = require('node:path');
const { WebSocketServer } = require('ws');

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
};
const port = Number(arg('--port', '0'));
const deflate = process.argv.includes('--deflate');

/** 'native', 'fallback' (the package's JS) or 'missing'. */
function addon(name, fn) {
  try {
    require.resolve(name);
  } catch {
    return 'missing';
  }
  const f = fn(require(name));
  return typeof f === 'function' && /\[native code\]/.test(Function.prototype.toString.call(f)) ? 'native' : 'fallback';
}
const bufferutil = addon('bufferutil', (m) => m.mask);
const utf8validate = addon('utf-8-validate', (m) => m);
// ws's own view: its mask() calls bufferutil when it loaded; its UTF-8 check
// prefers Node's buffer.isUtf8 and only falls back to utf-8-validate without it
const wsDir = dirname(require.resolve('ws'));
const wsBufferUtil = require(join(wsDir, 'lib', 'buffer-util.js'));
const wsUsesBufferutil = /bufferUtil\.mask/.test(String(wsBufferUtil.mask));
const wsValidation = require(join(wsDir, 'lib', 'validation.js'));
const wsUtf8 = /isUtf8\(/.test(String(wsValidation.isValidUTF8))
  ? 'buffer.isUtf8'
  : /isValidUTF8\(buf\)/.test(String(wsValidation.isValidUTF8))
    ? 'utf-8-validate'
    : 'js';
const wsVersion = require(join(wsDir, 'package.json')).version;
console.log(
  `PEER ws ${wsVersion} bufferutil=${bufferutil} utf-8-validate=${utf8validate} ` +
    `ws-mask=${wsUsesBufferutil ? 'bufferutil' : 'js'} ws-utf8=${wsUtf8} deflate=${deflate}`,
);

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port,
  perMessageDeflate: deflate,
  handleProtocols: (protocols) => protocols.values().next().value ?? false,
});
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});
wss.on('listening', () => console.log(`LISTENING ws://127.0.0.1:${wss.address().port}/`));
const stop = () => process.exit(0);
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
