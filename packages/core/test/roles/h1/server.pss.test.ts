/*
 * A callback mount's pss lives for one http transaction: on a kept-alive
 * connection each request gets a fresh pss (newPss) and the previous one is
 * released (destroyPss) once its transaction is complete, as lws resets the wsi.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../../src/context/context.js';
import { setLogLevel } from '../../../src/context/log.js';
import { defineProtocol } from '../../../src/context/protocol.js';
import { closeAll, dial, exchange, statusesOf } from './server.harness.js';

setLogLevel(0);

interface Pss {
  id: number;
  requests: number;
  body: number;
  left: number;
}

let made = 0;
const destroyed: number[] = [];
/** Whether `wsi.pss` was still the transaction's pss right after its final write. */
const boundAfterFinal: boolean[] = [];
let context: Context | undefined;
afterEach(async () => {
  closeAll();
  await context?.destroy();
  context = undefined;
  made = 0;
  destroyed.length = 0;
  boundAfterFinal.length = 0;
});

const counter = defineProtocol<Pss>({
  name: 'counter',
  newPss: () => ({ id: ++made, requests: 0, body: 0, left: 3 }),
  destroyPss: (pss) => void destroyed.push(pss.id),
  http(wsi, pss, req) {
    pss.requests++;
    if (req.path.endsWith('/slow')) {
      // writeable-driven: three pieces, then the handler keeps using pss after its final write
      wsi.respond({ status: 200, contentType: 'text/plain' });
      wsi.callbackOnWritable();
    } else if (req.method === 'GET') {
      wsi.respondText(200, `requests=${pss.requests} pss=${pss.id};`);
    }
  },
  httpBody: (_wsi, pss, chunk) => void (pss.body += chunk.length),
  httpBodyCompletion: (wsi, pss) => void wsi.respondText(200, `requests=${pss.requests} body=${pss.body} pss=${pss.id};`),
  httpWriteable(wsi, pss) {
    pss.left--;
    wsi.write(Buffer.from(pss.left === 0 ? `end pss=${wsi.pss.id};` : 'piece '), pss.left === 0 ? 'http-final' : 'http');
    if (pss.left > 0) wsi.callbackOnWritable();
    else boundAfterFinal.push(wsi.pss === pss);
  },
});

async function serve(): Promise<number> {
  context = await createContext({
    port: 0,
    protocols: [counter],
    mounts: [
      { kind: 'callback', mountpoint: '/cb', protocol: 'counter' },
      { kind: 'file', mountpoint: '/files', origin: import.meta.dirname },
    ],
  });
  return context.port;
}

const H = 'Host: localhost\r\n';

/** Send one request on an open connection and wait until `n` bodies (each ending `pss=<id>;`) have arrived. */
async function ask(c: Awaited<ReturnType<typeof dial>>, req: string, n: number): Promise<void> {
  c.sock.write(req);
  await c.waitFor(new RegExp(`(?:pss=\\d+;[\\s\\S]*){${n}}`));
}

/** Wait until the server has released every connection (finalize ran, pss destroyed). */
async function allClosed(): Promise<void> {
  for (let i = 0; i < 200 && context?.wsiCount !== 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect(context?.wsiCount).toBe(0);
}

describe('h1 server: one pss per transaction on callback mounts', () => {
  it('gives each of 3 keep-alive requests a fresh pss and destroys each after its response', async () => {
    const port = await serve();
    const c = await dial(port);
    for (let i = 1; i <= 3; i++) {
      await ask(c, `GET /cb HTTP/1.1\r\n${H}\r\n`, i);
      expect(c.data().toString('latin1')).toContain(`requests=1 pss=${i};`);
    }
    // all three released while the connection is still open: the transactions are over
    await new Promise((r) => setImmediate(r));
    expect(destroyed).toEqual([1, 2, 3]);
    expect(context?.wsiCount).toBe(1);
    const text = c.data().toString('latin1');
    expect(statusesOf(text)).toEqual([200, 200, 200]);
    expect(text.match(/requests=1 pss=\d;/g)).toEqual(['requests=1 pss=1;', 'requests=1 pss=2;', 'requests=1 pss=3;']);
  });

  it('does the same for pipelined requests with bodies', async () => {
    const port = await serve();
    const post = (body: string): string => `POST /cb HTTP/1.1\r\n${H}Content-Length: ${body.length}\r\n\r\n${body}`;
    const text = await exchange(port, post('a') + post('bb') + `POST /cb HTTP/1.1\r\n${H}Content-Length: 3\r\nConnection: close\r\n\r\nccc`);
    await allClosed();
    expect(text.match(/requests=\d body=\d pss=\d;/g)).toEqual(['requests=1 body=1 pss=1;', 'requests=1 body=2 pss=2;', 'requests=1 body=3 pss=3;']);
    expect(destroyed).toEqual([1, 2, 3]);
  });

  it('keeps the pss bound until the handler that wrote the final piece returns', async () => {
    const port = await serve();
    const c = await dial(port);
    await ask(c, `GET /cb/slow HTTP/1.1\r\n${H}\r\n`, 1);
    await ask(c, `GET /cb/slow HTTP/1.1\r\n${H}\r\n`, 2);
    const text = c.data().toString('latin1');
    expect(text.match(/end pss=\d;/g)).toEqual(['end pss=1;', 'end pss=2;']);
    expect(text).not.toMatch(/ 500 /);
    expect(boundAfterFinal).toEqual([true, true]);
    await new Promise((r) => setImmediate(r));
    expect(destroyed).toEqual([1, 2]);
  });

  it('releases the pss when the next request goes to a file mount, and binds afresh after it', async () => {
    const port = await serve();
    const c = await dial(port);
    await ask(c, `GET /cb HTTP/1.1\r\n${H}\r\n`, 1);
    c.sock.write(`HEAD /files/server.pss.test.ts HTTP/1.1\r\n${H}\r\n`);
    await c.waitFor(/HTTP\/1\.1 200 OK[\s\S]*HTTP\/1\.1 200 OK[\s\S]*\r\n\r\n$/);
    expect(destroyed).toEqual([1]);
    await ask(c, `GET /cb HTTP/1.1\r\n${H}Connection: close\r\n\r\n`, 2);
    await c.closed();
    await allClosed();
    expect(c.data().toString('latin1')).toContain('requests=1 pss=2;');
    expect(destroyed).toEqual([1, 2]);
  });

  it('destroys the pss once when the connection closes after the response', async () => {
    const port = await serve();
    await exchange(port, `GET /cb HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    await allClosed();
    expect(made).toBe(1);
    expect(destroyed).toEqual([1]);
  });
});
