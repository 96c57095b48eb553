/*
 * HEAD framing (RFC 9110 §9.3.2, RFC 9112 §6.1): the head a GET would get,
 * `transfer-encoding: chunked` included when the length is unknown, and no
 * body at all (not even the last chunk), so the connection stays usable.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../../src/context/context.js';
import { setLogLevel } from '../../../src/context/log.js';
import { defineProtocol } from '../../../src/context/protocol.js';
import { closeAll, exchange, statusesOf } from './server.harness.js';

setLogLevel(0);

let context: Context | undefined;
afterEach(async () => {
  closeAll();
  await context?.destroy();
  context = undefined;
});

const streamed = defineProtocol({
  name: 'streamed',
  http(wsi, _pss, req) {
    const status = req.path.endsWith('/204') ? 204 : 200;
    wsi.respond({ status, contentType: 'text/plain', headers: [['x-unit', 'streamed']] });
    wsi.write(Buffer.from(status === 204 ? '' : 'streamed body'), 'http-final');
  },
});

async function serve(): Promise<number> {
  context = await createContext({ port: 0, protocols: [streamed], mounts: [{ kind: 'callback', mountpoint: '/s', protocol: 'streamed' }] });
  return context.port;
}

const H = 'Host: localhost\r\n';

/** The header block of the first response in `text`, without its status line. */
function headOf(text: string): string {
  return text.slice(text.indexOf('\r\n') + 2, text.indexOf('\r\n\r\n') + 2);
}

describe('h1 server: HEAD framing', () => {
  it('sends a chunked GET\'s framing headers for HEAD, and no body, not even the last chunk', async () => {
    const port = await serve();
    const get = await exchange(port, `GET /s HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    const head = await exchange(port, `HEAD /s HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    expect(get).toContain('transfer-encoding: chunked\r\n');
    expect(headOf(head)).toBe(headOf(get));
    expect(head.endsWith('\r\n\r\n')).toBe(true);
    expect(head.length).toBe(head.indexOf('\r\n\r\n') + 4);
  });

  it('keeps the connection after a chunked-framed HEAD: the next response follows at once', async () => {
    const port = await serve();
    const text = await exchange(port, `HEAD /s HTTP/1.1\r\n${H}\r\nGET /s HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    expect(statusesOf(text)).toEqual([200, 200]);
    // the second status line starts right after the first head: no chunk bytes between
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n(?:[^\r\n]+\r\n)+\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/\r\n\r\nd\r\nstreamed body\r\n0\r\n\r\n$/);
  });

  it('sends no transfer-encoding for a HEAD answered 204', async () => {
    const port = await serve();
    const text = await exchange(port, `HEAD /s/204 HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    expect(statusesOf(text)).toEqual([204]);
    expect(text).not.toContain('transfer-encoding');
  });

  it('frames an HTTP/1.0 HEAD without chunked (1.0 has none) and keeps it alive when asked', async () => {
    const port = await serve();
    const text = await exchange(port, `HEAD /s HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /s HTTP/1.0\r\n\r\n`);
    expect(statusesOf(text)).toEqual([200, 200]);
    expect(text).not.toContain('transfer-encoding');
    expect(headOf(text)).toContain('connection: keep-alive\r\n');
    expect(text.endsWith('streamed body')).toBe(true);
  });
});
