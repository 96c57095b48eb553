/*
 * Expect (RFC 9110 §10.1.1): 100-continue is met, any other expectation is
 * answered 417 before routing, and the connection is kept or closed as for
 * any answer sent before the request body.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createContext, type Context } from '../../../src/context/context.js';
import { setLogLevel } from '../../../src/context/log.js';
import { defineProtocol } from '../../../src/context/protocol.js';
import { makeHttpRequest } from '../../../src/http/request.js';
import { unmetExpectation } from '../../../src/roles/h1/server-dispatch.js';
import { closeAll, dial, exchange, statusesOf } from './server.harness.js';

setLogLevel(0);

let context: Context | undefined;
let calls = 0;
afterEach(async () => {
  closeAll();
  await context?.destroy();
  context = undefined;
  calls = 0;
});

const counted = defineProtocol<{ n: number }>({
  name: 'counted',
  newPss: () => ({ n: 0 }),
  http(wsi, _pss, req) {
    calls++;
    if (req.method === 'GET') wsi.respondText(200, 'served');
  },
  httpBody: (_wsi, pss, chunk) => void (pss.n += chunk.length),
  httpBodyCompletion: (wsi, pss) => void wsi.respondText(200, `got ${pss.n}`),
});

async function serve(): Promise<number> {
  context = await createContext({ port: 0, protocols: [counted], mounts: [{ kind: 'callback', mountpoint: '/cb', protocol: 'counted' }] });
  return context.port;
}

const H = 'Host: localhost\r\n';

describe('unmetExpectation', () => {
  const req = (...values: string[]) => makeHttpRequest('PUT', '/', '1.1', values.map((v): [string, string] => ['expect', v]));

  it.each([
    [['100-continue'], undefined],
    [['100-CONTINUE'], undefined],
    [[''], undefined],
    [[' , 100-continue ,'], undefined],
    [['x-fast'], 'x-fast'],
    [['100-continue, x-fast'], 'x-fast'],
    [['100-continue', 'Foo=bar'], 'Foo=bar'],
    [['100-continue=1'], '100-continue=1'],
  ] as const)('finds %j unmet: %j', (values, unmet) => {
    expect(unmetExpectation(req(...values))).toBe(unmet);
  });

  it('finds nothing unmet without an Expect field', () => {
    expect(unmetExpectation(makeHttpRequest('GET', '/', '1.1', [['host', 'x']]))).toBeUndefined();
  });
});

describe('h1 server: Expect other than 100-continue', () => {
  it('answers 417 without calling the handler, and keeps a bodiless connection', async () => {
    const port = await serve();
    const text = await exchange(port, `GET /cb HTTP/1.1\r\n${H}Expect: x-fast\r\n\r\nGET /cb HTTP/1.1\r\n${H}Connection: close\r\n\r\n`);
    expect(statusesOf(text)).toEqual([417, 200]);
    expect(text).toMatch(/^HTTP\/1\.1 417 Expectation Failed\r\n/);
    expect(text.endsWith('served')).toBe(true);
    expect(calls).toBe(1);
  });

  it('answers 417 (not 100) when 100-continue comes with another expectation, and closes before the body', async () => {
    const port = await serve();
    const c = await dial(port);
    c.sock.write(`POST /cb HTTP/1.1\r\n${H}Content-Length: 100000\r\nExpect: 100-continue, x-fast\r\n\r\n`);
    await c.closed();
    const text = c.data().toString('latin1');
    expect(statusesOf(text)).toEqual([417]);
    expect(text).toContain('connection: close\r\n');
    expect(text).not.toContain('100 Continue');
    expect(calls).toBe(0);
  });

  it('answers 417 for an unmet expectation in a second Expect line', async () => {
    const port = await serve();
    const text = await exchange(port, `GET /cb HTTP/1.1\r\n${H}Expect: 100-continue\r\nExpect: x-later\r\nConnection: close\r\n\r\n`);
    expect(statusesOf(text)).toEqual([417]);
  });

  it('answers 417 on a route with no mount too: the expectation is checked first', async () => {
    const port = await serve();
    expect(statusesOf(await exchange(port, `GET /nowhere HTTP/1.1\r\n${H}Expect: x-fast\r\nConnection: close\r\n\r\n`))).toEqual([417]);
  });

  it('still meets 100-continue in any case, and reads the body', async () => {
    const port = await serve();
    const c = await dial(port);
    c.sock.write(`POST /cb HTTP/1.1\r\n${H}Content-Length: 3\r\nExpect: 100-Continue\r\n\r\n`);
    await c.waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    c.sock.write('abc');
    await c.waitFor(/got 3$/);
    expect(statusesOf(c.data().toString('latin1'))).toEqual([100, 200]);
  });

  it('ignores 100-continue from an HTTP/1.0 client (no 100) but serves it', async () => {
    const port = await serve();
    const text = await exchange(port, `POST /cb HTTP/1.0\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nhi`);
    expect(statusesOf(text)).toEqual([200]);
    expect(text.endsWith('got 2')).toBe(true);
  });
});
